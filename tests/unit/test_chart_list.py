"""The chart list: every chart declared once, and the pages draw exactly what it says."""

from __future__ import annotations

import dataclasses
import doctest
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import dashboard.captions
import dashboard.chart_entry
import dashboard.chart_list
import dashboard.compare_charts
import dashboard.figure_spec
import dashboard.figures
import dashboard.pool_charts
import dashboard.record_views
import dashboard.replay
import dashboard.run_charts
import dashboard.views
from components.config import RunConfig
from components.trace import trace_run
from dashboard import chart_list as CL
from dashboard.figures import Chart, Style, axis, figure
from dashboard.replay import replay_figure

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")
SMALL = {
    "dataset": "two_groups:n_samples=400",
    "scenarios": ["label_bias:group=minority,flip=0.5"],
    "batch_size": 6,
    "rounds": 3,
}


def run(strategy: str, seed: int = 0):
    return trace_run(RunConfig.from_dict({**SMALL, "strategy": strategy, "seed": seed}).resolve())


@pytest.fixture(scope="module")
def trace():
    return run("least_confidence")


@pytest.fixture(scope="module")
def runs(trace):
    return {"random": [run("random")], "least_confidence": [trace, run("least_confidence", 1)]}


class Only:
    """A run that answers only what a chart declared it needs (``ChartEntry.needs``)."""

    def __init__(self, trace, needs: frozenset[str]) -> None:
        self._trace, self._needs = trace, needs

    def __getattr__(self, name: str):
        if name == "frames":
            allowed = {n.split(".", 1)[1] for n in self._needs if n.startswith("frames.")}
            return {k: v for k, v in self._trace.frames.items() if k in allowed}
        if name not in self._needs:
            raise AttributeError(f"the chart read '{name}', not in its needs")
        return getattr(self._trace, name)


def title_of(fig: Chart) -> str:
    return fig.to_dict()["layout"]["title"]["text"]


def test_every_entry_has_a_builder_title_caption_and_alt_text():
    keys = [e.key for e in CL.CHARTS]
    assert len(keys) == len(set(keys)), "keys name widgets and PNG files: unique"
    for e in CL.CHARTS:
        assert callable(e.build) and callable(e.caption), e.key
        assert e.title.strip() and e.alt.strip(), e.key
        assert e.needs and e.needs <= CL.NEEDS, e.key
    slots = [e.classroom for e in CL.CHARTS if e.classroom is not None]
    assert sorted(slots) == list(range(1, len(slots) + 1))


@pytest.mark.parametrize("entry", [e for e in CL.CHARTS if e.scope == "round"], ids=lambda e: e.key)
def test_every_round_chart_builds_on_a_real_run_from_what_it_needs(trace, entry):
    only = Only(trace, entry.needs)
    for r in (0, trace.last_round):
        view = CL.RoundView(only, r)
        fig = entry.build(view)
        assert isinstance(fig, Chart) and title_of(fig) == entry.title
        fig.checked()
        assert isinstance(entry.caption(view), str) and entry.caption(view)
    if entry.compare:  # Compare draws it against random's ghost
        ghost = Only(run("random"), entry.needs)
        view = CL.RoundView(only, trace.last_round, ghost=ghost)
        assert title_of(entry.build(view)) == entry.title
        assert "random" in entry.caption(view)


@pytest.mark.parametrize(
    "entry", [e for e in CL.CHARTS if e.scope == "strategies"], ids=lambda e: e.key
)
def test_every_strategies_chart_builds_on_real_runs_from_what_it_needs(runs, entry):
    only = {label: [Only(t, entry.needs) for t in ts] for label, ts in runs.items()}
    comparison = CL.Comparison(only, style=Style.presenter())
    fig = entry.build(comparison)
    assert title_of(fig).startswith(entry.title)
    fig.checked()
    assert entry.caption(comparison)


def test_the_selections_are_the_flagged_entries_in_order():
    assert CL.explore_charts() == [e for e in CL.CHARTS if e.explore]
    panels = CL.classroom_panels()
    assert set(panels) == {e for e in CL.CHARTS if e.classroom is not None}
    assert [e.classroom for e in panels] == sorted(e.classroom for e in panels)
    both = CL.compare_charts("strategies") + CL.compare_charts("round")
    assert sorted(both, key=CL.CHARTS.index) == [e for e in CL.CHARTS if e.compare]


def test_classroom_panels_are_the_flagged_charts_each_built_once_per_round(trace):
    fig = replay_figure(trace).to_dict()
    panels = CL.classroom_panels()
    titles = [re.sub("<br>", " ", a["text"])[3:-4] for a in fig["layout"]["annotations"]]
    assert titles == [e.title for e in panels]
    axes = {t.get("xaxis", "x") for t in fig["data"]}
    assert axes == {"x"} | {f"x{k}" for k in range(2, len(panels) + 1)}
    assert len(fig["frames"]) == trace.last_round + 1


def test_a_new_classroom_chart_becomes_a_panel(trace, monkeypatch):
    def counts(view: CL.RoundView) -> Chart:
        groups = view.frame("groups")
        mine = groups[groups["round"] <= view.r]
        return figure(
            [{"type": "bar", "x": mine["round"].to_numpy(), "y": mine["queried_cum"].to_numpy()}],
            view.style,
            title="Queried so far",
            xaxis=axis("round"),
            yaxis=axis("rows"),
        )

    extra = CL.ChartEntry(
        key="so_far",
        title="Queried so far",
        build=counts,
        caption=lambda v: "Rows queried so far.",
        alt="Bars: rows queried so far.",
        needs=CL.RECORD_NEEDS,
        classroom=5,
    )
    monkeypatch.setattr(CL, "CHARTS", (*CL.CHARTS, extra))
    fig = replay_figure(trace).to_dict()
    assert fig["layout"]["annotations"][-1]["text"] == "<b>Queried so far</b>"
    assert fig["layout"]["xaxis5"]["domain"] == [0.0, 0.46]
    bars = [i for i, t in enumerate(fig["data"]) if t.get("xaxis") == "x5"]
    assert bars and all(bars[0] in f["traces"] for f in fig["frames"])


