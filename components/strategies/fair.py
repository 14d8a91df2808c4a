"""Fairness-aware strategies: ``group_balanced`` and ``fair_uncertainty`` (``fal`` is in its own module).

These read ``pool.group`` and the labelled set's group counts: a practitioner
who uses them must know each row's group, which is itself a choice with costs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from components.strategies.base import (
    STRATEGIES,
    TARGET,
    PoolView,
    QueryContext,
    check_n,
    group_counts,
    target_shares,
    top_n,
)
from components.strategies.uncertainty import least_confidence_scores, pool_proba
from specs import Param


def representation_deficit(labeled_counts: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """How far each group is below its target share of the labelled set, in [0, 1].

    ``max(0, 1 - labelled_share / target_share)``; a group with no labels has 1.

    >>> representation_deficit(np.array([9, 1]), np.array([0.5, 0.5])).round(2).tolist()
    [0.0, 0.8]
    """
    total = labeled_counts.sum()
    have = labeled_counts / total if total > 0 else np.zeros(len(labeled_counts))
    with np.errstate(divide="ignore", invalid="ignore"):
        deficit = np.where(shares > 0, 1.0 - have / shares, 0.0)
    return np.clip(deficit, 0.0, 1.0)


def _per_group_top(
    scores: np.ndarray, pool: PoolView, k: int, rng: np.random.Generator
) -> list[np.ndarray]:
    """For each group, its unlabelled positions ordered best first (at most ``k``)."""
    out = []
    for g in range(len(pool.groups)):
        blocked = pool.labeled | (pool.group != g)
        free = int(len(blocked) - np.count_nonzero(blocked))
        out.append(
            top_n(scores, min(k, free), labeled=blocked, rng=rng)
            if free
            else np.zeros(0, dtype=np.int64)
        )
    return out


def _greedy_by_group(
    scores: np.ndarray,
    pool: PoolView,
    n: int,
    rng: np.random.Generator,
    priority: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> np.ndarray:
    """Pick ``n`` rows one at a time, each from the group with the highest priority.

    ``priority(have, heads)`` gets the labelled counts per group (including
    this batch's picks so far) and each group's best remaining score, and
    returns one priority per group. Inside a group rows go best score first;
    ties between groups are broken by ``rng``.
    """
    _, have = group_counts(pool)
    have = have.astype(float)
    queues = _per_group_top(scores, pool, n, rng)
    taken = np.zeros(len(queues), dtype=int)
    picks = []
    for _ in range(n):
        open_ = np.array([taken[g] < len(q) for g, q in enumerate(queues)])
        heads = np.array(
            [scores[q[taken[g]]] if open_[g] else np.nan for g, q in enumerate(queues)]
        )
        value = np.where(open_, priority(have, heads), -np.inf)
        best = np.flatnonzero(value == value.max())
        g = int(best[0] if len(best) == 1 else rng.choice(best))
        picks.append(queues[g][taken[g]])
        taken[g] += 1
        have[g] += 1
    return np.array(picks, dtype=np.int64)


def group_balanced(
    model: Any,
    pool: PoolView,
    n: int,
    *,
    rng: np.random.Generator,
    context: QueryContext,
    target: str = "equal",
    within: str = "uncertainty",
) -> np.ndarray:
    """Interlace groups: each pick goes to the group furthest below its target share.

    Within a group, rows are taken by least confidence (``within="uncertainty"``)
    or at random (``within="random"``).
    """
    check_n(pool, n)
    if within == "random":
        scores = rng.random(pool.n_pool)
    else:
        scores = least_confidence_scores(pool_proba(model, pool, context))
    shares = target_shares(pool, target)
    return _greedy_by_group(
        scores, pool, n, rng, lambda have, heads: shares * (have.sum() + 1.0) - have
    )


def _balanced_scorer(model: Any, pool: PoolView, context: QueryContext, **_: Any) -> np.ndarray:
    return least_confidence_scores(pool_proba(model, pool, context))


STRATEGIES.register(
    "group_balanced",
    label="Group-balanced (stratified)",
    params=(
        TARGET,
        Param(
            "within",
            "str",
            "uncertainty",
            "How to choose inside a group: by least confidence or at random.",
            choices=("uncertainty", "random"),
        ),
    ),
    description=(
        "Interlace groups: each query goes to the group furthest below its target share "
        "of the labelled set; inside a group, the least confident row."
    ),
    citation=(
        "Stratified sampling by group (this project's rule); not the min-max method of "
        "Abernethy, J. et al. (2022). Active sampling for min-max fairness. ICML (that is "
        "minmax_group). Related: Branchaud-Charron, F. et al. (2021). Can active learning "
        "preemptively mitigate fairness issues? ICLR RAI workshop."
    ),
    formula="group* = argmax_g (target_g * (n_labelled + 1) - labelled_g)",
    scorer=least_confidence_scores,
    pool_scorer=_balanced_scorer,
    score_label="least confidence (within a group)",
)(group_balanced)


def fair_uncertainty_scores(
    uncertainty: np.ndarray, group: np.ndarray, deficit: np.ndarray, *, lam: float
) -> np.ndarray:
    """Uncertainty times ``1 + lam * deficit(group)``.

    >>> fair_uncertainty_scores(np.array([0.2, 0.2]), np.array([0, 1]), np.array([0.0, 1.0]), lam=1.0).tolist()
    [0.2, 0.4]
    """
    return uncertainty * (1.0 + lam * deficit[group])


def fair_uncertainty(
    model: Any,
    pool: PoolView,
    n: int,
    *,
    rng: np.random.Generator,
    context: QueryContext,
    lam: float = 1.0,
    target: str = "equal",
) -> np.ndarray:
    """Least confidence re-weighted by each group's representation deficit.

    The deficit is updated after every pick, so one batch does not pile onto
    one group.
    """
    check_n(pool, n)
    u = least_confidence_scores(pool_proba(model, pool, context))
    shares = target_shares(pool, target)
    return _greedy_by_group(
        u,
        pool,
        n,
        rng,
        lambda have, heads: heads * (1.0 + lam * representation_deficit(have, shares)),
    )


def _fair_unc_scorer(
    model: Any,
    pool: PoolView,
    context: QueryContext,
    *,
    lam: float = 1.0,
    target: str = "equal",
    **_: Any,
) -> np.ndarray:
    u = least_confidence_scores(pool_proba(model, pool, context))
    _, have = group_counts(pool)
    deficit = representation_deficit(have.astype(float), target_shares(pool, target))
    return fair_uncertainty_scores(u, pool.group, deficit, lam=lam)


STRATEGIES.register(
    "fair_uncertainty",
    label="Fairness-boosted uncertainty",
    params=(
        Param(
            "lam",
            "float",
            1.0,
            "How strongly a group's shortfall of labels boosts its rows (0 = plain least confidence).",
            low=0.0,
            high=20.0,
        ),
        TARGET,
    ),
    description=(
        "Least confidence, boosted for groups below their target share of labels. "
        "Defined by this project as a simple, explainable re-weighting."
    ),
    citation=(
        "This project's re-weighting, in the spirit of Sharaf, A., Daume III, H. & Ni, R. "
        "(2022). Promoting fairness in learned models by learning to active learn under "
        "parity constraints. FAccT."
    ),
    formula="score(x) = (1 - max_y P(y|x)) * (1 + lam * deficit(group(x)))",
    scorer=fair_uncertainty_scores,
    pool_scorer=_fair_unc_scorer,
    score_label="boosted least confidence",
)(fair_uncertainty)
