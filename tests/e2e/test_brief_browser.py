"""The default run's brief in a real chromium: nothing fetched, printed to at most two pages."""

from __future__ import annotations

import re

import pytest

from components.brief import brief_html
from components.engine import Simulation
from dashboard.state import DEFAULT_CONFIG

pytestmark = pytest.mark.e2e

REPLAY = "http://localhost:8501/?dataset=adult%3Agroup%3Dsex"
PAGE = re.compile(rb"/Type\s*/Page(?!s)")


@pytest.fixture(scope="module")
def brief_file(tmp_path_factory):
    sim = Simulation(DEFAULT_CONFIG)
    while not sim.done:
        sim.step()
    result = sim.result()
    html = brief_html(result.config, result.frames(), replay_url=REPLAY, dataset=sim.dataset)
    path = tmp_path_factory.mktemp("brief") / "brief.html"
    path.write_text(html, encoding="utf-8")
    return path


def pages(pdf: bytes) -> int:
    """Pages in a PDF: its ``/Type /Page`` objects (``/Pages`` is the tree, not a page)."""
    return len(PAGE.findall(pdf))


def test_the_brief_opens_offline_and_prints_to_two_pages(browser, brief_file, shots):
    context = browser.new_context(viewport={"width": 900, "height": 1200})
    page = context.new_page()
    requested: list[str] = []
    blocked: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    def block(route):
        blocked.append(route.request.url)
        route.abort()

    context.route(re.compile(r"^(?!file:).*"), block)
    try:
        page.goto(brief_file.as_uri())
        page.wait_for_load_state("load")
        assert blocked == []
        assert requested == [brief_file.as_uri()]  # the page itself, nothing else
        callout = page.inner_text(".callout")
        assert "Female" in callout and "Male" not in callout.split(":", 1)[0]
        assert page.get_attribute("a", "href") == REPLAY
        # Nothing wider than the window at a tablet's width.
        page.set_viewport_size({"width": 800, "height": 1000})
        assert page.evaluate("document.documentElement.scrollWidth") <= 800
        page.set_viewport_size({"width": 900, "height": 1200})
        page.screenshot(path=str(shots / "brief.png"), full_page=True)
        for paper in ("A4", "Letter"):
            pdf = page.pdf(format=paper)
            assert pdf.startswith(b"%PDF")
            assert 1 <= pages(pdf) <= 2, (paper, pages(pdf))
        assert blocked == [] and requested == [brief_file.as_uri()]
    finally:
        context.close()
