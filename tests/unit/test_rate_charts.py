"""Error rates by group, uncertainty bias and the label map, built on a real run."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from components.config import RunConfig
from components.trace import trace_run
from dashboard import rate_captions as RC
from dashboard.figures import _decoded, group_colors
from dashboard.label_map_charts import (
    LABEL_MAP_TITLE,
    label_map_figure,
    trace_label_map_figure,
)
from dashboard.pool_charts import map_sample
from dashboard.rate_charts import (
    RATE_METRICS,
    RATES_TITLE,
    UNCERTAINTY_TITLE,
    rate_table,
    rates_figure,
    uncertainty_figure,
)
from dashboard.safe import md_escape

CONFIG = {
    "dataset": "two_groups:n_samples=600",
    "scenarios": ["label_bias:group=minority,flip=0.5"],
    "strategy": "least_confidence",
    "rounds": 4,
}
HOSTILE = {"majority": '<a href="https://example.org">m</a>', "minority": "%{y} ![x](y)"}


@pytest.fixture(scope="module")
def trace():
    return trace_run(RunConfig.from_dict(CONFIG).resolve())


def hostile(frame):
    out = frame.copy()
    out["group"] = out["group"].map(HOSTILE)
    return out


def spec(fig) -> dict:
    """The figure as sent, with its typed arrays back as numpy."""
    return _decoded(fig.to_dict())


def truth_traces(fig) -> list[dict]:
    return [t for t in spec(fig)["data"] if t["name"].endswith(" vs truth")]


def test_rates_figure_draws_one_interval_per_group_per_metric_with_the_record_values(trace):
    groups = trace.frames["groups"]
    r = trace.last_round
    fig = rates_figure(groups, r, colors=group_colors(trace.groups))
    assert fig.to_dict()["layout"]["title"]["text"].replace("<br>", " ") == RATES_TITLE
    fig.checked()
    now = groups[groups["round"] == r].set_index("group")
    drawn = truth_traces(fig)
    assert len(drawn) == len(trace.groups)
    for name, t in zip(trace.groups, drawn, strict=True):
        y = np.asarray(t["y"], dtype=float)
        assert len(y) == len(RATE_METRICS) == len(t["error_y"]["array"])
        want = [now.loc[name, m] for m, _ in RATE_METRICS]
        np.testing.assert_allclose(y, want, equal_nan=True)
        up = np.asarray(t["error_y"]["array"], dtype=float)
        down = np.asarray(t["error_y"]["arrayminus"], dtype=float)
        ok = ~np.isnan(y)
        assert (up[ok] >= 0).all() and (down[ok] >= 0).all()
        assert ((y - down)[ok] >= 0).all() and ((y + up)[ok] <= 1 + 1e-12).all()
    hollow = [t for t in spec(fig)["data"] if t["name"].endswith(" vs recorded labels")]
    assert len(hollow) == len(trace.groups)
    for name, t in zip(trace.groups, hollow, strict=True):
        assert t["marker"]["symbol"].endswith("-open")
        want = [now.loc[name, f"{m}_observed"] for m, _ in RATE_METRICS]
        np.testing.assert_allclose(np.asarray(t["y"], dtype=float), want, equal_nan=True)


def test_rate_table_intervals_contain_the_rates_at_every_round(trace):
    groups = trace.frames["groups"]
    for r in range(trace.last_round + 1):
        table = rate_table(groups, r)
        for m, _ in RATE_METRICS:
            v, lo, hi = (table[c].to_numpy(dtype=float) for c in (m, f"{m}_low", f"{m}_high"))
            ok = ~np.isnan(v)
            assert (lo[ok] <= v[ok] + 1e-12).all() and (v[ok] <= hi[ok] + 1e-12).all(), (r, m)


def test_rate_table_ppv_interval_counts_the_predicted_positives():
    import pandas as pd

    g = pd.DataFrame(
        {
            "round": [1],
            "group": ["a"],
            "test_count": [50.0],
            "tpr": [0.8],
            "fpr": [0.2],
            "accuracy": [0.8],
            "selection_rate": [0.5],
            "ppv": [0.8],
            "tpr_observed": [0.8],
            "fpr_observed": [0.2],
            "accuracy_observed": [0.8],
            "selection_rate_observed": [0.5],
            "ppv_observed": [0.8],
        }
    )
    from components.intervals import wilson

    row = rate_table(g, 1).iloc[0]
    assert (row["ppv_low"], row["ppv_high"]) == pytest.approx(wilson(20, 25))
    assert (row["selection_rate_low"], row["selection_rate_high"]) == pytest.approx(wilson(25, 50))


def test_rates_caption_names_the_largest_gap(trace):
    from components import harm

    groups = trace.frames["groups"]
    r = trace.last_round
    gap = harm.largest_gap(harm.rates(groups, r))
    text = RC.rates_caption(groups, r)
    assert f"**{gap.worst}**" in text and f"**{gap.best}**" in text
    assert f"{round(100 * gap.size)} points" in text


def test_uncertainty_figure_draws_each_groups_record_and_a_zero_line(trace):
    groups, rounds = trace.frames["groups"], trace.frames["rounds"]
    r = 2
    fig = uncertainty_figure(groups, rounds, r, colors=group_colors(trace.groups))
    sent = spec(fig)
    assert sent["layout"]["title"]["text"].replace("<br>", " ") == UNCERTAINTY_TITLE
    fig.checked()
    zero, *lines = sent["data"]
    assert list(np.asarray(zero["y"], dtype=float)) == [0.0, 0.0]
    assert len(lines) == len(trace.groups)
    lo, hi = sent["layout"]["yaxis"]["range"]
    for name, t in zip(trace.groups, lines, strict=True):
        mine = groups[(groups["group"] == name) & (groups["round"] <= r)]
        np.testing.assert_allclose(
            np.asarray(t["y"], dtype=float), mine["uncertainty_bias"], equal_nan=True
        )
        assert list(np.asarray(t["x"])) == list(
            rounds.set_index("round").loc[mine["round"], "n_labeled"]
        )
    every = groups["uncertainty_bias"].to_numpy(dtype=float)
    every = every[np.isfinite(every)]
    assert lo < min(0.0, every.min()) and hi > max(0.0, every.max())


def test_uncertainty_caption_says_where_and_that_it_is_a_tendency(trace):
    text = RC.uncertainty_caption(trace.frames["groups"], 1)
    assert "unlabelled pool" in text and "Phillips, Chang & Friedler 2018" in text
    assert "tendency" in text


def test_hostile_group_names_are_escaped_in_the_rate_charts(trace):
    groups, rounds = hostile(trace.frames["groups"]), trace.frames["rounds"]
    colors = group_colors([HOSTILE[g] for g in trace.groups])
    r = trace.last_round
    for fig in (
        rates_figure(groups, r, colors=colors),
        uncertainty_figure(groups, rounds, r, colors=colors),
    ):
        fig.checked()
        text = json.dumps(fig.to_dict(), default=str)
        assert "<a href" not in text and "%{y} " not in text
        assert "&lt;a href" in text
    for caption in (RC.rates_caption(groups, r), RC.uncertainty_caption(groups, r)):
        assert md_escape(HOSTILE["minority"]) in caption
        assert re.search(r"(?<!\\)<a href", caption) is None and "![x](y)" not in caption


def points(t: dict) -> set[tuple[float, float]]:
    return set(zip(np.asarray(t["x"], dtype=float), np.asarray(t["y"], dtype=float), strict=True))


@pytest.mark.parametrize("limit", [100, 20_000])
def test_label_map_marks_exactly_the_drawn_rows_whose_recorded_label_differs(trace, limit):
    rows = map_sample(len(trace.xy), trace.query_round, limit=limit)
    assert (limit < len(trace.xy)) == (len(rows) < len(trace.xy))
    fig = trace_label_map_figure(trace, 2, limit=limit)
    sent = spec(fig)
    assert sent["layout"]["title"]["text"].replace("<br>", " ") == LABEL_MAP_TITLE
    fig.checked()
    *labels, crosses = sent["data"]
    assert crosses["name"] == "recorded label differs"
    xy = trace.xy.astype(float)
    differ = rows[trace.y_pool[rows] != trace.y_pool_obs[rows]]
    assert len(differ) > 0
    assert points(crosses) == {tuple(p) for p in xy[differ]}
    assert len(crosses["x"]) == len(differ)
    # every drawn row once, coloured by its true label
    assert sum(len(t["x"]) for t in labels) == len(rows)
    for t in labels:
        label = int(t["name"].split()[2].rstrip(":"))
        want = rows[trace.y_pool[rows] == label]
        assert points(t) <= {tuple(p) for p in xy[want]}
    r_done = (trace.query_round[rows] >= 0) & (trace.query_round[rows] <= 2)
    solid = [t for t in labels if "not labelled" not in t["name"]]
    assert sum(len(t["x"]) for t in solid) == int(r_done.sum())


def test_hostile_group_names_are_escaped_on_the_label_map(trace):
    names = tuple(HOSTILE[g] for g in trace.groups)
    fig = label_map_figure(
        trace.xy,
        trace.g_pool,
        trace.y_pool,
        trace.y_pool_obs,
        trace.query_round,
        1,
        groups=names,
    )
    fig.checked()
    text = json.dumps(spec(fig), default=str)
    assert "<a href" not in text and "%{y} " not in text
    assert "&lt;a href" in text


def test_label_map_caption_counts_the_crosses():
    text = RC.label_map_caption(450, 100, 7)
    assert "7 of the 100 rows shown" in text and "Showing 100 of 450 rows" in text
