"""AppTest: the Lessons page walks every lesson from predict to try this, and its URL holds.

Lessons are measured over their quick seeds (``WGL_LESSON_SEEDS=quick``). Each
lesson is measured once here, independently of the page, and the page must show
exactly those numbers.
"""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.testing.v1 import AppTest

from components.lessons import LESSONS, Lesson, LessonResult, measure_lesson
from dashboard import lesson_knob as K
from dashboard import lesson_nav as N
from dashboard import lesson_runs as R
from dashboard import state as S
from dashboard.chart_list import CHARTS

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")
PAGE = "dashboard/pages/lessons.py"


@pytest.fixture(scope="module", autouse=True)
def quick_seeds() -> dict[str, LessonResult]:
    """Every lesson measured over its quick seeds, and the page's memo holding the same."""
    mp = pytest.MonkeyPatch()
    mp.setenv(R.SEEDS_ENV, "quick")
    out = {}
    for lesson in LESSONS:
        result = measure_lesson(lesson, seeds=lesson.quick_seeds)
        R.MEASURED.put((lesson.slug, tuple(lesson.quick_seeds)), pickle.dumps(R.shown(result)))
        out[lesson.slug] = result
    yield out
    mp.undo()


def open_page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.switch_page(PAGE)
    return at.run()


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def plain(s: str) -> str:
    """Markdown as the reader sees it: backslash escapes and word joiners gone."""
    return re.sub(r"\\(.)", r"\1", s).replace("\u2060", "")


def shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for kind in (at.success, at.warning, at.info) for a in kind]
    parts += [h.value for kind in (at.title, at.header, at.subheader) for h in kind]
    return plain("\n".join(parts))


def query(at: AppTest) -> dict[str, str]:
    return {k: at.query_params[k] for k in at.query_params}


def step_of(at: AppTest) -> str:
    v = at.query_params["step"]
    return v[-1] if isinstance(v, list) else v


def chart_title(at: AppTest) -> str:
    charts = at.get("plotly_chart")
    assert len(charts) == 1, f"{len(charts)} charts on a watch step; one is highlighted"
    title = json.loads(charts[0].proto.spec)["layout"]["title"]["text"]
    return re.sub(r"<[^>]+>", " ", title)


@pytest.mark.parametrize("lesson", LESSONS, ids=[x.slug for x in LESSONS])
def test_every_lesson_walks_from_predict_to_try_this(lesson: Lesson, quick_seeds):
    at = open_page({"lesson": lesson.slug, "step": "1"})
    ok(at)
    # 1 Predict: the question, and nothing moves until it is answered
    assert lesson.story in shown(at) and lesson.predict.prompt in shown(at)
    assert at.button(key="lesson.next").disabled
    radio = at.radio(key=f"lesson.pick.{lesson.slug}")
    assert [plain(o) for o in radio.options] == [
        f"({c.key}) {c.text}" for c in lesson.predict.choices
    ]
    wrong = next(c.key for c in lesson.predict.choices if c.key != lesson.predict.answer)
    radio.set_value(wrong).run()
    ok(at)
    text = shown(at)
    assert "The runs show something else" in text and lesson.predict.why in text
    right = next(c for c in lesson.predict.choices if c.key == lesson.predict.answer)
    assert right.text in text
    assert at.radio(key=f"lesson.pick.{lesson.slug}").disabled  # a prediction stays made
    at.button(key="lesson.next").click().run()
    ok(at)
    # 2 Watch: each step's sentence and its one chart, from the chart list
    for part, w in enumerate(lesson.watch):
        assert step_of(at) == "2", (part, query(at))
        assert w.text in shown(at)
        entry = next(e for e in CHARTS if e.key == w.chart)
        first_words = " ".join(entry.title.split()[:3])
        assert first_words in " ".join(chart_title(at).split()), (w.chart, chart_title(at))
        at.button(key="lesson.next").click().run()
        ok(at)
    # 3 Reveal: the numbers measure_lesson gives, and each claim as checked
    assert step_of(at) == "3"
    result = quick_seeds[lesson.slug]
    text = shown(at)
    assert result.reveal in text
    for claim in result.claims:
        assert claim.text in text
    n = len(result.seeds)
    held = sum(c.passed for c in result.claims)
    assert text.count(f"Holds (checked over {n} seeds)") == held
    assert text.count(f"Does not hold (checked over {n} seeds)") == len(result.claims) - held
    at.button(key="lesson.next").click().run()
    ok(at)
    # 4 Explain
    assert step_of(at) == "4" and lesson.explain in shown(at)
    at.button(key="lesson.next").click().run()
    ok(at)
    # 5 Discuss: two questions
    assert step_of(at) == "5"
    text = shown(at)
    assert len(lesson.discuss) == 2 and all(q in text for q in lesson.discuss)
    at.button(key="lesson.next").click().run()
    ok(at)
    # 6 Try this: the change, what to look for, and a link to Explore with the change
    assert step_of(at) == "6"
    text = shown(at)
    assert lesson.try_this.change in text and lesson.try_this.look_for in text
    assert at.button(key="lesson.next").disabled
    links = at.get("link_button")
    assert len(links) == 1
    url = urlsplit(links[0].proto.url)
    assert url.path in ("", ".", "./")
    params = {k: v if k == "scenario" else v[-1] for k, v in parse_qs(url.query).items()}
    opened = S.config_from_query(params)
    wanted = lesson.try_config(lesson.seeds[0])
    clamped = N.explore_notes(wanted)  # Explore's narrower ranges, said on the page
    for note in clamped:
        assert note in text
    if not clamped:
        assert opened.resolve() == wanted.resolve()
    assert opened.resolve() != lesson.config(lesson.try_this.base, lesson.seeds[0]).resolve()
    assert [b.label for b in at.get("download_button")] == [
        "Download the brief of this lesson's run (HTML)"
    ]
    knob = K.find_knob(
        lesson.config(lesson.try_this.base, lesson.seeds[0]).resolve(),
        lesson.try_config(lesson.seeds[0]).resolve(),
    )
    if knob is not None:  # the change's number as a slider, its runs drawn at each value
        slider = at.select_slider(key=f"lesson.knob.{lesson.slug}")
        assert slider.value == knob.end and len(at.get("plotly_chart")) >= 1
        before = [c.proto.spec for c in at.get("plotly_chart")]
        slider.set_value(knob.start).run()
        ok(at)
        after = [c.proto.spec for c in at.get("plotly_chart")]
        assert len(after) == len(before) and after != before
    notes = next(x for x in at.expander if "Facilitator notes" in x.label)
    assert f"about {lesson.facilitator.minutes} minutes" in plain(
        " ".join(m.value for m in notes.markdown)
    )


