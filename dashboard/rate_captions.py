"""Captions of the error-rate, uncertainty-bias and true-label map charts, from the run.

Markdown: group names pass ``md_escape``.
"""

from __future__ import annotations

import math

import pandas as pd

from components import harm
from dashboard.captions import REST, _pct, at_round, extremes
from dashboard.safe import md_escape

_GAP_WORDS = {
    "tpr": ("true positive rate (TPR)", "more of its positives missed"),
    "fpr": ("false positive rate (FPR)", "more of its negatives flagged"),
}

#: What ``rates_caption`` reads from the groups frame.
_RATE_COLUMNS = tuple(
    f"{m}{sfx}" for m in ("tpr", "fpr", "accuracy", "selection_rate") for sfx in ("", "_observed")
) + ("test_count",)


def rates_caption(groups: pd.DataFrame, r: int) -> str:
    """The largest error-rate gap between groups at round ``r``, and whether one run can tell.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame.
    r : int
        The round described.

    Returns
    -------
    str
        Markdown; group names escaped.

    Examples
    --------
    >>> g = pd.DataFrame({"round": [1, 1], "group": ["a", "b"], "test_count": [100.0, 100.0],
    ...     "tpr": [0.15, 0.6], "fpr": [0.01, 0.1], "accuracy": [0.82, 0.8],
    ...     "selection_rate": [0.04, 0.2], "tpr_observed": [0.15, 0.6],
    ...     "fpr_observed": [0.01, 0.1], "accuracy_observed": [0.82, 0.8],
    ...     "selection_rate_observed": [0.04, 0.2]})
    >>> rates_caption(g, 1).split(";")[0]
    'Largest gap against the truth: true positive rate (TPR), 45 points between **a** (15%) and **b** (60%)'
    """
    if not set(_RATE_COLUMNS) <= set(groups.columns):
        return "This record holds no per-group error rates."
    table = harm.rates(groups, r)
    gap = harm.largest_gap(table)
    tail = (
        " Filled markers are graded against the truth, with 95% Wilson intervals from the "
        "group's test counts (PPV's from its predicted positives); hollow markers are the same "
        "rates graded against the recorded labels, what a practitioner would see."
    )
    if gap is None:
        return "Fewer than two groups have a defined TPR or FPR at this round." + tail
    names = table["group"].tolist()
    col = table[gap.metric].to_numpy(dtype=float)
    worst, best = col[names.index(gap.worst)], col[names.index(gap.best)]
    what, harm_words = _GAP_WORDS[gap.metric]
    text = (
        f"Largest gap against the truth: {what}, {round(100 * gap.size)} points between "
        f"**{md_escape(gap.worst)}** ({_pct(worst)}) and **{md_escape(gap.best)}** "
        f"({_pct(best)}); {md_escape(gap.worst)} has {harm_words}."
    )
    if harm.intervals_overlap(table, gap):
        text += " Their 95% intervals overlap: one run cannot tell the two groups apart."
    else:
        text += " Their 95% intervals do not overlap."
    return text + tail


def uncertainty_caption(groups: pd.DataFrame, r: int) -> str:
    """Each group's uncertainty bias at round ``r``, and how to read it.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame.
    r : int
        The round described.

    Returns
    -------
    str
        Markdown; group names escaped.

    Examples
    --------
    >>> g = pd.DataFrame({"round": [2, 2], "group": ["a", "b"], "uncertainty_bias": [0.4, -0.3]})
    >>> uncertainty_caption(g, 2).split(". ")[0]
    'Now: **a** +0.40, **b** -0.30'
    """
    if "uncertainty_bias" not in groups.columns:
        return "This record holds no uncertainty bias."
    now = at_round(groups, r, ("uncertainty_bias",))
    parts, values = [], []
    for g, row in now.items():
        v = float(row["uncertainty_bias"])
        parts.append(f"**{md_escape(g)}** " + ("n/a" if math.isnan(v) else f"{v:+.2f}"))
        values.append(v)
    head, _, rest = extremes(
        parts, values, low="surest about (lowest)", high="least sure about (highest)"
    ).partition(REST)
    if not rest:
        head = ", ".join(parts)
    return (
        "Now: " + head + ". Measured on the unlabelled pool after each round's "
        "refit (Phillips, Chang & Friedler 2018): above 0 means the model is confident about "
        "the group less often than about the others, below 0 more often. A strategy that asks "
        "where the model is unsure tends to ask more about groups above 0; it is a tendency, "
        "not a rule for every batch." + (REST + rest if rest else "")
    )


def label_map_caption(n_pool: int, drawn: int, differ: int) -> str:
    """How to read the pool map coloured by true label.

    Parameters
    ----------
    n_pool : int
        Rows in the pool.
    drawn : int
        Rows on the map.
    differ : int
        Rows on the map whose recorded label differs from the truth.

    Returns
    -------
    str

    Examples
    --------
    >>> label_map_caption(50, 50, 3).split(". ")[1].split(":")[0]
    '3 of the 50 rows shown carry a recorded label that differs from the truth (x)'
    """
    text = (
        "Each dot is a row of the pool, coloured by its true label; rows labelled so far are "
        f"solid, the rest faded. {differ:,} of the {drawn:,} rows shown carry a recorded label "
        "that differs from the truth (x): a model trained on them learns the recorded labels."
    )
    if drawn < n_pool:
        text += f" Showing {drawn:,} of {n_pool:,} rows (every labelled row, plus a fixed sample)."
    return text
