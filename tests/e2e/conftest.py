"""Real-browser fixtures: a streamlit server on a free port and Debian's chromium.

Never `playwright install` (it downloads); we launch /usr/bin/chromium.
Without chromium these tests skip, unless REQUIRE_E2E=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "e2e" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _need_browser() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(f"chromium not found at {CHROMIUM} (REQUIRE_E2E=1)")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian chromium driven by Playwright (one per test session)."""
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture()
def page(browser) -> Iterator[object]:
    """A fresh browser context (its own cookies, so its own Streamlit session)."""
    context = browser.new_context(viewport={"width": 1600, "height": 1200})
    pg = context.new_page()
    yield pg
    context.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server() -> Iterator[str]:
    """A real `streamlit run streamlit_app.py`, healthy, on a free port."""
    _need_browser()
    from benchmarks.load_test import streamlit_server

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
