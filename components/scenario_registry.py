"""The scenario registry: typed entries, the shared ``group`` parameter, and composition.

A scenario's entry says what it ``acts_on`` (:mod:`components.scenarios` has
the scenarios themselves). :func:`apply_scenarios` composes resolved specs into
the run's :class:`components.environment.Environment`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from components.environment import (
    ANNOTATOR,
    DATA_PARTS,
    SEED_SET,
    Environment,
)
from components.split import Split
from specs import Param, Registry, Spec, TypedEntry, UserInputError, did_you_mean

_ALONE = ((SEED_SET,), (ANNOTATOR,))


@dataclass(frozen=True, kw_only=True)
class ScenarioEntry(TypedEntry):
    """A scenario's entry.

    Attributes
    ----------
    formula : str
        What it does, in one line, for the Method page.
    acts_on : tuple of str
        The parts of the environment it changes (``ACTS_ON``): data parts, or
        the seed set alone, or the annotator alone; ``()`` for none.
    """

    formula: str = ""
    acts_on: tuple[str, ...]

    def __post_init__(self) -> None:
        super().__post_init__()
        if not (set(self.acts_on) <= set(DATA_PARTS) or self.acts_on in _ALONE):
            raise ValueError(
                f"scenario '{self.name}': acts_on={self.acts_on!r}; allowed: any of "
                f"{', '.join(DATA_PARTS)}, or {SEED_SET} alone, or {ANNOTATOR} alone"
            )

    @property
    def part(self) -> str:
        """``"data"``, ``SEED_SET`` or ``ANNOTATOR``: which signature its function has."""
        return self.acts_on[0] if self.acts_on in _ALONE else "data"


SCENARIOS = Registry("scenario", entry=ScenarioEntry)

MSG_NO_GROUP = (
    "scenario '{name}': group={value!r} is not a group of this data; allowed: {allowed}{hint}"
)
MSG_DIRECTION = "scenario 'label_bias': direction={value!r} is not allowed; allowed: down, up"
LABEL_DIRECTIONS = ("down", "up")
MSG_EMPTY_POOL = (
    "scenario '{name}': leaves {left} rows of group {group!r} in the pool; "
    "allowed: settings that keep at least 1"
)

#: Said in every targeting scenario's description and in its ``group`` help.
DEFAULT_TARGET = "It targets the smallest group unless you choose one."
GROUP = Param(
    "group", "str", None, "The group the scenario targets: the smallest unless you choose one."
)

SURESH = (
    "Suresh, H. & Guttag, J. (2021). A framework for understanding sources of harm "
    "throughout the machine learning life cycle. EAAMO."
)


def target_code(split: Split, group: str, name: str) -> int:
    if group not in split.groups:
        raise UserInputError(
            MSG_NO_GROUP.format(
                name=name,
                value=group,
                allowed=", ".join(split.groups),
                hint=did_you_mean(group, split.groups),
            )
        )
    return split.code(group)


def exact_subset(rows: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """``round(fraction * len(rows))`` of ``rows``, chosen at random."""
    k = int(round(fraction * len(rows)))
    return rows[rng.permutation(len(rows))[:k]] if k else rows[:0]


def apply_scenarios(
    split: Split,
    specs: Sequence[Spec],
    *,
    seed_seq: np.random.SeedSequence,
    annotator_rng: np.random.Generator,
) -> Environment:
    """The environment that resolved scenario ``specs`` make from ``split``.

    Data transforms run first, in the given order; scenario ``i`` gets child
    stream ``i`` of ``seed_seq``. The annotator and the seed sampler are then
    built, in the given order, on the final pool, so they see every row a
    transform added or removed. Annotators draw from ``annotator_rng``.
    """
    specs = tuple(specs)
    children = seed_seq.spawn(len(specs))
    for spec, child in zip(specs, children, strict=True):
        entry = SCENARIOS[spec.name]
        if entry.part == "data":
            split = entry.func(split, rng=np.random.default_rng(child), **dict(spec.params))
    plain = Environment.plain(split)
    annotator, sampler = plain.annotator, plain.seed_sampler
    for spec, child in zip(specs, children, strict=True):
        entry = SCENARIOS[spec.name]
        params = dict(spec.params)
        if entry.part == ANNOTATOR:
            annotator = entry.func(annotator, split=split, rng=annotator_rng, **params)
        elif entry.part == SEED_SET:
            sampler = entry.func(sampler, split=split, rng=np.random.default_rng(child), **params)
    return Environment(split, annotator, sampler, log=tuple(str(s) for s in specs))
