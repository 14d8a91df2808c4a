"""``python -m components lessons [--check [--quick] [--lesson SLUG]]``: list or check the lessons.

Without ``--check`` it lists every lesson: slug, title, sources, runs and
seeds. With ``--check`` it runs each lesson's runs over its seeds (``--quick``:
its quick seeds), prints every claim with its measured numbers and PASS or
FAIL, and exits 1 when any claim fails. ``--jobs N`` runs the runs in N
worker processes; the numbers are the same.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

import components.lessons as lessons_mod
from components.cli import BadInput
from components.lessons.base import Lesson, measure_lesson

EXIT_CLAIM_FAILED = 1
MSG_UNKNOWN = "--lesson: {value!r} is not a lesson; allowed: {allowed}"
MSG_JOBS = "--jobs: {value!r} is not allowed; allowed: an integer in [1, 8]"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("lessons", help="list the guided lessons, or check their claims")
    p.add_argument("--check", action="store_true", help="run every claim over its seeds")
    p.add_argument("--quick", action="store_true", help="with --check: the quick seed set")
    p.add_argument("--lesson", help="only this lesson (its slug)")
    p.add_argument("--jobs", default="1", help="worker processes for --check (1 to 8)")
    p.set_defaults(func=handler)


def _seeds(seeds: tuple[int, ...]) -> str:
    if len(seeds) > 2 and seeds == tuple(range(seeds[0], seeds[-1] + 1)):
        return f"{seeds[0]}-{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


def _selected(slug: str | None) -> tuple[Lesson, ...]:
    pool = tuple(lessons_mod.LESSONS)
    if slug is None:
        return pool
    chosen = tuple(x for x in pool if x.slug == slug)
    if not chosen:
        raise BadInput(MSG_UNKNOWN.format(value=slug, allowed=", ".join(x.slug for x in pool)))
    return chosen


def list_lessons(lessons: tuple[Lesson, ...], out: TextIO) -> None:
    for i, lesson in enumerate(lessons, 1):
        print(f"{i}. {lesson.slug}: {lesson.title}", file=out)
        for source in lesson.sources:
            print(f"     source: {source}", file=out)
        print(f"     runs:   {', '.join(lesson.runs)}", file=out)
        print(
            f"     seeds:  {_seeds(lesson.seeds)} (quick: {_seeds(lesson.quick_seeds)}); "
            f"{len(lesson.claims)} claims",
            file=out,
        )


def check_lessons(
    lessons: tuple[Lesson, ...], *, quick: bool = False, jobs: int = 1, out: TextIO = sys.stdout
) -> int:
    """Check every claim of ``lessons``; 0 when all hold, ``EXIT_CLAIM_FAILED`` otherwise."""
    failed = 0
    total = 0
    for lesson in lessons:
        seeds = lesson.quick_seeds if quick else lesson.seeds
        result = measure_lesson(lesson, seeds, jobs=jobs)
        print(
            f"{lesson.slug}: {lesson.title} (seeds {_seeds(seeds)}; "
            f"{len(lesson.runs)} runs x {len(seeds)} seeds in {result.seconds:.1f} s)",
            file=out,
        )
        for c in result.claims:
            total += 1
            failed += not c.passed
            print(f"  {'PASS' if c.passed else 'FAIL'}  {c.claim.key}: {c.text}", file=out)
            numbers = ", ".join(f"{k}={v:.4g}" for k, v in c.numbers.items())
            print(f"        measured: {numbers}", file=out)
    print(f"{total - failed} of {total} claims hold", file=out)
    return EXIT_CLAIM_FAILED if failed else 0


def handler(args: argparse.Namespace) -> int:
    chosen = _selected(args.lesson)
    if not args.check:
        if args.quick:
            raise BadInput("--quick: goes only with --check; allowed: --check --quick")
        list_lessons(chosen, sys.stdout)
        return 0
    try:
        jobs = int(args.jobs)
    except ValueError:
        raise BadInput(MSG_JOBS.format(value=args.jobs)) from None
    if not 1 <= jobs <= 8:
        raise BadInput(MSG_JOBS.format(value=args.jobs))
    return check_lessons(chosen, quick=args.quick, jobs=jobs, out=sys.stdout)
