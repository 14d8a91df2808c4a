"""Guided lessons whose claims are checked against the simulator.

``LESSONS`` is the ordered registry; each lesson lives in its own module. Add a
lesson by writing one module that defines ``LESSON`` (see ``docs/lessons.md``)
and adding it to ``LESSONS`` below.

>>> [lesson.slug for lesson in LESSONS][:1]
['overlooked-cluster']
"""

from __future__ import annotations

from components.lessons import (
    l1_overlooked_cluster,
    l2_uncertainty_bias,
    l3_uncertainty_helps,
    l4_more_data_astray,
    l5_fairness_objective,
    l6_dedup,
    l7_find_the_cluster,
)
from components.lessons.base import (
    Choice,
    Claim,
    ClaimResult,
    Facilitator,
    Lesson,
    LessonResult,
    Question,
    Results,
    TryThis,
    WatchStep,
    check,
    fill,
    measure_lesson,
    run_lesson,
)
from specs import UserInputError

LESSONS: tuple[Lesson, ...] = (
    l1_overlooked_cluster.LESSON,
    l2_uncertainty_bias.LESSON,
    l3_uncertainty_helps.LESSON,
    l4_more_data_astray.LESSON,
    l5_fairness_objective.LESSON,
    l6_dedup.LESSON,
    l7_find_the_cluster.LESSON,
)

MSG_UNKNOWN_LESSON = "lesson: {value!r} is not a lesson; allowed: {allowed}"


def get_lesson(slug: str, lessons: tuple[Lesson, ...] | None = None) -> Lesson:
    """The lesson named ``slug``; an unknown slug is a one-line ``UserInputError``.

    >>> get_lesson("overlooked-cluster").title
    'The overlooked cluster'
    >>> get_lesson("nope")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    specs.UserInputError: lesson: 'nope' is not a lesson; allowed: overlooked-cluster...
    """
    pool = LESSONS if lessons is None else lessons
    for lesson in pool:
        if lesson.slug == slug:
            return lesson
    raise UserInputError(
        MSG_UNKNOWN_LESSON.format(value=slug, allowed=", ".join(x.slug for x in pool))
    )


__all__ = [
    "LESSONS",
    "MSG_UNKNOWN_LESSON",
    "Choice",
    "Claim",
    "ClaimResult",
    "Facilitator",
    "Lesson",
    "LessonResult",
    "Question",
    "Results",
    "TryThis",
    "WatchStep",
    "check",
    "fill",
    "get_lesson",
    "measure_lesson",
    "run_lesson",
]