def test_the_list_offers_every_lesson_and_starts_one():
    at = open_page()
    ok(at)
    text = shown(at)
    for lesson in LESSONS:
        assert lesson.title in text and lesson.story in text
        assert f"About {lesson.facilitator.minutes} minutes" in text
    last = LESSONS[-1]
    at.button(key=f"lesson.open.{last.slug}").click().run()
    ok(at)
    assert query(at) == {"lesson": last.slug, "step": "1"}
    assert last.predict.prompt in shown(at)


def test_a_link_opens_its_step_and_the_url_follows_the_class():
    lesson = LESSONS[0]
    at = open_page({"lesson": lesson.slug, "step": "5", "presenter": "1"})
    ok(at)
    assert not at.warning
    assert all(q in shown(at) for q in lesson.discuss)
    assert at.toggle(key=S.PRESENTER).value is True
    assert query(at) == N.place_to_query(lesson.slug, 5, presenter=True)
    at.button(key="lesson.back").click().run()
    ok(at)
    assert query(at) == {"lesson": lesson.slug, "step": "4", "presenter": "1"}
    assert lesson.explain in shown(at)
    at.button(key="lesson.back").click().run()  # into Watch, at its last part
    ok(at)
    assert step_of(at) == "3"
    at.button(key="lesson.back").click().run()
    assert step_of(at) == "2" and lesson.watch[-1].text in shown(at)
    # what the page wrote opens the same place in a new session
    again = open_page(query(at))
    ok(again)
    assert query(again) == query(at)
    at.button(key="lesson.list").click().run()
    assert query(at) == {"presenter": "1"}


@pytest.mark.parametrize(
    ("params", "field", "value"),
    [
        ({"lesson": "no-such-lesson", "step": "2"}, "lesson", "no-such-lesson"),
        ({"lesson": LESSONS[0].slug, "step": "0"}, "step", "0"),
        ({"lesson": LESSONS[0].slug, "step": "99"}, "step", "99"),
        ({"lesson": LESSONS[0].slug, "step": "abc"}, "step", "abc"),
        ({"lesson": LESSONS[0].slug, "step": "1", "presenter": "yes"}, "presenter", "yes"),
    ],
)
def test_a_bad_link_says_what_is_wrong_once_and_falls_back(params, field, value):
    at = open_page(params)
    ok(at)
    assert len(at.warning) == 1
    msg = plain(at.warning[0].value)
    assert msg.startswith(f"{field}: '{value}' is not")
    if field == "presenter":
        assert "0 or 1" in msg and at.toggle(key=S.PRESENTER).value is False
    elif field == "lesson":
        assert "allowed:" in msg
        assert all(x.slug in msg for x in LESSONS)
        assert query(at) == {} and "Lessons" in [t.value for t in at.title]
    else:
        assert "allowed: 1 to 6" in msg
        assert query(at) == {"lesson": LESSONS[0].slug, "step": "1"}
        assert LESSONS[0].predict.prompt in shown(at)
    at.run()
    ok(at)
    assert not at.warning  # said once; the address now holds what is shown


def test_a_hostile_lesson_value_is_shown_as_text():
    """A link's lesson value could carry Markdown that makes every viewer fetch an image."""
    at = open_page({"lesson": "![x](https://example.org/p.png)" + "z" * 500})
    ok(at)
    raw = at.warning[0].value
    assert "](" not in raw and "\\!\\[x\\]" in raw
    assert len(plain(raw)) < 400  # a long value is cut, not echoed whole
