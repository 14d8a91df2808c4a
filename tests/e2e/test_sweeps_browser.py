"""The Sweeps page on a 1280x720 projector in presenter mode, with a stored sweep."""

from __future__ import annotations

import pytest

from components.sweep import run_sweep
from components.sweep_grid import parse_grid
from harness.server import ROOT, free_port, streamlit_server
from tests.e2e.test_projector_layout import BOXES, problems

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
GRID = """
dataset = ["two_groups:n_samples=600"]
scenarios = [[], [{ name = "label_bias", params = { flip = [0.2, 0.6] } }]]
strategy = ["random", "least_confidence", { name = "fair_uncertainty", params = { lam = [4.0] } }]
seed = [0, 1, 2]
rounds = [6]
"""


@pytest.fixture()
def sweeps_server(tmp_path, monkeypatch):
    """A server whose sweeps folder holds the sweep 'workshop' (3 strategies x 3 conditions x 3 seeds)."""
    root = tmp_path / "sweeps"
    root.mkdir(mode=0o700)
    run_sweep(parse_grid(GRID), root / "workshop", jobs=1, quiet=True)
    monkeypatch.setenv("WGL_SWEEP_DIR", str(root))
    log = ROOT / "tests" / "e2e" / "server-sweeps.log"
    with streamlit_server(free_port(), log, timing=False) as (url, _pid):
        yield url


def test_sweeps_page_reads_on_a_projector(sweeps_server, browser, shots):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{sweeps_server}/sweeps?sweep=workshop&presenter=1")
        page.wait_for_selector(IDLE, timeout=180_000)
        page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=180_000)
        page.wait_for_selector(IDLE, timeout=180_000)
        page.mouse.move(2, 2)
        page.wait_for_timeout(1000)  # plotly's drawing after the rerun
        body = page.inner_text("body")
        assert "Traceback" not in body and "Internal error" not in body
        assert "27 finished runs of 27 planned" in body
        assert page.get_by_role("switch", name="Presenter mode").is_checked()
        assert page.locator(".js-plotly-plot").count() == 5
        found = problems(page.evaluate(BOXES), "sweeps-1280x720")
        font = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector("
            "'[data-testid=stMainBlockContainer] [data-testid=stMarkdownContainer] p')).fontSize)"
        )
        assert font >= 20, font
        page.screenshot(path=str(shots / "sweeps.png"))
        for k, name in enumerate(("pareto", "heatmap", "curve-acc", "curve-worst", "ledger")):
            page.locator(".js-plotly-plot").nth(k).evaluate("e => e.scrollIntoView()")
            page.wait_for_timeout(400)
            page.screenshot(path=str(shots / f"sweeps-{name}.png"))
        # A click on a heatmap cell, then on a Pareto point, picks that cell's run for Explore.
        for k, (chart_no, point) in enumerate(((1, 4), (0, 2))):
            chart = page.locator(".js-plotly-plot").nth(chart_no)
            chart.evaluate("e => e.scrollIntoView()")
            page.wait_for_timeout(400)
            if chart_no == 1:  # the invisible marker on each cell names it
                said = chart.evaluate(f"e => e.data[1].text[{point}]").split("<br>")[0]
                strategy, condition = said.split(" under ")
            else:
                trace = chart.evaluate("e => e.data[0]")
                strategy = trace["name"]
                condition = trace["hovertext"][point].split(", ", 1)[1]
            box = chart.locator(".scatterlayer .trace .points path").nth(point).bounding_box()
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_timeout(800)
            page.wait_for_selector(IDLE, timeout=180_000)
            shown = page.inner_text("body")
            assert f"Open {strategy} · {condition}, seed 0, in Explore" in shown, (k, strategy)
            link = page.locator("[data-testid=stCode]").first.inner_text()
            assert f"strategy={strategy.split(':')[0]}" in link and "/sweeps" not in link
    finally:
        context.close()
    assert not found, "\n".join(found)
