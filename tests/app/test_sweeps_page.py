"""AppTest: the Sweeps page on a small stored sweep, and a sweep started from the page."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from components.config import RunConfig
from components.sweep import run_sweep
from components.sweep_grid import parse_grid
from components.sweep_summary import final_rows, load_sweep, summarize
from dashboard import state as S
from dashboard import sweep_store as store
from dashboard import sweep_view as V
from dashboard.cache import TRACES
from dashboard.figure_spec import _decoded
from dashboard.sweep_runner import RUNNER
from specs import UserInputError

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")
PAGE = "dashboard/pages/sweeps.py"
GRID = """
dataset = ["two_groups:n_samples=400"]
scenarios = [[{ name = "label_bias", params = { flip = [0.2, 0.6] } }]]
strategy = ["random", "least_confidence"]
seed = [0, 1]
rounds = [4]
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    """A private sweeps root holding the sweep 'tiny' (2 strategies x 2 strengths x 2 seeds)."""
    base = tmp_path_factory.mktemp("sweeps") / "root"
    base.mkdir(mode=0o700)
    run_sweep(parse_grid(GRID), base / "tiny", jobs=1, quiet=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(store.ENV_DIR, str(base))
        yield base


def page(sweep: str | None = "tiny", **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if sweep is not None:
        at.query_params["sweep"] = sweep
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(PAGE)
    return at.run()


def plain(text: str) -> str:
    """Shown Markdown as the reader sees it: escapes and word joiners dropped."""
    return text.replace("\\", "").replace("\u2060", "")


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def charts(at: AppTest) -> dict[str, dict]:
    import json

    return {c.proto.id: _decoded(json.loads(c.proto.spec)) for c in at.get("plotly_chart")}


def chart(at: AppTest, title_start: str) -> dict:
    found = [
        spec
        for spec in charts(at).values()
        if spec["layout"]["title"]["text"].replace("<br>", " ").startswith(title_start)
    ]
    assert len(found) == 1, [s["layout"]["title"]["text"] for s in charts(at).values()]
    return found[0]


def test_page_lists_the_sweep_and_draws_every_figure(root):
    at = page()
    ok(at)
    menu = next(s for s in at.selectbox if s.label == "Sweep")
    assert menu.options == ["tiny"] and menu.value == "tiny"
    titles = [s["layout"]["title"]["text"].replace("<br>", " ") for s in charts(at).values()]
    assert len(titles) == 5
    for start in (
        "Accuracy vs",
        "Worst-group accuracy (truth) at the last budget",
        "Accuracy (truth) as labels",
    ):
        assert any(t.startswith(start) for t in titles), titles
    assert any(t.startswith("Who gets labelled") for t in titles)
    head = " ".join(m.value for m in at.markdown)
    assert "**8** finished runs of **8** planned" in head
    assert at.query_params["sweep"] in ("tiny", ["tiny"])


def test_heatmap_cells_show_the_summary_means_intervals_and_seeds(root):
    at = page()
    ok(at)
    heat = next(
        t
        for t in chart(at, "Worst-group accuracy (truth) at the last budget")["data"]
        if t["type"] == "heatmap"
    )
    summary = summarize(load_sweep(root / "tiny"))
    rows = final_rows(summary)
    rows = rows[(rows["metric"] == "worst_group_accuracy") & (rows["group"] == "")]
    shown = [cell for line in heat["text"] for cell in line if cell]
    assert len(shown) == len(rows) == 4
    for r in rows.itertuples():
        text = f"{r.mean:.3f}<br>[{r.low:.2f}, {r.high:.2f}]<br>n={r.n_seeds}"
        assert text in shown
        assert r.n_seeds == 2 and r.low <= r.mean <= r.high


def brute_front(points: list[tuple[float, float]]) -> set[tuple[float, float]]:
    front = set()
    for i, (x, y) in enumerate(points):
        beaten = any(
            (a >= x and b >= y) and (a > x or b > y) for j, (a, b) in enumerate(points) if j != i
        )
        if not beaten:
            front.add((round(x, 9), round(y, 9)))
    return front


@pytest.mark.parametrize("y_metric", ["worst_group_accuracy", "eo_difference"])
def test_pareto_front_marks_exactly_the_non_dominated_cells(root, y_metric):
    at = page()
    next(s for s in at.selectbox if s.label == "Against accuracy, show").set_value(y_metric).run()
    ok(at)
    spec = chart(at, "Accuracy vs")
    sign = 1.0 if y_metric == "worst_group_accuracy" else -1.0  # a gap: lower is better
    points, outlined = [], set()
    for t in spec["data"]:
        if t.get("meta") == "cells":
            widths = np.broadcast_to(t["marker"]["line"]["width"], len(t["x"]))
            for x, y, w in zip(t["x"], t["y"], widths, strict=True):
                points.append((float(x), sign * float(y)))
                if w > 0:
                    outlined.add((round(float(x), 9), round(sign * float(y), 9)))
    line = next(t for t in spec["data"] if str(t.get("name", "")).startswith("Pareto front"))
    on_line = {
        (round(float(x), 9), round(sign * float(y), 9))
        for x, y in zip(line["x"], line["y"], strict=True)
    }
    summary = summarize(load_sweep(root / "tiny"))
    rows = final_rows(summary)
    rows = rows[rows["group"] == ""]
    acc = rows[rows["metric"] == "accuracy"].sort_values(["strategy", "scenarios"])
    other = rows[rows["metric"] == y_metric].sort_values(["strategy", "scenarios"])
    expected = list(zip(acc["mean"], sign * other["mean"].to_numpy(), strict=True))
    assert sorted(points) == sorted(expected) and len(points) == 4
    assert outlined == on_line == brute_front(expected)
    assert 1 <= len(outlined) < 4


def test_a_picked_cell_and_seed_link_to_that_run_in_explore(root):
    at = page()
    ok(at)
    cell = next(s for s in at.selectbox if s.key == V.CELL_PICK)
    label = "least_confidence · label_bias 0.6"
    assert label in cell.options
    cell.set_value(label).run()
    next(s for s in at.selectbox if s.key == V.SEED_PICK).set_value(1).run()
    ok(at)
    runs = load_sweep(root / "tiny").rounds
    mine = runs[(runs["strategy"] == "least_confidence") & (runs["strength"] == 0.6)]
    run_id = mine[mine["seed"] == 1]["run_id"].iloc[0]
    stored = RunConfig.from_json((root / "tiny" / "runs" / run_id / "config.json").read_text())
    url = at.code[0].value
    assert url.startswith("/?")
    from urllib.parse import parse_qs

    params = {k: v if k == "scenario" else v[-1] for k, v in parse_qs(url[2:]).items()}
    # Explore reads the link back to exactly that run's config.
    assert S.config_from_query(params).resolve() == stored.resolve()
    assert stored.seed == 1 and stored.strategy.name == "least_confidence"
    link = at.get("page_link")[0].proto
    assert "Explore" in link.label and "seed 1" in link.label


def test_a_click_on_a_chart_picks_its_cell():
    import pandas as pd

    table = pd.DataFrame({"strategy": ["random", "bald"], "condition": ["no scenario"] * 2})
    event = {"selection": {"points": [{"curve_number": 1, "customdata": [1, 2]}]}}
    assert V.pick_from_event(event, table) == "bald · no scenario"
    assert V.pick_from_event({"selection": {"points": []}}, table) is None


def test_a_bad_sweep_name_in_the_link_gets_one_line(root):
    at = page("../../etc")
    assert not at.exception
    assert len(at.error) == 1
    text = plain(at.error[0].value)
    assert "sweep: '../../etc' is not a sweep name; allowed: 1 to 64 characters a-z" in text
    menu = next(s for s in at.selectbox if s.label == "Sweep")
    assert menu.value == "tiny"  # the page still works, on a listed sweep
    missing = page("no-such-sweep")
    assert len(missing.error) == 1
    assert "no sweep named 'no-such-sweep'" in plain(missing.error[0].value)


def test_a_sweep_started_on_the_page_runs_in_the_background_survives_a_reload_and_cancels(root):
    at = page()
    ok(at)
    at.selectbox(key="sw.dataset").set_value("two_groups").run()
    at.number_input(key="sw.rows").set_value(200)
    at.checkbox(key="sw.baseline").uncheck()
    at.multiselect(key="sw.strengths.label_bias").set_value([0.2])
    at.multiselect(key="sw.strategies").set_value(["random", "least_confidence"])
    at.slider(key="sw.seeds").set_value(2)
    at.slider(key="sw.rounds").set_value(3)
    at.text_input(key="sw.name").input("from-page")
    with contextlib.ExitStack() as held:  # every simulation slot busy: the sweep waits its turn
        for _ in range(TRACES.slots.limit):
            held.enter_context(TRACES.slots.slot())
        at.button(key="sw.start").click().run()
        ok(at)
        job = RUNNER.job("from-page")
        assert job is not None and job.running and job.total == 4
        # A reload is a new session: it finds the sweep and its progress.
        again = page("from-page")
        ok(again)
        assert "Sweep from-page: 0 of 4 runs done" in plain(again.get("progress")[0].proto.text)
        # One sweep per server: a second start is refused with one line.
        at.text_input(key="sw.name").input("another")
        at.button(key="sw.start").click().run()
        assert len(at.error) == 1 and "already running" in at.error[0].value
        again.button(key="sw.cancel").click().run()
        assert job.cancel.is_set()
    RUNNER.wait(timeout=120)
    assert job.state == "cancelled" and 1 <= job.done < job.total
    finished = sorted(p.name for p in (root / "from-page" / "runs").iterdir())
    assert len(finished) == job.done
    after = page("from-page")
    ok(after)
    assert f"Cancelled after {job.done} of 4 runs" in after.info[0].value
    head = " ".join(m.value for m in after.markdown)
    assert f"**{job.done}** finished runs of **4** planned" in head
    assert os.path.isfile(root / "from-page" / "rounds.parquet")


def test_compare_links_to_sweeps(root):
    at = AppTest.from_file(APP, default_timeout=120)
    small = {"dataset": "two_groups:n_samples=400", "strategy": "random", "rounds": "3"}
    for k, v in (small | {"compare": "random,least_confidence", "seeds": "1"}).items():
        at.query_params[k] = v
    at.switch_page("dashboard/pages/compare.py").run()
    ok(at)
    links = [p.proto for p in at.get("page_link")]
    assert any("Sweeps" in p.label and p.page.endswith("sweeps") for p in links), links


def test_a_grid_over_the_servers_budget_is_refused_with_one_line(root, monkeypatch):
    monkeypatch.setattr(TRACES, "budget_seconds", 0.5)
    at = page()
    at.multiselect(key="sw.strategies").set_value(["random", "bald", "coreset"])
    at.slider(key="sw.seeds").set_value(5)
    at.slider(key="sw.rounds").set_value(30)
    at.text_input(key="sw.name").input("too-big")
    at.button(key="sw.start").click().run()
    assert not at.exception
    assert len(at.error) == 1
    text = plain(at.error[0].value)
    assert text.startswith("runs: 45 runs together are estimated at") and "budget" in text
    assert RUNNER.job("too-big") is None and not (root / "too-big").exists()


def test_the_sweeps_folder_must_be_private_and_links_inside_it_are_not_followed(
    tmp_path, monkeypatch
):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv(store.ENV_DIR, str(shared))
    with pytest.raises(store.UnsafeSweepRoot, match="can be written by other users"):
        store.list_sweeps()
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    outside = tmp_path / "outside"
    (outside / "runs").mkdir(parents=True)
    (outside / "sweep.json").write_text('{"runs": [], "budgets": []}')
    (private / "linked").symlink_to(outside, target_is_directory=True)
    monkeypatch.setenv(store.ENV_DIR, str(private))
    assert store.list_sweeps() == []
    with pytest.raises(UserInputError, match="no sweep named .linked."):
        store.find("linked")
