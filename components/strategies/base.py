"""What a query strategy sees, its registry entry, and the shared ``top_n`` picker.

A strategy is a plain function::

    strategy(model, pool: PoolView, n: int, *, rng, context: QueryContext, **params)
        -> ndarray of n distinct pool positions, none of them labelled

``PoolView`` holds features and groups but no labels, so a strategy cannot
cheat. Fairness-aware strategies may read group counts through ``context``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from specs import Param, Registry, TypedEntry, UserInputError

MSG_ENTRY = "strategy '{name}': {problem}"
PROBLEM_SCORER = "scorer and pool_scorer go together"
PROBLEM_LABEL = "a score_label is given exactly when there is a scorer"


@dataclass(frozen=True)
class Committee:
    """The strategy needs a bootstrap committee of the run's learner each round.

    ``size_param`` names the strategy parameter that gives the committee's size.
    """

    size_param: str = "members"


@dataclass(frozen=True)
class Lookahead:
    """The strategy refits the learner on hypothetical labels (through ``context.fit``).

    Each of ``params[candidates_param]`` candidates costs one refit per label,
    each predicting ``params[eval_param]`` rows.
    """

    candidates_param: str
    eval_param: str


@dataclass(frozen=True, kw_only=True)
class StrategyEntry(TypedEntry):
    """A query strategy's entry.

    Attributes
    ----------
    formula : str
        The score or rule in one line, for the Method page.
    scorer : callable or None
        The public ``*_scores`` function that says what the score is (None for
        ``random``, which has none).
    pool_scorer : callable or None
        ``(model, pool, context, **params) -> ndarray (n_pool,)``: the scorer fed
        from one round of the loop. The engine calls it once a round, so the
        scores explain the picks; None exactly when ``scorer`` is.
    score_label : str
        What the score means in words (empty when there is no score).
    committee : Committee or None
        Set when the engine must build a bootstrap committee.
    lookahead : Lookahead or None
        Set when the strategy refits the learner while it picks.
    asks_where_unsure : bool
        The pick goes to the rows the model's own predicted probabilities are
        least sure about, so a group the model is surer about tends to be asked
        about less: the "selected against" callout may give that as the reason.
    """

    formula: str = ""
    scorer: Callable[..., np.ndarray] | None = None
    pool_scorer: Callable[..., np.ndarray] | None = None
    score_label: str = ""
    committee: Committee | None = None
    lookahead: Lookahead | None = None
    asks_where_unsure: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        names = {p.name for p in self.params}
        if (self.scorer is None) != (self.pool_scorer is None):
            raise ValueError(MSG_ENTRY.format(name=self.name, problem=PROBLEM_SCORER))
        if (self.scorer is None) != (not self.score_label):
            raise ValueError(MSG_ENTRY.format(name=self.name, problem=PROBLEM_LABEL))
        wanted = []
        if self.committee is not None:
            wanted.append(self.committee.size_param)
        if self.lookahead is not None:
            wanted += [self.lookahead.candidates_param, self.lookahead.eval_param]
        for param in wanted:
            if param not in names:
                raise ValueError(
                    MSG_ENTRY.format(name=self.name, problem=f"no parameter '{param}'")
                )


STRATEGIES = Registry("strategy", entry=StrategyEntry)

MSG_TOO_MANY = "n={n} is more than the {free} unlabelled pool rows; allowed: 1 to {free}"
MSG_TOO_FEW = "n={n} asks for no rows; allowed: 1 to {free}"


@dataclass(frozen=True, eq=False)
class PoolView:
    """The pool as a strategy may see it: no labels.

    Attributes
    ----------
    X : ndarray (n_pool, n_features), read-only
    group : ndarray (n_pool,) int, group codes into ``groups``
    labeled : ndarray (n_pool,) bool, read-only; True where already labelled
    groups : tuple of str
    """

    X: np.ndarray
    group: np.ndarray
    labeled: np.ndarray
    groups: tuple[str, ...]

    @property
    def n_pool(self) -> int:
        return int(self.X.shape[0])

    @property
    def n_unlabeled(self) -> int:
        return int(self.n_pool - np.count_nonzero(self.labeled))

    def unlabeled_positions(self) -> np.ndarray:
        return np.flatnonzero(~self.labeled)


@dataclass(eq=False)
class QueryContext:
    """Everything else a strategy may use, prepared once per round by the engine.

    Attributes
    ----------
    proba : ndarray (n_pool, 2) or None
        The current model's probabilities on the whole pool.
    committee_proba : ndarray (n_members, n_pool, 2) or None
        Bootstrap committee probabilities, for committee strategies.
    labeled_y : ndarray (n_labeled,) int
        Observed labels of the labelled rows, in the order of ``labeled_positions``.
    labeled_positions : ndarray (n_labeled,) int
    fit : callable ``(X, y) -> model`` or None
        Fits the run's learner (for look-ahead strategies such as ``fal``), with
        seeds from the run's look-ahead stream, so these refits leave the
        model's own stream alone.
    scores : ndarray (n_pool,) or None
        The strategy's own scores, when the engine has computed them already.
    state : dict
        Survives from round to round within one run (e.g. k-center distances).
    """

    proba: np.ndarray | None = None
    committee_proba: np.ndarray | None = None
    labeled_y: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    labeled_positions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    fit: Callable[[np.ndarray, np.ndarray], Any] | None = None
    scores: np.ndarray | None = None
    state: dict[str, Any] = field(default_factory=dict)


def group_counts(pool: PoolView) -> tuple[np.ndarray, np.ndarray]:
    """(pool counts, labelled counts) per group code, each shape (n_groups,)."""
    k = len(pool.groups)
    return (
        np.bincount(pool.group, minlength=k),
        np.bincount(pool.group[pool.labeled], minlength=k),
    )


def check_n(pool: PoolView, n: int) -> None:
    _check_n(n, pool.n_unlabeled)


def _check_n(n: int, free: int) -> None:
    if n < 1:
        raise UserInputError(MSG_TOO_FEW.format(n=n, free=free))
    if n > free:
        raise UserInputError(MSG_TOO_MANY.format(n=n, free=free))


def top_n(
    scores: np.ndarray, n: int, *, labeled: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Positions of the ``n`` highest scores among unlabelled rows, best first.

    Ties at the cut are broken by ``rng``, so equal scores never favour low
    positions. Runs in O(n_pool) (a partition, not a sort).

    >>> rng = np.random.default_rng(0)
    >>> top_n(np.array([0.1, 0.9, 0.5, 0.9]), 2, labeled=np.array([0, 0, 0, 1], bool), rng=rng)
    array([1, 2])
    """
    s = np.array(scores, dtype=np.float64)  # one copy; labelled and NaN rows drop out
    s[labeled] = -np.inf
    s[np.isnan(s)] = -np.inf
    _check_n(n, int(len(s) - np.count_nonzero(labeled)))
    cut = len(s) - n
    part = np.argpartition(s, cut)
    top = part[cut:]
    threshold = s[top].min()
    n_ties_total = int(np.count_nonzero(s == threshold))
    n_ties_in = int(np.count_nonzero(s[top] == threshold))
    if n_ties_total > n_ties_in:  # the cut splits a tie: let the rng decide who is in
        above = top[s[top] > threshold]
        ties = np.flatnonzero((s == threshold) & ~labeled)
        top = np.concatenate([above, rng.choice(ties, size=n - len(above), replace=False)])
    order = np.argsort(-s[top], kind="stable")
    return top[order]


# Shared parameters
MEMBERS = Param(
    "members", "int", 5, "How many bootstrap models form the committee.", low=2, high=25
)
TARGET = Param(
    "target",
    "str",
    "equal",
    "Which share each group should reach: 'equal' (1/number of groups) or 'pool' (its pool share).",
    choices=("equal", "pool"),
)


def target_shares(pool: PoolView, target: str) -> np.ndarray:
    """The share each group should reach in the labelled set, shape (n_groups,)."""
    pool_counts, _ = group_counts(pool)
    present = pool_counts > 0
    if target == "pool":
        return pool_counts / pool_counts.sum()
    return present / present.sum()
