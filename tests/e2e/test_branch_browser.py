"""A branch link in a real browser at 1280x720: both timelines drawn, readable on a projector.

Opens Explore on a branch link (Adult, the default bias, BALD from round 10),
on screen and in presenter mode, checks that the four branch charts are drawn
with both timelines in their legends and that no title, legend or axis title
sits on a plot or is clipped, and saves screenshots of the branch section.
"""

from __future__ import annotations

import pytest

from tests.e2e.test_projector_layout import BOXES, IDLE, problems

pytestmark = pytest.mark.e2e

LINK = "dataset=adult&rounds=15&branch=10&branch_strategy=bald:members=3"
#: Words of the branch charts' titles, in order (titles may wrap, so short ones).
BRANCH_WORDS = ("Accuracy against", "Worst-group", "Who gets labelled", "TPR")


def _branch_charts(page) -> list[dict]:
    """The branch section's charts: the last four on the page."""
    return page.evaluate(BOXES)[-4:]


def _open(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(IDLE, timeout=240_000)
    page.get_by_text("Two timelines", exact=True).wait_for(timeout=240_000)
    page.wait_for_selector(IDLE, timeout=240_000)
    page.mouse.move(2, 2)
    page.wait_for_timeout(1000)


@pytest.mark.parametrize("presenter", [False, True], ids=["screen", "presenter"])
def test_branch_link_draws_both_timelines_readably(server, browser, shots, presenter):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    url = f"{server}/?{LINK}" + ("&presenter=1" if presenter else "")
    try:
        _open(page, url)
        charts = _branch_charts(page)
        titles = [c["title"] for c in charts]
        assert all(w in t for w, t in zip(BRANCH_WORDS, titles, strict=True)), titles
        legends = page.locator(".js-plotly-plot .legend").all_text_contents()
        assert any("main: Least confidence" in t and "branch at round 10" in t for t in legends)
        found = problems(charts, "presenter" if presenter else "screen")
        heading = page.get_by_text("Two timelines", exact=True)
        heading.scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, -20)")
        page.wait_for_timeout(500)
        name = "presenter" if presenter else "screen"
        page.screenshot(path=str(shots / f"branch-1280x720-{name}.png"))
        first = page.locator(".js-plotly-plot").filter(has_text="Who gets labelled").last
        first.screenshot(path=str(shots / f"branch-1280x720-{name}-ledger.png"))
        control = page.get_by_text("Branch from this round: what if", exact=False)
        control.click()
        page.get_by_role("button", name="Branch from the round shown").wait_for(timeout=30_000)
        control.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / f"branch-1280x720-{name}-control.png"))
    finally:
        context.close()
    assert not found, "\n".join(found)
