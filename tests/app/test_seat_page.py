"""AppTest: Label it yourself (the annotator's seat), and "Why this row?" on Explore."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from dashboard import seat_state as SS

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")
PAGE = "dashboard/pages/seat.py"


def seat_page(preset: str | None = "clusters") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    if preset is not None:
        at.query_params["preset"] = preset
    return at.run()


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def answers(at: AppTest) -> list:
    return [r for r in at.radio if r.key.startswith(SS.PENDING)]


def chart_specs(at: AppTest) -> list[str]:
    return [c.proto.spec for c in at.get("plotly_chart")]


def submit(at: AppTest) -> AppTest:
    return at.button(key="seat.submit").click().run()


def test_label_reveal_submit_and_the_charts_move():
    at = seat_page()
    ok(at)
    assert not at.error
    radios = answers(at)
    assert len(radios) == 10 and all(r.value is None for r in radios)
    before = chart_specs(at)
    assert len(before) == 2
    radios[0].set_value("yes").run()
    answers(at)[1].set_value("simulated").run()
    said = [m.value for m in at.markdown if "simulated annotator says" in m.value]
    assert len(said) == 1
    at.button(key="seat.fill").click().run()
    submit(at)
    ok(at)
    assert not at.error
    history = at.session_state[SS.HISTORY]
    assert len(history) == 1 and len(history[0]) == 10
    first, second = list(history[0])[:2]
    assert history[0][first] == 1 and history[0][second] == "simulated"
    assert any(s.value.startswith("Round 2 of 3") for s in at.subheader)
    after = chart_specs(at)
    assert len(after) == 2 and after != before
    assert all(r.key.startswith(f"{SS.PENDING}1.") for r in answers(at))


def test_why_this_row_is_on_every_card():
    at = seat_page()
    why = [m.value for m in at.markdown if "unlabelled rows" in m.value]
    assert len(why) == 10
    assert "nearest labelled rows" in why[0]


def test_finish_and_the_report_names_the_never_shown_group():
    at = seat_page()
    for _ in range(3):
        at.button(key="seat.fill").click().run()
        submit(at)
        ok(at)
    assert at.success and "all 3 rounds" in at.success[0].value
    assert not answers(at)
    text = " ".join(m.value for m in at.markdown)
    assert "never showed you anyone from minority" in text
    table = at.dataframe[-1].value
    far = table[table["group"] == "minority"].iloc[0]
    assert far["shown to you"] == 0 and far["random run, same seed set"] > 0


def test_missing_answers_say_one_line():
    at = seat_page()
    answers(at)[0].set_value("no").run()
    submit(at)
    ok(at)
    assert len(at.error) == 1
    msg = at.error[0].value
    assert msg.startswith("answers: 9 of 10 questions have no answer") and "\n" not in msg
    assert SS.HISTORY in at.session_state and at.session_state[SS.HISTORY] == []


def test_a_bad_preset_in_the_link_says_one_line_and_uses_the_default():
    at = seat_page("nonsense<b>")
    ok(at)
    assert len(at.error) == 1
    assert at.error[0].value.startswith("preset: 'nonsense<b>' is not a preset; allowed:")
    assert at.session_state[SS.PRESET] == SS.EXPLORE
    assert answers(at)  # the default run is there to label


def test_explore_explains_a_row_of_its_batch_on_request():
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in {
        "dataset": "two_groups:n_samples=800",
        "strategy": "least_confidence",
        "rounds": "4",
        "round": "2",
    }.items():
        at.query_params[k] = v
    at.run()
    ok(at)
    assert not [m for m in at.markdown if "unlabelled rows" in m.value]  # nothing until asked
    assert at.selectbox(key="why.pick.2").value is not None  # the batch's first row
    at.button(key="why.go.2").click().run()
    ok(at)
    said = [m.value for m in at.markdown if "unlabelled rows" in m.value]
    assert len(said) == 1 and "1st of" in said[0] and "nearest labelled rows" in said[0]


def test_a_reload_finds_the_answers_in_the_link():
    at = seat_page()
    answers(at)[0].set_value("no").run()
    at.button(key="seat.fill").click().run()
    submit(at)
    params = {k: at.query_params[k] for k in at.query_params}
    codes = params["answers"]
    assert params["preset"] == "clusters" and codes == "0" + "s" * 9
    again = AppTest.from_file(APP, default_timeout=120)
    again.switch_page(PAGE)
    for k, v in params.items():
        again.query_params[k] = v
    again.run()
    ok(again)
    assert not again.error
    assert again.session_state[SS.HISTORY] == at.session_state[SS.HISTORY]
    assert any(s.value.startswith("Round 2 of 3") for s in again.subheader)


def test_explores_settings_travel_in_the_link():
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    for k, v in {
        "preset": "explore",
        "dataset": "two_groups:n_samples=400",
        "strategy": "margin",
        "batch": "3",
        "rounds": "2",
        "answers": "1s0",
    }.items():
        at.query_params[k] = v
    at.run()
    ok(at)
    assert not at.error
    assert any(s.value.startswith("Round 2 of 2: the model asks you 3") for s in at.subheader)
    assert at.query_params["strategy"] == "margin"


def test_bad_answers_in_the_link_say_one_line_and_start_afresh():
    at = seat_page_with(answers="1x")
    assert len(at.error) == 1
    assert at.error[0].value.startswith("answers: '1x' holds something other than 0, 1, s")
    assert at.session_state[SS.HISTORY] == []


def seat_page_with(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    at.query_params["preset"] = "clusters"
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_a_hostile_upload_is_shown_as_text_on_the_seat():
    from tests.app.test_hostile_app import (
        GROUP_COLUMN,
        POSITIVE,
        assert_page_inert,
        hostile_csv,
    )
    from tests.unit.test_hostile_text import assert_inert_markdown

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["dataset"] = "two_groups:n_samples=400"
    at.query_params["rounds"] = "4"
    at.run()
    at.switch_page("dashboard/pages/data.py").run()
    at.get("file_uploader")[0].set_value(("hostile.csv", hostile_csv(), "text/csv")).run()
    at.selectbox(key="upload.label").set_value("outcome").run()
    at.selectbox(key="upload.positive").set_value(POSITIVE).run()
    at.multiselect(key="upload.group").set_value([GROUP_COLUMN]).run()
    at.button(key="upload.use").click().run()
    at.switch_page("dashboard/pages/explore.py").run()  # Explore's settings: the upload
    at.switch_page(PAGE).run()
    ok(at)
    assert not at.error, [e.value for e in at.error]
    assert answers(at), "the upload's batch is shown"
    assert_page_inert(at)
    for radio in answers(at):
        for option in radio.options:
            assert "](http" not in option
            assert_inert_markdown(option)
    answers(at)[0].set_value("simulated").run()
    at.button(key="seat.fill").click().run()
    submit(at)
    ok(at)
    assert not at.error, [e.value for e in at.error]
    texts = assert_page_inert(at)
    assert any("random would have shown about" in t for t in texts)
