"""The guided lessons: a complete registry, claims that hold on their seeds, and a check that fails loudly."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re

import pytest

import components.lessons as lessons_mod
from components import cli
from components.config import RunConfig
from components.lessons import LESSONS, Claim, get_lesson, measure_lesson
from components.lessons.base import fill
from dashboard.chart_list import CHARTS
from specs import UserInputError

CHART_KEYS = {entry.key for entry in CHARTS}
SLUGS = [lesson.slug for lesson in LESSONS]


def _texts(lesson):
    yield lesson.title
    yield lesson.story
    yield from lesson.sources
    yield lesson.predict.prompt
    yield lesson.predict.why
    yield from (c.text for c in lesson.predict.choices)
    yield from (step.text for step in lesson.watch)
    yield lesson.reveal
    yield lesson.explain
    yield from lesson.discuss
    yield lesson.try_this.change
    yield lesson.try_this.look_for
    yield lesson.facilitator.expected_answers
    yield from lesson.facilitator.misconceptions
    yield from (c.text for c in lesson.claims)


def test_registry_holds_every_lesson_module_in_order_with_unique_slugs():
    files = sorted(
        (m.name for m in pkgutil.iter_modules(lessons_mod.__path__) if re.match(r"l\d+_", m.name)),
        key=lambda name: int(re.match(r"l(\d+)_", name).group(1)),
    )
    modules = [importlib.import_module(f"components.lessons.{name}") for name in files]
    assert [m.LESSON for m in modules] == list(LESSONS)
    assert len(LESSONS) == 7
    assert len(set(SLUGS)) == len(SLUGS)
    assert all(re.fullmatch(r"[a-z0-9-]+", s) for s in SLUGS)


@pytest.mark.parametrize("lesson", LESSONS, ids=SLUGS)
def test_every_lesson_is_complete(lesson):
    assert all(t.strip() for t in _texts(lesson))
    assert lesson.sources and all(re.search(r"\(\d{4}\)", s) for s in lesson.sources)
    assert lesson.predict.answer in {c.key for c in lesson.predict.choices}
    assert len(lesson.predict.choices) >= 3
    assert lesson.watch and lesson.claims
    assert len(lesson.discuss) == 2
    assert lesson.facilitator.minutes > 0 and lesson.facilitator.misconceptions
    for name in lesson.runs:
        cfg = lesson.config(name, lesson.seeds[0])
        assert isinstance(cfg, RunConfig) and cfg.seed == lesson.seeds[0]
    assert isinstance(lesson.try_config(0), RunConfig)
    assert lesson.try_config(0) != lesson.config(lesson.try_this.base, 0)
    for step in lesson.watch:
        assert step.chart in CHART_KEYS, step.chart
        assert step.run in lesson.runs


@pytest.mark.parametrize("lesson", LESSONS, ids=SLUGS)
def test_claims_hold_on_the_quick_seeds(lesson):
    result = measure_lesson(lesson, lesson.quick_seeds)
    failed = [f"{c.claim.key}: {c.text}" for c in result.claims if not c.passed]
    assert not failed, failed
    for text in [c.text for c in result.claims] + [result.reveal]:
        assert "{" not in text and "}" not in text
    # the filled texts quote the measured numbers
    for c in result.claims:
        quoted = re.findall(r"\d+(?:\.\d+)?", c.text)
        assert quoted, c.text
        assert any(
            abs(float(q) - v) < 0.006 for q in quoted for v in c.numbers.values() if v == v
        ), c.text


@pytest.mark.slow
@pytest.mark.parametrize("lesson", LESSONS, ids=SLUGS)
def test_claims_hold_on_every_seed(lesson):
    result = measure_lesson(lesson)
    assert result.passed, [c.text for c in result.claims if not c.passed]


def _small():
    lesson = LESSONS[0]
    return dataclasses.replace(
        lesson,
        runs={"lc_20": lesson.runs["lc_20"]},
        claims=(),
        reveal="",
        watch=(),
        try_this=dataclasses.replace(lesson.try_this, base="lc_20"),
    )


def _same(a, b):
    for fa, fb in zip(a.results.of("lc_20"), b.results.of("lc_20"), strict=True):
        for name in ("groups", "queries"):
            assert fa[name].equals(fb[name])


def test_measurement_is_deterministic():
    _same(measure_lesson(_small(), (0, 1)), measure_lesson(_small(), (0, 1)))


@pytest.mark.slow
def test_workers_give_the_same_numbers():
    _same(measure_lesson(_small(), (0, 1)), measure_lesson(_small(), (0, 1), jobs=2))


def _impossible(lesson):
    """``lesson`` cut to one run and one claim that no run can meet."""
    run = next(iter(lesson.runs))
    never = Claim(
        "impossible",
        "Accuracy reached {acc:.2f}, above 1.",
        lambda r: {"acc": max(f["rounds"]["accuracy"].iloc[-1] for f in r.of(run))},
        lambda x: x["acc"] > 1.0,
    )
    return dataclasses.replace(
        lesson,
        slug="impossible",
        runs={run: lesson.runs[run]},
        watch=(),
        reveal="Accuracy {acc:.2f}.",
        try_this=dataclasses.replace(lesson.try_this, base=run),
        quick_seeds=(0,),
        claims=(never,),
    )


def test_a_claim_that_fails_makes_the_check_exit_non_zero(monkeypatch, capsys):
    monkeypatch.setattr(lessons_mod, "LESSONS", (_impossible(LESSONS[0]),))
    assert cli.main(["lessons", "--check", "--quick"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  impossible: Accuracy reached 0." in out
    assert "0 of 1 claims hold" in out


def test_listing_and_bad_slug(capsys):
    assert cli.main(["lessons"]) == 0
    out = capsys.readouterr().out
    for lesson in LESSONS:
        assert lesson.slug in out and lesson.title in out and lesson.sources[0] in out
    assert cli.main(["lessons", "--check", "--lesson", "no-such"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "'no-such'" in err[0] and SLUGS[0] in err[0] and SLUGS[-1] in err[0]
    assert cli.main(["lessons", "--check", "--jobs", "0"]) == 2


def test_get_lesson_and_fill_refuse_the_unknown():
    assert get_lesson(SLUGS[0]) is LESSONS[0]
    with pytest.raises(UserInputError, match="allowed: " + SLUGS[0]):
        get_lesson("x")
    with pytest.raises(KeyError, match="gap"):
        fill("{gap:.2f}", {"acc": 0.5})


def test_a_lesson_refuses_steps_that_name_no_run():
    lesson = LESSONS[0]
    bad_step = dataclasses.replace(lesson.watch[0], run="no_such_run")
    with pytest.raises(ValueError, match="no_such_run"):
        dataclasses.replace(lesson, watch=(bad_step,))
    with pytest.raises(ValueError, match="subset"):
        dataclasses.replace(lesson, quick_seeds=(max(lesson.seeds) + 1,))
    with pytest.raises(ValueError, match="sets a seed"):
        dataclasses.replace(lesson, runs={**lesson.runs, "x": {"seed": 3}})
