"""A sweep's numbers across seeds: mean and a bootstrap 95% interval per cell, budget and metric.

A *cell* is every config field but the seed (:data:`CELL`). At each budget
(a round), each run gives one value per metric (and per group for the group
metrics); the cell's seeds give the mean and a percentile bootstrap interval
of that mean. The bootstrap is exact up to 8 seeds and seeded past that, so
the same tables give the same intervals. NaN values (a rate that is undefined for a run, e.g. a TPR without
positives) are left out, and ``n_seeds`` counts the values that remain.

The result is one tidy frame (:data:`SUMMARY_COLUMNS`), one row per
(cell, round, metric, group); ``group`` is empty for the run-wide metrics.
:func:`load_sweep` reads a sweep folder once; :func:`summarize` at
``budgets="all"`` gives the learning curves with their bands.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from scipy.special import gammaln

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
#: Up to this many seeds the bootstrap enumerates every resample (6,435 at 8).
EXACT_MAX = 8
#: Past it: resamples per interval, and the seed they are drawn from.
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
    or, without them, each run's last round. Columns: ``run_id``, :data:`CELL`,
    ``seed``, ``round``, ``n_labeled``, ``metric``, ``group``, ``value``.
    """
    long, cells = _long(sweep, budgets)
    cell_cols = cells.drop_duplicates("cell")[["cell", *CELL]]
    out = long.merge(cell_cols, on="cell", how="left")
    return out[["run_id", *CELL, "seed", *LONG_KEYS[1:], "value"]]


LONG_KEYS = ("cell", "round", "n_labeled", "metric", "group")


def _cells(rounds: pd.DataFrame) -> pd.DataFrame:
    """One row per run: ``run_id``, its cell number, the cell's columns and the seed."""
    runs = rounds.drop_duplicates("run_id")[["run_id", *CELL, "seed"]].reset_index(drop=True)
    runs["cell"] = runs.groupby(list(CELL), sort=False, dropna=False).ngroup()
    return runs


def _long(sweep: Sweep, budgets: Budgets) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pooled values keyed by cell number (narrow), and the runs' cell table."""
    chosen = budgets if budgets is not None else sweep.budgets or None
    cells = _cells(sweep.rounds)
    cell_of = cells.set_index("run_id")["cell"]
    r = sweep.rounds[_at_budgets(sweep.rounds, chosen)]
    base = pd.DataFrame(
        {
            "run_id": r["run_id"].to_numpy(),
            "cell": cell_of.loc[r["run_id"]].to_numpy(),
            "seed": r["seed"].to_numpy(),
            "round": r["round"].to_numpy(),
            "n_labeled": r["n_labeled"].to_numpy(),
        }
    )
    run_values = {
        "accuracy": r["accuracy"],
        "worst_group_accuracy": r["worst_group_accuracy"],
        "dp_difference": r["dp_difference"],
        "eo_difference": r["eo_difference"],
        "accuracy_gap": r["accuracy_observed"] - r["accuracy"],
        "worst_group_accuracy_gap": r["worst_group_accuracy_observed"] - r["worst_group_accuracy"],
    }
    parts = [base.assign(metric=m, group="", value=run_values[m].to_numpy()) for m in RUN_METRICS]
    g = sweep.groups[_at_budgets(sweep.groups, chosen)]
    g = g[["run_id", "round", "group", "pool_share", "query_share_cum", "accuracy", "tpr", "fpr"]]
    g = g.merge(base, on=["run_id", "round"], how="inner")
    group_values = {
        "query_share": g["query_share_cum"],
        "pool_share": g["pool_share"],
        "query_minus_pool": g["query_share_cum"] - g["pool_share"],
        "accuracy": g["accuracy"],
        "tpr": g["tpr"],
        "fpr": g["fpr"],
    }
    gbase = g[["run_id", "cell", "seed", "round", "n_labeled"]].assign(
        group=g["group"].astype(str).to_numpy()
    )
    parts += [gbase.assign(metric=m, value=group_values[m].to_numpy()) for m in GROUP_METRICS]
    return pd.concat(parts, ignore_index=True), cells


def _at_budgets(frame: pd.DataFrame, budgets: Budgets) -> pd.Series:
    if budgets == "all":
        return pd.Series(True, index=frame.index)
    if budgets is None:
        return frame["round"] == frame["rounds"]
    return frame["round"].isin(list(budgets))


