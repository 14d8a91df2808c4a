"""A host's malformed setting never takes the class down: defaults apply, and the page says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import hosting

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")


@pytest.fixture
def fresh_settings():
    hosting._read_once.cache_clear()
    yield
    hosting._read_once.cache_clear()


def test_a_bad_variable_falls_back_to_the_defaults_with_one_line(
    monkeypatch, capsys, fresh_settings
):
    monkeypatch.setenv("WGL_MAX_SIMULATIONS", "many")
    assert hosting.settings() == hosting.Hosting()
    line = capsys.readouterr().err.strip()
    assert line.count("\n") == 0
    assert "WGL_MAX_SIMULATIONS" in line and "'many'" in line and "default limits" in line


def test_the_page_still_runs_and_tells_the_host(monkeypatch, fresh_settings):
    monkeypatch.setenv("WGL_RUN_BUDGET_SECONDS", "-5")
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    warning = " ".join(w.value for w in at.warning).replace("\\", "").replace("\u2060", "")
    assert "WGL_RUN_BUDGET_SECONDS" in warning and "default limits" in warning
    assert at.button(key="btn_step")  # Explore drew its player: the class can go on


def test_good_settings_show_no_warning(monkeypatch, fresh_settings):
    monkeypatch.setenv("WGL_MAX_SIMULATIONS", "3")
    assert hosting.settings().max_simulations == 3 and hosting.problem() is None
