"""The classroom replay: one figure whose frames are the run's rounds."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio
import pytest

from components.config import RunConfig
from components.trace import trace_run
from dashboard import charts as ch
from dashboard.replay import SPEED_MS, replay_figure


@pytest.fixture(scope="module")
def trace():
    cfg = RunConfig.from_dict(
        {
            "dataset": "two_groups:n_samples=600",
            "scenarios": ["label_bias:group=minority,flip=0.5"],
            "strategy": "least_confidence",
            "batch_size": 7,
            "rounds": 5,
        }
    ).resolve()
    return trace_run(cfg)


def spec(fig) -> dict:
    """What the browser receives (Streamlit serialises ``to_dict()`` like this)."""
    return json.loads(pio.to_json(fig, validate=False))


def _array(v) -> np.ndarray:
    if isinstance(v, dict):  # plotly's typed-array encoding
        import base64

        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
    return np.asarray(v, dtype=float)


def test_one_frame_per_round_with_play_pause_and_a_slider(trace):
    s = spec(replay_figure(trace, speed="fast"))
    assert [f["name"] for f in s["frames"]] == [str(r) for r in range(trace.last_round + 1)]
    buttons = s["layout"]["updatemenus"][0]["buttons"]
    assert [b["label"] for b in buttons] == ["▶ Play", "❚❚ Pause"]
    assert buttons[0]["args"][1]["frame"]["duration"] == SPEED_MS["fast"]
    steps = s["layout"]["sliders"][0]["steps"]
    assert [st["args"][0] for st in steps] == [[str(r)] for r in range(trace.last_round + 1)]


def test_frames_carry_the_runs_own_numbers(trace):
    """The last frame's ledger lines are the record's cumulative query shares."""
    s = spec(replay_figure(trace))
    last = s["frames"][-1]
    g = trace.frames["groups"]
    data = s["data"]
    for k, name in enumerate(trace.groups):
        pos = last["traces"][k]
        assert data[pos]["name"] == name  # the animated trace it updates
        want = g[(g["group"] == name) & (g["round"] > 0)].sort_values("round")
        np.testing.assert_allclose(_array(last["data"][k]["y"]), want["query_share_cum"])


def test_map_shows_each_row_from_its_round_on(trace):
    s = spec(replay_figure(trace))
    maps = [i for i, t in enumerate(s["data"]) if t.get("xaxis") == "x3" and t["type"] == "scatter"]
    assert len(maps) == len(trace.groups)
    for r, frame in enumerate(s["frames"]):
        shown = 0
        for pos, d in zip(frame["traces"], frame["data"], strict=True):
            if pos in maps:
                shown += int((_array(d["marker"]["size"]) > 0).sum())
        assert shown == int(((trace.query_round >= 0) & (trace.query_round <= r)).sum())


def test_group_colours_match_the_other_charts(trace):
    s = spec(replay_figure(trace))
    colors = ch.group_colors(trace.groups)
    ledger = [
        t for t in s["data"] if t.get("xaxis", "x") == "x" and t.get("mode") == "lines+markers"
    ]
    assert {t["name"]: t["line"]["color"] for t in ledger} == colors


def test_presenter_style_is_bigger(trace):
    small = spec(replay_figure(trace))["layout"]
    big = spec(replay_figure(trace, style=ch.Style.presenter()))["layout"]
    assert big["font"]["size"] > small["font"]["size"] and big["height"] > small["height"]
    # On a projector the four panels stack in one column (titles would collide side by side).
    axes = ("xaxis", "xaxis2", "xaxis3", "xaxis4")
    assert all(big[a]["domain"] == [0.0, 1.0] for a in axes)
    assert len({tuple(small[a]["domain"]) for a in axes}) == 2


def test_hostile_group_names_are_escaped():
    from types import SimpleNamespace

    import pandas as pd

    evil = "<img src=x onerror=alert(1)>"
    rounds = pd.DataFrame({"round": [0, 1], "n_labeled": [4, 6]})
    groups = pd.DataFrame(
        {
            "round": [0, 0, 1, 1],
            "group": [evil, "b", evil, "b"],
            "query_share_cum": [np.nan, np.nan, 0.5, 0.5],
            "pool_share": [0.5, 0.5, 0.5, 0.5],
            "accuracy": [0.6, 0.7, 0.65, 0.7],
            "accuracy_observed": [0.6, 0.7, 0.6, 0.7],
            "queried": [0, 0, 1, 1],
        }
    )
    t = SimpleNamespace(
        groups=(evil, "b"),
        frames={"rounds": rounds, "groups": groups},
        xy=np.zeros((8, 2), dtype=np.float32),
        g_pool=np.array([0, 1] * 4, dtype=np.int8),
        query_round=np.array([0, 0, 0, 0, 1, 1, -1, -1], dtype=np.int16),
        grid=None,
    )
    text = pio.to_json(replay_figure(t), validate=False)
    assert "<img" not in text


def test_every_group_is_in_the_legend_and_visible_before_play(trace):
    """Round 0 has no queries yet: the legend must still name each group, on a trace
    that has something drawn (plotly hides legend entries of empty traces)."""
    fig = replay_figure(trace)
    shown = [t for t in fig.data if t.showlegend is not False and t.legendgroup in trace.groups]
    assert sorted(t.name for t in shown) == sorted(trace.groups)
    assert all(len(t.x) >= 1 and "markers" in t.mode for t in shown)


def test_a_legend_on_several_rows_gets_room_above_the_panel_titles(trace, monkeypatch):
    """Many groups wrap the legend onto more rows: each adds a row's height to the
    top margin and to the figure, so the plots keep their size and the panel
    titles stay clear of the legend."""
    import dashboard.replay as R
    from dashboard.figure_fit import legend_row_px

    one = spec(replay_figure(trace))["layout"]
    monkeypatch.setattr(R, "legend_rows", lambda names, style, width: 3)
    three = spec(replay_figure(trace))["layout"]
    extra = 2 * legend_row_px(ch.Style())
    assert three["margin"]["t"] - one["margin"]["t"] == extra
    assert three["height"] - one["height"] == extra
