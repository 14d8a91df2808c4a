"""One real-browser walk through the Explore page, as a newcomer would do it."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT

pytestmark = pytest.mark.e2e

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def wait_idle(page, timeout: float = 120_000) -> None:
    page.wait_for_selector(IDLE, timeout=timeout)


def ledger_points(page) -> list[int]:
    """Number of points in each trace of the first chart (the ledger)."""
    return page.evaluate(
        "() => { const p = document.querySelectorAll('.js-plotly-plot')[0];"
        " return p._fullData.map(t => (t._length ?? 0)); }"
    )


def metric(page, label: str) -> str:
    return page.evaluate(
        "(label) => { for (const m of document.querySelectorAll('[data-testid=stMetric]')) {"
        " if (m.innerText.startsWith(label)) return m.querySelector('[data-testid=stMetricValue]')"
        ".innerText.trim(); } return null; }",
        label,
    )


def wait_metric(page, label: str, value: str, timeout: float = 60_000) -> None:
    """Wait until the metric called `label` shows `value` (reruns can land late)."""
    page.wait_for_function(
        "([label, value]) => [...document.querySelectorAll('[data-testid=stMetric]')]"
        ".some(m => m.innerText.startsWith(label) &&"
        " m.querySelector('[data-testid=stMetricValue]').innerText.trim() == value)",
        arg=[label, value],
        timeout=timeout,
    )


def test_newcomer_steps_through_adult_label_bias(server, page, shots):
    page.set_viewport_size({"width": 1600, "height": 2400})
    t0 = time.monotonic()
    page.goto(server + "/")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    first_render = time.monotonic() - t0
    assert metric(page, "Labelled so far") == "20"
    before = ledger_points(page)
    step_times = []
    for i in range(1, 4):
        t = time.monotonic()
        page.get_by_role("button", name="Step").click()
        want = str(20 + 10 * i)
        page.wait_for_function(
            "(w) => [...document.querySelectorAll('[data-testid=stMetricValue]')]"
            ".some(e => e.innerText.trim() == w)",
            arg=want,
            timeout=60_000,
        )
        step_times.append(time.monotonic() - t)
        wait_idle(page)
    after = ledger_points(page)
    assert after != before and sum(after) > sum(before), (before, after)
    assert "Female" in page.inner_text("body") and "Male" in page.inner_text("body")
    assert "Traceback" not in page.inner_text("body")
    page.mouse.move(5, 5)  # no tooltip in the picture
    time.sleep(1.0)  # let plotly finish drawing before the picture
    shot = shots / "explore.png"
    page.screenshot(path=str(shot), full_page=True)
    if os.environ.get("UPDATE_README_SCREENSHOT") == "1":
        shutil.copy(shot, ROOT / "docs" / "explore.png")
    print(
        f"\nfirst render {first_render:.1f} s; click-to-updated step times "
        + ", ".join(f"{s * 1000:.0f} ms" for s in step_times)
    )


def test_play_advances_on_its_own(server, page):
    """Play must step by itself: the labelled count grows with no further clicks."""
    page.goto(server + "/?dataset=two_groups:n_samples=800&strategy=margin&rounds=40&batch=5")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    labelled = "() => parseInt(document.querySelector('[data-testid=stMetricValue]').innerText)"
    start = page.evaluate(labelled)
    page.get_by_role("button", name="Play").click()
    # Three rounds of 5 queries at the default speed, with no clicks in between.
    page.wait_for_function(f"() => ({labelled})() >= {start + 15}", timeout=60_000)
    page.get_by_role("button", name="Pause").click()
    # The page says it paused (the button reads Play again), and then stays put; 40
    # rounds are far more than it could reach meanwhile, so stopping is Pause's doing.
    page.get_by_role("button", name="Play").wait_for(timeout=30_000)
    wait_idle(page)
    paused_at = page.evaluate(labelled)
    assert paused_at < start + 40 * 5
    page.wait_for_timeout(2500)  # three ticks at the default speed
    assert page.evaluate(labelled) == paused_at, "the run kept stepping after Pause"
    assert "Traceback" not in page.inner_text("body")


def test_the_sidebar_settings_follow_the_user_to_compare(server, page):
    """Explore -> Compare by the menu keeps the run's settings (it once reset them)."""
    page.goto(server + "/?dataset=two_groups:n_samples=800&scenario=label_bias&rounds=4&seed=3")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.get_by_role("link", name="Compare strategies").click()
    page.wait_for_selector("[data-testid=stTable]", timeout=120_000)
    wait_idle(page)
    sidebar = page.inner_text("[data-testid=stSidebar]")
    assert "800 rows" in sidebar and "label_bias" in sidebar
    table = page.inner_text("[data-testid=stTable]")
    assert "nan" not in table and "least_confidence" in table


