"""What the server loads before its first visitor (see ``streamlit_app.py``)."""

from __future__ import annotations

import importlib
import logging
import time

# Everything the pages import, and the default model's scikit-learn module.
MODULES = (
    "components.trace",
    "components.learners",
    "dashboard.session",
    "dashboard.views",
    "dashboard.charts",
    "dashboard.replay",
    "dashboard.comparing",
    "datasets.upload",
    "sklearn.linear_model",
    "pyarrow",
)

log = logging.getLogger(__name__)


def preload() -> float:
    """Import what the pages need and start computing the default run; seconds spent."""
    start = time.perf_counter()
    for name in MODULES:
        importlib.import_module(name)
    from dashboard.cache import warm
    from dashboard.state import DEFAULT_CONFIG

    warm(DEFAULT_CONFIG)
    spent = time.perf_counter() - start
    log.info("preloaded the app's modules in %.2f s; computing the default run", spent)
    return spent
