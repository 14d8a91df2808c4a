"""A lesson, its checked claims, and ``measure_lesson``, which runs it and checks them.

A :class:`Lesson` is a few named runs (``RunConfig`` fields without the seed),
the seeds they run over, and the six steps a class walks through: predict,
watch, reveal, explain, discuss, try this. Its :class:`Claim` s say, as code,
what the lesson teaches: ``measure`` computes numbers from the runs' record
frames over every seed, ``holds`` says whether they point the way the lesson
says. Every number a lesson shows comes from ``measure``: the claim texts and
the reveal are templates (``str.format`` fields) filled from the measured
numbers and from nothing else.

>>> q = Question("Which?", (Choice("a", "A"), Choice("b", "B")), answer="c", why="...")
Traceback (most recent call last):
...
ValueError: question 'Which?': answer 'c' is not one of its choices a, b
"""

from __future__ import annotations

import string
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from components.config import RunConfig

#: One run's record frames: ``{"rounds", "groups", "queries"}`` (``records.to_frames``).
Frames = dict[str, pd.DataFrame]


@dataclass(frozen=True)
class Choice:
    """One answer of a multiple-choice question."""

    key: str
    text: str


@dataclass(frozen=True)
class Question:
    """The predict step: a question asked before anything moves.

    ``answer`` is the key of the choice the runs bear out; ``why`` says why,
    shown once the class has answered.
    """

    prompt: str
    choices: tuple[Choice, ...]
    answer: str
    why: str

    def __post_init__(self) -> None:
        keys = [c.key for c in self.choices]
        if self.answer not in keys:
            raise ValueError(
                f"question {self.prompt!r}: answer {self.answer!r} is not one of its "
                f"choices {', '.join(keys)}"
            )


@dataclass(frozen=True)
class WatchStep:
    """One watch step: a sentence, the run it shows and the chart to highlight.

    ``chart`` is a key of the dashboard's chart list (``ledger``, ``accuracy``,
    ``rates``, ``uncertainty``, ``map`` ...); ``round`` the round to stop at,
    or None for the last.
    """

    text: str
    run: str
    chart: str
    round: int | None = None


@dataclass(frozen=True)
class TryThis:
    """One change to make and what to look for.

    ``run`` holds ``RunConfig`` fields that replace those of the lesson's run
    ``base``.
    """

    change: str
    look_for: str
    base: str
    run: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Facilitator:
    """Notes for whoever runs the lesson: time, expected answers, misconceptions."""

    minutes: int
    expected_answers: str
    misconceptions: tuple[str, ...]


@dataclass(frozen=True)
class Results:
    """Every run of a lesson over its seeds: ``frames[run][i]`` is run ``run`` at ``seeds[i]``."""

    seeds: tuple[int, ...]
    frames: Mapping[str, tuple[Frames, ...]]

    def of(self, run: str) -> tuple[Frames, ...]:
        return self.frames[run]


@dataclass(frozen=True)
class Claim:
    """One checked claim.

    Attributes
    ----------
    key : str
        Short name, unique in its lesson.
    text : str
        What the claim says, a ``str.format`` template over the measured numbers.
    measure : callable
        ``measure(results) -> dict[str, float]``: the numbers, from the runs.
    holds : callable
        ``holds(numbers) -> bool``: whether they point the way the lesson teaches.
    """

    key: str
    text: str
    measure: Callable[[Results], dict[str, float]]
    holds: Callable[[dict[str, float]], bool]


@dataclass(frozen=True)
class Lesson:
    """A guided lesson: its runs, seeds, steps, facilitator notes and checked claims.

    ``runs`` maps a run's name to ``RunConfig`` fields without ``seed``;
    ``seeds`` is the full set the claims are checked over, ``quick_seeds`` a
    subset for a fast check. ``sources`` cite the work the lesson builds on
    (author, year, title). ``reveal`` is a template over the claims' numbers.
    """

    slug: str
    title: str
    sources: tuple[str, ...]
    story: str
    runs: Mapping[str, Mapping[str, Any]]
    seeds: tuple[int, ...]
    quick_seeds: tuple[int, ...]
    predict: Question
    watch: tuple[WatchStep, ...]
    reveal: str
    explain: str
    discuss: tuple[str, str]
    try_this: TryThis
    facilitator: Facilitator
    claims: tuple[Claim, ...]

    def __post_init__(self) -> None:
        where = f"lesson {self.slug!r}"
        if not set(self.quick_seeds) <= set(self.seeds):
            raise ValueError(f"{where}: quick_seeds must be a subset of seeds")
        for step in self.watch:
            if step.run not in self.runs:
                raise ValueError(f"{where}: watch step names run {step.run!r}, not one of its runs")
        if self.try_this.base not in self.runs:
            raise ValueError(
                f"{where}: try_this changes run {self.try_this.base!r}, not one of its runs"
            )
        keys = [c.key for c in self.claims]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{where}: claim keys repeat: {keys}")
        for name, run in self.runs.items():
            if "seed" in run:
                raise ValueError(f"{where}: run {name!r} sets a seed; the lesson's seeds do")

    def config(self, run: str, seed: int) -> RunConfig:
        """The ``RunConfig`` of run ``run`` at ``seed``."""
        return RunConfig.from_dict({**self.runs[run], "seed": seed})

    def try_config(self, seed: int) -> RunConfig:
        """The try-this run: the base run with the change applied."""
        return RunConfig.from_dict(
            {**self.runs[self.try_this.base], **self.try_this.run, "seed": seed}
        )


