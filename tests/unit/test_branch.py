"""Rewind and branch: shared prefix, no-op branch, changes, determinism, URL specs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from components import loop
from components.branch import BranchSpec, Trunk, branch_config, branch_trace
from components.config import RunConfig
from components.trace import RunTrace, trace_run
from specs import Spec, UserInputError

K = 3
CONFIG = RunConfig.from_dict(
    {
        "dataset": "two_groups:n_samples=600",
        "scenarios": ["label_bias:flip=0.4"],
        "strategy": "least_confidence",
        "initial_size": 10,
        "batch_size": 5,
        "rounds": 8,
    }
)


@pytest.fixture(scope="module")
def main() -> RunTrace:
    return trace_run(CONFIG)


@pytest.fixture(scope="module")
def trunk(main: RunTrace) -> Trunk:
    return Trunk(main.config)


def _no_timings(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in frame.columns if not c.endswith("_seconds")]]


def _rows(frame: pd.DataFrame, rounds: slice) -> pd.DataFrame:
    r = frame["round"]
    keep = (r >= (rounds.start or 0)) & (r <= (rounds.stop if rounds.stop is not None else r.max()))
    return frame[keep].reset_index(drop=True)


def assert_same_run(a: RunTrace, b: RunTrace) -> None:
    for name in ("rounds", "groups", "queries"):
        pd.testing.assert_frame_equal(_no_timings(a.frames[name]), _no_timings(b.frames[name]))
    np.testing.assert_array_equal(a.scores, b.scores)
    np.testing.assert_array_equal(a.query_round, b.query_round)
    np.testing.assert_array_equal(a.y_pool_obs, b.y_pool_obs)
    if a.grid is not None:
        np.testing.assert_array_equal(a.grid[2], b.grid[2])


def test_prefix_is_shared_and_not_recomputed(main, trunk, monkeypatch):
    trunk.at(K)  # the main run's state after round K is kept
    fits = []
    real_fit = loop.fit
    monkeypatch.setattr(loop, "fit", lambda *a, **kw: fits.append(1) or real_fit(*a, **kw))
    branch = branch_trace(main, BranchSpec(K, Spec("margin")), trunk)
    assert len(fits) == CONFIG.rounds - K  # one refit per round after the branch point only
    for name in ("rounds", "groups", "queries"):
        pd.testing.assert_frame_equal(
            _rows(branch.frames[name], slice(0, K)), _rows(main.frames[name], slice(0, K))
        )
    np.testing.assert_array_equal(branch.scores[: K + 1], main.scores[: K + 1])
    np.testing.assert_array_equal(branch.grid[2][: K + 1], main.grid[2][: K + 1])
    assert branch.frames["rounds"]["round"].tolist() == list(range(CONFIG.rounds + 1))


@pytest.mark.parametrize(
    "spec",
    [
        BranchSpec(K),
        BranchSpec(0),
        BranchSpec(K, Spec("least_confidence")),
        BranchSpec(K, None, (Spec("label_bias", (("flip", 0.4),)),)),
    ],
    ids=["nothing", "at-0", "same-strategy", "same-flip"],
)
def test_a_branch_that_changes_nothing_is_the_main_run(main, trunk, spec):
    assert_same_run(branch_trace(main, spec, trunk), main)


def test_another_strategy_differs_only_after_the_branch(main, trunk):
    branch = branch_trace(main, BranchSpec(K, Spec("bald", (("members", 3),))), trunk)
    q_main, q_branch = main.frames["queries"], branch.frames["queries"]
    first = K + 1
    picked = set(q_branch[q_branch["round"] == first]["position"])
    assert picked != set(q_main[q_main["round"] == first]["position"])
    assert branch.config.strategy.name == "bald"
    assert main.config.strategy.name == "least_confidence"


def test_branches_are_deterministic_and_do_not_disturb_the_trunk(main, trunk):
    spec = BranchSpec(2, Spec("entropy"))
    once = branch_trace(main, spec, trunk)
    again = branch_trace(main, spec, trunk)  # the same kept state, forked again
    fresh = branch_trace(main, spec, Trunk(main.config))
    assert_same_run(once, again)
    assert_same_run(once, fresh)
    assert_same_run(branch_trace(main, BranchSpec(2), trunk), main)


def test_a_stronger_label_bias_mislabels_more_rows_from_the_branch_on(main, trunk):
    branch = branch_trace(main, BranchSpec(K, None, (Spec("label_bias", (("flip", 0.9),)),)), trunk)
    wrong_main = main.y_pool_obs != main.y_pool
    wrong_branch = branch.y_pool_obs != branch.y_pool
    assert wrong_branch.sum() > wrong_main.sum()
    assert not (wrong_main & ~wrong_branch).any()  # the same rows as before, and more
    q = branch.frames["queries"]
    later = q[q["round"] > K]
    np.testing.assert_array_equal(
        later["label_observed"].to_numpy(), branch.y_pool_obs[later["position"].to_numpy()]
    )
    # answers revealed before the branch stay as the main run recorded them
    pd.testing.assert_frame_equal(_rows(q, slice(0, K)), _rows(main.frames["queries"], slice(0, K)))


def test_an_added_annotator_bias_answers_from_the_branch_on(main, trunk):
    change = Spec("annotator_bias", (("group", "majority"), ("rate", 1.0)))
    branch = branch_trace(main, BranchSpec(K, None, (change,)), trunk)
    q = branch.frames["queries"]
    later = q[(q["round"] > K) & (q["group"] == "majority")]
    assert (later["label_true"] == 1).any()
    assert (later["label_observed"] == 0).all()  # every positive answered as negative
    assert [s.name for s in branch.config.scenarios] == ["label_bias", "annotator_bias"]


def test_spec_round_trips_through_the_url():
    spec = BranchSpec(
        4,
        Spec("bald", (("members", 3),)),
        (Spec("label_bias", (("flip", 0.1),)), Spec("annotator_bias", (("rate", 0.5),))),
    ).validate()
    query = spec.to_query()
    assert query["branch"] == "4"
    assert BranchSpec.from_query(query) == spec
    assert BranchSpec.from_query({"round": "3"}) is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"branch": "ten"}, "at='ten'"),
        ({"branch": "-1"}, "at='-1'"),
        ({"branch": "2", "branch_strategy": "bladd"}, "'bladd'"),
        ({"branch": "2", "branch_strategy": "bald:members=999"}, "members='999'"),
        ({"branch": "2", "branch_scenario": "underrepresentation:keep=0.5"}, "underrepresentation"),
        ({"branch": "2", "branch_scenario": "cold_start_skew"}, "cold_start_skew"),
        ({"branch": "2", "branch_scenario": ["label_bias", "label_bias:flip=0.2"]}, "twice"),
        ({"branch": "2", "branch_scenario": "label_bias:flip=2"}, "flip='2'"),
        ({"branch_strategy": "bald"}, "no round"),
    ],
)
def test_bad_specs_give_one_line(query, field):
    with pytest.raises(UserInputError) as err:
        BranchSpec.from_query(query)
    msg = str(err.value)
    assert field in msg and "allowed" in msg and "\n" not in msg


def test_rounds_and_groups_are_checked_against_the_run(main):
    for spec, needle in [
        (BranchSpec(CONFIG.rounds), "[0, 7]"),
        (BranchSpec(1, None, (Spec("label_bias", (("group", "nobody"),)),)), "'nobody'"),
    ]:
        with pytest.raises(UserInputError) as err:
            branch_config(main.config, spec)
        assert needle in str(err.value) and "\n" not in str(err.value)


def test_trunk_keeps_one_state_per_round_reached(main):
    trunk = Trunk(main.config)
    assert trunk.reached == 0
    trunk.at(2)
    assert trunk.reached == 2 and trunk.nbytes > 0


TINY = RunConfig.from_dict(
    {"dataset": "two_groups:n_samples=500", "rounds": 4, "batch_size": 5, "initial_size": 10}
)


def _strategies() -> list:
    from components.strategies import STRATEGIES

    slow = {"fal"}  # refits per candidate
    return [pytest.param(n, marks=pytest.mark.slow) if n in slow else n for n in sorted(STRATEGIES)]


@pytest.mark.parametrize("name", _strategies())
def test_every_strategy_forks_exactly_and_can_be_switched_to_and_from(name):
    """Each strategy's kept state (e.g. coreset's distances, changed in place) is copied."""
    main = trace_run(TINY.with_changes(strategy=Spec(name)))
    trunk = Trunk(main.config)
    assert_same_run(branch_trace(main, BranchSpec(1), trunk), main)
    away = branch_trace(main, BranchSpec(1, Spec("least_confidence")), trunk)
    assert away.frames["rounds"]["round"].tolist() == list(range(TINY.rounds + 1))
    other = trace_run(TINY)
    towards = branch_trace(other, BranchSpec(2, Spec(name)))
    assert towards.config.strategy.name == name
    assert len(towards.frames["queries"]) == len(other.frames["queries"])
