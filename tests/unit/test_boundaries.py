"""Architecture rules, checked on the source with ``ast``.

- Only ``dashboard/``, ``dashboard_app.py`` and ``streamlit_app.py`` import streamlit.
- ``components/`` and ``datasets/`` never use numpy's global RNG.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {"tests", ".git", ".venv", "venv", "node_modules", "__pycache__", "data"}
#: numpy.random names that do not touch the global state.
ALLOWED_RANDOM = {
    "default_rng",
    "SeedSequence",
    "Generator",
    "BitGenerator",
    "PCG64",
    "PCG64DXSM",
    "Philox",
    "SFC64",
}


def python_files(*tops: str) -> list[Path]:
    roots = [ROOT / t for t in tops] if tops else [ROOT]
    out = []
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(ROOT).parts
            if any(part in SKIP_DIRS or part.startswith(".") for part in rel[:-1]):
                continue
            out.append(path)
    return out


def imports_streamlit(source: str) -> list[int]:
    """Line numbers where ``source`` imports streamlit (statically or via importlib)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            if any(a.name.split(".")[0] == "streamlit" for a in node.names):
                lines.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and (node.module or "").split(".")[0] == "streamlit":
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            arg = node.args[0]
            if (
                name in ("import_module", "__import__")
                and isinstance(arg, ast.Constant)
                and str(arg.value).split(".")[0] == "streamlit"
            ):
                lines.append(node.lineno)
    return lines


def global_rng_uses(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` for every use of numpy's legacy global RNG in ``source``."""
    tree = ast.parse(source)
    numpy_names: set[str] = set()  # names bound to the numpy module
    random_names: set[str] = set()  # names bound to numpy.random
    bad: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == "numpy":
                    numpy_names.add(a.asname or "numpy")
                elif a.name == "numpy.random":
                    if a.asname:
                        random_names.add(a.asname)
                    else:
                        numpy_names.add("numpy")
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            if node.module == "numpy":
                for a in node.names:
                    if a.name == "random":
                        random_names.add(a.asname or "random")
            elif node.module == "numpy.random":
                for a in node.names:
                    if a.name not in ALLOWED_RANDOM:
                        bad.append((node.lineno, f"numpy.random.{a.name}"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        base = node.value
        via_numpy = (
            isinstance(base, ast.Attribute)
            and base.attr == "random"
            and isinstance(base.value, ast.Name)
            and base.value.id in numpy_names
        )
        via_alias = isinstance(base, ast.Name) and base.id in random_names
        if (via_numpy or via_alias) and node.attr not in ALLOWED_RANDOM:
            bad.append((node.lineno, f"numpy.random.{node.attr}"))
    return bad


def test_only_the_dashboard_imports_streamlit() -> None:
    files = python_files()
    rel = {p.relative_to(ROOT).as_posix() for p in files}
    assert "components/engine.py" in rel and "datasets/base.py" in rel  # the scan sees the core
    offenders = []
    for path in files:
        r = path.relative_to(ROOT).as_posix()
        if r in ("streamlit_app.py", "dashboard_app.py") or r.startswith("dashboard/"):
            continue
        source = path.read_text(encoding="utf-8")
        for line in imports_streamlit(source):
            # The classroom benchmark speaks the app's wire format (streamlit.proto
            # messages) to stand in for browsers; it uses nothing of the UI.
            text = source.splitlines()[line - 1]
            if r == "benchmarks/classroom.py" and text.startswith("from streamlit.proto."):
                continue
            offenders.append(f"{r}:{line}")
    assert not offenders, "streamlit imported outside dashboard/: " + ", ".join(offenders)


def test_core_never_uses_the_global_numpy_rng() -> None:
    files = python_files("components", "datasets")
    assert len(files) >= 10
    offenders = []
    for path in files:
        for line, name in global_rng_uses(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(ROOT).as_posix()}:{line} {name}")
    assert not offenders, "global RNG used: " + ", ".join(offenders)


# The checkers themselves must be able to fail.


@pytest.mark.parametrize(
    "source",
    [
        "import streamlit as st",
        "import streamlit.components.v1",
        "from streamlit import session_state",
        "import importlib\nimportlib.import_module('streamlit')",
        "def f():\n    import streamlit\n",
    ],
)
def test_streamlit_checker_catches(source: str) -> None:
    assert imports_streamlit(source)


def test_streamlit_checker_ignores_other_names() -> None:
    assert not imports_streamlit("import streamlit_app_helpers\nfrom dashboard import state")


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nnp.random.seed(0)",
        "import numpy as np\nx = np.random.rand(3)",
        "import numpy\nnumpy.random.randint(0, 5)",
        "import numpy as np\nnp.random.choice([1, 2])",
        "import numpy as np\nnp.random.shuffle(a)",
        "import numpy as np\nnp.random.RandomState(0)",
        "from numpy import random\nrandom.normal()",
        "from numpy import random as npr\nnpr.permutation(3)",
        "import numpy.random as nr\nnr.random()",
        "import numpy.random\nnumpy.random.uniform()",
        "from numpy.random import choice",
    ],
)
def test_global_rng_checker_catches(source: str) -> None:
    assert global_rng_uses(source)


def test_global_rng_checker_allows_generators() -> None:
    source = (
        "import numpy as np\n"
        "from numpy.random import default_rng\n"
        "rng = np.random.default_rng(np.random.SeedSequence(0))\n"
        "def f(rng: np.random.Generator) -> None:\n"
        "    rng.choice(3)\n"
        "    rng.random()\n"
    )
    assert global_rng_uses(source) == []
