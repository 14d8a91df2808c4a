"""Pure helpers for the Compare page: stack runs per strategy and summarise them."""

from __future__ import annotations

import pandas as pd

from components.trace import RunTrace


def stack(traces: list[RunTrace], frame: str) -> pd.DataFrame:
    """One frame ("groups" or "rounds") over several seeds, with ``seed`` and ``n_labeled``."""
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


def summary_table(runs: dict[str, list[RunTrace]]) -> pd.DataFrame:
    """Final-round numbers per strategy: mean (min-max) over seeds."""
    rows = []
    for label, traces in runs.items():
        rounds = stack(traces, "rounds")
        groups = stack(traces, "groups")
        last_r = rounds["round"].max()
        fin = rounds[rounds["round"] == last_r]
        fg = groups[groups["round"] == last_r]
        row = {"strategy": label, "seeds": len(traces)}
        for col, name in (
            ("accuracy", "accuracy (truth)"),
            ("accuracy_observed", "accuracy (recorded)"),
            ("worst_group_accuracy", "worst-group accuracy"),
            ("dp_difference", "DP gap"),
            ("eo_difference", "EO gap"),
        ):
            v = fin[col]
            row[name] = f"{v.mean():.3f}" + (
                f" ({v.min():.3f}-{v.max():.3f})" if len(v) > 1 else ""
            )
        for g, part in fg.groupby("group", sort=False):
            row[f"{g}: query share"] = f"{part['query_share_cum'].mean():.0%}"
            row[f"{g}: pool share"] = f"{part['pool_share'].mean():.0%}"
        rows.append(row)
    return pd.DataFrame(rows)
