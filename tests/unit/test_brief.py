"""The stakeholder brief: the default run's harm named with its own numbers, nothing fetched,
hostile names escaped, and the ``brief`` verb end to end."""

from __future__ import annotations

import dataclasses
import re
import shlex

import pandas as pd
import pytest

from components import cli
from components.brief import brief_html, gap_table
from components.config import RunConfig
from components.engine import Simulation
from components.outcome_text import rate_pct
from components.records import read_run
from dashboard.state import DEFAULT_CONFIG
from specs import UserInputError

HOSTILE = "<script>alert(1)</script>"
HOSTILE_2 = '"><img src=x onerror=alert(2)>'
SMALL = {"dataset": "two_groups", "strategy": "least_confidence", "rounds": 3, "seed": 4}


def finished(config: RunConfig):
    sim = Simulation(config)
    while not sim.done:
        sim.step()
    return sim.result(), sim.dataset


@pytest.fixture(scope="module")
def default_run():
    result, dataset = finished(DEFAULT_CONFIG)
    return result.config, result.frames(), dataset


@pytest.fixture(scope="module")
def default_brief(default_run):
    config, frames, dataset = default_run
    return brief_html(config, frames, replay_url="https://example.org/?a=1&b=2", dataset=dataset)


def last(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["round"] == frame["round"].max()]


def test_the_default_brief_names_the_harmed_group_with_its_recorded_rates(
    default_run, default_brief
):
    _, frames, _ = default_run
    groups = last(frames["groups"]).set_index("group")
    # The harmed group is the one the default label bias targets, and the record agrees.
    assert groups.loc["Female", "tpr"] < groups.loc["Male", "tpr"]
    callout = re.search(r'<div class="callout">(.*?)</div><section>', default_brief, re.S)[1]
    assert "<b>Female</b>" in callout and "Male</b>" not in callout
    for g in ("Male", "Female"):
        assert f"<b>{rate_pct(groups.loc[g, 'tpr'])}</b> of {g}" in default_brief
        assert f"<b>{rate_pct(groups.loc[g, 'fpr'])}</b> of {g}" in default_brief
        assert f"<b>{rate_pct(groups.loc[g, 'tpr_observed'])}</b> of {g}" in default_brief
    assert "earns over $50K a year" in default_brief  # the dataset's own outcome words
    assert "fair \u2013 with harmful bias managed" in default_brief.lower()
    assert "data selection" in default_brief
    assert default_brief.count("<li>") >= 3 and "Who audits the annotators" in default_brief


def test_the_gaps_are_the_records_gaps_with_intervals_around_them(default_run, default_brief):
    _, frames, _ = default_run
    r = int(frames["rounds"]["round"].max())
    gaps = gap_table(frames["groups"], r).set_index("key")
    rounds = last(frames["rounds"]).iloc[0]
    for key, col in (("dp", "dp_difference"), ("eo", "eo_difference"), ("pp", "pp_difference")):
        assert gaps.loc[key, "gap"] == pytest.approx(rounds[col], abs=1e-9)
        assert gaps.loc[key, "low"] <= gaps.loc[key, "gap"] <= gaps.loc[key, "high"]
    assert gaps.loc["eo", "gap_observed"] == pytest.approx(rounds["eo_difference_observed"])
    eo = gaps.loc["eo"]
    cell = f"{eo['gap'] * 100:.0f} ({eo['low'] * 100:+.0f} to {eo['high'] * 100:+.0f})"
    assert cell in default_brief


def test_the_brief_fetches_nothing_and_links_only_to_the_replay(default_brief):
    low = default_brief.lower()
    assert "src=" not in low
    assert re.findall(r'href="([^"]*)"', default_brief) == ["https://example.org/?a=1&amp;b=2"]
    for banned in ("<link", "<script", "@import", "url(", "<iframe", "<object", "<img"):
        assert banned not in low, banned
    assert "default-src 'none'" in default_brief  # the page forbids fetches to the browser too


def test_hostile_group_names_are_escaped_everywhere(default_run):
    config, frames, dataset = default_run
    rename = {"Female": HOSTILE, "Male": HOSTILE_2}
    hostile = {k: v.copy() for k, v in frames.items()}
    hostile["groups"]["group"] = hostile["groups"]["group"].map(rename)
    cfg = config.with_changes(
        scenarios=[{"name": "label_bias", "params": {"group": HOSTILE, "flip": 0.4}}]
    )
    page = brief_html(cfg, hostile, dataset=dataset)
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page


