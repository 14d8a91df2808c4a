"""The import matrix of the product packages, checked on the source and in fresh interpreters.

Layers, bottom up (DESIGN.md section 6):

- ``specs``: the spec language and the registries (``Param``, ``Spec``,
  ``Registry``, ``did_you_mean``). A leaf: it imports nothing of the project.
- ``datasets``: imports the leaf, never ``components``.
- ``components``: imports ``datasets`` and the leaf.
- ``dashboard``, ``dashboard_app.py`` and ``streamlit_app.py``: may import all of
  the above, and are the only ones that import streamlit (``test_boundaries.py``
  scans every file for that; here a fresh interpreter checks that the core
  loads without it).

Every ``import`` and ``from ... import`` counts wherever it stands (inside a
function too), and so does ``importlib.import_module`` with a constant name.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LEAF = ROOT / "specs"
LEAF_NAMES = {"Param", "Spec", "Registry", "did_you_mean"}
#: Each product unit and the units it may import (besides itself).
ALLOWED: dict[str, frozenset[str]] = {
    "specs": frozenset(),
    "datasets": frozenset({"specs"}),
    "components": frozenset({"datasets", "specs"}),
    "dashboard": frozenset({"components", "datasets", "specs"}),
    "dashboard_app": frozenset({"dashboard", "components", "datasets", "specs"}),
    "streamlit_app": frozenset({"dashboard", "dashboard_app", "components", "datasets", "specs"}),
}
#: Top-level names of the project that are not product units (tools, tests, scripts).
TOOLS = frozenset({"tests", "benchmarks", "scripts", "harness"})
PROJECT = frozenset(ALLOWED) | TOOLS


# ------------------------------------------------------------------- reading imports


def module_name(path: Path) -> str:
    """The dotted name a file is imported as, from the repo root."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, *, name: str, is_package: bool = False) -> list[tuple[int, str]]:
    """``(line, dotted name)`` of every module ``source`` imports, relative ones resolved."""
    package = name.split(".") if is_package else name.split(".")[:-1]
    out: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                full = ".".join([*base, *([node.module] if node.module else [])])
            else:
                full = node.module or ""
            out.append((node.lineno, full))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                out.append((node.lineno, node.args[0].value))
    return sorted(out)


def unit_files(unit: str) -> list[Path]:
    """The Python files of one top-level unit (a package or a root module)."""
    if (ROOT / f"{unit}.py").is_file():
        return [ROOT / f"{unit}.py"]
    folder = ROOT / unit
    return sorted(
        p
        for p in folder.rglob("*.py")
        if "__pycache__" not in p.parts and "data" not in p.relative_to(folder).parts[:-1]
    )


def project_imports(unit: str) -> Iterator[tuple[str, int, str]]:
    """``(file, line, unit imported)`` for each import of another project unit in ``unit``."""
    for path in unit_files(unit):
        name = module_name(path)
        source = path.read_text(encoding="utf-8")
        for line, target in imported_modules(
            source, name=name, is_package=path.name == "__init__.py"
        ):
            top = target.split(".")[0]
            if top in PROJECT and top != unit:
                yield path.relative_to(ROOT).as_posix(), line, top


