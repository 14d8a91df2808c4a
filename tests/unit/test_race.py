"""You are the strategy: a person's batches against the model and random, from one seed set."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from components.config import RunConfig
from components.race import RUNS, Race, found_sentence
from specs import UserInputError

TIMINGS = ["fit_seconds", "query_seconds", "metrics_seconds"]

CLUSTERS = {
    "dataset": "clusters:n_samples=600",
    "strategy": "least_confidence",
    "model": "logistic",
    "initial_size": 10,
    "batch_size": 5,
    "rounds": 3,
    "seed": 0,
}


def config(**changes: object) -> RunConfig:
    return RunConfig.from_dict({**CLUSTERS, **changes})


def free(race: Race, k: int, *, group: str | None = None) -> list[int]:
    """``k`` pool positions nobody in ``race`` has labelled yet, optionally of one group."""
    sim = race.sims["you"]
    ok = ~race.labelled("you")
    if group is not None:
        ok &= sim.split.g_pool == race.groups.index(group)
    return [int(p) for p in np.flatnonzero(ok)[:k]]


def test_all_three_runs_share_the_split_and_seed_set() -> None:
    race = Race(config(strategy="margin"))
    seeds = [race.sims[r].order[0] for r in RUNS]
    assert all(np.array_equal(seeds[0], s) for s in seeds[1:])
    splits = [race.sims[r].split for r in RUNS]
    for s in splits[1:]:
        assert np.array_equal(s.idx_pool, splits[0].idx_pool)
        assert np.array_equal(s.y_test, splits[0].y_test)
    assert race.sims["model"].config.strategy.name == "margin"
    assert race.sims["random"].config.strategy.name == "random"
    # round 0 is the same model for all three: the same accuracy
    assert len({race.standing(r, 0).accuracy for r in RUNS}) == 1


def test_picking_the_models_batches_reproduces_its_records() -> None:
    cfg = config()
    algo = Race(cfg)
    for _ in range(cfg.rounds):  # the model's own picks, labelled by its annotator
        algo.sims["model"].step()
    batches = [r.positions.tolist() for r in algo.sims["model"].records[1:]]
    race = Race(cfg, batches)
    mine, theirs = race.frames("you"), race.frames("model")
    pd.testing.assert_frame_equal(
        mine["rounds"].drop(columns=TIMINGS), theirs["rounds"].drop(columns=TIMINGS)
    )
    pd.testing.assert_frame_equal(mine["groups"], theirs["groups"])
    pd.testing.assert_frame_equal(mine["queries"], theirs["queries"])


def test_rebuild_from_batches_is_identical() -> None:
    cfg = config()
    race = Race(cfg)
    race.submit(free(race, 5))
    race.submit(free(race, 5, group="minority"))
    again = Race(cfg, race.batches)
    assert again.round == race.round == 2
    pd.testing.assert_frame_equal(again.table(), race.table())
    for run in RUNS:
        assert np.array_equal(again.query_round(run), race.query_round(run))
        assert np.array_equal(again.trace(run).grid[2], race.trace(run).grid[2])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda r: free(r, 7), "batch: you picked 7 points; pick exactly 5 unlabelled points"),
        (
            lambda r: free(r, 3),
            "batch: you picked 3 points, 2 short; pick exactly 5 unlabelled points",
        ),
        (lambda r: [], "batch: you picked 0 points, 5 short; pick exactly 5 unlabelled points"),
        (
            lambda r: [*free(r, 4), free(r, 1)[0]],
            "point {p} is picked twice; pick exactly 5 different unlabelled points",
        ),
        (
            lambda r: [*free(r, 4), int(r.sims["you"].order[0][0])],
            "1 of your points is already labelled ({p}); pick exactly 5 unlabelled points",
        ),
        (lambda r: [*free(r, 4), 10**6], "point 1000000 is not on the map; allowed: points 0 to"),
        (lambda r: ["a", 1, 2, 3, 4], "batch: 'a' is not a list of point numbers"),
    ],
)
def test_a_bad_batch_is_refused_in_one_line_and_changes_nothing(make, message) -> None:
    race = Race(config())
    before = race.table()
    batch = make(race)
    with pytest.raises(UserInputError) as err:
        race.submit(batch)
    text = str(err.value)
    assert "\n" not in text
    assert message.format(p=batch[-1] if batch else None) in text
    assert race.round == 0 and race.batches == ()
    pd.testing.assert_frame_equal(race.table(), before)


def test_only_2d_datasets_race() -> None:
    with pytest.raises(
        UserInputError,
        match=r"^dataset: 'adult' has no 2D map to pick on; allowed: two_groups, clusters",
    ):
        Race(RunConfig.from_dict({"dataset": "adult"}))


def test_after_the_last_round_the_race_refuses_more() -> None:
    race = Race(config(rounds=1))
    race.submit(free(race, 5))
    assert race.done
    with pytest.raises(UserInputError, match="all 1 rounds are picked"):
        race.submit(free(race, 5))


def test_a_person_who_goes_to_the_far_cluster_in_round_one_finds_it_in_round_one() -> None:
    race = Race(config(seed=1))
    assert race.far_group == "minority"
    assert race.found("you") is None  # seed 1's seed set holds no far row
    race.submit(free(race, 5, group="minority"))
    assert race.found("you") == 1
    st = race.standing("you")
    far = st.groups.set_index("group").loc["minority"]
    assert st.found == 1 and far["queried_cum"] == 5
    assert race.standing("you", 0).found is None  # not yet at round 0
    text = found_sentence(
        {r: race.found(r) for r in RUNS},
        far="minority",
        rounds=race.round,
        model="least_confidence",
    )
    assert text.startswith("You found the minority group first, in round 1")


def test_the_table_holds_the_ledger_and_accuracy_of_every_run_and_round() -> None:
    race = Race(config())
    race.submit(free(race, 5))
    t = race.table()
    assert set(t["run"]) == set(RUNS)
    assert sorted(set(t["round"])) == [0, 1]
    assert len(t) == len(RUNS) * 2 * len(race.groups)
    one = t[(t["run"] == "you") & (t["round"] == 1)]
    assert one["queried_cum"].sum() == 5
    assert one["query_share_cum"].sum() == pytest.approx(1.0)
    assert t["accuracy"].between(0, 1).all()


def test_two_groups_has_no_far_cluster_to_time() -> None:
    race = Race(
        RunConfig.from_dict(
            {
                "dataset": "two_groups:n_samples=400",
                "scenarios": ["label_bias:group=minority,flip=0.4"],
                "initial_size": 10,
                "batch_size": 4,
                "rounds": 1,
            }
        )
    )
    assert race.far_group is None
    assert race.found("you") is None
    trace = race.trace("model")
    assert trace.grid[2].shape[0] == 1 and trace.xy.shape == (race.n_pool, 2)


def test_a_fork_moves_on_alone() -> None:
    race = Race(config())
    twin = race.fork()
    twin.submit(free(twin, 5))
    assert race.round == 0 and twin.round == 1
    assert race.batches == () and len(race.trace("you").grid[2]) == 1
    pd.testing.assert_frame_equal(Race(config(), twin.batches).table(), twin.table())
