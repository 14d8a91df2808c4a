"""Real-browser fixtures: a streamlit server on a free port and Debian's chromium.

The server and browser start-up is :mod:`harness` (shared with the load
benchmarks). Without chromium these tests skip, unless REQUIRE_E2E=1 (CI),
where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.browser import chromium_missing, launch_options
from harness.server import ROOT, free_port, streamlit_server

SHOTS = ROOT / "tests" / "e2e" / "screenshots"


def _need_browser() -> None:
    missing = chromium_missing()
    if missing is None:
        return
    if os.environ.get("REQUIRE_E2E") == "1":
        pytest.fail(f"{missing} (REQUIRE_E2E=1)")
    pytest.skip(missing)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium driven by Playwright (one per test session)."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(**launch_options())
        yield b
        b.close()


@pytest.fixture()
def page(browser) -> Iterator[object]:
    """A fresh browser context (its own cookies, so its own Streamlit session)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1200})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A real `streamlit run streamlit_app.py`, healthy, on a free port."""
    _need_browser()
    log = ROOT / "tests" / "e2e" / "server.log"
    try:
        with streamlit_server(free_port(), log, timing=False) as (url, _pid):
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
