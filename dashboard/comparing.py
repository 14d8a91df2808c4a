"""Pure helpers for the Compare page: stack runs per strategy and summarise them."""

from __future__ import annotations

import pandas as pd

from components.trace import RunTrace
from dashboard.safe import md_escape


def stack(traces: list[RunTrace], frame: str) -> pd.DataFrame:
    """One record frame over several seeds, with ``seed`` and ``n_labeled`` columns.

    Parameters
    ----------
    traces : list of RunTrace
        One run per seed; each is read for ``frames`` and ``config.seed``.
    frame : {"groups", "rounds", "queries"}
        The record frame stacked.

    Returns
    -------
    DataFrame
        The runs' frames one after the other, one row per (seed, record row).
    """
    parts = []
    for t in traces:
        f = t.frames[frame].copy()
        if "n_labeled" not in f.columns:
            lookup = dict(
                zip(t.frames["rounds"]["round"], t.frames["rounds"]["n_labeled"], strict=True)
            )
            f["n_labeled"] = f["round"].map(lookup)
        f["seed"] = t.config.seed
        parts.append(f)
    return pd.concat(parts, ignore_index=True)


def _spread(v: pd.Series, fmt: str) -> str:
    """Mean, with (min-max) over seeds when there are several; a dash when undefined."""
    v = v.dropna()
    if v.empty:
        return "—"
    text = format(v.mean(), fmt)
    return text + (f" ({format(v.min(), fmt)}-{format(v.max(), fmt)})" if len(v) > 1 else "")


def summary_table(runs: dict[str, list[RunTrace]]) -> pd.DataFrame:
    """Final-round numbers per strategy: mean (min-max) over seeds.

    Who was queried comes first (one column per group, its pool share in the
    header), so it stays on screen when the table is narrower than its columns.
    ``st.table`` renders headers as Markdown: group names in them are escaped.
    """
    rows = []
    for label, traces in runs.items():
        rounds = stack(traces, "rounds")
        groups = stack(traces, "groups")
        fin = rounds[rounds["round"] == rounds["round"].max()]
        fg = groups[groups["round"] == groups["round"].max()]
        row = {"strategy": label, "seeds": len(traces)}
        for g, part in fg.groupby("group", sort=False):
            header = f"{md_escape(g)}: share of queries (pool {part['pool_share'].mean():.0%})"
            row[header] = _spread(part["query_share_cum"], ".0%")
        for col, name in (
            ("accuracy", "accuracy (truth)"),
            ("accuracy_observed", "accuracy (recorded)"),
            ("worst_group_accuracy", "worst-group accuracy"),
            ("dp_difference", "DP gap"),
            ("eo_difference", "EO gap"),
        ):
            row[name] = _spread(fin[col], ".3f")
        rows.append(row)
    return pd.DataFrame(rows)
