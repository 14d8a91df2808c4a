"""A sweep's numbers across seeds: mean and a bootstrap 95% interval per cell, budget and metric.

A *cell* is every config field but the seed (:data:`CELL`). At each budget
(a round), each run gives one value per metric (and per group for the group
metrics); the cell's seeds give the mean and a percentile bootstrap interval
of that mean. The bootstrap is seeded, so the same tables give the same
intervals. NaN values (a rate that is undefined for a run, e.g. a TPR without
positives) are left out, and ``n_seeds`` counts the values that remain.

The result is one tidy frame (:data:`SUMMARY_COLUMNS`), one row per
(cell, round, metric, group); ``group`` is empty for the run-wide metrics.
:func:`load_sweep` reads a sweep folder once; :func:`summarize` at
``budgets="all"`` gives the learning curves with their bands.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from components.sweep import CONFIG_COLUMNS, PLAN, failures
from specs import UserInputError

#: The config columns that identify a cell: all but the seed.
CELL = tuple(c for c in CONFIG_COLUMNS if c != "seed")
#: Run-wide metrics, from the ``rounds`` table (``*_gap``: observed minus true).
RUN_METRICS = (
    "accuracy",
    "worst_group_accuracy",
    "dp_difference",
    "eo_difference",
    "accuracy_gap",
    "worst_group_accuracy_gap",
)
#: Per-group metrics, from the ``groups`` table (``query_minus_pool``: query share - pool share).
GROUP_METRICS = ("query_share", "pool_share", "query_minus_pool", "accuracy", "tpr", "fpr")
SUMMARY_COLUMNS = (*CELL, "round", "n_labeled", "metric", "group", "mean", "low", "high", "n_seeds")
#: Bootstrap resamples per interval, and the seed they are drawn from.
RESAMPLES = 2000
BOOTSTRAP_SEED = 14
LEVEL = 0.95
#: Cells bootstrapped at once, bounding memory to about this many floats.
CHUNK_FLOATS = 4_000_000

MSG_FOLDER = (
    "summarize: {path!r} has no {what}; allowed: a folder written by "
    "'python -m components sweep' with at least one finished run"
)
MSG_BUDGETS = "--budgets: {value!r}; allowed: rounds as whole numbers >= 0, e.g. 10,20,30"

Budgets = tuple[int, ...] | Literal["all"] | None


@dataclass(frozen=True)
class Sweep:
    """A sweep folder's tables, read once."""

    folder: Path
    rounds: pd.DataFrame
    groups: pd.DataFrame
    budgets: tuple[int, ...]
    planned: int
    failed: dict[str, str]

    @property
    def n_runs(self) -> int:
        return int(self.rounds["run_id"].nunique())


def load_sweep(folder: str | Path) -> Sweep:
    """Read ``DIR/rounds.parquet``, ``DIR/groups.parquet`` and the plan of a sweep folder."""
    folder = Path(folder)
    tables = {}
    for kind in ("rounds", "groups"):
        path = folder / f"{kind}.parquet"
        if not path.is_file():
            raise UserInputError(MSG_FOLDER.format(path=str(folder), what=f"{kind}.parquet"))
        tables[kind] = pd.read_parquet(path)
    plan_path = folder / PLAN
    plan = json.loads(plan_path.read_text("utf-8")) if plan_path.is_file() else {}
    return Sweep(
        folder=folder,
        rounds=tables["rounds"],
        groups=tables["groups"],
        budgets=tuple(plan.get("budgets", ())),
        planned=len(plan.get("runs", ())),
        failed=failures(folder),
    )


def parse_budgets(text: str | None) -> tuple[int, ...] | None:
    """``"10,20,30"`` -> ``(10, 20, 30)``; None or empty -> None.

    >>> parse_budgets("30, 10,20")
    (10, 20, 30)
    """
    if text is None or not text.strip():
        return None
    try:
        values = sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise UserInputError(MSG_BUDGETS.format(value=text)) from None
    if values[0] < 0:
        raise UserInputError(MSG_BUDGETS.format(value=text))
    return tuple(values)


def per_run(sweep: Sweep, budgets: Budgets = None) -> pd.DataFrame:
    """One row per (run, round, metric, group) at the budgets: the values the summary pools.

    ``budgets``: rounds; ``"all"`` for every round; None for the plan's budgets
    or, without them, each run's last round.
    """
    r, g = sweep.rounds, sweep.groups
    keep_r = _at_budgets(r, budgets if budgets is not None else sweep.budgets or None)
    keep_g = _at_budgets(g, budgets if budgets is not None else sweep.budgets or None)
    r = r[keep_r].assign(
        accuracy_gap=lambda d: d["accuracy_observed"] - d["accuracy"],
        worst_group_accuracy_gap=lambda d: (
            d["worst_group_accuracy_observed"] - d["worst_group_accuracy"]
        ),
    )
    ids = ["run_id", *CELL, "seed", "round", "n_labeled"]
    run_long = r.melt(id_vars=ids, value_vars=list(RUN_METRICS), var_name="metric")
    run_long["group"] = ""
    labelled = r[["run_id", "round", "n_labeled"]]
    g = g[keep_g].assign(
        query_share=lambda d: d["query_share_cum"],
        query_minus_pool=lambda d: d["query_share_cum"] - d["pool_share"],
    )
    g = g.merge(labelled, on=["run_id", "round"], how="left")
    group_long = g.melt(id_vars=[*ids, "group"], value_vars=list(GROUP_METRICS), var_name="metric")
    long = pd.concat([run_long, group_long], ignore_index=True)
    long["group"] = long["group"].astype(str)
    return long


