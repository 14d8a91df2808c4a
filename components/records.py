"""Tidy frames and files from a run: the record schema (README documents it).

``rounds.csv``, ``groups.csv`` and ``queries.csv`` start with the columns of
DESIGN.md section 3, in that order; the ``*_observed`` companions and
``test_count`` follow. Timing columns are the only ones that differ between
two runs of the same config.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from components.engine import RunResult

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
