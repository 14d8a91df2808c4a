"""In a real browser: an upload whose names are Markdown, HTML and bare URLs
makes no link, no image and no request to the address in them."""

from __future__ import annotations

import pytest

from tests.app.test_hostile_app import GROUP_COLUMN, GROUPS, IMAGE, POSITIVE, hostile_csv
from tests.e2e.test_browser import wait_idle, wait_metric

pytestmark = pytest.mark.e2e

WORD_JOINER = "\u2060"

#: Off-site images and links to the hostile host, in HTML and in plotly's SVG.
LIVE_MARKUP = """() => {
  const url = (e) => e.getAttribute('src') || e.getAttribute('href')
    || e.getAttribute('xlink:href') || '';
  const offsite = (u) => { try { return new URL(u, location.href).origin !== location.origin; }
    catch (err) { return true; } };
  return {
    images: [...document.querySelectorAll('img, image')].map(url).filter(u => u && offsite(u)),
    links: [...document.querySelectorAll('a')].map(url).filter(u => u.includes('evil.example')),
  };
}"""

#: Help tooltips render their Markdown only while hovered.
HELP_ICONS = "[data-testid=stMain] [data-testid=stTooltipHoverTarget]"


def assert_no_live_markup(page, requests: list[str], where: str) -> None:
    found = page.evaluate(LIVE_MARKUP)
    assert found == {"images": [], "links": []}, (where, found)
    assert not requests, (where, requests)


def hover_help(page, limit: int = 12) -> None:
    icons = page.locator(HELP_ICONS)
    for i in range(min(icons.count(), limit)):
        if icons.nth(i).is_visible():  # some sit in collapsed expanders
            icons.nth(i).hover(timeout=5_000)
            page.wait_for_timeout(150)
    page.mouse.move(5, 5)


def check_explore(page, requests: list[str], shots, name: str) -> None:
    page.wait_for_selector(".js-plotly-plot .legendtext", timeout=60_000)
    hover_help(page)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    assert_no_live_markup(page, requests, name)
    body = page.inner_text("body").replace(WORD_JOINER, "")
    assert IMAGE in body and "Traceback" not in body  # shown, as text
    legends = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
        ".map(e => e.textContent)"
    )
    assert all(any(g in t for t in legends) for g, _ in GROUPS), legends


def test_hostile_upload_renders_as_text_on_explore_and_compare(server, page, shots, tmp_path):
    requests: list[str] = []
    page.on("request", lambda r: "evil.example" in r.url and requests.append(r.url))
    path = tmp_path / "www.evil.example.csv"
    path.write_bytes(hostile_csv())
    page.goto(server + "/data")
    wait_idle(page)
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_text("rows and 4 columns read").wait_for(timeout=60_000)
    wait_idle(page)

    def choose(label: str, option: str) -> None:
        page.get_by_role("combobox", name=label).click()
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
        wait_idle(page)

    choose("Label column (what the model predicts)", "outcome")
    choose("Positive class", POSITIVE)
    for _ in range(3):  # a busy machine can swallow the first click on an option
        choose("Group column(s)", GROUP_COLUMN)
        try:
            wait_metric(page, "Groups", str(len(GROUPS)), timeout=20_000)
            break
        except Exception:  # noqa: BLE001 -- retried, then the wait below fails
            continue
    wait_metric(page, "Groups", str(len(GROUPS)), timeout=60_000)
    assert_no_live_markup(page, requests, "Your data")

    page.get_by_role("button", name="Explore this data").click()
    wait_metric(page, "Labelled so far", "20", timeout=120_000)
    wait_idle(page)
    check_explore(page, requests, shots, "hostile-explore-seed")

    page.get_by_role("link", name="Compare strategies").click()
    page.wait_for_selector("[data-testid=stTable]", timeout=180_000)
    wait_idle(page, timeout=180_000)
    hover_help(page)
    page.screenshot(path=str(shots / "hostile-compare.png"), full_page=True)
    assert_no_live_markup(page, requests, "Compare")
    headers = page.inner_text("[data-testid=stTable] thead").replace(WORD_JOINER, "")
    assert IMAGE + ": share of queries" in headers, headers

    page.get_by_role("link", name="Explore").click()
    wait_metric(page, "Labelled so far", "20", timeout=120_000)
    wait_idle(page)
    page.get_by_role("button", name="Step").click()
    wait_metric(page, "Labelled so far", "30", timeout=60_000)
    wait_idle(page)
    check_explore(page, requests, shots, "hostile-explore")
