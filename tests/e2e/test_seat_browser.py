"""Label it yourself in a real browser at 1280x720: cards, an answer, a reveal, submit, report."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_projector_layout import BOXES, problems

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _idle(page) -> None:
    page.wait_for_selector(IDLE, timeout=180_000)


def test_seat_labels_a_round_on_a_projector(server, browser, shots):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/seat?preset=adult")
        _idle(page)
        page.get_by_text("Question 1", exact=False).first.wait_for(timeout=240_000)
        _idle(page)
        body = page.inner_text("body")
        assert "Traceback" not in body and "Internal error" not in body
        assert "Label it yourself" in body and "education" in body  # Adult's own column words
        cards = page.locator("[data-testid='stRadio']")
        expect(cards).to_have_count(8, timeout=120_000)  # cards arrive as the page streams in
        page.screenshot(path=str(shots / "seat-cards-1280x720.png"))
        cards.nth(0).get_by_text("Yes:", exact=False).click()
        _idle(page)
        cards.nth(1).get_by_text("simulated annotator", exact=False).click()
        _idle(page)
        page.get_by_text("The simulated annotator says", exact=False).wait_for(timeout=60_000)
        page.get_by_text("Why this row?", exact=True).first.click()
        why = page.get_by_text("unlabelled rows", exact=False).first
        why.wait_for(timeout=60_000)
        why.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        page.screenshot(path=str(shots / "seat-answer-why-1280x720.png"))
        page.get_by_role("button", name="Let the simulated annotator answer the rest").click()
        _idle(page)
        page.get_by_role("button", name="Submit these 8 labels").click()
        _idle(page)
        page.get_by_text("Round 2 of 5", exact=False).wait_for(timeout=120_000)
        page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=120_000)
        page.mouse.move(2, 2)
        page.wait_for_timeout(800)  # plotly's drawing after the rerun
        found = problems(page.evaluate(BOXES), "seat-1280x720")
        report = page.get_by_text("How did I do?").first
        report.scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        text = page.inner_text("body")
        assert "The model showed you" in text and "random would have shown about" in text
        page.screenshot(path=str(shots / "seat-report-1280x720.png"))
    finally:
        context.close()
    assert not found, "\n".join(found)
