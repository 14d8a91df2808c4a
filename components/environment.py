"""The environment of a run, apart from the loop that acts in it.

As in ml-fairness-gym's split of environment, agent and metrics, a run's
environment is three parts, built by the scenarios
(:func:`components.scenarios.apply_scenarios`) and only asked by the loop:

- the data: a :class:`~components.split.Split` after the data transforms;
- an :class:`Annotator`, who answers queries with labels: the simulated
  annotator who reveals the recorded label, a biased one, a human seat, a
  classroom room;
- a :class:`SeedSampler`, who draws the labelled seed set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from components.split import Split, readonly
from specs import UserInputError

#: The parts of the environment a scenario may act on (its entry's ``acts_on``).
POOL = "pool"
TEST_FEATURES = "test_features"
TEST_LABELS = "test_labels"  # the test set's recorded (observed) labels
SEED_SET = "seed_set"
ANNOTATOR = "annotator"
DATA_PARTS = (POOL, TEST_FEATURES, TEST_LABELS)
ACTS_ON = (*DATA_PARTS, SEED_SET, ANNOTATOR)

MSG_SEED_GROUP = (
    "cold_start_skew: the seed set needs {need} rows of group {group!r} but the pool has {have}; "
    "allowed: a smaller share or initial_size"
)
MSG_NO_ANSWER = "annotator: no answer was given for pool position {position}"
DIRECTIONS = ("down", "up", "both")


@runtime_checkable
class Annotator(Protocol):
    """Who answers queries.

    ``answer(positions)`` gets pool positions (ndarray (n,) int) and returns
    one label per position (ndarray (n,) int, each 0 or 1), in the same order.
    The loop asks it for the seed set and for every batch, and never needs
    to know who answers.
    """

    def answer(self, positions: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True, eq=False)
class RecordedLabels:
    """The simulated annotator: answers each row's recorded (observed) label.

    >>> RecordedLabels(np.array([0, 1, 1])).answer(np.array([2, 0])).tolist()
    [1, 0]
    """

    y: np.ndarray

    def __post_init__(self) -> None:
        object.__setattr__(self, "y", readonly(self.y))

    def answer(self, positions: np.ndarray) -> np.ndarray:
        return self.y[positions]


@dataclass(frozen=True, eq=False)
class BiasedAnnotator:
    """Another annotator whose answers for one group are flipped at ``rate``.

    ``direction`` says which answers can be flipped: ``down`` only positives
    (answered as negative), ``up`` only negatives (answered as positive),
    ``both`` any. ``rate`` is the chance for each of those rows, so under
    ``down`` the group's negatives are always answered truly. ``u`` holds one
    uniform draw per pool position, so whether a row is mislabelled does not
    depend on when it is asked.

    >>> inner = RecordedLabels(np.array([1, 1, 0, 1]))
    >>> biased = BiasedAnnotator(inner, group=np.array([0, 1, 1, 1]), code=1, rate=0.5,
    ...                          direction="down", u=np.array([0.1, 0.1, 0.1, 0.9]))
    >>> biased.answer(np.arange(4)).tolist()
    [1, 0, 0, 1]
    """

    inner: Annotator
    group: np.ndarray
    code: int
    rate: float
    direction: str
    u: np.ndarray

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction={self.direction!r}; allowed: {', '.join(DIRECTIONS)}")
        object.__setattr__(self, "group", readonly(self.group))
        object.__setattr__(self, "u", readonly(self.u))

    def answer(self, positions: np.ndarray) -> np.ndarray:
        y = np.array(self.inner.answer(positions), dtype=np.int64)
        hit = (self.group[positions] == self.code) & (self.u[positions] < self.rate)
        if self.direction == "down":
            hit &= y == 1
        elif self.direction == "up":
            hit &= y == 0
        y[hit] = 1 - y[hit]
        return y


@dataclass(frozen=True, eq=False)
class GivenLabels:
    """Answers with labels given in advance: a human's answers to one batch.

    >>> GivenLabels(np.array([7, 3]), np.array([1, 0])).answer(np.array([3, 7])).tolist()
    [0, 1]
    """

    positions: np.ndarray
    labels: np.ndarray

    def answer(self, positions: np.ndarray) -> np.ndarray:
        pairs = zip(
            np.asarray(self.positions).tolist(), np.asarray(self.labels).tolist(), strict=True
        )
        given = dict(pairs)
        out = np.empty(len(positions), dtype=np.int64)
        for i, p in enumerate(np.asarray(positions).tolist()):
            if p not in given:
                raise KeyError(MSG_NO_ANSWER.format(position=p))
            out[i] = given[p]
        return out


@runtime_checkable
class SeedSampler(Protocol):
    """Who draws the seed set: ``sample(split, n, rng=...)`` returns ``n`` distinct positions."""

    def sample(self, split: Split, n: int, *, rng: np.random.Generator) -> np.ndarray: ...


@dataclass(frozen=True)
class UniformSeed:
    """``n`` pool rows uniformly at random, without replacement."""

    def sample(self, split: Split, n: int, *, rng: np.random.Generator) -> np.ndarray:
        return rng.choice(split.n_pool, size=n, replace=False)


@dataclass(frozen=True)
class GroupShareSeed:
    """A seed set with a fixed share of some groups, the rest from the other groups.

    ``shares`` holds ``(group code, share of the seed set)``; each group gets
    ``round(share * n)`` rows.

    >>> from components.split import make_split
    >>> from datasets.base import load
    >>> split = make_split(load("two_groups:n_samples=200"), test_size=0.25,
    ...                    rng=np.random.default_rng(0))
    >>> seed = GroupShareSeed().with_share(1, 0.25).sample(split, 8, rng=np.random.default_rng(0))
    >>> int((split.g_pool[seed] == 1).sum())
    2
    """

    shares: tuple[tuple[int, float], ...] = ()

    def with_share(self, code: int, share: float) -> GroupShareSeed:
        """This sampler with group ``code``'s share set (a later setting wins)."""
        kept = tuple((c, s) for c, s in self.shares if c != code)
        return GroupShareSeed(kept + ((code, float(share)),))

    def sample(self, split: Split, n: int, *, rng: np.random.Generator) -> np.ndarray:
        chosen: list[np.ndarray] = []
        rest = np.ones(split.n_pool, dtype=bool)
        for code, share in self.shares:
            want = int(round(share * n))
            rows = np.flatnonzero(split.g_pool == code)
            if want > len(rows):
                raise UserInputError(
                    MSG_SEED_GROUP.format(need=want, group=split.groups[code], have=len(rows))
                )
            chosen.append(rng.choice(rows, size=want, replace=False))
            rest &= split.g_pool != code
        left = n - sum(len(c) for c in chosen)
        others = np.flatnonzero(rest)
        if left > len(others):
            raise UserInputError(
                MSG_SEED_GROUP.format(need=left, group="the other groups", have=len(others))
            )
        chosen.append(rng.choice(others, size=left, replace=False))
        return np.concatenate(chosen)


@dataclass(frozen=True, eq=False)
class Environment:
    """The parts a run acts in.

    Attributes
    ----------
    split : Split
        Pool and test set after the scenarios' data transforms.
    annotator : Annotator
        Answers every query, the seed set's included.
    seed_sampler : SeedSampler
        Draws the seed set.
    log : tuple of str
        The scenario specs applied, in order.
    """

    split: Split
    annotator: Annotator
    seed_sampler: SeedSampler
    log: tuple[str, ...] = ()

    @classmethod
    def plain(cls, split: Split) -> Environment:
        """No scenario: recorded labels answered truthfully, a uniform seed set."""
        return cls(split, RecordedLabels(split.y_pool_obs), UniformSeed())
