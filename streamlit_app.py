"""Entry point: ``streamlit run streamlit_app.py``.

This serves ``dashboard_app.py`` (the pages) as an ``st.App`` so that the
server does its slow start-up before it accepts anyone: importing
scikit-learn, SciPy, pandas and the engine takes about 2 s on the 2-core
machines we measure on, and under plain ``streamlit run`` the first visitor
paid it (first page 3.1-3.9 s; with this, about 0.5 s:
``benchmarks/classroom.py --clients 1``). The default run is then computed in
the background, so the first Play finds it ready.
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
