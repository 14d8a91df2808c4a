"""Entry point: ``streamlit run streamlit_app.py``.

This serves ``dashboard_app.py`` (the pages) as an ``st.App`` so that the
server does its slow start-up (importing scikit-learn, SciPy, pandas and the
engine) before it accepts anyone, instead of on the first visitor's page.
The default run is then computed in the background, so the first Play finds
it ready.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[None]:
    from dashboard.warmup import preload

    preload()
    yield


app = st.App("dashboard_app.py", lifespan=lifespan)
