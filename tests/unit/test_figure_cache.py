"""The process-wide figure cache: shared work, never shared objects, never the wrong figure."""

from __future__ import annotations

import json

import numpy as np
import plotly.io as pio

from dashboard import charts as ch
from dashboard.cache import FigureCache


def _fig(y: float) -> ch.Chart:
    return ch.figure(
        [{"type": "scatter", "x": np.arange(3), "y": np.full(3, y), "name": "a"}],
        ch.Style(),
        title=f"y={y}",
        xaxis=ch.axis("x"),
        yaxis=ch.axis("y"),
    )


def test_callers_share_the_work_but_each_gets_its_own_copy():
    cache = FigureCache()
    built = []

    def build():
        built.append(1)
        return _fig(1.0).to_dict()

    a = ch.Chart.sent(cache.get_or_build(("run", "ledger", 3), build))
    b = ch.Chart.sent(cache.get_or_build(("run", "ledger", 3), build))
    assert len(built) == 1 and cache.hits == 1
    mine = a.to_dict()
    mine["layout"]["title"]["text"] = "changed by one session"
    mine["data"][0]["name"] = "changed"
    theirs = b.to_dict()
    assert theirs["layout"]["title"]["text"] == "y=1.0" and theirs["data"][0]["name"] == "a"
    # what the browser gets from the cached copy is what a fresh build sends
    assert pio.to_json(theirs, validate=False) == pio.to_json(_fig(1.0).to_dict(), validate=False)
    assert list(b.data[0].y) == [1.0, 1.0, 1.0]  # still a real, checkable figure


def test_bounded_least_recently_used_first_and_expiring():
    cache = FigureCache(max_entries=3)
    for i in range(5):
        cache.get_or_build(("run", i), lambda i=i: _fig(i).to_dict())
    assert len(cache) == 3
    cache.get_or_build(("run", 2), lambda: _fig(99).to_dict())  # still there: a hit
    assert cache.hits == 1
    rebuilt = cache.get_or_build(("run", 0), lambda: _fig(7).to_dict())  # evicted: rebuilt
    assert json.dumps(rebuilt["layout"]["title"]) == json.dumps(
        {**rebuilt["layout"]["title"], "text": "y=7"}
    )
    stale = FigureCache(ttl=0.0)
    stale.get_or_build(("k",), lambda: _fig(1).to_dict())
    again = stale.get_or_build(("k",), lambda: _fig(2).to_dict())
    assert again["layout"]["title"]["text"] == "y=2"


def test_big_figures_are_bounded_by_bytes_not_only_by_count():
    cache = FigureCache(max_entries=1000, max_bytes=50_000)
    big = {"data": [{"x": {"dtype": "f4", "bdata": "A" * 20_000}}], "layout": {}}
    for i in range(10):
        cache.get_or_build(("map", i), lambda: big)
    assert 20_000 <= cache.nbytes <= 50_000 and len(cache) == 2
    cache.get_or_build(("map", 9), lambda: big)  # the newest is still there
    assert cache.hits == 1
