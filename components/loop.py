"""The steps of one round: fit, score, pick, reveal (and ``records.measure``).

Each step is a small function of explicit inputs. ``components.engine.Simulation``
keeps the state between rounds and calls them in order: pick a batch, reveal
its labels, fit, score the pool for the next pick, measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from components.environment import Annotator
from components.learners import committee_proba, fit_committee, fit_model, predict_proba
from components.split import Split
from components.strategies import PoolView, QueryContext, StrategyEntry
from specs import UserInputError

MSG_LABELS = (
    "labels: got {got} answers for {want} queried rows; allowed: exactly {want}, each 0 or 1"
)


@dataclass(frozen=True, eq=False)
class Fitted:
    """The round's model, its pool probabilities, and the committee's if any.

    ``proba_pool`` is ndarray (n_pool, 2); ``committee`` is (n_members, n_pool, 2).
    """

    model: Any
    proba_pool: np.ndarray
    committee: np.ndarray | None = None


def fit_one(learner: str, X: np.ndarray, y: np.ndarray, *, rng: np.random.Generator) -> Any:
    """Fit ``learner`` on ``(X, y)`` with a seed drawn from ``rng``."""
    return fit_model(learner, X, y, seed=int(rng.integers(2**31 - 1)))


def fit(
    split: Split,
    labeled: np.ndarray,
    y: np.ndarray,
    *,
    learner: str,
    committee_size: int | None,
    rng: np.random.Generator,
    committee_rng: np.random.Generator,
) -> Fitted:
    """Fit on the pool rows at ``labeled`` (positions) with answers ``y``; predict the pool.

    With ``committee_size``, also a bootstrap committee of that many members,
    drawn from ``committee_rng`` so it never moves the model's own stream.
    """
    X = split.X_pool[labeled]
    model = fit_one(learner, X, y, rng=rng)
    committee = None
    if committee_size is not None:
        members = fit_committee(learner, X, y, members=committee_size, rng=committee_rng)
        committee = committee_proba(members, split.X_pool)
    return Fitted(model, predict_proba(model, split.X_pool), committee)


def score(
    entry: StrategyEntry,
    model: Any,
    pool: PoolView,
    context: QueryContext,
    params: dict[str, Any],
) -> np.ndarray | None:
    """The strategy's scores on the whole pool, shape (n_pool,), or None if it has none."""
    if entry.pool_scorer is None:
        return None
    return entry.pool_scorer(model, pool, context, **params)


def pick(
    entry: StrategyEntry,
    model: Any,
    pool: PoolView,
    n: int,
    *,
    rng: np.random.Generator,
    context: QueryContext,
    params: dict[str, Any],
) -> np.ndarray:
    """The strategy's next ``n`` pool positions, int64."""
    positions = entry.func(model, pool, n, rng=rng, context=context, **params)
    return np.asarray(positions, dtype=np.int64)


def reveal(annotator: Annotator, positions: np.ndarray) -> np.ndarray:
    """The annotator's answers for ``positions``, checked: shape (n,), each 0 or 1.

    >>> from components.environment import RecordedLabels
    >>> reveal(RecordedLabels(np.array([0, 1, 1])), np.array([1, 0])).tolist()
    [1, 0]
    """
    answers = np.asarray(annotator.answer(positions))
    if answers.shape != positions.shape or not np.isin(answers, (0, 1)).all():
        raise UserInputError(MSG_LABELS.format(got=answers.size, want=len(positions)))
    return answers.astype(np.int64)
