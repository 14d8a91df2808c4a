"""The Explore headline: who is recognised and who is wrongly flagged, in outcome words.

Numbers come from the run's groups frame through :mod:`components.harm`; this
module only words them. Markdown: group names and label words pass
``md_escape``. The plain words (``outcome_words``, ``rate_pct``) live in
:mod:`components.outcome_text`, shared with the brief.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from components import harm
from components.outcome_text import outcome_words, rate_pct
from dashboard.safe import md_escape

#: Up to this many groups the headline names every group; past it, the two highest and lowest.
INLINE_GROUPS = 4


def _by_group(table: pd.DataFrame, col: str) -> str:
    """Each group's rate, or with many groups the range: two highest, two lowest.

    Examples
    --------
    >>> t = pd.DataFrame({"group": list("abcdef"), "tpr": [.1, .5, .2, .9, np.nan, .7]})
    >>> _by_group(t, "tpr")
    'from **90%** of d and **70%** of f down to **20%** of c and **10%** of a (6 groups; the error-rate chart below shows each)'
    """
    parts = [
        (float(v), f"**{rate_pct(v)}** of {md_escape(g)}")
        for g, v in zip(table["group"], table[col], strict=True)
    ]
    if len(parts) <= INLINE_GROUPS:
        return " · ".join(p for _, p in parts)
    known = sorted((p for p in parts if not np.isnan(p[0])), key=lambda p: -p[0])
    if len(known) < 4:
        return " · ".join(p for _, p in parts)
    top, bottom = known[:2], known[-2:]
    return (
        f"from {' and '.join(p for _, p in top)} down to {' and '.join(p for _, p in bottom)} "
        f"({len(parts)} groups; the error-rate chart below shows each)"
    )


def _gap_note(table: pd.DataFrame, metric: str, gap: harm.Gap | None, suffix: str = "") -> str:
    """How far apart the groups are on ``metric``; names the worst group on the larger gap."""
    v = table[f"{metric}{suffix}"].to_numpy(dtype=float)
    v = v[~np.isnan(v)]
    if len(v) < 2:
        return ""
    points = f"{(v.max() - v.min()) * 100:.0f} points apart"
    if gap is not None and gap.metric == metric:
        chance = (
            "; the 95% intervals overlap, so this may be chance"
            if harm.intervals_overlap(table, gap, suffix=suffix)
            else ""
        )
        return f" Worst group: **{md_escape(gap.worst)}**, {points} (the larger gap{chance})."
    return f" {points.capitalize()}."


def _worst_text(gap: harm.Gap | None) -> str:
    if gap is None:
        return "too few groups to compare"
    what = "recognised" if gap.metric == "tpr" else "wrongly flagged"
    return f"worst group **{md_escape(gap.worst)}** ({what}, {gap.size * 100:.0f} points apart)"


def outcome_headline(
    groups: pd.DataFrame, r: int, *, positive_label: str, strategy: str
) -> dict[str, str]:
    """The headline in outcome terms: who the model recognises and who it wrongly flags.

    Every number comes from ``components.harm`` on round ``r`` of the record.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame.
    r : int
        The round described.
    positive_label : str
        What label 1 means, in words (the dataset's ``positive_label``).
    strategy : str
        The run's strategy name.

    Returns
    -------
    dict
        Markdown, names escaped: ``"truth"`` (two lines: true positives
        recognised and true negatives wrongly flagged, per group, each with
        its gap; the line with the larger gap names the worst group), ``"observed"`` (the same read
        against the recorded labels, as a practitioner would see it),
        ``"against"`` (the groups asked less than their pool share, with the
        record's reason; empty when none) and ``"intervals"`` (95% Wilson
        intervals, for a tooltip).
    """
    t = harm.rates(groups, r)
    what = md_escape(outcome_words(positive_label), limit=120)
    gap = harm.largest_gap(t)
    truth = (
        f"**Truly {what}:** the model recognises {_by_group(t, 'tpr')}."
        f"{_gap_note(t, 'tpr', gap)}  \n"
        f"**Truly not:** it wrongly flags {_by_group(t, 'fpr')}.{_gap_note(t, 'fpr', gap)}"
    )
    observed = (
        "What a practitioner would see, grading against the recorded labels: "
        f"recognises {_by_group(t, 'tpr_observed')}; wrongly flags "
        f"{_by_group(t, 'fpr_observed')}; "
        f"{_worst_text(harm.largest_gap(t, suffix='_observed'))}."
    )
    against = "  \n".join(
        "Asked less than its share: " + md_escape(s, limit=600)
        for _, s in harm.selected_against(groups, r, strategy=strategy)
    )
    intervals = "  \n".join(
        f"{md_escape(row['group'])}: true positives recognised {rate_pct(row['tpr'])} "
        f"(95% interval {rate_pct(row['tpr_low'])}–{rate_pct(row['tpr_high'])}, "
        f"{row['positives']:.0f} positives); wrongly flagged {rate_pct(row['fpr'])} "
        f"({rate_pct(row['fpr_low'])}–{rate_pct(row['fpr_high'])}, "
        f"{row['negatives']:.0f} negatives)"
        for _, row in t.iterrows()
    )
    return {"truth": truth, "observed": observed, "against": against, "intervals": intervals}
