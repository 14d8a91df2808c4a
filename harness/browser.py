"""Debian's chromium, launched headless by Playwright with the same flags everywhere."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
MSG_NO_CHROMIUM = "chromium not found at {path} (apt-get install chromium)"


def chromium_missing() -> str | None:
    """Why the browser cannot start, or None when chromium is installed.

    >>> chromium_missing() in (None, MSG_NO_CHROMIUM.format(path=CHROMIUM))
    True
    """
    return None if Path(CHROMIUM).exists() else MSG_NO_CHROMIUM.format(path=CHROMIUM)


def launch_options() -> dict[str, Any]:
    """Keyword arguments for Playwright's ``chromium.launch`` (sync or async API).

    >>> sorted(launch_options())
    ['args', 'executable_path', 'headless']
    """
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS), "headless": True}