def test_a_second_visitor_gets_the_whole_page(server, browser):
    """On a warm server, new sessions get every chart of the default run.

    The time to first render is printed for the notes (the issue's target is
    3 s); it is not asserted: timing belongs in benchmarks, and here the browser
    shares 2 cores with the server and renders WebGL in software.
    """
    timings = []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1600, "height": 1200})
        page = context.new_page()
        t0 = time.monotonic()
        page.goto(server + "/")
        page.wait_for_function(
            "() => document.querySelectorAll('.js-plotly-plot').length >= 6", timeout=240_000
        )
        wait_idle(page, timeout=240_000)
        timings.append(time.monotonic() - t0)
        assert metric(page, "Labelled so far") == "20"
        assert "Traceback" not in page.inner_text("body")
        context.close()
    print(f"\nwarm first render: {', '.join(f'{t:.1f} s' for t in timings)}")


def test_classroom_mode_plays_in_the_browser_without_asking_the_server(server, page, shots):
    """replay=1: plotly's own Play animates every round; no message goes to the server."""
    sent: list[int] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(len(payload))))
    page.goto(
        server + "/?dataset=two_groups:n_samples=800&strategy=margin&rounds=8&batch=5&replay=1"
    )
    wait_idle(page)
    page.wait_for_selector(".updatemenu-item-text", timeout=60_000)
    current = "() => document.querySelector('text.slider-label').textContent.trim()"
    assert page.evaluate(current) == "Round 0"  # plotly's current-value label
    before = len(sent)
    page.locator(".updatemenu-item-text", has_text="Play").click()
    page.wait_for_function(
        f"() => ({current})() === 'Round 8'",
        timeout=60_000,
    )
    assert len(sent) == before, "the animation asked the server for something"
    page.screenshot(path=str(shots / "classroom_replay.png"), full_page=True)
    assert "Traceback" not in page.inner_text("body")


def test_downloads_hold_the_run_on_screen(server, page, tmp_path):
    """The records zip is made when clicked (deferred): it must still arrive, and
    hold this run's rows up to the end, with the config that replays it."""
    import io
    import json
    import zipfile

    import pandas as pd

    page.goto(server + "/?dataset=two_groups:n_samples=600&strategy=entropy&rounds=6&batch=5")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.get_by_text("Download this run").click()
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="Download records (CSV, zip)").click()
    path = tmp_path / "run.zip"
    dl.value.save_as(path)
    with zipfile.ZipFile(path) as zf:
        config = json.loads(zf.read("config.json"))
        queries = pd.read_csv(io.BytesIO(zf.read("queries.csv")))
        rounds = pd.read_csv(io.BytesIO(zf.read("rounds.csv")))
    assert config["dataset"]["name"] == "two_groups" and config["strategy"]["name"] == "entropy"
    assert sorted(rounds["round"]) == list(range(7))
    assert len(queries) == int(rounds["n_labeled"].max())
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="Download config (JSON)").click()
    assert json.loads(Path(dl.value.path()).read_text()) == config
    assert "Traceback" not in page.inner_text("body")


def test_the_page_asks_nothing_of_the_internet(server, page):
    """Classrooms can be offline: no request may leave this server (a material-icon
    favicon used to be fetched from fonts.gstatic.com on every page view)."""
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((server, "data:", "blob:")) else outside.append(r.url),
    )
    page.goto(server + "/")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=120_000)
    page.goto(server + "/method")
    wait_idle(page)
    page.wait_for_timeout(1500)
    assert outside == [], outside
