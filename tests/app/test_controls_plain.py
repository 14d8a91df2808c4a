"""AppTest: plain-language control names, round and presenter in the link, Compare's link."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import state as S
from dashboard.player import SLIDER

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")

SMALL = {
    "dataset": "two_groups:n_samples=800",
    "scenario": "label_bias:group=minority,flip=0.5",
    "strategy": "least_confidence",
    "rounds": "6",
}


def open_link(params: dict[str, str], page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(markdown: str) -> str:
    """The text a reader sees: Markdown escapes and invisible joiners removed."""
    return markdown.replace("\\", "").replace("\u2060", "").replace("\u200b", "")


def test_controls_show_the_plain_name_and_the_code_name():
    at = open_link(SMALL)
    scen = at.multiselect(key=S.wkey("scenarios"))
    assert "Label bias" in scen.options
    strat = at.selectbox(key=S.wkey("strategy"))
    assert "Least confidence" in strat.options and "BALD (committee)" in strat.options
    model = at.selectbox(key=S.wkey("model"))
    assert "Logistic regression" in model.options
    captions = [plain(c.value) for c in at.sidebar.caption]
    for code in ("two_groups", "label_bias", "least_confidence", "logistic"):
        assert any(c.startswith(f"`{code}` · ") for c in captions), (code, captions)
    flip = at.slider(key=S.wkey("sc", "label_bias", "flip"))
    assert "(flip)" in flip.label and "wrong label" in flip.label
    for key in ("seed", "rounds", "batch", "initial"):
        assert f"({key})" in at.number_input(key=S.wkey(key)).label


def test_menu_names_fit_a_projector_sidebar():
    at = open_link(SMALL)
    options = at.selectbox(key=S.wkey("dataset")).options
    assert "Adult census income (1994)" in options
    menus = [at.selectbox(key=S.wkey(k)).options for k in ("dataset", "strategy", "model")]
    menus.append(at.multiselect(key=S.wkey("scenarios")).options)
    longest = max((o for opts in menus for o in opts), key=len)
    assert len(longest) <= 28, longest


def test_switching_dataset_restarts_at_round_0_and_says_where_a_bias_moved():
    at = open_link(SMALL)
    at.button(key="btn_step").click().run()
    at.button(key="btn_step").click().run()
    assert at.session_state[S.ROUND] == 2
    at.selectbox(key=S.wkey("dataset")).set_value("german").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[S.ROUND] == 0
    assert at.session_state[SLIDER] == 0
    said = [plain(i.value) for i in at.info]
    moved = [m for m in said if "(label_bias)" in m and "'minority'" in m]
    assert moved, said
    new = at.session_state[S.wkey("sc", "label_bias", "group")]
    assert f"now targets '{new}'" in moved[0]


def test_a_link_opens_at_its_round_and_in_presenter_mode():
    at = open_link(SMALL | {"round": "5", "presenter": "1"})
    assert at.session_state[S.ROUND] == 5
    assert at.slider(key=SLIDER).value == 5
    assert at.toggle(key=S.PRESENTER).value is True
    assert at.query_params["round"] in ("5", ["5"])
    assert at.query_params["presenter"] in ("1", ["1"])
    at.button(key="btn_step").click().run()
    assert at.query_params["round"] in ("6", ["6"])


def test_a_round_past_the_end_is_clamped_and_said():
    at = open_link(SMALL | {"round": "99"})
    assert at.session_state[S.ROUND] == 6
    said = [plain(w.value) for w in at.warning]
    assert "round: 99 is out of range; allowed: 0 to 6; using 6" in said, said


def test_a_compare_link_restores_its_strategies_and_seeds():
    link = SMALL | {"compare": "random,margin,bald", "seeds": "2"}
    at = open_link(link, page="dashboard/pages/compare.py")
    assert at.multiselect(key=S.CMP_STRATEGIES).value == ["random", "margin", "bald"]
    assert at.slider(key=S.CMP_SEEDS).value == 2
    assert at.query_params["compare"] in ("random,margin,bald", ["random,margin,bald"])
    assert at.query_params["seeds"] in ("2", ["2"])


def test_a_compare_link_with_an_unknown_strategy_says_so():
    notes: list[str] = []
    got = S.compare_from_query({"compare": "random,nope,margin", "seeds": "9"}, notes)
    assert got == {S.CMP_STRATEGIES: ["random", "margin"], S.CMP_SEEDS: 5}
    assert any("'nope' is not a known name; allowed: random" in n for n in notes), notes
    assert "seeds: 9 is out of range; allowed: 1 to 5; using 5" in notes


def test_compare_says_when_lc_margin_and_entropy_coincide():
    link = SMALL | {"compare": "random,least_confidence,margin", "seeds": "1"}
    at = open_link(link, page="dashboard/pages/compare.py")
    said = [i.value for i in at.info]
    assert any("least_confidence, margin" in m and "coincide" in m for m in said), said