def test_an_animated_builder_must_keep_its_traces(trace):
    def unstable(view: CL.RoundView) -> Chart:
        return figure([{"type": "bar"}] * (view.r + 1), view.style, title="t", xaxis={}, yaxis={})

    bad = CL.ChartEntry(
        key="bad", title="t", build=unstable, caption=str, alt="a", needs=CL.RECORD_NEEDS
    )
    with pytest.raises(ValueError, match="classroom panel 'bad': round 1 has 2 traces"):
        replay_figure(trace, panels=[bad])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scope": "page"}, "scope"),
        ({"needs": frozenset({"labels"})}, "needs"),
        ({"scope": "strategies", "explore": True, "compare": True}, "scope"),
        ({"scope": "strategies", "explore": False, "classroom": None}, "compare"),
        ({"classroom": 0}, "classroom"),
        ({"alt": ""}, "key/title/alt"),
    ],
)
def test_a_bad_entry_is_refused_naming_the_field(change, field):
    with pytest.raises(ValueError, match=rf"chart 'ledger': {re.escape(field)}=.*allowed: "):
        dataclasses.replace(CL.CHARTS[0], **change)


def test_only_pool_charts_keep_the_map_limit_in_their_cache_key(trace):
    view = CL.RoundView(trace, 2, limit=4000)
    keys = {e.key: CL.figure_key(e, view) for e in CL.explore_charts()}
    assert keys["map"][-1] == 4000 and keys["ledger"][-1] == 0
    assert keys["ledger"] == ("ledger", 2, Style(), 0)


@pytest.mark.parametrize(
    "module",
    [
        dashboard.captions,
        dashboard.chart_entry,
        dashboard.chart_list,
        dashboard.figure_spec,
        dashboard.compare_charts,
        dashboard.figures,
        dashboard.pool_charts,
        dashboard.record_views,
        dashboard.replay,
        dashboard.run_charts,
        dashboard.views,
    ],
    ids=lambda m: m.__name__,
)
def test_doctests(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


# ----------------------------------------------------------------- the app


def app(params: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


PARAMS = {"dataset": "two_groups:n_samples=400", "strategy": "least_confidence", "rounds": "3"}


def drawn(at: AppTest) -> list[tuple[str, str]]:
    """(key, title) of every plotly chart on the page, in order (a title wrapped
    for its width, ``figure_fit.fit``, read as one line; the run's stamp under it dropped)."""
    out = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec["layout"]["title"]["text"].split("<br><span")[0].replace("<br>", " ")
        out.append((chart.proto.id.rsplit("-", 1)[-1], title))
    return out


def test_explore_draws_the_list_and_a_new_entry_appears(monkeypatch):
    at = app(PARAMS)
    assert not at.exception
    assert drawn(at) == [(e.key, e.title) for e in CL.explore_charts()]

    def note(view: CL.RoundView) -> Chart:
        return figure([], view.style, title="A new chart", xaxis=axis("x"), yaxis=axis("y"))

    extra = CL.ChartEntry(
        key="new_chart",
        title="A new chart",
        build=note,
        caption=lambda v: f"A new caption at round {v.r}.",
        alt="A new chart.",
        needs=frozenset({"groups"}),
        explore=True,
    )
    monkeypatch.setattr(CL, "CHARTS", (*CL.CHARTS, extra))
    at = app(PARAMS)
    assert not at.exception, [e.value for e in at.exception]
    assert drawn(at)[-1] == ("new_chart", "A new chart")
    assert "A new caption at round 0." in [c.value for c in at.caption]
    at.button(key="btn_step").click().run()
    assert "A new caption at round 1." in [c.value for c in at.caption]


def test_classroom_mode_and_compare_draw_the_flagged_entries():
    at = app(PARAMS | {"replay": "1"})
    assert not at.exception
    (chart,) = at.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    titles = [a["text"].replace("<br>", " ")[3:-4] for a in spec["layout"]["annotations"]]
    assert titles == [e.title for e in CL.classroom_panels()]
    at.switch_page("dashboard/pages/compare.py").run()
    assert not at.exception, [e.value for e in at.exception]
    keys = [key for key, _ in drawn(at)]
    assert keys == [e.key for e in CL.compare_charts("strategies")] + [
        f"cmp_{e.key}" for e in CL.compare_charts("round")
    ]


def test_every_explore_chart_stands_alone_as_an_exported_png(trace):
    """The camera button saves the figure as drawn: title, the run in words, the round, legend."""
    from components.run_words import run_stamp

    r = 2
    view = CL.RoundView(trace, r, style=Style())
    stamp = run_stamp(trace.config, r)
    assert "Round 2" in stamp and "Two groups (2D)" in stamp and "Least confidence" in stamp
    for entry in CL.explore_charts():
        spec = dashboard.views.explore_figure(entry, view, Style(), stamp)
        title = spec["layout"]["title"]["text"]
        seen = " ".join(re.sub(r"<[^>]+>", " ", title).split())
        assert "Round 2" in seen and "Least confidence" in seen, (entry.key, title)
        assert "on minority (flip 0.5" in seen, (entry.key, title)
        named = {t.get("name") for t in spec["data"] if t.get("name")}
        if {"majority", "minority"} <= named:
            assert spec["layout"].get("showlegend") is not False, entry.key