def test_replay_links_other_than_web_addresses_are_refused(default_run):
    config, frames, dataset = default_run
    for url in ("javascript:alert(1)", "data:text/html,x", "https://"):
        with pytest.raises(UserInputError, match="replay_url"):
            brief_html(config, frames, replay_url=url, dataset=dataset)
    with pytest.raises(UserInputError, match=r"round: 99 is not a round of this run"):
        brief_html(config, frames, round=99, dataset=dataset)


def test_an_unfavourable_positive_says_who_a_false_flag_harms(default_run, default_brief):
    config, frames, dataset = default_run
    assert "the outcome a person would not want" not in default_brief
    unfavourable = dataclasses.replace(dataset, positive_favourable=False)
    page = brief_html(config, frames, dataset=unfavourable)
    assert "being wrongly flagged is the error that falls on the person" in page


def test_an_unresolved_config_is_described_with_its_defaults(default_run, default_brief):
    _, frames, dataset = default_run
    page = brief_html(DEFAULT_CONFIG, frames, replay_url="https://example.org/?a=1&b=2")
    assert page == default_brief  # the app's config, resolved and loaded by the brief itself
    assert "direction = down" in page and "--scenario label_bias:group=Female," in page


def test_round_zero_says_nothing_was_asked_yet(default_run):
    config, frames, dataset = default_run
    page = brief_html(config, frames, round=0, dataset=dataset)
    assert "No queries yet" in page and "round 0 of 30" in page


def test_cli_run_then_brief_writes_the_same_brief_as_a_rerun(tmp_path, capsys):
    run = tmp_path / "run"
    argv = ["run", "--out", str(run)]
    argv += ["--dataset", SMALL["dataset"], "--strategy", SMALL["strategy"]]
    argv += ["--rounds", str(SMALL["rounds"]), "--seed", str(SMALL["seed"])]
    assert cli.main(argv) == 0
    out = tmp_path / "brief.html"
    assert cli.main(["brief", "--config", str(run), "--out", str(out)]) == 0
    assert "from the records in" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    groups = last(read_run(run)["groups"])
    for g, tpr in zip(groups["group"], groups["tpr"], strict=True):
        assert f"<b>{rate_pct(tpr)}</b> of {g}" in page
    # A config.json elsewhere has no records beside it: the brief reruns it, to the same page.
    lone = tmp_path / "mine.json"
    lone.write_text((run / "config.json").read_text(encoding="utf-8"), encoding="utf-8")
    again = tmp_path / "again.html"
    assert cli.main(["brief", "--config", str(lone), "--out", str(again)]) == 0
    assert "from a rerun of the config" in capsys.readouterr().out
    assert again.read_text(encoding="utf-8") == page


def test_the_reproduction_command_replays_the_run(tmp_path):
    result, dataset = finished(RunConfig.from_dict(SMALL))
    page = brief_html(result.config, result.frames(), dataset=dataset)
    command = re.search(r"<pre>(python -m components run [^\n]*)", page)[1]
    argv = shlex.split(command.replace("&#x27;", "'").replace("&amp;", "&"))[3:]
    argv[argv.index("--out") + 1] = str(tmp_path / "replay")
    assert cli.main(argv) == 0
    replay = read_run(tmp_path / "replay")["groups"]
    original = result.frames()["groups"]
    cols = ["round", "group", "queried_cum", "tpr", "fpr", "uncertainty_bias"]
    pd.testing.assert_frame_equal(
        replay[cols].reset_index(drop=True),
        original[cols].reset_index(drop=True),
        check_dtype=False,
    )


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (["--round", "99"], "--round: 99 is not a round"),
        (["--round", "two"], "--round: 'two' is not a whole number"),
        (["--replay-url", "javascript:alert(1)"], "--replay-url:"),
    ],
)
def test_bad_brief_input_is_one_line_and_exit_2(tmp_path, capsys, extra, field):
    run = tmp_path / "run"
    assert cli.main(["run", "--out", str(run), "--dataset", "two_groups", "--rounds", "1"]) == 0
    capsys.readouterr()
    code = cli.main(["brief", "--config", str(run), "--out", str(tmp_path / "b.html"), *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {field}")
    assert not (tmp_path / "b.html").exists()


def test_broken_records_are_one_line(tmp_path, capsys):
    run = tmp_path / "run"
    assert cli.main(["run", "--out", str(run), "--dataset", "two_groups", "--rounds", "1"]) == 0
    (run / "groups.csv").write_text("round,group\n1,a\n", encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["brief", "--config", str(run), "--out", str(tmp_path / "b.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "groups.csv lacks column 'pool_share'" in err
