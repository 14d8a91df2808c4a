"""AppTest: the pages load, the player steps, settings change the run, URLs replay."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from components.config import RunConfig
from dashboard import chart_list as CL
from dashboard import state as S

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")

SMALL = {
    "dataset": "two_groups:n_samples=800",
    "scenario": "label_bias:group=minority,flip=0.5",
    "strategy": "least_confidence",
    "rounds": "6",
}


def app(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params if params is not None else SMALL).items():
        at.query_params[k] = v
    return at.run()


def labelled(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Labelled so far")


def no_failures(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_default_page_loads_with_the_adult_story():
    at = AppTest.from_file(APP, default_timeout=120).run()
    no_failures(at)
    assert not at.error
    assert at.session_state[S.wkey("dataset")] == "adult"
    assert at.session_state[S.wkey("scenarios")] == ["label_bias"]
    assert at.session_state[S.wkey("sc", "label_bias", "group")] == "Female"
    assert len(at.get("plotly_chart")) == len(CL.explore_charts())
    assert labelled(at) == "20"
    key = next(m.value for m in at.markdown if "**true label**" in m.value)
    assert "(1 = earns over \\$50K a year, 0 = not)" in key


@pytest.mark.parametrize("page", ["dashboard/pages/compare.py", "dashboard/pages/method.py"])
def test_other_pages_load(page):
    at = app()
    at.switch_page(page).run()
    no_failures(at)
    assert not at.error
    if page.endswith("method.py"):
        text = " ".join(m.value for m in at.markdown)
        assert "simulated" in text and "truth is never touched" in text
    else:
        assert len(at.get("plotly_chart")) >= 5


def test_compare_summarises_who_each_strategy_asked_about():
    at = app()
    at.switch_page("dashboard/pages/compare.py").run()
    no_failures(at)
    chosen = at.session_state["w.cmp.strategies"]
    table = at.table[0].value
    assert list(table["strategy"]) == list(chosen)
    shares = [c for c in table.columns if "share of queries (pool" in c]
    assert len(shares) == 2, table.columns  # one per group of two_groups
    for col in shares:  # "mean% (min%-max%)" over the page's seeds
        for cell in table[col]:
            mean = float(cell.split("%")[0])
            lo, hi = (float(x.rstrip("%)")) for x in cell.split("(")[1].split("-"))
            assert lo <= mean <= hi


def test_moving_between_pages_keeps_every_setting():
    """Widgets on two pages are two widgets to Streamlit (the page is part of their id):
    going Explore -> Compare -> Explore must not reset any of them to its default."""
    at = app()
    at.toggle(key=S.PRESENTER).set_value(True).run()
    at.number_input(key=S.wkey("seed")).set_value(4).run()
    before = at.session_state[S.TRACE].config
    at.switch_page("dashboard/pages/compare.py").run()
    no_failures(at)
    assert at.toggle(key=S.PRESENTER).value is True
    assert at.number_input(key=S.wkey("rounds")).value == 6
    assert at.number_input(key=S.wkey("seed")).value == 4
    assert at.number_input(key=S.wkey("ds", "two_groups", "n_samples")).value == 800
    assert at.multiselect(key=S.wkey("scenarios")).value == ["label_bias"]
    assert "nan" not in at.table[0].value.to_string()
    at.switch_page("dashboard/pages/explore.py").run()
    no_failures(at)
    assert at.session_state[S.TRACE].config == before
    assert at.toggle(key=S.PRESENTER).value is True


def test_compare_with_no_rounds_says_so_instead_of_drawing_empty_charts():
    at = app({**SMALL, "rounds": "0"})
    at.switch_page("dashboard/pages/compare.py").run()
    no_failures(at)
    assert any("Rounds is 0" in w.value for w in at.warning)
    assert len(at.get("plotly_chart")) == 0


def test_step_advances_and_reset_returns_to_seed_set():
    at = app()
    assert labelled(at) == "20"
    at.button(key="btn_step").click().run()
    no_failures(at)
    assert at.session_state[S.ROUND] == 1
    assert labelled(at) == "30"
    at.button(key="btn_step").click().run()
    assert labelled(at) == "40"
    at.button(key="btn_end").click().run()
    assert labelled(at) == "80"
    assert at.button(key="btn_step").disabled
    at.button(key="btn_reset").click().run()
    assert at.session_state[S.ROUND] == 0
    assert labelled(at) == "20"


def test_round_slider_scrubs_back():
    at = app()
    at.button(key="btn_end").click().run()
    at.slider(key="player.slider").set_value(2).run()
    no_failures(at)
    assert labelled(at) == "40"


def test_changing_a_scenario_slider_changes_the_run():
    at = app()
    at.button(key="btn_end").click().run()
    before = at.session_state[S.TRACE].frames["groups"]
    at.slider(key=S.wkey("sc", "label_bias", "flip")).set_value(1.0).run()
    no_failures(at)
    cfg = at.session_state[S.TRACE].config
    assert dict(cfg.scenarios[0].params)["flip"] == 1.0
    after = at.session_state[S.TRACE].frames["groups"]
    assert not before["accuracy_observed"].equals(after["accuracy_observed"])


def test_url_round_trips_the_config():
    params = {
        "dataset": "clusters:n_samples=900",
        "scenario": "underrepresentation:group=minority,keep=0.5",
        "strategy": "margin",
        "model": "naive_bayes",
        "seed": "7",
        "initial": "15",
        "batch": "5",
        "rounds": "4",
    }
    at = app(params)
    no_failures(at)
    cfg = at.session_state[S.TRACE].config
    assert cfg.strategy.name == "margin" and cfg.model == "naive_bayes"
    assert (cfg.seed, cfg.initial_size, cfg.batch_size, cfg.rounds) == (7, 15, 5, 4)
    url = {k: at.query_params[k] for k in at.query_params}
    again = S.config_from_query(url).resolve()
    assert again == cfg
    # and a second session opened on that URL sees the same run
    at2 = app(url)
    assert (
        at2.session_state[S.TRACE]
        .frames["queries"]
        .equals(at.session_state[S.TRACE].frames["queries"])
    )


def test_a_link_to_another_dataset_without_a_bias_opens_that_dataset():
    """The default bias names a group of Adult; a link to other data must not trip on it."""
    at = app({"dataset": "two_groups:n_samples=800", "strategy": "margin", "batch": "5"})
    no_failures(at)
    assert not at.warning, [w.value for w in at.warning]
    cfg = at.session_state[S.TRACE].config
    assert cfg.dataset.name == "two_groups" and cfg.strategy.name == "margin"
    assert cfg.scenarios == () and cfg.batch_size == 5


def test_classroom_link_sends_the_whole_run_once_as_frames():
    """replay=1: one animated figure, no server-side player, and the link keeps it."""
    import json

    at = app(SMALL | {"replay": "1"})
    no_failures(at)
    assert not [b for b in at.button if b.key in ("btn_step", "btn_play", "btn_pause")]
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    frames = json.loads(charts[0].proto.spec)["frames"]
    assert len(frames) == at.session_state[S.TRACE].last_round + 1
    assert at.query_params["replay"] in ("1", ["1"])
    at.toggle(key=S.REPLAY).set_value(False).run()  # back to stepping on the server
    no_failures(at)
    assert at.button(key="btn_step") is not None and "replay" not in at.query_params


def test_bad_url_warns_and_falls_back_to_defaults():
    at = app({"dataset": "two_groups", "strategy": "lest_confidence"})
    no_failures(at)
    shown = [w.value.replace("\\", "") for w in at.warning]  # as read: Markdown escapes gone
    assert any("lest_confidence" in w and "least_confidence" in w for w in shown), shown


def test_bad_control_value_shows_error_and_keeps_the_run():
    at = app()
    at.button(key="btn_step").click().run()
    at.number_input(key=S.wkey("rounds")).set_value(200).run()
    no_failures(at)
    assert any("budget" in e.value and "pool holds" in e.value for e in at.error)
    # the previous run is still on screen, at the same round
    assert labelled(at) == "30"
    assert len(at.get("plotly_chart")) == len(CL.explore_charts())


def test_two_sessions_are_isolated():
    a, b = app(), app()
    a.button(key="btn_step").click().run()
    assert labelled(a) == "30"
    b.run()
    assert labelled(b) == "20"


def test_default_config_is_valid():
    cfg = S.DEFAULT_CONFIG.resolve()
    assert isinstance(cfg, RunConfig)
    assert S.config_from_query(S.config_to_query(cfg)).resolve() == cfg


MESSY = (
    "\ufeffage;sex;race;hours;job;income\n"
    + "".join(
        f"{20 + i % 50};{'Female' if i % 3 == 0 else 'Male'};{'A' if i % 5 else 'B'};"
        f"{'' if i % 11 == 0 else 30 + i % 20};{['clerk', 'nurse', 'smith', ''][i % 4]};"
        f"{'>50K' if (i * 7) % 10 < 3 else '<=50K'}\n"
        for i in range(300)
    )
).encode("utf-8")


def test_upload_maps_columns_previews_and_explores():
    at = app()
    at.switch_page("dashboard/pages/data.py").run()
    no_failures(at)
    at.get("file_uploader")[0].set_value(("messy.csv", MESSY, "text/csv")).run()
    no_failures(at)
    assert not at.error
    at.selectbox(key="upload.label").set_value("income").run()
    at.selectbox(key="upload.positive").set_value(">50K").run()
    at.multiselect(key="upload.group").set_value(["sex"]).run()
    no_failures(at)
    assert not at.error, [e.value for e in at.error]
    table = next(d.value for d in at.dataframe if "share of positives" in d.value.columns)
    assert sorted(table["group"]) == ["Female", "Male"] and table["rows"].sum() == 300
    at.button(key="upload.use").click().run()
    no_failures(at)
    cfg = at.session_state[S.TRACE].config
    assert cfg.dataset.name == "upload" and cfg.dataset.get("label") == "income"
    assert "path" not in dict(cfg.dataset.params)
    assert labelled(at) == "20"


def test_bad_upload_says_why_and_keeps_the_run():
    at = app()
    at.button(key="btn_step").click().run()
    at.switch_page("dashboard/pages/data.py").run()
    at.get("file_uploader")[0].set_value(
        ("junk.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv")
    ).run()
    no_failures(at)
    assert len(at.error) == 1 and "file" in at.error[0].value
    at.switch_page("dashboard/pages/explore.py").run()
    no_failures(at)
    assert labelled(at) == "30"  # the earlier run, at the same round


def _ledger_spec(at: AppTest) -> dict:
    import json

    return json.loads(next(c for c in at.get("plotly_chart") if "ledger" in c.proto.id).proto.spec)


def test_shared_figures_never_cross_looks_or_runs():
    """Figures are cached across sessions: the same run and round may share one, but a
    projector look or another seed must get its own."""
    screen, projector, other_seed = app(), app(), app({**SMALL, "seed": "7"})
    projector.toggle(key=S.PRESENTER).set_value(True).run()
    for at in (screen, projector, other_seed):
        at.button(key="btn_step").click().run()
        no_failures(at)
    fonts = {_ledger_spec(at)["layout"]["font"]["size"] for at in (screen, projector)}
    assert len(fonts) == 2
    a, b = _ledger_spec(screen), _ledger_spec(other_seed)
    assert a["data"] != b["data"], "another seed drew the first session's chart"
    again = app()
    again.button(key="btn_step").click().run()
    assert _ledger_spec(again) == a


def test_batch_table_shows_exactly_the_rows_of_the_round_on_screen():
    at = app()
    for r in (1, 2):
        at.button(key="btn_step").click().run()
        no_failures(at)
        tables = [d.value for d in at.dataframe]
        shown = next(t for t in tables if "recorded label" in t.columns)
        q = at.session_state[S.TRACE].frames["queries"]
        want = q[q["round"] == r]
        assert len(shown) == len(want) > 0
        assert list(shown["group"]) == [str(g) for g in want["group"]]
        assert list(shown["score"].astype(float)) == list(want["score"].round(3))
        numbers = next(t for t in tables if "pool_share" in t.columns)
        groups = at.session_state[S.TRACE].frames["groups"]
        assert list(numbers["queried"]) == list(groups[groups["round"] == r]["queried"])
