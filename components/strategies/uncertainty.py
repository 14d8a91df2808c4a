"""Random sampling and the uncertainty family: least confidence, margin, entropy,
and density-weighted entropy.

Every ``*_scores`` function takes probabilities of shape (n, k) and returns
scores of shape (n,) where higher means "ask about this one first".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import xlogy

from components.learners import predict_proba
from components.metrics import top_proba
from components.strategies.base import (
    STRATEGIES,
    PoolView,
    QueryContext,
    check_n,
    top_n,
)
from specs import Param

Scorer = Callable[..., np.ndarray]


def least_confidence_scores(proba: np.ndarray) -> np.ndarray:
    """1 - the top class probability.

    >>> least_confidence_scores(np.array([[0.9, 0.1], [0.5, 0.5]])).round(2).tolist()
    [0.1, 0.5]
    """
    return 1.0 - top_proba(proba)


def margin_scores(proba: np.ndarray) -> np.ndarray:
    """1 - (top probability - second probability); 1 is a coin toss.

    >>> margin_scores(np.array([[0.9, 0.1], [0.5, 0.5]])).round(2).tolist()
    [0.2, 1.0]
    """
    if proba.shape[1] == 2:
        return 1.0 - np.abs(proba[:, 1] - proba[:, 0])
    part = np.partition(proba, -2, axis=1)
    return 1.0 - (part[:, -1] - part[:, -2])


def entropy_scores(proba: np.ndarray) -> np.ndarray:
    """Shannon entropy of the predictive distribution, in nats.

    >>> entropy_scores(np.array([[1.0, 0.0], [0.5, 0.5]])).round(3).tolist()
    [0.0, 0.693]
    """
    # 0.0 - x rather than -x: a certain row scores 0.0, not -0.0
    if proba.shape[1] == 2:
        return 0.0 - (xlogy(proba[:, 0], proba[:, 0]) + xlogy(proba[:, 1], proba[:, 1]))
    return 0.0 - xlogy(proba, proba).sum(axis=1)


def pool_proba(model: Any, pool: PoolView, context: QueryContext) -> np.ndarray:
    """The engine's cached pool probabilities, or a fresh prediction."""
    if context.proba is not None:
        return context.proba
    return predict_proba(model, pool.X)


def scored(scorer: Scorer) -> Callable[..., np.ndarray]:
    """Turn a per-point scorer into a strategy that takes the top ``n``."""

    def strategy(
        model: Any,
        pool: PoolView,
        n: int,
        *,
        rng: np.random.Generator,
        context: QueryContext,
        **params: Any,
    ) -> np.ndarray:
        scores = context.scores
        if scores is None:
            scores = scorer(model, pool, context, **params)
        return top_n(scores, n, labeled=pool.labeled, rng=rng)

    strategy.__name__ = scorer.__name__.replace("_scorer", "")
    strategy.__doc__ = f"Top-n strategy over ``{scorer.__name__}``."
    return strategy


def _lc_scorer(model: Any, pool: PoolView, context: QueryContext, **_: Any) -> np.ndarray:
    return least_confidence_scores(pool_proba(model, pool, context))


def _margin_scorer(model: Any, pool: PoolView, context: QueryContext, **_: Any) -> np.ndarray:
    return margin_scores(pool_proba(model, pool, context))


def _entropy_scorer(model: Any, pool: PoolView, context: QueryContext, **_: Any) -> np.ndarray:
    return entropy_scores(pool_proba(model, pool, context))


@STRATEGIES.register(
    "random",
    label="Random (passive baseline)",
    description="Passive baseline: every unlabelled row equally likely.",
    citation="The baseline in Settles, B. (2009). Active Learning Literature Survey. UW-Madison TR 1648.",
)
def random(
    model: Any, pool: PoolView, n: int, *, rng: np.random.Generator, context: QueryContext
) -> np.ndarray:
    """``n`` unlabelled positions uniformly at random, without replacement."""
    check_n(pool, n)
    return rng.choice(pool.unlabeled_positions(), size=n, replace=False)


