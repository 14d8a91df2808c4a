"""Sweeps: backends agree, resume skips finished runs, failures are recorded, summaries hold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from components import engine
from components.cli import main
from components.records import TIMING_COLUMNS
from components.sweep import KINDS, RUNS, run_sweep
from components.sweep_grid import parse_grid
from components.sweep_summary import GROUP_METRICS, RUN_METRICS, load_sweep, per_run, summarize

GRID = """
dataset = ["two_groups:n_samples=400"]
scenarios = [["label_bias:flip=0.3"]]
strategy = ["random", "least_confidence"]
seed = [0, 1]
rounds = [3]
"""
# The pool of 300 rows holds 20 + 10 x 3 labels, but not 20 + 10 x 40.
FAILING = GRID.replace("rounds = [3]", "rounds = [3, 40]")


def tables(out: Path) -> dict[str, pd.DataFrame]:
    return {
        kind: pd.read_parquet(out / f"{kind}.parquet").drop(
            columns=list(TIMING_COLUMNS), errors="ignore"
        )
        for kind in KINDS
    }


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


@pytest.fixture(scope="module")
def serial_sweep(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial")
    run_sweep(parse_grid(GRID), out, jobs=1, quiet=True)
    return out


def test_backends_and_jobs_give_identical_tables(serial_sweep, cluster, tmp_path):
    grid = parse_grid(GRID)
    run_sweep(grid, tmp_path / "loky", jobs=2, backend="loky", quiet=True)
    run_sweep(
        grid, tmp_path / "dask", backend="dask", scheduler=cluster.scheduler_address, quiet=True
    )
    want = tables(serial_sweep)
    assert want["rounds"]["run_id"].nunique() == 4
    assert len(want["rounds"]) == 4 * 4  # rounds 0..3 of each run
    for other in ("loky", "dask"):
        got = tables(tmp_path / other)
        for kind in KINDS:
            pd.testing.assert_frame_equal(got[kind], want[kind], obj=f"{other} {kind}")


def test_tables_carry_run_id_and_config_columns(serial_sweep):
    rounds = pd.read_parquet(serial_sweep / "rounds.parquet")
    for column in ("run_id", "dataset", "scenario", "strength", "strategy", "seed", "round"):
        assert column in rounds.columns
    assert set(rounds["scenario"]) == {"label_bias"}
    assert set(rounds["strength"]) == {0.3}
    assert sorted(set(rounds["strategy"])) == ["least_confidence", "random"]
    # each run's own folder replays: its config.json is the resolved config
    key = rounds["run_id"].iloc[0]
    config = json.loads((serial_sweep / RUNS / key / "config.json").read_text())
    assert config["scenarios"][0]["params"]["group"] == "minority"


def test_rerun_skips_finished_runs_and_runs_only_new_ones(tmp_path, monkeypatch):
    calls = []
    real = engine.Simulation

    class Counting(real):
        def __init__(self, config, **kw):
            calls.append(config.seed)
            super().__init__(config, **kw)

    monkeypatch.setattr(engine, "Simulation", Counting)
    first = run_sweep(parse_grid(GRID), tmp_path, jobs=1, quiet=True)
    assert (first.ran, first.skipped, len(calls)) == (4, 0, 4)
    files = sorted((tmp_path / RUNS).glob("*/rounds.parquet"))
    stamps = [f.stat().st_mtime_ns for f in files]

    again = run_sweep(parse_grid(GRID), tmp_path, jobs=1, quiet=True)
    assert (again.ran, again.skipped, len(calls)) == (0, 4, 4)
    assert [f.stat().st_mtime_ns for f in files] == stamps

    wider = run_sweep(parse_grid(GRID.replace("[0, 1]", "[0, 1, 2]")), tmp_path, jobs=1, quiet=True)
    assert (wider.ran, wider.skipped) == (2, 4)
    assert calls[4:] == [2, 2]
    assert [f.stat().st_mtime_ns for f in files] == stamps
    assert pd.read_parquet(tmp_path / "rounds.parquet")["run_id"].nunique() == 6


def test_a_failing_run_is_recorded_and_the_sweep_finishes(tmp_path):
    outcome = run_sweep(parse_grid(FAILING), tmp_path, jobs=2, quiet=True)
    assert (outcome.total, len(outcome.failed)) == (8, 4)
    for key, error in outcome.failed.items():
        assert error.startswith("budget: ")
        saved = json.loads((tmp_path / "failed" / f"{key}.json").read_text())
        assert saved["error"] == error and saved["config"]["rounds"] == 40
        assert not (tmp_path / RUNS / key).exists()
    rounds = pd.read_parquet(tmp_path / "rounds.parquet")
    assert set(rounds["rounds"]) == {3} and rounds["run_id"].nunique() == 4
    retry = run_sweep(parse_grid(FAILING), tmp_path, jobs=1, quiet=True)
    assert (retry.ran, retry.skipped, len(retry.failed)) == (4, 4, 4)


def test_every_interval_contains_its_mean_and_is_reproducible(serial_sweep):
    sweep = load_sweep(serial_sweep)
    curves = summarize(sweep, "all")
    assert set(curves["round"]) == {0, 1, 2, 3}
    assert ((curves["low"] <= curves["mean"]) & (curves["mean"] <= curves["high"])).all()
    assert (curves["n_seeds"] <= 2).all() and (curves["n_seeds"] == 2).any()
    spread = curves[curves["high"] > curves["low"]]
    assert len(spread) > 0  # seeds differ, so most intervals have width
    pd.testing.assert_frame_equal(curves, summarize(sweep, "all"))
    last = summarize(sweep)
    assert set(last["round"]) == {3}
    values = per_run(sweep)
    assert len(values) == 4 * (len(RUN_METRICS) + 2 * len(GROUP_METRICS))  # 4 runs, 2 groups
    assert set(values["run_id"]) == set(sweep.rounds["run_id"])
    acc = last[(last["metric"] == "accuracy") & (last["group"] == "")]
    rounds = sweep.rounds[sweep.rounds["round"] == 3]
    by_strategy = rounds.groupby("strategy")["accuracy"].mean()
    for row in acc.itertuples():
        assert row.mean == pytest.approx(by_strategy[row.strategy])
    gap = last[(last["metric"] == "accuracy_gap") & (last["group"] == "")]
    true_gap = (rounds["accuracy_observed"] - rounds["accuracy"]).groupby(rounds["strategy"])
    for row in gap.itertuples():
        assert row.mean == pytest.approx(true_gap.mean()[row.strategy])


def test_grid_typo_gets_one_line_through_the_cli(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID.replace("strategy =", "stratgy ="))
    code = main(["sweep", "--grid", str(grid), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "unknown key 'stratgy'" in err and "did you mean 'strategy'" in err
    assert not (tmp_path / "out").exists()

    grid.write_text(GRID.replace('"random"', '"randon"'))
    assert main(["sweep", "--grid", str(grid), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "grid 'strategy': value 'randon'" in err and "did you mean 'random'" in err


def test_grid_expands_spec_parameter_lists_and_counts_a_run_once():
    grid = parse_grid(
        'scenarios = [[], [{ name = "label_bias", params = { flip = [0.2, 0.6] } }]]\n'
        'strategy = ["random", "random:"]\nseed = [0, 1]\n[sweep]\nbudgets = [2, 1]'
    )
    assert len(grid) == 3 * 2  # "random" and "random:" are the same run
    flips = [c.scenarios[0].get("flip") if c.scenarios else None for c in grid.configs]
    assert flips == [None, None, 0.2, 0.2, 0.6, 0.6]
    assert grid.budgets == (1, 2)


def test_summarize_writes_tables_and_an_offline_report(serial_sweep, tmp_path, capsys):
    out = tmp_path / "report"
    assert main(["summarize", str(serial_sweep), "--budgets", "1,3", "--out", str(out)]) == 0
    summary = pd.read_parquet(out / "summary.parquet")
    assert set(summary["round"]) == {1, 3}
    assert len(pd.read_csv(out / "summary.csv")) == len(summary)
    page = (out / "report.html").read_text()
    assert page.count("Plotly.newPlot") == 7
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=", page)
    outside_scripts = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    assert "http" not in outside_scripts
    assert "Houlsby" not in page and "Lewis" in page  # sources of what ran, and only that
    assert main(["summarize", str(serial_sweep), "--budgets", "x"]) == 2
    assert "--budgets: 'x'" in capsys.readouterr().err
    assert main(["summarize", str(serial_sweep), "--budgets", "50"]) == 2
    assert "allowed: rounds from 0 to 3" in capsys.readouterr().err


def test_summarize_refuses_a_folder_without_tables(tmp_path, capsys):
    assert main(["summarize", str(tmp_path)]) == 2
    assert "has no rounds.parquet" in capsys.readouterr().err


def test_bootstrap_is_seeded_and_each_interval_brackets_its_mean():
    from components.sweep_summary import bootstrap_means

    rng = np.random.default_rng(0)
    cell = np.repeat(np.arange(50), rng.integers(1, 8, size=50))
    values = rng.exponential(size=len(cell))
    a = bootstrap_means(cell, values, n_cells=50)
    b = bootstrap_means(cell, values, n_cells=50)
    pd.testing.assert_frame_equal(a, b)
    assert ((a["low"] <= a["mean"]) & (a["mean"] <= a["high"])).all()
    assert (a.loc[a["n_seeds"] == 1, "low"] == a.loc[a["n_seeds"] == 1, "high"]).all()


def test_backend_and_scheduler_flags_are_checked_up_front(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID)
    out = str(tmp_path / "out")
    assert main(["sweep", "--grid", str(grid), "--out", out, "--backend", "ray"]) == 2
    assert "--backend: 'ray' is not a backend; allowed: loky, dask" in capsys.readouterr().err
    assert main(["sweep", "--grid", str(grid), "--out", out, "--scheduler", "tcp://x:1"]) == 2
    assert "--scheduler: goes only with --backend dask" in capsys.readouterr().err
    assert main(["sweep", "--grid", str(grid), "--out", out, "--jobs", "0"]) == 2
    assert "--jobs: '0'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_report_escapes_group_names(serial_sweep, tmp_path):
    from dataclasses import replace

    from components.sweep_report import write_report

    sweep = load_sweep(serial_sweep)
    hostile = "<img src=x onerror=alert(1)>"
    groups = sweep.groups.assign(group=sweep.groups["group"].replace("minority", hostile))
    sweep = replace(sweep, groups=groups)
    page = write_report(
        sweep, summarize(sweep), summarize(sweep, "all"), tmp_path / "r.html"
    ).read_text()
    # shown as text: escaped before plotly, whose labels would read tags as its own markup
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert hostile not in page
