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
from components.strategies import STRATEGIES
from dashboard.safe import md_escape


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.0%}"


def _py(v: object) -> object:
    return v.item() if isinstance(v, np.generic) else v


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
    parts = []
    for g, row in now.items():
        q, p = row["query_share_cum"], row["pool_share"]
        ratio = q / p if p > 0 else float("nan")
        word = harm.SHARE_WORDS.get(harm.share_word(q, p, n), "no queries yet")
        parts.append(
            f"**{md_escape(g)}**: {_pct(q)} of queries vs {_pct(p)} of the pool "
            f"({ratio:.2f}x, {word})"
        )
    return (
        "; ".join(parts)
        + f". After {n} queries; over or under means outside the range random picks would "
        "give 95% of the time. One run, one seed: change the seed or use Compare to see "
        "how much of this is chance."
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
    parts = []
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
    same = all(row["accuracy"] == row["accuracy_observed"] for row in now.values())
    if directions == {"better"}:
        ending = "Here the biased labels hide part of the harm."
    elif directions:
        ending = "Where they part, the recorded labels misreport how the model treats the group."
    elif same:
        ending = "The lines coincide: graded against the recorded labels, the model scores exactly as against the truth."
    else:
        ending = "Here the two agree within a point: the label bias barely shows in the grade."
    return (
        "; ".join(parts)
        + ". Solid = graded against the truth; dashed = graded against the labels a "
        "practitioner would have recorded. " + ending
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


def map_caption(two_d: bool, n_pool: int, drawn: int) -> str:
    """How to read the pool map.

    Parameters
    ----------
    two_d : bool
        The data has two features (the map shows them and the decision
        boundary), rather than a PCA projection.
    n_pool : int
        Rows in the pool.
    drawn : int
        Rows on the map.

    Returns
    -------
    str

    Examples
    --------
    >>> "Showing 10 of 50 rows" in map_caption(False, 50, 10)
    True
    """
    text = (
        "Each dot is a row of the pool, coloured by group. Solid marks were labelled "
        "(bigger = this round); faded dots have not been asked about."
    )
    if two_d:
        text += " The dashed line is the model's decision boundary."
    else:
        text += (
            " The layout is a 2D PCA projection of the features: nearby dots are similar, "
            "but distances are only approximate."
        )
    if drawn < n_pool:
        text += (
            f" Showing {drawn:,} of {n_pool:,} rows (every labelled row, plus a fixed sample; "
            "fewer while playing, to keep the page light)."
        )
    return text


def ghost_map_caption(strategy: str, seed: int) -> str:
    """The map on Compare: one strategy's picks against random's from the same seed set.

    Parameters
    ----------
    strategy : str
        The strategy drawn in colour.
    seed : int
        Its run's seed.

    Returns
    -------
    str
        Markdown.

    Examples
    --------
    >>> ghost_map_caption("margin", 3)[:38]
    'Coloured: what margin labelled (seed 3'
    """
    return (
        f"Coloured: what {md_escape(strategy)} labelled (seed {seed}); grey crosses: what "
        "random labelled from the same seed set."
    )


def scores_caption(score_name: str, has_scores: bool) -> str:
    """How the strategy's score decides who is asked.

    Parameters
    ----------
    score_name : str
        What the score means (see ``score_label``).
    has_scores : bool
        False for a strategy with no score (``random``).

    Returns
    -------
    str
    """
    if not has_scores:
        return "This strategy has no per-row score: it picks at random."
    return (
        f"The strategy asks about rows with the highest {score_name} first (right side). "
        "If one group's curve sits further right, that group will be asked about more: "
        "that is where the ledger's over-querying comes from. The model's uncertainty can "
        "come from the group being hard, noisy or mislabelled, not just from being informative."
    )


def score_label(strategy: str) -> str:
    """What ``strategy``'s score means, in words (its registry entry's), or "score".

    Examples
    --------
    >>> score_label("margin")
    'margin score (1 - gap between the top two)'
    """
    if strategy not in STRATEGIES:
        return "score"
    entry = STRATEGIES[strategy]
    return entry.score_label or entry.formula or "score"


#: Captions of the Compare page's charts (the same whatever the runs).
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
    """A short human description of a resolved config, for the page header.

    Parameters
    ----------
    cfg : RunConfig
        The resolved config.

    Returns
    -------
    str
        Markdown; upload column names and group values are escaped.
    """
    ds = "your upload" if cfg.dataset.get("sha256") else cfg.dataset.name
    group = cfg.dataset.get("group")
    if group:
        ds += f" (groups: {md_escape(group)})"
    bias = (
        "; ".join(
            f"{s.name} on {md_escape(s.get('group'))}"
            + "".join(f", {k} {md_escape(v)}" for k, v in s.params if k != "group")
            for s in cfg.scenarios
        )
        or "none added"
    )
    sees = "sees" if cfg.use_group_feature else "does not see"
    return (
        f"**This run:** {cfg.strategy.name} choosing for a {cfg.model} model on {ds}; "
        f"bias: {bias}; seed {cfg.seed}; the model {sees} the group. "
    )


def outcome_words(positive_label: str) -> str:
    """The positive label as a short phrase: any trailing note in brackets dropped.

    Examples
    --------
    >>> outcome_words("re-arrested within two years (two_year_recid = 1; unfavourable)")
    're-arrested within two years'
    >>> outcome_words("1")
    'positive (label 1)'
    """
    s = str(positive_label).strip()
    if s in ("", "1", "positive"):
        return "positive (label 1)"
    if s.endswith(")") and " (" in s:
        s = s[: s.rindex(" (")].strip() or s
    return s


def rate_pct(x: float) -> str:
    """A rate as a percentage: one decimal below 10%, none above; ``n/a`` when undefined.

    Examples
    --------
    >>> rate_pct(0.147059), rate_pct(0.001941), rate_pct(float("nan"))
    ('15%', '0.2%', 'n/a')
    """
    if x is None or math.isnan(x):
        return "n/a"
    return f"{x:.1%}" if x < 0.1 else f"{x:.0%}"


def _by_group(table: pd.DataFrame, col: str) -> str:
    return " · ".join(
        f"**{rate_pct(v)}** of {md_escape(g)}"
        for g, v in zip(table["group"], table[col], strict=True)
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