def unit_graph() -> dict[str, set[str]]:
    return {unit: {top for _, _, top in project_imports(unit)} for unit in ALLOWED}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path that ends where it starts, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        if node in done:
            return None
        for nxt in sorted(graph.get(node, ())):
            found = visit(nxt, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


# --------------------------------------------------------------- the matrix, on source


def test_the_scan_sees_every_product_unit() -> None:
    for unit in ("datasets", "components", "dashboard", "dashboard_app", "streamlit_app"):
        assert unit_files(unit), unit
    assert ROOT / "datasets" / "base.py" in unit_files("datasets")
    assert not any("data" in p.relative_to(ROOT).parts[1:-1] for p in unit_files("datasets"))


@pytest.mark.parametrize(
    "unit",
    [
        "datasets",
        "components",
        "dashboard",
        "dashboard_app",
        "streamlit_app",
    ],
)
def test_each_unit_imports_only_the_layers_below_it(unit: str) -> None:
    bad = [
        f"{file}:{line} imports {top}"
        for file, line, top in project_imports(unit)
        if top not in ALLOWED[unit]
    ]
    assert not bad, f"{unit} may import only {sorted(ALLOWED[unit])}: " + "; ".join(bad)


def test_the_spec_language_is_a_leaf() -> None:
    import specs

    assert LEAF.is_dir(), "specs/ (the spec language) is not at the repo root"
    assert LEAF_NAMES <= set(specs.__all__), (
        f"specs lacks {sorted(LEAF_NAMES - set(specs.__all__))}"
    )
    assert not list(project_imports("specs")), list(project_imports("specs"))


def test_the_layers_form_no_cycle() -> None:
    assert find_cycle(unit_graph()) is None, " -> ".join(find_cycle(unit_graph()) or [])


# The checkers themselves must be able to fail.


def test_the_cycle_finder_finds_todays_cycle_in_a_made_up_graph() -> None:
    graph = {"specs": set(), "datasets": {"components"}, "components": {"datasets"}}
    assert find_cycle(graph) == ["components", "datasets", "components"]
    assert find_cycle({**graph, "datasets": {"specs"}}) is None


def test_the_reader_sees_imports_everywhere() -> None:
    source = (
        "import os\n"
        "from components.config import RunConfig\n"
        "def f():\n"
        "    import dashboard.charts as ch\n"
        "class A:\n"
        "    def g(self):\n"
        "        from .. import upload\n"
        "__import__('streamlit')\n"
    )
    seen = [m for _, m in imported_modules(source, name="datasets.sub.mod")]
    assert seen == ["os", "components.config", "dashboard.charts", "datasets", "streamlit"]


# --------------------------------------------------------------- fresh interpreters


def run_python(code: str, *, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def last_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit code {proc.returncode}"


@pytest.mark.parametrize(
    "code",
    [
        "import datasets",
        "import datasets.loaders",
        "import datasets.upload",
        "import datasets.uploaded",
        "import components",
        "import components.cli",
        "import components; import datasets",
        "import datasets; import components.engine",
        "import datasets.upload; import components.config",
        "import components.config; import datasets.upload",
        "import dashboard.charts",
    ],
)
def test_a_fresh_interpreter_imports_in_any_order(code: str) -> None:
    proc = run_python(code)
    assert proc.returncode == 0, f"python -c {code!r}: {last_line(proc)}"


def loaded_after(code: str) -> set[str]:
    proc = run_python(f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))")
    assert proc.returncode == 0, last_line(proc)
    return {m.split(".")[0] for m in proc.stdout.split()}


def test_the_core_loads_without_the_ui() -> None:
    loaded = loaded_after("import datasets.loaders, components.cli, components.engine")
    assert not loaded & {"streamlit", "dashboard"}, sorted(loaded & {"streamlit", "dashboard"})


def test_datasets_load_without_components() -> None:
    loaded = loaded_after("import datasets, datasets.loaders")
    assert "components" not in loaded


#: Lines a maintainer might add to the top of components/__init__.py: a package
#: that re-exports its own API, or one that makes sure every loader is registered.
INSERTIONS = (
    "from datasets import DATASETS, Dataset",
    "from components.config import RunConfig",
    "import datasets.loaders",
)


@pytest.fixture(scope="module")
def core_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``components``, ``datasets`` (without its data files) and the leaf, copied."""
    dest = tmp_path_factory.mktemp("core")
    ignore = shutil.ignore_patterns("__pycache__", "data")
    for unit in ("components", "datasets"):
        shutil.copytree(ROOT / unit, dest / unit, ignore=ignore)
    shutil.copytree(LEAF, dest / LEAF.name, ignore=ignore)
    return dest


@pytest.mark.parametrize("line", INSERTIONS)
def test_components_can_import_datasets_at_the_top_of_its_package(
    core_copy: Path, line: str
) -> None:
    init = core_copy / "components" / "__init__.py"
    init.write_text(f"{line}  # noqa: F401\n" + (ROOT / "components" / "__init__.py").read_text())
    failed = []
    for code in ("import datasets", "import datasets.upload", "import components"):
        proc = run_python(code, cwd=core_copy)
        if proc.returncode:
            failed.append(f"python -c {code!r}: {last_line(proc)}")
    assert not failed, f"with {line!r} in components/__init__.py: " + "; ".join(failed)


def test_tests_never_import_a_benchmark_script() -> None:
    bad = [
        f"{path.relative_to(ROOT).as_posix()}:{line}"
        for path in sorted((ROOT / "tests").rglob("*.py"))
        for line, target in imported_modules(path.read_text(encoding="utf-8"), name="tests.x")
        if target.split(".")[0] == "benchmarks"
    ]
    assert not bad, "tests import benchmark scripts (use harness/): " + "; ".join(bad)
