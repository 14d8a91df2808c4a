"""The server's start-up loads the app before anyone visits (streamlit_app.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import asyncio, sys
import streamlit as st
import streamlit_app
from dashboard.warmup import MODULES

assert isinstance(streamlit_app.app, st.App), type(streamlit_app.app)
before = [m for m in MODULES if m in sys.modules]
assert "sklearn.linear_model" not in before, before

async def start():
    async with streamlit_app.lifespan(streamlit_app.app):
        pass

asyncio.run(start())
from dashboard import cache
missing = [m for m in MODULES if m not in sys.modules]
assert not missing, missing
assert cache._WARM.is_set()  # the default run is being computed
print("ok")
"""


def test_server_start_imports_the_pages_modules_and_starts_the_default_run():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().endswith("ok")
