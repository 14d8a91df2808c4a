"""AppTest: Explore's "Branch from this round": both timelines drawn, the URL, bad links."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from components.strategies import STRATEGIES
from dashboard import branch_charts as BC
from dashboard import branch_view as BV
from dashboard import chart_list as CL

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")

SMALL = {
    "dataset": "two_groups:n_samples=800",
    "scenario": "label_bias:group=minority,flip=0.5",
    "strategy": "least_confidence",
    "rounds": "6",
}
BRANCH_KEYS = [key for key, _build, _alt in BC.CHARTS]


def app(params: dict[str, str | list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def chart_keys(at: AppTest) -> list[str]:
    return [c.proto.id and c.key for c in at.get("plotly_chart")]


def param(at: AppTest, key: str) -> list[str]:
    v = at.query_params[key]
    return list(v) if isinstance(v, list) else [v]


def legend_names(at: AppTest, key: str) -> list[str]:
    import json

    chart = next(c for c in at.get("plotly_chart") if c.key == key)
    spec = json.loads(chart.proto.spec)
    return [t.get("name") for t in spec["data"] if t.get("name")]


def test_step_then_branch_with_another_strategy_draws_both_timelines():
    at = app(SMALL)
    assert not set(BRANCH_KEYS) & set(chart_keys(at))  # no branch yet
    for _ in range(2):
        at.button(key="btn_step").click().run()
    at.radio(key=BV.W_KIND).set_value("strategy").run()
    at.selectbox(key=BV.W_STRATEGY).set_value("margin").run()
    at.button(key="branch.go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    keys = chart_keys(at)
    assert set(BRANCH_KEYS) <= set(keys)
    assert len(keys) == len(CL.explore_charts()) + len(BRANCH_KEYS)
    names = legend_names(at, "branch_accuracy")
    assert names[0].startswith("main: Least confidence")
    assert names[1] == f"branch at round 2: {STRATEGIES['margin'].title}"
    assert param(at, "branch") == ["2"]
    assert param(at, "branch_strategy") == ["margin"]
    captions = " ".join(c.value for c in at.caption)
    assert "Accuracy against the truth with" in captions


def test_a_branch_link_replays_the_branch():
    at = app({**SMALL, "branch": "3", "branch_scenario": "label_bias:flip=0"})
    assert not at.warning, [w.value for w in at.warning]
    assert set(BRANCH_KEYS) <= set(chart_keys(at))
    names = legend_names(at, "branch_ledger")
    assert names[1].startswith("branch at round 3: Label bias on minority (flip 0")
    assert param(at, "branch") == ["3"]
    assert param(at, "branch_scenario") == ["label_bias:flip=0.0"]
    assert at.radio(key=BV.W_KIND).value == "bias"  # the control shows the linked change
    assert at.slider(key=BV.W_FLIP).value == 0.0
    at.button(key="branch.drop").click().run()
    assert not set(BRANCH_KEYS) & set(chart_keys(at))
    assert "branch" not in at.query_params


def test_a_bad_branch_link_gives_one_message_and_no_branch():
    for bad, said in [
        ({"branch": "99"}, "at=99"),
        ({"branch": "2", "branch_strategy": "bladd"}, "'bladd'"),
        ({"branch": "2", "branch_scenario": "underrepresentation"}, "underrepresentation"),
    ]:
        at = app({**SMALL, **bad})
        warnings = [w.value for w in at.warning]
        assert len(warnings) == 1 and said in warnings[0].replace("\\", ""), warnings
        assert not set(BRANCH_KEYS) & set(chart_keys(at))
        assert len(at.get("plotly_chart")) == len(CL.explore_charts())


def test_a_branch_costs_its_own_rounds_and_one_over_budget_is_refused_before_work():
    from components.branch import BranchSpec
    from components.config import RunConfig
    from components.trace import trace_run
    from dashboard.branch_runs import BranchRuns
    from dashboard.cache import RunSlots
    from specs import Spec, UserInputError

    main = trace_run(
        RunConfig.from_dict({"dataset": "two_groups:n_samples=800", "rounds": 6}).resolve()
    )
    runs = BranchRuns(slots=RunSlots(1), budget_seconds=600)
    first = BranchSpec(3, Spec("margin"))
    cold = runs.cost_seconds(main.config, first)  # the trunk's rounds 0..3 still to step
    runs.get_or_compute(main, first)
    warm = runs.cost_seconds(main.config, BranchSpec(3, Spec("entropy")))
    assert 0 < warm < cold
    assert runs.cost_seconds(main.config, BranchSpec(2, Spec("entropy"))) > warm  # more rounds

    stingy = BranchRuns(slots=RunSlots(1), budget_seconds=1e-9)
    try:
        stingy.get_or_compute(main, first)
    except UserInputError as exc:
        msg = str(exc)
    else:
        raise AssertionError("a branch over the budget was computed")
    assert "budget" in msg and "allowed" in msg and "\n" not in msg
    assert (main.config, first) not in stingy and len(stingy._trunks) == 0


def test_in_classroom_mode_the_branch_round_is_chosen_by_number():
    at = app({**SMALL, "replay": "1"})
    at.number_input(key=BV.W_ROUND).set_value(4).run()
    at.radio(key=BV.W_KIND).set_value("annotator").run()
    at.slider(key=BV.W_RATE).set_value(0.5).run()
    at.button(key="branch.go").click().run()
    assert not at.exception and not at.error
    assert param(at, "branch") == ["4"]
    assert param(at, "branch_scenario") == ["annotator_bias:group=minority,rate=0.5"]
    names = legend_names(at, "branch_ledger")
    assert names[1].startswith("branch at round 4: Biased annotator on minority")