@dataclass(frozen=True)
class ClaimResult:
    """A claim as measured: its numbers, whether it holds, and its filled text."""

    claim: Claim
    numbers: dict[str, float]
    passed: bool
    text: str


@dataclass(frozen=True)
class LessonResult:
    """A lesson run over ``seeds``: every claim checked, and the reveal filled."""

    lesson: Lesson
    seeds: tuple[int, ...]
    results: Results
    claims: tuple[ClaimResult, ...]
    reveal: str
    seconds: float

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.claims)

    @property
    def numbers(self) -> dict[str, float]:
        """Every claim's numbers in one mapping (claim keys never collide)."""
        return _merged([c.numbers for c in self.claims], self.lesson.slug)


def fill(template: str, numbers: Mapping[str, float]) -> str:
    """``template`` with its fields filled from ``numbers``; a field ``numbers`` lacks is an error.

    >>> fill("{n:.0f} of {m:.0f} seeds", {"n": 3.0, "m": 10.0})
    '3 of 10 seeds'
    >>> fill("{gap:.2f}", {})
    Traceback (most recent call last):
    ...
    KeyError: "template field 'gap' is not a measured number; measured: (none)"
    """
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None and name not in numbers:
            raise KeyError(
                f"template field {name!r} is not a measured number; "
                f"measured: {', '.join(sorted(numbers)) or '(none)'}"
            )
    return template.format(**numbers)


def _merged(parts: list[dict[str, float]], slug: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in parts:
        for k, v in part.items():
            if k in out and out[k] != v and not (out[k] != out[k] and v != v):
                raise ValueError(f"lesson {slug!r}: two claims measure {k!r} differently")
            out[k] = v
    return out


def _run_one(config: RunConfig) -> Frames:
    from components.engine import one_blas_thread, simulate

    with one_blas_thread():
        return simulate(config).frames()


def run_lesson(lesson: Lesson, seeds: tuple[int, ...], *, jobs: int = 1) -> Results:
    """Every (run, seed) of ``lesson`` through the engine, in a fixed order."""
    tasks = [(name, s) for name in lesson.runs for s in seeds]
    configs = [lesson.config(name, s) for name, s in tasks]
    if jobs > 1 and len(configs) > 1:
        import joblib

        frames = joblib.Parallel(n_jobs=jobs, backend="loky")(
            joblib.delayed(_run_one)(c) for c in configs
        )
    else:
        frames = [_run_one(c) for c in configs]
    by_run: dict[str, list[Frames]] = {name: [] for name in lesson.runs}
    for (name, _), f in zip(tasks, frames, strict=True):
        by_run[name].append(f)
    return Results(seeds=tuple(seeds), frames={k: tuple(v) for k, v in by_run.items()})


def check(lesson: Lesson, results: Results) -> tuple[tuple[ClaimResult, ...], str]:
    """Measure and check every claim on ``results``; the claim results and the filled reveal."""
    out = []
    for claim in lesson.claims:
        numbers = {k: float(v) for k, v in claim.measure(results).items()}
        out.append(
            ClaimResult(claim, numbers, bool(claim.holds(numbers)), fill(claim.text, numbers))
        )
    reveal = fill(lesson.reveal, _merged([c.numbers for c in out], lesson.slug))
    return tuple(out), reveal


def measure_lesson(
    lesson: Lesson, seeds: tuple[int, ...] | None = None, *, jobs: int = 1
) -> LessonResult:
    """Run ``lesson`` over ``seeds`` (its own by default) and check its claims.

    Nothing is cached: the same lesson and seeds give the same numbers.
    """
    seeds = tuple(lesson.seeds if seeds is None else seeds)
    t0 = time.perf_counter()
    results = run_lesson(lesson, seeds, jobs=jobs)
    claims, reveal = check(lesson, results)
    return LessonResult(
        lesson=lesson,
        seeds=seeds,
        results=results,
        claims=claims,
        reveal=reveal,
        seconds=time.perf_counter() - t0,
    )
