"""Who a run harms, in outcome terms: per-group error rates and who was asked less.

Everything here reads one round of a run's ``groups`` record frame (README,
"Record schema") and returns plain numbers and plain-text sentences. Group
names are not escaped: whoever shows them escapes them (the dashboard uses
``dashboard.safe.md_escape``).

Rates and their intervals
    ``tpr`` / ``fpr`` are graded against the truth, ``tpr_observed`` /
    ``fpr_observed`` against the recorded labels. The record keeps each
    group's number of test rows (``test_count``) but not its number of test
    positives, so ``rates`` recovers that count from the group's own rates:
    accuracy and selection rate are both mixtures of the TPR and the FPR
    weighted by the positives, and either mixture solves for them (see
    ``positives_from_rates``). With the counts, each rate gets a 95% Wilson
    score interval (``wilson``).

Under, even, over
    A group is *under-queried* when its share of the queries so far lies
    below the 95% score-test range around its pool share for that many
    queries, ``pool_share +- z * sqrt(pool_share * (1 - pool_share) / n)``,
    *over-queried* above it, and *about even* inside. Equivalently: the pool
    share lies outside the Wilson interval of the query share. Random picks
    land inside the range about 95% of the time, so a one-run "under" is a
    signal, not proof.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.intervals import Z95, positives_from_rates, wilson

UNDER, EVEN, OVER = "under", "even", "over"
#: How each share word reads in a sentence.
SHARE_WORDS = {UNDER: "under-queried", EVEN: "about even", OVER: "over-queried"}


def _rows(groups: pd.DataFrame, r: int) -> pd.DataFrame:
    now = groups[groups["round"] == r]
    if now.empty:
        raise ValueError(f"round {r} is not in the record (rounds {sorted(set(groups['round']))})")
    return now.reset_index(drop=True)


def rates(groups: pd.DataFrame, r: int) -> pd.DataFrame:
    """Each group's TPR and FPR at round ``r``, against truth and recorded labels, with 95% intervals.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame.
    r : int
        The round.

    Returns
    -------
    DataFrame, one row per group in frame order
        ``group``, ``test_count``; for the truth ``positives``, ``negatives``,
        ``tpr``, ``tpr_low``, ``tpr_high``, ``fpr``, ``fpr_low``, ``fpr_high``;
        and the same names with ``_observed`` for the recorded labels.

    Examples
    --------
    >>> g = pd.DataFrame({"round": [1], "group": ["a"], "test_count": [100.0],
    ...     "tpr": [0.5], "fpr": [0.1], "accuracy": [0.82], "selection_rate": [0.18],
    ...     "tpr_observed": [0.5], "fpr_observed": [0.1], "accuracy_observed": [0.82],
    ...     "selection_rate_observed": [0.18]})
    >>> row = rates(g, 1).iloc[0]
    >>> int(row["positives"]), round(float(row["tpr_low"]), 3), round(float(row["tpr_high"]), 3)
    (20, 0.299, 0.701)
    """
    now = _rows(groups, r)
    out = pd.DataFrame({"group": now["group"].astype(str), "test_count": now["test_count"]})
    for sfx in ("", "_observed"):
        pos, lows = [], {k: [] for k in ("tpr_low", "tpr_high", "fpr_low", "fpr_high")}
        for _, row in now.iterrows():
            n = float(row["test_count"])
            tpr, fpr = float(row[f"tpr{sfx}"]), float(row[f"fpr{sfx}"])
            p = positives_from_rates(
                n,
                tpr,
                fpr,
                accuracy=float(row[f"accuracy{sfx}"]),
                selection_rate=float(row[f"selection_rate{sfx}"]),
            )
            pos.append(p)
            t = wilson(round(tpr * p), p) if not math.isnan(tpr) else (math.nan, math.nan)
            f = wilson(round(fpr * (n - p)), n - p) if not math.isnan(fpr) else (math.nan,) * 2
            for key, v in zip(lows, (*t, *f), strict=True):
                lows[key].append(v)
        out[f"positives{sfx}"] = pos
        out[f"negatives{sfx}"] = out["test_count"] - out[f"positives{sfx}"]
        for m in ("tpr", "fpr"):
            out[f"{m}{sfx}"] = now[f"{m}{sfx}"].to_numpy(dtype=float)
            out[f"{m}_low{sfx}"] = lows[f"{m}_low"]
            out[f"{m}_high{sfx}"] = lows[f"{m}_high"]
    return out


def share_word(query_share: float, pool_share: float, n_queries: float) -> str | None:
    """``"under"``, ``"even"`` or ``"over"``: the query share against the pool share.

    Outside ``pool_share +- Z95 * sqrt(pool_share * (1 - pool_share) / n_queries)``
    is under or over; on the bound counts as even.

    Parameters
    ----------
    query_share : float
        The group's share of the queries so far.
    pool_share : float
        Its share of the pool.
    n_queries : float
        Queries so far (seed set excluded).

    Returns
    -------
    str or None
        None before any query.

    Examples
    --------
    >>> share_word(0.8, 0.5, 10), share_word(0.8, 0.5, 100), share_word(0.2, 0.5, 100)
    ('even', 'over', 'under')
    >>> share_word(0.5, 0.5, 0) is None
    True
    """
    low, high = share_range(pool_share, n_queries)
    if math.isnan(low) or math.isnan(query_share):
        return None
    # A hair of slack so a share exactly on the bound is not split by rounding.
    if query_share < low - 1e-12:
        return UNDER
    if query_share > high + 1e-12:
        return OVER
    return EVEN


def share_range(pool_share: float, n_queries: float) -> tuple[float, float]:
    """The 95% range of query shares that count as even for this pool share.

    Examples
    --------
    >>> [round(x, 3) for x in share_range(0.5, 100)]
    [0.402, 0.598]
    """
    if not n_queries or math.isnan(n_queries) or math.isnan(pool_share):
        return (math.nan, math.nan)
    half = Z95 * math.sqrt(pool_share * (1 - pool_share) / n_queries)
    return (max(0.0, pool_share - half), min(1.0, pool_share + half))


def query_balance(groups: pd.DataFrame, r: int) -> pd.DataFrame:
    """Each group's share of the queries so far against its pool share, with the share word.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame.
    r : int
        The round.

    Returns
    -------
    DataFrame, one row per group in frame order
        ``group``, ``pool_share``, ``query_share``, ``n_queries``, ``low``,
        ``high`` (the even range), ``word`` (``share_word``; None at round 0).

    Examples
    --------
    >>> g = pd.DataFrame({"round": [3, 3], "group": ["a", "b"], "pool_share": [0.5, 0.5],
    ...     "query_share_cum": [0.7, 0.3], "queried_cum": [70, 30]})
    >>> list(query_balance(g, 3)["word"])
    ['over', 'under']
    """
    now = _rows(groups, r)
    n = float(np.nansum(now["queried_cum"].to_numpy(dtype=float)))
    out = pd.DataFrame(
        {
            "group": now["group"].astype(str),
            "pool_share": now["pool_share"].to_numpy(dtype=float),
            "query_share": now["query_share_cum"].to_numpy(dtype=float),
            "n_queries": n,
        }
    )
    bounds = [share_range(p, n) for p in out["pool_share"]]
    out["low"] = [b[0] for b in bounds]
    out["high"] = [b[1] for b in bounds]
    out["word"] = [
        share_word(q, p, n) for q, p in zip(out["query_share"], out["pool_share"], strict=True)
    ]
    return out


@dataclass(frozen=True)
class Gap:
    """The larger of the TPR and FPR gaps between groups, and who is on the wrong side of it.

    Attributes
    ----------
    metric : {"tpr", "fpr"}
    size : float
        Largest minus smallest rate over the groups with the rate defined.
    worst : str
        The group with more errors on that metric: the lowest TPR (most
        positives missed) or the highest FPR (most negatives flagged).
    best : str
        The group at the other end.
    """

    metric: str
    size: float
    worst: str
    best: str


def largest_gap(table: pd.DataFrame, *, suffix: str = "") -> Gap | None:
    """The metric (TPR or FPR) whose spread over groups is largest, and its worst group.

    Parameters
    ----------
    table : DataFrame
        ``rates`` output (or any frame with ``group``, ``tpr``, ``fpr``).
    suffix : str
        ``""`` for the truth, ``"_observed"`` for the recorded labels.

    Returns
    -------
    Gap or None
        None when fewer than two groups have either rate. A tie between the
        two gaps goes to TPR; ties between groups go to the first in order.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "b"], "tpr": [0.15, 0.59], "fpr": [0.01, 0.11]})
    >>> largest_gap(t)
    Gap(metric='tpr', size=0.44, worst='a', best='b')
    """
    best_gap = None
    for metric in ("tpr", "fpr"):
        v = table[f"{metric}{suffix}"].to_numpy(dtype=float)
        ok = np.flatnonzero(~np.isnan(v))
        if len(ok) < 2:
            continue
        lo, hi = ok[np.argmin(v[ok])], ok[np.argmax(v[ok])]
        size = round(float(v[hi] - v[lo]), 12)
        worst, best = (lo, hi) if metric == "tpr" else (hi, lo)
        if best_gap is None or size > best_gap.size:
            names = table["group"].astype(str).to_numpy()
            best_gap = Gap(metric, size, str(names[worst]), str(names[best]))
    return best_gap


def intervals_overlap(table: pd.DataFrame, gap: Gap, *, suffix: str = "") -> bool:
    """Whether the worst and best groups' 95% intervals on the gap's metric overlap.

    Overlapping intervals mean one run cannot tell the two groups apart.

    Parameters
    ----------
    table : DataFrame
        ``rates`` output.
    gap : Gap
        ``largest_gap(table, suffix=suffix)``.
    suffix : str
        ``""`` for the truth, ``"_observed"`` for the recorded labels.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "b"], "tpr_low": [0.1, 0.5], "tpr_high": [0.2, 0.6]})
    >>> intervals_overlap(t, Gap("tpr", 0.4, worst="a", best="b"))
    False
    """
    names = table["group"].astype(str).tolist()
    w, b = names.index(gap.worst), names.index(gap.best)
    low = table[f"{gap.metric}_low{suffix}"].to_numpy(dtype=float)
    high = table[f"{gap.metric}_high{suffix}"].to_numpy(dtype=float)
    if np.isnan([low[w], low[b], high[w], high[b]]).any():
        return True
    return bool(low[w] <= high[b] and low[b] <= high[w])


def selected_against(groups: pd.DataFrame, r: int, *, strategy: str) -> list[tuple[str, str]]:
    """Every under-queried group at round ``r``, with one sentence on why, from the record.

    The reason quotes ``uncertainty_bias`` (computed on the unlabelled pool
    after round ``r``'s refit): below 0 the model is sure about the group
    more often than about the rest. It is offered only when the strategy
    asks where the model is unsure (its registry entry's ``asks_where_unsure``) and the sign
    agrees; otherwise the sentence says the record does not show why.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame.
    r : int
        The round.
    strategy : str
        The run's strategy name.

    Returns
    -------
    list of (group, sentence)
        Plain text, group names unescaped; empty at round 0.

    Examples
    --------
    >>> g = pd.DataFrame({"round": [5, 5], "group": ["women", "men"],
    ...     "pool_share": [0.33, 0.67], "query_share_cum": [0.2, 0.8],
    ...     "queried_cum": [60, 240], "uncertainty_bias": [-0.89, 0.47]})
    >>> selected_against(g, 5, strategy="least_confidence")[0][1]  # doctest: +NORMALIZE_WHITESPACE
    'women: 20% of the queries so far against 33% of the pool. The model is surer about women
    than about men (uncertainty bias -0.89 on the unlabelled pool), and least confidence asks
    where it is unsure, so it tends to ask about women less.'
    """
    from components.strategies import STRATEGIES  # the strategies import the learners

    entry = STRATEGIES.get(strategy) if strategy in STRATEGIES else None
    unsure = bool(entry is not None and entry.asks_where_unsure)
    title = entry.title if entry is not None else strategy
    balance = query_balance(groups, r)
    now = _rows(groups, r)
    ub = now["uncertainty_bias"].to_numpy(dtype=float)
    names = list(balance["group"])
    out = []
    for i, row in balance.iterrows():
        if row["word"] != UNDER:
            continue
        g = row["group"]
        head = (
            f"{g}: {row['query_share']:.0%} of the queries so far "
            f"against {row['pool_share']:.0%} of the pool."
        )
        others = [n for n in names if n != g]
        rest = others[0] if len(others) == 1 else "the rest of the pool"
        if unsure and ub[i] < 0:
            why = (
                f" The model is surer about {g} than about {rest} (uncertainty bias "
                f"{ub[i]:+.2f} on the unlabelled pool), and {title.lower()} "
                f"asks where it is unsure, so it tends to ask about {g} less."
            )
        else:
            why = " The record does not show a reason in the model's certainty."
        out.append((g, head + why))
    return out
