"""The record schema (README documents it): what each round records, and its files.

``measure`` builds one round's values, ``RoundRecord`` holds them, and
``to_frames`` lays them out as ``rounds``, ``groups`` and ``queries``. The
frames start with the columns of DESIGN.md section 3, in that order; the
``*_observed`` companions and ``test_count`` follow. Timing columns are the
only ones that differ between two runs of the same config.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from components.metrics import GROUP_METRICS, group_rates, mean_by_group, summary, uncertainty_bias
from components.split import Split

if TYPE_CHECKING:
    from components.config import RunConfig

ROUND_COLUMNS = (
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
    "worst_group_accuracy_observed",
    "eo_difference_observed",
    "pp_difference_observed",
)
GROUP_COLUMNS = (
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
    "tpr_observed",
    "fpr_observed",
    "selection_rate_observed",
    "ppv_observed",
    "test_count",
)
QUERY_COLUMNS = ("round", "index", "group", "label_true", "label_observed", "score")
TIMING_COLUMNS = ("fit_seconds", "query_seconds", "metrics_seconds")
FILES = ("config.json", "rounds.csv", "groups.csv", "queries.csv")


@dataclass
class RoundRecord:
    """What one round produced. Arrays in ``by_group`` are per group code, shape (n_groups,)."""

    round: int
    n_labeled: int
    overall: dict[str, float]
    by_group: dict[str, np.ndarray]
    positions: np.ndarray
    scores: np.ndarray
    label_true: np.ndarray
    label_observed: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class RunResult:
    """A finished (or partial) run: its resolved config and its round records."""

    config: RunConfig
    groups: tuple[str, ...]
    records: list[RoundRecord]
    idx_pool: np.ndarray
    g_pool: np.ndarray
    y_pool: np.ndarray

    def frames(self) -> dict[str, pd.DataFrame]:
        return to_frames(self)


def measure(
    split: Split,
    *,
    proba_test: np.ndarray,
    proba_pool: np.ndarray,
    labeled: np.ndarray,
    queried: np.ndarray,
    queried_cum: np.ndarray,
    pool_share: np.ndarray,
    scores: np.ndarray | None,
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """One round's ``rounds`` values and ``groups`` columns.

    Parameters
    ----------
    split : the run's pool and test set
    proba_test : ndarray (n_test, 2), the model's probabilities on the test set
    proba_pool : ndarray (n_pool, 2), the same on the pool
    labeled : ndarray (n_pool,) bool, labelled rows after this round
    queried, queried_cum : ndarray (n_groups,) int, this round's queries per
        group and the total so far (this round included; the seed set never)
    pool_share : ndarray (n_groups,), each group's share of the pool
    scores : ndarray (n_pool,) or None, the strategy's scores for the next pick

    Returns
    -------
    (overall, by_group): name -> float, and name -> ndarray (n_groups,).
    """
    k = split.n_groups
    pred = (proba_test[:, 1] >= 0.5).astype(np.int64)
    truth = group_rates(split.y_test, pred, split.g_test, k)
    obs = group_rates(split.y_test_obs, pred, split.g_test, k)
    st, so = summary(truth), summary(obs)
    overall = {
        "accuracy": float(np.mean(pred == split.y_test)),
        "accuracy_observed": float(np.mean(pred == split.y_test_obs)),
        **st,
        "worst_group_accuracy_observed": so["worst_group_accuracy"],
        "eo_difference_observed": so["eo_difference"],
        "pp_difference_observed": so["pp_difference"],
    }
    unlabeled = ~labeled
    total_q = queried_cum.sum()
    labeled_counts = np.bincount(split.g_pool[labeled], minlength=k)
    by_group: dict[str, np.ndarray] = {
        "pool_share": pool_share,
        "labeled_share": labeled_counts / labeled_counts.sum(),
        "queried": queried,
        "queried_cum": queried_cum.copy(),
        "query_share_cum": (queried_cum / total_q if total_q else np.full(k, np.nan)),
    }
    for name in GROUP_METRICS:
        by_group[name] = truth[name]
        by_group[f"{name}_observed"] = obs[name]
    by_group["mean_score"] = (
        mean_by_group(scores, split.g_pool, unlabeled, k)
        if scores is not None
        else np.full(k, np.nan)
    )
    by_group["uncertainty_bias"] = uncertainty_bias(proba_pool, split.g_pool, unlabeled, k)
    by_group["test_count"] = truth["count"]
    return overall, by_group


def to_frames(result: RunResult) -> dict[str, pd.DataFrame]:
    """``{"rounds", "groups", "queries"}`` DataFrames for a run."""
    rounds = pd.DataFrame(
        [
            {"round": r.round, "n_labeled": r.n_labeled, **r.overall, **r.timings}
            for r in result.records
        ]
    )[list(ROUND_COLUMNS)]
    k = len(result.groups)
    group_rows = []
    for r in result.records:
        block = {"round": np.full(k, r.round), "group": list(result.groups)}
        block.update({c: r.by_group[c] for c in GROUP_COLUMNS[2:]})
        group_rows.append(pd.DataFrame(block))
    groups = pd.concat(group_rows, ignore_index=True)[list(GROUP_COLUMNS)]
    q = []
    for r in result.records:
        q.append(
            pd.DataFrame(
                {
                    "round": np.full(len(r.positions), r.round),
                    "index": result.idx_pool[r.positions],
                    "group": np.asarray(result.groups, dtype=object)[result.g_pool[r.positions]],
                    "label_true": r.label_true,
                    "label_observed": r.label_observed,
                    "score": r.scores,
                    "position": r.positions,
                }
            )
        )
    queries = pd.concat(q, ignore_index=True)
    return {"rounds": rounds, "groups": groups, "queries": queries}


def write_run(result: RunResult, out: str | Path) -> Path:
    """Write the four record files to directory ``out`` (created if needed).

    The CSVs are :func:`safe_csv` text, as the app's download: group names
    come from a user's file and may look like spreadsheet formulas.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    frames = to_frames(result)
    (out / "config.json").write_text(result.config.to_json() + "\n", encoding="utf-8")
    tables = {
        "rounds.csv": frames["rounds"],
        "groups.csv": frames["groups"],
        "queries.csv": frames["queries"][list(QUERY_COLUMNS)],
    }
    for name, frame in tables.items():
        (out / name).write_text(safe_csv(frame), encoding="utf-8", newline="")
    return out


def read_run(out: str | Path) -> dict[str, pd.DataFrame | dict]:
    """Read files written by ``write_run``."""
    out = Path(out)
    return {
        "config": json.loads((out / "config.json").read_text(encoding="utf-8")),
        "rounds": pd.read_csv(out / "rounds.csv"),
        "groups": pd.read_csv(out / "groups.csv"),
        "queries": pd.read_csv(out / "queries.csv"),
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_csv(frame: pd.DataFrame) -> str:
    """CSV text with spreadsheet-formula injection defused (OWASP).

    Text cells that start with ``= + - @``, a tab, CR or NUL get a leading
    ``'``; numbers are left alone.

    >>> safe_csv(pd.DataFrame({"g": ["=HYPERLINK()", "ok"], "x": [-1, 2]})).splitlines()
    ['g,x', "'=HYPERLINK(),-1", 'ok,2']
    """
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
            )
    return out.to_csv(index=False)
