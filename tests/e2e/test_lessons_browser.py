"""A teacher's link to lesson 4's Watch step, opened on a 1280x720 projector in presenter mode."""

from __future__ import annotations

import pytest

from components.lessons import LESSONS
from tests.e2e.test_projector_layout import BOXES, problems

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
#: Escaped lesson text carries invisible word joiners (``dashboard.safe``); a reader sees none.
SHOWS = (
    "(want) => document.body.innerText.replaceAll('\\u2060', '').replaceAll('\\n', ' ')"
    ".includes(want)"
)


def shows(page, want: str, timeout: float = 120_000) -> None:
    page.wait_for_function(SHOWS, arg=want, timeout=timeout)


def test_lesson_four_watch_step_reads_on_a_projector(server, browser, shots):
    lesson = LESSONS[3] if len(LESSONS) > 3 else LESSONS[-1]
    step = lesson.watch[0]
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/lessons?lesson={lesson.slug}&step=2&presenter=1")
        page.wait_for_selector(IDLE, timeout=180_000)
        page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=240_000)
        page.wait_for_selector(IDLE, timeout=180_000)
        page.mouse.move(2, 2)
        page.wait_for_timeout(800)  # plotly's drawing after the rerun
        body = page.inner_text("body")
        assert "Traceback" not in body and "Internal error" not in body
        shows(page, lesson.title)
        shows(page, step.text)  # the watch step's sentence, as plain text
        assert page.get_by_role("switch", name="Presenter mode").is_checked()
        assert page.locator(".js-plotly-plot").count() == 1  # one chart at a time
        found = problems(page.evaluate(BOXES), "lessons-1280x720")
        # The projector's first screen holds the step's sentence, the chart's plot
        # area and the Next button; text is at projector size.
        chart = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
        assert chart is not None and chart["y"] < 720, chart
        font = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector("
            "'[data-testid=stMainBlockContainer] [data-testid=stMarkdownContainer] p')).fontSize)"
        )
        assert font >= 20, font
        page.screenshot(path=str(shots / "lessons.png"))
        page.get_by_role("button", name="Next →").click()
        page.wait_for_selector(IDLE, timeout=180_000)
        assert "presenter=1" in page.url
        if len(lesson.watch) > 1:  # Next walks Watch's own steps first
            shows(page, lesson.watch[1].text)
            assert "step=2" in page.url
    finally:
        context.close()
    assert not found, "\n".join(found)
