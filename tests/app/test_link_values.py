"""AppTest: link values outside the app's range are clamped and said; never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import state as S

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")


def open_link(params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(markdown: str) -> str:
    """The text a reader sees: Markdown escapes and invisible joiners removed."""
    return markdown.replace("\\", "").replace("\u2060", "").replace("\u200b", "")


BASE = {"dataset": "two_groups:n_samples=5000", "strategy": "random"}


@pytest.mark.parametrize(
    ("key", "value", "widget", "used", "said"),
    [
        (
            "rounds",
            "201",
            "rounds",
            200,
            "rounds: 201 is out of range; allowed: 0 to 200; using 200",
        ),
        (
            "initial",
            "2001",
            "initial",
            2000,
            "initial_size: 2001 is out of range; allowed: 1 to 2000; using 2000",
        ),
        (
            "test",
            "0.85",
            "test",
            0.8,
            "test_size: 0.85 is out of range; allowed: 0.05 to 0.8; using 0.8",
        ),
        (
            "rounds",
            "300",
            "rounds",
            200,
            "rounds: 300 is out of range; allowed: 0 to 200; using 200",
        ),
    ],
)
def test_out_of_range_values_are_clamped_with_a_message(key, value, widget, used, said):
    at = open_link({**BASE, key: value})
    assert at.session_state[S.wkey(widget)] == used
    warnings = [w.value for w in at.warning]
    assert said in [plain(w) for w in warnings], warnings
    assert not at.error, [e.value for e in at.error]


def test_the_same_scenario_twice_keeps_the_first_and_says_so():
    at = open_link(
        {
            **BASE,
            "scenario": ["label_bias:group=majority,flip=0.3", "label_bias:group=minority"],
        }
    )
    assert at.session_state[S.wkey("scenarios")] == ["label_bias"]
    assert at.session_state[S.wkey("sc", "label_bias", "group")] == "majority"
    assert any("given 2 times" in plain(w.value) for w in at.warning), [w.value for w in at.warning]


def test_a_link_over_the_servers_budget_says_so_and_keeps_the_page(monkeypatch):
    from dashboard.cache import TRACES

    monkeypatch.setattr(TRACES, "budget_seconds", 1e-4)
    at = open_link({**BASE, "rounds": "150"})
    errors = [plain(e.value) for e in at.error]
    assert any("above this server's budget" in e for e in errors), errors


def test_an_internal_error_is_said_as_a_bug_and_the_page_stays(monkeypatch):
    from dashboard.cache import TRACES

    def broken(*args, **kwargs):
        raise ValueError("index 7 is out of bounds for axis 0 with size 3")

    monkeypatch.setattr(TRACES, "get_or_compute", broken)
    at = open_link(BASE)
    errors = [plain(e.value) for e in at.error]
    assert errors and errors[0].startswith("Internal error (ValueError): a bug in the app"), errors
    assert not any("index 7" in e for e in errors)


@pytest.mark.parametrize(
    ("link", "field", "used"),
    [
        (
            {
                "dataset": "two_groups:n_samples=800",
                "strategy": "random",
                "test": "0.85",
                "rounds": "2",
            },
            "test",
            0.8,
        ),
        (
            {"dataset": "two_groups:n_samples=20000", "strategy": "random", "rounds": "300"},
            "rounds",
            200,
        ),
    ],
)
def test_links_that_broke_the_page_now_run_and_say_what_changed(link, field, used):
    at = open_link(link)
    assert not at.error, [e.value for e in at.error]
    assert at.session_state[S.wkey(field)] == used
    assert any("out of range" in plain(w.value) for w in at.warning)
    trace = at.session_state[S.TRACE]
    assert trace.last_round == (2 if field == "test" else 200)
