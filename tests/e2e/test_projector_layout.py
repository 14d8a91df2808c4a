"""On a projector (1280x720, 1920x1080) no chart's title, legend or axis title
sits on a plot or another label, and no title is clipped.

One page walks Explore (after one Step), classroom mode and Compare for 2, 4
and 12 groups, and reads the boxes plotly drew inside every chart's SVG.
"""

from __future__ import annotations

import os

import pytest

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
SMALL = "rounds=4&batch=10"
CASES = {
    2: "dataset=adult",
    4: "dataset=compas:group=race",
    12: "dataset=law:group=race%2Bsex",
}

#: Boxes of every chart on the page: labels (title, legend, axis titles) and plot areas.
BOXES = """() => [...document.querySelectorAll('.js-plotly-plot')].map((plot, i) => {
  const svg = plot.querySelector('svg.main-svg');
  const box = (e) => { const r = e.getBoundingClientRect();
    return {l: r.left, t: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height}; };
  const labels = [];
  for (const sel of ['.gtitle', '.legend', '.xtitle', '.ytitle']) {
    for (const e of plot.querySelectorAll(sel)) {
      // a scrolling legend: its visible box is its background, not its content
      const b = box(sel === '.legend' ? (e.querySelector(':scope > rect.bg') || e) : e);
      if (b.w > 0 && b.h > 0 && (e.textContent || '').trim()) labels.push([sel, b]);
    }
  }
  const plots = [...plot.querySelectorAll('.nsewdrag')].map(box).filter(b => b.w > 0);
  return {i, svg: box(svg), labels, plots,
          title: (plot.querySelector('.gtitle') || {}).textContent || ''};
})"""


def _overlap(a: dict, b: dict, slack: float = 1.0) -> bool:
    return (
        min(a["r"], b["r"]) - max(a["l"], b["l"]) > slack
        and min(a["b"], b["b"]) - max(a["t"], b["t"]) > slack
    )


def problems(charts: list[dict], where: str) -> list[str]:
    """Every overlap of a label with a plot area or another label, and every clipped title."""
    out = []
    for c in charts:
        name = f"{where} chart {c['i']} ({c['title'][:40]!r})"
        labels = c["labels"]
        for k, (sel, b) in enumerate(labels):
            for p in c["plots"]:
                if _overlap(b, p):
                    out.append(f"{name}: {sel} over the plot area")
                    break
            for sel2, b2 in labels[k + 1 :]:
                if _overlap(b, b2):
                    out.append(f"{name}: {sel} over {sel2}")
            svg = c["svg"]
            if sel == ".gtitle" and (b["r"] > svg["r"] + 1 or b["l"] < svg["l"] - 1):
                out.append(f"{name}: title clipped ({b['r'] - svg['r']:.0f} px past the edge)")
            if b["t"] < svg["t"] - 1 or b["b"] > svg["b"] + 1:
                out.append(f"{name}: {sel} cut at the top or bottom ({b['t'] - svg['t']:.0f} px)")
    return out


def _idle(page) -> None:
    page.wait_for_selector(IDLE, timeout=180_000)


def _settle(page) -> None:
    _idle(page)
    page.wait_for_selector(".js-plotly-plot .nsewdrag", timeout=180_000)
    page.mouse.move(2, 2)
    page.wait_for_timeout(800)  # plotly's drawing after the rerun


def _measure(page, shots, where: str) -> list[str]:
    _settle(page)
    if os.environ.get("LAYOUT_SHOTS"):  # each chart, as the reader sees it
        for i, plot in enumerate(page.locator(".js-plotly-plot").all()[:8]):
            name = f"{os.environ['LAYOUT_SHOTS']}-{where}-{i}.png"
            try:
                plot.screenshot(path=str(shots / name), timeout=10_000)
            except Exception:  # noqa: BLE001 -- a picture is a bonus, the boxes are the test
                continue
    return problems(page.evaluate(BOXES), where)


def _presenter(page, on: bool) -> None:
    toggle = page.get_by_role("switch", name="Presenter mode")
    if toggle.is_checked() != on:
        page.get_by_text("Presenter mode", exact=True).click()
        _idle(page)
        page.wait_for_timeout(500)


def _walk(page, shots, cases: dict[int, str], size: str) -> list[str]:
    """Explore (after one Step), classroom mode and Compare for each case, then the
    most groups in presenter mode: every problem found, named by where it was."""
    found: list[str] = []
    for n, query in cases.items():
        page.goto(query)
        _settle(page)
        page.get_by_role("button", name="Step").first.click()
        found += _measure(page, shots, f"{size}-explore-{n}")
        page.goto(f"{query}&replay=1")
        found += _measure(page, shots, f"{size}-replay-{n}")
        page.get_by_role("link", name="Compare strategies").click()
        page.wait_for_selector("[data-testid=stTable]", timeout=240_000)
        found += _measure(page, shots, f"{size}-compare-{n}")
    # Presenter mode, with the most groups: Compare, classroom mode, then Explore.
    most = max(cases)
    _presenter(page, True)
    found += _measure(page, shots, f"{size}-compare-presenter-{most}")
    page.get_by_role("link", name="Explore").first.click()
    _settle(page)
    _presenter(page, True)
    found += _measure(page, shots, f"{size}-replay-presenter-{most}")  # classroom mode stays on
    page.get_by_text("Classroom mode (animate in the browser)", exact=True).click()
    _idle(page)
    found += _measure(page, shots, f"{size}-explore-presenter-{most}")
    return found


@pytest.mark.parametrize(
    ("width", "height", "groups"),
    [(1280, 720, (2, 4, 12)), (1920, 1080, (2, 12))],
    ids=["1280x720", "1920x1080"],
)
def test_no_label_sits_on_a_plot_or_is_clipped(server, browser, shots, width, height, groups):
    """2, 4 and 12 groups (adult by sex, compas by race, law by race and sex)."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    cases = {n: f"{server}/?{CASES[n]}&{SMALL}" for n in groups}
    try:
        found = _walk(page, shots, cases, f"{width}x{height}")
    finally:
        context.close()
    assert not found, "\n".join(found)