def summarize(sweep: Sweep, budgets: Budgets = None) -> pd.DataFrame:
    """Mean and bootstrap 95% interval over seeds per (cell, round, metric, group).

    Columns :data:`SUMMARY_COLUMNS`, rows ordered by cell (in the sweep's
    order), metric, group and round; see :func:`per_run` for ``budgets``.
    """
    long, cells = _long(sweep, budgets)
    long = long.dropna(subset=["value"])
    metric_order = {m: i for i, m in enumerate(dict.fromkeys(RUN_METRICS + GROUP_METRICS))}
    long = long.assign(_m=long["metric"].map(metric_order))
    long = long.sort_values(["cell", "_m", "group", "round", "seed"], kind="stable")
    keys = list(LONG_KEYS)
    grouped = long.groupby(keys, sort=False)
    heads = grouped.head(1)[keys].reset_index(drop=True)
    stats = bootstrap_means(
        grouped.ngroup().to_numpy(), long["value"].to_numpy(np.float64), n_cells=len(heads)
    )
    out = pd.concat([heads, stats], axis=1)
    cell_cols = cells.drop_duplicates("cell")[["cell", *CELL]]
    out = out.merge(cell_cols, on="cell", how="left")
    return out[list(SUMMARY_COLUMNS)]


def bootstrap_means(cell: np.ndarray, values: np.ndarray, *, n_cells: int) -> pd.DataFrame:
    """Mean, percentile-bootstrap interval and count of ``values`` per cell id.

    With at most :data:`EXACT_MAX` values the bootstrap is exact: every
    resample composition is enumerated with its multinomial probability, so
    no random numbers are drawn. With more, :data:`RESAMPLES` resamples come
    from a fixed seed, one plan per count, so the result depends only on each
    cell's values in order.

    >>> out = bootstrap_means(np.array([0, 0, 0, 1]), np.array([0.5, 0.7, 0.6, 0.2]), n_cells=2)
    >>> out["n_seeds"].tolist(), out["mean"].round(2).tolist(), out["low"].round(4).tolist()
    ([3, 1], [0.6, 0.2], [0.5, 0.2])
    """
    order = np.argsort(cell, kind="stable")
    cell, values = cell[order], values[order]
    counts = np.bincount(cell, minlength=n_cells)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    mean = np.full(n_cells, np.nan)
    low = np.full(n_cells, np.nan)
    high = np.full(n_cells, np.nan)
    for n in np.unique(counts[counts > 0]):
        ids = np.flatnonzero(counts == n)
        matrix = values[starts[ids][:, None] + np.arange(n)]  # (cells, n)
        mean[ids] = matrix.mean(axis=1)
        weights, probs = _plan(int(n))
        step = max(1, CHUNK_FLOATS // len(probs))
        for lo in range(0, len(ids), step):
            means = matrix[lo : lo + step] @ weights.T  # (cells, resamples)
            low[ids[lo : lo + step]], high[ids[lo : lo + step]] = _quantiles(means, probs)
        flat = np.ptp(matrix, axis=1) == 0  # every seed agrees: the interval is the point
        low[ids[flat]] = high[ids[flat]] = mean[ids[flat]]
    return pd.DataFrame({"mean": mean, "low": low, "high": high, "n_seeds": counts})


@functools.cache
def _plan(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Resample weights (resamples, n), each row summing to 1, and each resample's probability.

    Exact for ``n <= EXACT_MAX``: each multiset of ``n`` draws from ``n``
    values once, with probability ``n! / prod(c_i!) / n^n``.

    >>> w, p = _plan(2)
    >>> w.tolist(), p.round(12).tolist()
    ([[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]], [0.25, 0.5, 0.25])
    """
    if n <= EXACT_MAX:
        draws = np.array(list(itertools.combinations_with_replacement(range(n), n)))
        counts = np.stack([np.bincount(row, minlength=n) for row in draws])
        log_p = math.lgamma(n + 1) - gammaln(counts + 1).sum(axis=1) - n * math.log(n)
        return counts / n, np.exp(log_p)
    rng = np.random.default_rng(np.random.SeedSequence([BOOTSTRAP_SEED, n]))
    picks = rng.integers(0, n, size=(RESAMPLES, n))
    counts = np.stack([np.bincount(row, minlength=n) for row in picks])
    return counts / n, np.full(RESAMPLES, 1 / RESAMPLES)


def _quantiles(means: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper percentile (inverse CDF) of each row's weighted resample means."""
    tail = (1 - LEVEL) / 2
    order = np.argsort(means, axis=1, kind="stable")
    ranked = np.take_along_axis(means, order, axis=1)
    cdf = np.cumsum(probs[order], axis=1)
    rows = np.arange(len(means))
    lo = np.argmax(cdf >= tail - 1e-12, axis=1)
    hi = np.argmax(cdf >= 1 - tail - 1e-12, axis=1)
    return ranked[rows, lo], ranked[rows, hi]


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
