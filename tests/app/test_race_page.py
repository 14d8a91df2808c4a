"""AppTest: You vs the model. The keyboard route stands in for a mouse selection,
which AppTest cannot make (the browser test does a real box selection)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from components.race import Race
from dashboard import race_state as RS
from dashboard.safe import md_escape

APP = str(Path(__file__).resolve().parents[2] / "dashboard_app.py")
PAGE = "dashboard/pages/race.py"


def race_page(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def race_of(at: AppTest) -> Race:
    return RS.RACES.get(at.session_state[RS.CONFIG], at.session_state[RS.BATCHES])


def pick_ids(at: AppTest, ids: list[int]) -> AppTest:
    at.text_input(key=RS.IDS).set_value(", ".join(str(i) for i in ids))
    return at.button(key="race.ids_go").click().run()


def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def said(text: str) -> str:
    """``text`` as the page shows it (Markdown-escaped)."""
    return md_escape(text, limit=400)


def submit(at: AppTest) -> AppTest:
    return at.button(key="race.submit").click().run()


def far_points(race: Race, k: int) -> list[int]:
    sim = race.sims["you"]
    free = ~race.labelled("you") & (sim.split.g_pool == race.groups.index("minority"))
    return [int(p) for p in np.flatnonzero(free)[:k]]


def test_clusters_preset_pick_by_rectangle_and_by_numbers_and_the_race_moves():
    at = race_page()
    ok(at)
    assert not at.error
    assert at.session_state[RS.PRESET] == "clusters"
    assert any(s.value.startswith("Round 1 of 10: pick 10 points") for s in at.subheader)
    # the pick map plus three maps, ledgers and accuracy charts
    assert len(at.get("plotly_chart")) == 1 + 9
    race = race_of(at)
    assert race.found("you") is None  # seed 0: no far point in the seed set
    # a rectangle around the far cluster (centre (3.5, 4)): too many points, one message
    for name, value in (("x0", 2.0), ("x1", 5.0), ("y0", 2.5), ("y1", 5.5)):
        at.number_input(key=RS.BOX + name).set_value(value)
    at.button[
        [b.label for b in at.button].index("Pick the unlabelled points in this rectangle")
    ].click().run()
    ok(at)
    picked = at.session_state[RS.PICKED]
    assert len(picked) > 10
    assert any(f"Picked **{len(picked)}** of 10" in m.value for m in at.markdown)
    submit(at)
    assert errors(at) == [
        said(f"batch: you picked {len(picked)} points; pick exactly 10 unlabelled points")
    ]
    assert at.session_state[RS.BATCHES] == []
    at.button(key="race.trim").click().run()
    assert len(at.session_state[RS.PICKED]) == 10
    submit(at)
    ok(at)
    assert not at.error
    assert len(at.session_state[RS.BATCHES]) == 1
    assert any(s.value.startswith("Round 2 of 10") for s in at.subheader)
    race = race_of(at)
    assert race.round == 1 and race.sims["model"].round == 1 and race.sims["random"].round == 1
    assert race.found("you") == 1
    sentences = [m.value for m in at.markdown if "found the minority group first" in m.value]
    assert sentences and sentences[0].startswith("**You found the minority group first, in round 1")
    table = at.dataframe[0].value.set_index("measure")
    assert list(table.columns) == ["You", "The model", "Random"]
    assert table.loc["far cluster first labelled in round", "You"] == "1"
    assert table.loc["minority: share of questions", "You"] == "100% (10)"
    missed = table.loc["minority: true positives the model misses"]
    assert missed["You"] == "0%" and missed["The model"] == "100%"


def test_too_few_and_labelled_points_are_refused_and_the_round_does_not_advance():
    at = race_page()
    race = race_of(at)
    pick_ids(at, far_points(race, 7))
    assert any("Picked **7** of 10: pick 3 more" in m.value for m in at.markdown)
    submit(at)
    assert errors(at) == [
        said("batch: you picked 7 points, 3 short; pick exactly 10 unlabelled points")
    ]
    seed_row = int(race.sims["you"].order[0][0])
    pick_ids(at, [*far_points(race, 9), seed_row])
    submit(at)
    assert errors(at) == [
        said(
            f"batch: 1 of your points is already labelled ({seed_row}); "
            "pick exactly 10 unlabelled points"
        )
    ]
    pick_ids(at, [1, "x"])  # type: ignore[list-item]
    assert len(at.error) == 1 and at.error[0].value.startswith(
        said("point numbers: 'x' is not a number")
    )
    assert at.session_state[RS.BATCHES] == []
    assert any(s.value.startswith("Round 1 of 10") for s in at.subheader)


def test_two_groups_preset_and_a_bad_link():
    at = race_page(preset="two_groups", seed="3")
    ok(at)
    assert not at.error
    race = race_of(at)
    assert race.config.dataset.name == "two_groups" and race.config.seed == 3
    assert race.config.scenarios[0].name == "label_bias"
    assert not [m for m in at.markdown if "found the" in m.value]  # no far cluster here
    rows = list(at.dataframe[0].value["measure"])
    assert "minority: misses, as the recorded labels show" in rows  # label bias: both views
    bad = race_page(preset="adult", seed="x")
    ok(bad)
    assert len(bad.error) == 1
    assert said("preset: 'adult' is not a preset; allowed: clusters, two_groups") in errors(bad)[0]
    assert said("seed: 'x' is not allowed") in errors(bad)[0]
    assert bad.session_state[RS.PRESET] == "clusters"


def test_a_reload_resumes_the_race_from_its_link_and_a_bad_link_starts_over():
    at = race_page()
    race = race_of(at)
    pick_ids(at, far_points(race, 10))
    submit(at)
    ok(at)
    link = {k: at.query_params[k] for k in ("preset", "seed", "picks")}
    assert link["picks"] == RS.picks_to_url(at.session_state[RS.BATCHES])
    again = race_page(**{k: str(v[0] if isinstance(v, list) else v) for k, v in link.items()})
    ok(again)
    assert not again.error
    assert again.session_state[RS.BATCHES] == at.session_state[RS.BATCHES]
    assert any(s.value.startswith("Round 2 of 10") for s in again.subheader)
    bad = race_page(preset="clusters", seed="0", picks="3.x")
    ok(bad)
    assert len(bad.error) == 1 and said("picks: the link") in bad.error[0].value
    assert "picks" not in bad.query_params
    assert bad.session_state[RS.BATCHES] == []
    assert any(s.value.startswith("Round 1 of 10") for s in bad.subheader)