def _at_budgets(frame: pd.DataFrame, budgets: Budgets) -> pd.Series:
    if budgets == "all":
        return pd.Series(True, index=frame.index)
    if budgets is None:
        return frame["round"] == frame["rounds"]
    return frame["round"].isin(list(budgets))


def summarize(sweep: Sweep, budgets: Budgets = None) -> pd.DataFrame:
    """Mean and bootstrap 95% interval over seeds per (cell, round, metric, group).

    Columns :data:`SUMMARY_COLUMNS`; see :func:`per_run` for ``budgets``.
    """
    long = per_run(sweep, budgets).dropna(subset=["value"])
    keys = [*CELL, "round", "n_labeled", "metric", "group"]
    long = long.sort_values([*keys, "seed"], kind="stable")
    grouped = long.groupby(keys, sort=False, dropna=False)
    heads = grouped.head(1)[keys].reset_index(drop=True)
    cell = grouped.ngroup().to_numpy()
    values = long["value"].to_numpy(dtype=np.float64)
    stats = bootstrap_means(cell, values, n_cells=len(heads))
    out = pd.concat([heads, stats], axis=1)
    return out[list(SUMMARY_COLUMNS)].reset_index(drop=True)


def bootstrap_means(cell: np.ndarray, values: np.ndarray, *, n_cells: int) -> pd.DataFrame:
    """Mean, percentile-bootstrap interval and count of ``values`` per cell id.

    Cells with the same count share one seeded resampling plan, so the result
    depends only on each cell's values in order.

    >>> out = bootstrap_means(np.array([0, 0, 0, 1]), np.array([0.5, 0.7, 0.6, 0.2]), n_cells=2)
    >>> out["n_seeds"].tolist(), out["mean"].round(2).tolist()
    ([3, 1], [0.6, 0.2])
    >>> bool((out["low"] <= out["mean"]).all() and (out["mean"] <= out["high"]).all())
    True
    """
    order = np.argsort(cell, kind="stable")
    cell, values = cell[order], values[order]
    counts = np.bincount(cell, minlength=n_cells)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mean = np.full(n_cells, np.nan)
    low = np.full(n_cells, np.nan)
    high = np.full(n_cells, np.nan)
    tail = (1 - LEVEL) / 2
    for n in np.unique(counts[counts > 0]):
        ids = np.flatnonzero(counts == n)
        matrix = values[starts[ids][:, None] + np.arange(n)]  # (cells, n)
        mean[ids] = matrix.mean(axis=1)
        rng = np.random.default_rng(np.random.SeedSequence([BOOTSTRAP_SEED, int(n)]))
        plan = rng.integers(0, n, size=(RESAMPLES, n))
        step = max(1, CHUNK_FLOATS // (RESAMPLES * n))
        for lo in range(0, len(ids), step):
            block = matrix[lo : lo + step][:, plan].mean(axis=2)  # (cells, resamples)
            q = np.quantile(block, [tail, 1 - tail], axis=1)
            low[ids[lo : lo + step]], high[ids[lo : lo + step]] = q[0], q[1]
        flat = np.ptp(matrix, axis=1) == 0  # every seed agrees: the interval is the point
        low[ids[flat]] = high[ids[flat]] = mean[ids[flat]]
    return pd.DataFrame({"mean": mean, "low": low, "high": high, "n_seeds": counts})


def varying(summary: pd.DataFrame, columns: tuple[str, ...] = CELL) -> list[str]:
    """The cell columns that take more than one value in ``summary``."""
    return [c for c in columns if summary[c].nunique(dropna=False) > 1]


def condition_labels(summary: pd.DataFrame) -> pd.Series:
    """Each row's condition: the varying cell fields other than the strategy, as short text.

    A scenario with a main parameter reads ``label_bias 0.2``; without any
    scenario, ``no scenario``.
    """
    strategy_cols = {"strategy", "strategy_name"}
    scenario_cols = {"scenarios", "scenario", "strength"}
    cols = [c for c in varying(summary) if c not in strategy_cols]
    parts = []
    if any(c in scenario_cols for c in cols):
        parts.append(_scenario_text(summary))
    for c in cols:
        if c not in scenario_cols:
            parts.append(c + "=" + summary[c].astype(str))
    if not parts:
        return pd.Series("all runs", index=summary.index)
    label = parts[0]
    for part in parts[1:]:
        label = label + ", " + part
    return label


def _scenario_text(summary: pd.DataFrame) -> pd.Series:
    def one(row: pd.Series) -> str:
        if row["scenario"] == "none":
            return "no scenario"
        if pd.notna(row["strength"]):
            return f"{row['scenario']} {row['strength']:g}"
        return str(row["scenarios"])

    return summary[["scenario", "strength", "scenarios"]].apply(one, axis=1)


def pareto_front(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Which points no other point beats on both (higher is better on both axes).

    >>> pareto_front(np.array([0.9, 0.8, 0.7, 0.85]), np.array([0.5, 0.7, 0.6, 0.5])).tolist()
    [True, True, False, False]
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    better_eq = (x[None, :] >= x[:, None]) & (y[None, :] >= y[:, None])
    strictly = (x[None, :] > x[:, None]) | (y[None, :] > y[:, None])
    return ~(better_eq & strictly).any(axis=1)


def final_rows(summary: pd.DataFrame) -> pd.DataFrame:
    """Each cell's rows at its largest budget in ``summary``."""
    last = summary.groupby(list(CELL), dropna=False)["round"].transform("max")
    return summary[summary["round"] == last]
