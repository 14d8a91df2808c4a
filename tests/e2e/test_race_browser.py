"""You vs the model on a 1280x720 projector: a real box selection with the mouse on the
pick map, around the far cluster, then submit; the race moves and says who found it."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
TEXT = "() => document.body.innerText.replaceAll('\\u2060', '').replaceAll('\\n', ' ')"
SHOWS = f"(want) => ({TEXT})().includes(want)"
#: Data -> page pixels on the first plotly chart (the pick map).
TO_PAGE = """([x, y]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  const fl = gd._fullLayout, box = gd.getBoundingClientRect();
  return [box.left + fl._size.l + fl.xaxis.l2p(x), box.top + fl._size.t + fl.yaxis.l2p(y)];
}"""


def shows(page, want: str, timeout: float = 120_000) -> None:
    page.wait_for_function(SHOWS, arg=want, timeout=timeout)


def settle(page) -> None:
    page.wait_for_selector(IDLE, timeout=180_000)
    page.wait_for_timeout(800)  # plotly's drawing after the rerun


def picked(page) -> int:
    text = page.evaluate(TEXT)
    found = re.search(r"Picked (\d+) of 10", text)
    assert found, text[:400]
    return int(found.group(1))


def test_box_select_the_far_cluster_and_submit(server, browser, shots):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server}/race?preset=clusters&seed=0&presenter=1")
        page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=240_000)
        settle(page)
        shows(page, "Round 1 of 10: pick 10 points to label")
        assert picked(page) == 0
        pick_map = page.locator(".js-plotly-plot").first
        pick_map.scroll_into_view_if_needed()
        settle(page)
        pick_map.hover()
        for tool in ("Box Select", "Lasso Select"):  # both selection tools on the toolbar
            assert pick_map.locator(f".modebar-btn[data-title='{tool}']").count() == 1, tool
        # a box around the far cluster (its centre is (3.5, 4)), dragged with the mouse
        x0, y0 = page.evaluate(TO_PAGE, [2.7, 4.8])
        x1, y1 = page.evaluate(TO_PAGE, [4.3, 3.2])
        page.mouse.move(x0, y0)
        page.mouse.down()
        page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=8)
        page.mouse.move(x1, y1, steps=8)
        page.mouse.up()
        page.wait_for_function(
            f"() => /Picked [1-9][0-9]* of 10/.test(({TEXT})())", timeout=120_000
        )
        settle(page)
        n = picked(page)
        assert n > 0
        if n > 10:
            page.get_by_role("button", name="Keep the 10 nearest the middle").click()
            settle(page)
        elif n < 10:
            pytest.fail(f"the box picked only {n} points of the far cluster")
        assert picked(page) == 10
        page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "race-picked.png"))
        page.get_by_role("button", name="Submit my 10 points").click()
        settle(page)
        shows(page, "Round 2 of 10: pick 10 points to label")
        shows(page, "You found the minority group first, in round 1")
        body = page.inner_text("body")
        assert "Traceback" not in body and "Internal error" not in body
        page.get_by_text("The race after 1 round(s)").scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(shots / "race-results.png"))
        for name, shot in (
            ("Maps: who got labelled", "race-maps.png"),
            ("Who got asked", "race-ledgers.png"),
            ("Accuracy per group", "race-accuracy.png"),
        ):
            page.get_by_role("tab", name=name).click()
            page.wait_for_timeout(1200)
            plots = page.locator("[role=tabpanel]:visible .js-plotly-plot")
            assert plots.count() == 3
            plots.first.scroll_into_view_if_needed()
            page.wait_for_timeout(600)
            page.screenshot(path=str(shots / shot))
    finally:
        context.close()