least_confidence = scored(_lc_scorer)
STRATEGIES.register(
    "least_confidence",
    asks_where_unsure=True,
    label="Least confidence",
    description="Ask about the rows whose top-class probability is lowest.",
    citation=(
        "Lewis, D. D. & Gale, W. A. (1994). A sequential algorithm for training text "
        "classifiers. SIGIR. Culotta, A. & McCallum, A. (2005). Reducing labeling effort "
        "for structured prediction tasks. AAAI."
    ),
    formula="score(x) = 1 - max_y P(y|x)",
    scorer=least_confidence_scores,
    pool_scorer=_lc_scorer,
    score_label="least confidence (1 - top probability)",
)(least_confidence)

margin = scored(_margin_scorer)
STRATEGIES.register(
    "margin",
    asks_where_unsure=True,
    label="Smallest margin",
    description="Ask about the rows whose two most likely labels are closest.",
    citation=(
        "Scheffer, T., Decomain, C. & Wrobel, S. (2001). Active hidden Markov models for "
        "information extraction. IDA."
    ),
    formula="score(x) = 1 - (P(y1|x) - P(y2|x))",
    scorer=margin_scores,
    pool_scorer=_margin_scorer,
    score_label="margin score (1 - gap between the top two)",
)(margin)

entropy = scored(_entropy_scorer)
STRATEGIES.register(
    "entropy",
    asks_where_unsure=True,
    label="Highest entropy",
    description="Ask about the rows whose predicted label distribution has most entropy.",
    citation=(
        "Settles, B. & Craven, M. (2008). An analysis of active learning strategies for "
        "sequence labeling tasks. EMNLP."
    ),
    formula="score(x) = -sum_y P(y|x) log P(y|x)",
    scorer=entropy_scores,
    pool_scorer=_entropy_scorer,
    score_label="entropy",
)(entropy)


def information_density(X: np.ndarray, labeled: np.ndarray, *, state: dict[str, Any]) -> np.ndarray:
    """Mean similarity of each row to the unlabelled rows, in [0, 1], shape (n_pool,).

    Similarity is ``(1 + cos) / 2``. The mean of cosines is exact and costs
    O(n d): it is the dot product with the sum of unit vectors.
    """
    unit = state.get("unit")
    if unit is None or unit.shape != X.shape:
        norms = np.linalg.norm(X, axis=1, keepdims=True)
        unit = X / np.where(norms == 0, 1.0, norms)
        state["unit"] = unit
        state["unit_sum"] = unit.sum(axis=0)
    n_u = int(len(X) - np.count_nonzero(labeled))
    total = state["unit_sum"] - unit[labeled].sum(axis=0)
    mean_cos = unit @ total / max(n_u, 1)
    return (1.0 + mean_cos) / 2.0


def density_weighted_scores(
    proba: np.ndarray, density: np.ndarray, *, beta: float = 1.0
) -> np.ndarray:
    """Entropy times information density to the power ``beta``.

    >>> density_weighted_scores(np.array([[0.5, 0.5]]), np.array([0.25]), beta=1).round(3).tolist()
    [0.173]
    """
    return entropy_scores(proba) * np.power(density, beta)


def _density_scorer(
    model: Any, pool: PoolView, context: QueryContext, *, beta: float = 1.0, **_: Any
) -> np.ndarray:
    density = information_density(pool.X, pool.labeled, state=context.state)
    return density_weighted_scores(pool_proba(model, pool, context), density, beta=beta)


density_weighted = scored(_density_scorer)
STRATEGIES.register(
    "density_weighted",
    label="Density-weighted entropy",
    params=(
        Param(
            "beta",
            "float",
            1.0,
            "How much typicality counts against uncertainty (0 = plain entropy).",
            low=0.0,
            high=10.0,
        ),
    ),
    description=(
        "Entropy weighted by how typical a row is of the unlabelled pool, "
        "so outliers are asked about less."
    ),
    citation=(
        "Settles, B. & Craven, M. (2008). An analysis of active learning strategies for "
        "sequence labeling tasks. EMNLP (information density)."
    ),
    formula="score(x) = H(x) * mean_u sim(x, u)^beta, sim = (1 + cos)/2",
    scorer=density_weighted_scores,
    pool_scorer=_density_scorer,
    score_label="entropy x density",
)(density_weighted)
