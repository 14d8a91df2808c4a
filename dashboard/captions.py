"""Plain-language captions computed from the run itself, so they never claim
more than the simulation shows. No streamlit here: tested as plain functions.

Captions are Markdown: every group, column or file name in them passes
``md_escape``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from components import harm
from components.config import RunConfig
from components.run_words import run_in_words
from dashboard.safe import md_escape


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def _py(v: object) -> object:
    return v.item() if isinstance(v, np.generic) else v


#: Separates a caption's summary from its every-group detail (drawn one click away).
REST = "\u241e"
#: Up to this many groups, a caption lists every group inline.
INLINE_GROUPS = 4


def extremes(parts: list[str], values: list[float], *, low: str, high: str) -> str:
    """Every group's part inline for a few groups; else the two lowest and two highest.

    With more than ``INLINE_GROUPS`` groups the summary names the extremes by
    ``values`` (NaN last) and the full list follows after ``REST``, for the
    page to draw one click away.

    Examples
    --------
    >>> extremes(["a 1", "b 2"], [1, 2], low="lowest", high="highest")
    'a 1; b 2'
    >>> head, rest = extremes([f"g{k} {k}" for k in range(6)], list(range(6)),
    ...                       low="lowest", high="highest").split(REST)
    >>> head
    'Highest: g5 5; g4 4. Lowest: g0 0; g1 1 (6 groups, all listed below)'
    >>> rest.count("- ")
    6
    """
    if len(parts) <= INLINE_GROUPS:
        return "; ".join(parts)
    order = sorted(range(len(parts)), key=lambda i: (math.isnan(values[i]), values[i]))
    defined = [i for i in order if not math.isnan(values[i])]
    top, bottom = defined[::-1][:2], defined[:2]
    head = (
        f"{high.capitalize()}: "
        + "; ".join(parts[i] for i in top)
        + f". {low.capitalize()}: "
        + "; ".join(parts[i] for i in bottom)
        + f" ({len(parts)} groups, all listed below)"
    )
    return head + REST + "\n".join(f"- {parts[i]}" for i in order[::-1])


#: What the captions and headline numbers read from the groups frame.
GROUP_COLUMNS = (
    "pool_share",
    "queried",
    "queried_cum",
    "query_share_cum",
    "accuracy",
    "accuracy_observed",
)


def at_round(
    groups: pd.DataFrame, r: int, columns: tuple[str, ...] = GROUP_COLUMNS
) -> dict[str, dict[str, float]]:
    """Round ``r``'s row per group, as ``{group: {column: value}}`` in frame order.

    Plain dicts from numpy columns, not a pandas filter: every caption of a
    round asks for this.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame.
    r : int
        The round.
    columns : tuple of str
        The columns kept (those present in ``groups``).

    Examples
    --------
    >>> g = pd.DataFrame({"round": [0, 1], "group": ["a", "a"], "queried": [0, 4]})
    >>> at_round(g, 1)
    {'a': {'queried': 4}}
    """
    pos = np.flatnonzero(groups["round"].to_numpy() == r)
    names = groups["group"].to_numpy(dtype=object)[pos]
    cols = {c: groups[c].to_numpy()[pos] for c in columns if c in groups.columns}
    return {str(g): {c: _py(v[i]) for c, v in cols.items()} for i, g in enumerate(names)}


def round_row(rounds: pd.DataFrame, r: int) -> dict[str, float]:
    """Round ``r``'s row of the rounds frame as a plain dict.

    Examples
    --------
    >>> round_row(pd.DataFrame({"round": [0, 1], "accuracy": [0.5, 0.75]}), 1)
    {'round': 1, 'accuracy': 0.75}
    """
    pos = int(np.flatnonzero(rounds["round"].to_numpy() == r)[0])
    return {c: _py(rounds[c].to_numpy()[pos]) for c in rounds.columns}


def ledger_caption(groups: pd.DataFrame, r: int) -> str:
    """Who is asked more or less often than their share of the pool, so far.

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
    >>> g = pd.DataFrame({"round": [1, 1], "group": ["a", "b"], "pool_share": [0.5, 0.5],
    ...                   "query_share_cum": [0.8, 0.2], "queried_cum": [80, 20]})
    >>> ledger_caption(g, 1).split(";")[0]
    '**a**: 80% of queries vs 50% of the pool (1.60x, over-queried)'
    """
    if r == 0:
        return (
            "Round 0 is the random seed set. Step forward to see which groups the strategy "
            "asks about. A solid line above its dotted line means the group is asked about "
            "more often than its share of the pool."
        )
    now = at_round(groups, r)
    n = int(sum(row["queried_cum"] for row in now.values()))
    parts, ratios = [], []
    for g, row in now.items():
        q, p = row["query_share_cum"], row["pool_share"]
        ratio = q / p if p > 0 else float("nan")
        word = harm.SHARE_WORDS.get(harm.share_word(q, p, n), "no queries yet")
        parts.append(
            f"**{md_escape(g)}**: {_pct(q)} of queries vs {_pct(p)} of the pool "
            f"({ratio:.2f}x, {word})"
        )
        # how far from what random picks would give, in standard errors: the extremes
        # named are the clearest departures, not a tiny group's noisy ratio
        se = math.sqrt(p * (1 - p) / n) if n and 0 < p < 1 else float("nan")
        ratios.append((q - p) / se if se == se and se > 0 and q == q else float("nan"))
    text = extremes(
        parts,
        ratios,
        low="furthest below their share",
        high="furthest above their share",
    )
    head, _, rest = text.partition(REST)
    return (
        head + f". After {n} queries; over or under means outside the range random picks would "
        "give 95% of the time. One run, one seed: change the seed or use Compare to see "
        "how much of this is chance." + (REST + rest if rest else "")
    )


def composition_caption(groups: pd.DataFrame, r: int) -> str:
    """How many rows of each group round ``r`` asked about.

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
    """
    if r == 0:
        return "Each bar will be one round's batch, split by group."
    now = at_round(groups, r)
    if len(now) > INLINE_GROUPS:
        asked = sorted(now.items(), key=lambda t: -int(t[1]["queried"]))
        some = [f"{int(row['queried'])} {md_escape(g)}" for g, row in asked if row["queried"]]
        none = [md_escape(g) for g, row in asked if not row["queried"]]
        counts = ", ".join(some) + (f"; none of {', '.join(none)}" if none else "")
    else:
        counts = ", ".join(f"{int(row['queried'])} {md_escape(g)}" for g, row in now.items())
    return f"Round {r} asked about: {counts}. Bars that change colour mix over time show the strategy shifting its attention."


def accuracy_caption(groups: pd.DataFrame, r: int) -> str:
    """Each group's accuracy against the truth and the recorded labels, and what the gap means.

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
    """
    now = at_round(groups, r)
    parts, values = [], []
    directions = set()
    for g, row in now.items():
        a, b = row["accuracy"], row["accuracy_observed"]
        note = ""
        if not (math.isnan(a) or math.isnan(b)):
            # the gap between the two numbers as printed, so the sentence adds up
            points = round(100 * b) - round(100 * a)
            if abs(points) >= 2:
                directions.add("better" if points > 0 else "worse")
                note = (
                    f" — the recorded labels make it look {abs(points)} points "
                    + ("better" if points > 0 else "worse")
                    + " than it is"
                )
        parts.append(f"**{md_escape(g)}**: {_pct(a)} vs truth, {_pct(b)} vs recorded labels{note}")
        values.append(float(a))
    same = all(row["accuracy"] == row["accuracy_observed"] for row in now.values())
    if directions == {"better"}:
        ending = "Here the biased labels hide part of the harm."
    elif directions:
        ending = "Where they part, the recorded labels misreport how the model treats the group."
    elif same:
        ending = "The lines coincide: graded against the recorded labels, the model scores exactly as against the truth."
    else:
        ending = "Here the two agree within a point: the label bias barely shows in the grade."
    head, _, rest = extremes(parts, values, low="least accurate", high="most accurate").partition(
        REST
    )
    return (
        head + ". Solid = graded against the truth; dashed = graded against the labels a "
        "practitioner would have recorded. " + ending + (REST + rest if rest else "")
    )


def fairness_caption(rounds: pd.DataFrame, r: int) -> str:
    """Round ``r``'s worst-group accuracy and the three gaps, in words.

    Parameters
    ----------
    rounds : DataFrame, one row per round
        The run's ``rounds`` record frame.
    r : int
        The round described.

    Returns
    -------
    str
        Markdown.
    """
    row = round_row(rounds, r)
    return (
        f"Now: worst-group accuracy {_pct(row['worst_group_accuracy'])}, demographic parity gap "
        f"{row['dp_difference']:.2f}, equalized odds gap {row['eo_difference']:.2f}, predictive "
        f"parity gap {row['pp_difference']:.2f} (all against the truth). The gaps cannot all be "
        "zero at once when base rates differ (Kleinberg, Mullainathan & Raghavan 2017, "
        "Inherent trade-offs in the fair determination of risk scores)."
    )


COMPARE_LEDGER = (
    "Dotted: each group's share of the pool. A line above its dotted line means that "
    "group is asked about more than random sampling would, on average."
)
COMPARE_ACCURACY = (
    "Each group's test accuracy graded against the truth: the line is the mean over the "
    "seeds, the band their range. Grey lines repeat random's, for comparison."
)
COMPARE_ACCURACY_OBSERVED = (
    "The same accuracy graded against the recorded labels. Where a group's line sits "
    "higher here than against the truth, the recorded labels make the model look better "
    "for that group than it is."
)
COMPARE_WORST = (
    "The lowest per-group accuracy (against the truth) as the budget grows, one line per "
    "strategy; grey is random."
)
COMPARE_DP = (
    "The largest difference between groups in how often the model predicts the positive "
    "label (0 = equal rates), one line per strategy; grey is random."
)


def describe_run(cfg: RunConfig) -> str:
    """The run in plain words, for the page header.

    Parameters
    ----------
    cfg : RunConfig
        The resolved config.

    Returns
    -------
    str
        Markdown; upload column names and group values are escaped.
    """
    return f"**This run:** {md_escape(run_in_words(cfg), limit=1200)} "
