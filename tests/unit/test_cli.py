"""``python -m components``: listing, the record files, replay, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from components.cli import main
from components.learners import LEARNERS
from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from datasets.base import DATASETS, _ensure_loaders

ROOT = Path(__file__).resolve().parents[2]

# DESIGN.md section 3, pinned here on purpose (not imported from records.py).
ROUNDS = [
    "round",
    "n_labeled",
    "accuracy",
    "accuracy_observed",
    "worst_group_accuracy",
    "dp_difference",
    "eo_difference",
    "pp_difference",
    "fit_seconds",
    "query_seconds",
    "metrics_seconds",
]
GROUPS = [
    "round",
    "group",
    "pool_share",
    "labeled_share",
    "queried",
    "queried_cum",
    "query_share_cum",
    "accuracy",
    "accuracy_observed",
    "tpr",
    "fpr",
    "selection_rate",
    "ppv",
    "mean_score",
    "uncertainty_bias",
]
QUERIES = ["round", "index", "group", "label_true", "label_observed", "score"]
TIMING = ["fit_seconds", "query_seconds", "metrics_seconds"]

RUN = [
    "run",
    "--dataset",
    "two_groups:n_samples=600",
    "--scenario",
    "label_bias:flip=0.3",
    "--scenario",
    "underrepresentation:keep=0.5",
    "--strategy",
    "margin",
    "--initial",
    "20",
    "--batch-size",
    "5",
    "--rounds",
    "3",
    "--seed",
    "4",
]


def test_list_names_everything_in_every_registry(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    _ensure_loaders()
    for kind, registry in (
        ("DATASETS", DATASETS),
        ("SCENARIOS", SCENARIOS),
        ("STRATEGIES", STRATEGIES),
        ("MODELS", LEARNERS),
    ):
        assert kind in out
        assert len(registry) > 0
        for name, entry in registry.items():
            line = next((ln for ln in out.splitlines() if ln.split()[:1] == [name]), None)
            assert line is not None, f"{kind}: {name} missing"
            assert entry.description[:30] in line
            for p in entry.params:
                assert f"{p.name}=" in out
    # the machine-readable form lists the same names
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["name"] for e in listed["strategies"]] == list(STRATEGIES)
    assert [e["name"] for e in listed["scenarios"]] == list(SCENARIOS)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    assert main([*RUN, "--out", str(out)]) == 0
    return out


def test_run_writes_the_four_files_with_the_documented_columns(run_dir: Path) -> None:
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        ["config.json", "rounds.csv", "groups.csv", "queries.csv"]
    )
    rounds = pd.read_csv(run_dir / "rounds.csv")
    groups = pd.read_csv(run_dir / "groups.csv")
    queries = pd.read_csv(run_dir / "queries.csv")
    assert list(rounds.columns[: len(ROUNDS)]) == ROUNDS
    assert list(groups.columns[: len(GROUPS)]) == GROUPS
    assert list(queries.columns[: len(QUERIES)]) == QUERIES
    assert rounds["round"].tolist() == [0, 1, 2, 3]
    assert rounds["n_labeled"].tolist() == [20, 25, 30, 35]
    assert len(groups) == 4 * 2 and set(groups["group"]) == {"majority", "minority"}
    assert len(queries) == 35
    config = json.loads((run_dir / "config.json").read_text())
    assert config["strategy"]["name"] == "margin"
    assert [s["name"] for s in config["scenarios"]] == ["label_bias", "underrepresentation"]
    assert config["seed"] == 4 and config["batch_size"] == 5


def test_config_replays_identically(run_dir: Path, tmp_path: Path) -> None:
    assert main(["run", "--config", str(run_dir / "config.json"), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "config.json").read_text() == (run_dir / "config.json").read_text()
    for name in ("rounds.csv", "groups.csv", "queries.csv"):
        a = pd.read_csv(run_dir / name)
        b = pd.read_csv(tmp_path / name)
        a = a.drop(columns=[c for c in TIMING if c in a])
        b = b.drop(columns=[c for c in TIMING if c in b])
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    # a run directory works as --config too
    again = tmp_path / "again"
    assert main(["run", "--config", str(run_dir), "--out", str(again)]) == 0
    pd.testing.assert_frame_equal(
        pd.read_csv(again / "queries.csv"), pd.read_csv(run_dir / "queries.csv")
    )


# ----------------------------------------------------------------------------- bad input


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


BAD = {
    "unknown dataset": (["run", "--dataset", "nosuch"], ["dataset", "'nosuch'", "allowed:"]),
    "typo'd scenario": (
        ["run", "--dataset", "two_groups:n_samples=600", "--scenario", "lable_bias:flip=0.2"],
        ["'lable_bias'", "did you mean 'label_bias'?"],
    ),
    "out-of-range flip": (
        ["run", "--dataset", "two_groups:n_samples=600", "--scenario", "label_bias:flip=1.5"],
        ["label_bias", "flip=", "1.5", "allowed: a number in [0, 1]"],
    ),
    "typo'd strategy": (
        ["run", "--dataset", "two_groups:n_samples=600", "--strategy", "entroyp"],
        ["strategy", "'entroyp'", "did you mean 'entropy'?"],
    ),
    "unknown model": (
        ["run", "--dataset", "two_groups:n_samples=600", "--model", "logistc"],
        ["model", "'logistc'", "did you mean 'logistic'?"],
    ),
    "batch size 0": (
        ["run", "--dataset", "two_groups:n_samples=600", "--batch-size", "0"],
        ["batch_size=", "0", "allowed: an integer in [1, 100]"],
    ),
    "non-number seed": (
        ["run", "--dataset", "two_groups:n_samples=600", "--seed", "abc"],
        ["seed=", "'abc'", "allowed: an integer"],
    ),
    "budget too large": (
        ["run", "--dataset", "two_groups:n_samples=200", "--batch-size", "100", "--rounds", "5"],
        ["budget:", "batch_size=100", "rounds=5", "allowed: at most"],
    ),
    "bad spec syntax": (
        ["run", "--dataset", "two_groups:n_samples"],
        ["'two_groups:n_samples'", "name:key=value"],
    ),
    "unknown flag": (["run", "--bogus", "1"], ["--bogus"]),
    "no command": ([], ["command"]),
}


def _check_one_error_line(err: str, needles: list[str]) -> None:
    lines = err.strip("\n").splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_exits_2_with_one_error_line(
    case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv, needles = BAD[case]
    assert main(argv) == 2
    captured = capsys.readouterr()
    _check_one_error_line(captured.err, needles)
    assert captured.out == ""


CONFIG_FILES = {
    "missing config file": (None, ["--config", "cannot read", "No such file or directory"]),
    "invalid JSON config": ("{not json", ["config:", "not valid JSON"]),
    "JSON that is not an object": ("[1, 2]", ["config:", "not an object"]),
    "unknown config field": (
        '{"dataset": "two_groups:n_samples=600", "rounds_": 3}',
        ["unknown field 'rounds_'", "did you mean 'rounds'?"],
    ),
    "bad value in config": (
        '{"dataset": "two_groups:n_samples=600", "test_size": 2}',
        ["test_size=", "2", "allowed: a number in [0.05, 0.9]"],
    ),
    "unknown group in config": (
        '{"dataset": "two_groups:n_samples=600", "scenarios": ["label_bias:group=Martians"]}',
        ["group='Martians'", "allowed: majority, minority"],
    ),
}


@pytest.mark.parametrize("case", list(CONFIG_FILES))
def test_bad_config_file_exits_2_with_one_error_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, needles = CONFIG_FILES[case]
    path = (
        str(tmp_path / "nowhere" / "config.json")
        if text is None
        else _write(tmp_path, "c.json", text)
    )
    assert main(["run", "--config", path]) == 2
    _check_one_error_line(capsys.readouterr().err, needles)


def test_config_with_a_non_list_scenarios_field_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "c.json", '{"dataset": "two_groups:n_samples=600", "scenarios": 5}')
    assert main(["run", "--config", path]) == 2
    _check_one_error_line(capsys.readouterr().err, ["scenario", "5"])


def test_unwritable_out_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    argv = ["run", "--dataset", "two_groups:n_samples=600", "--rounds", "1"]
    assert main([*argv, "--out", str(blocker / "sub")]) == 2
    _check_one_error_line(capsys.readouterr().err, ["--out", "cannot write"])


def test_real_process_shows_no_traceback() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "components", "run", "--scenario", "lable_bias"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    _check_one_error_line(proc.stderr, ["'lable_bias'", "did you mean 'label_bias'?"])
