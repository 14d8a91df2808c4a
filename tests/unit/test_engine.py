"""The active-learning loop: determinism, replay, rounds, errors, human mode, direction."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom
from sklearn.linear_model import LogisticRegression

from components.config import RunConfig
from components.engine import Simulation, simulate
from components.learners import PriorModel
from specs import Spec, UserInputError

DATA = "two_groups:n_samples=600"
TIMING = ["fit_seconds", "query_seconds", "metrics_seconds"]


def config(**changes: Any) -> RunConfig:
    base: dict[str, Any] = {
        "dataset": DATA,
        "strategy": "least_confidence",
        "initial_size": 20,
        "batch_size": 10,
        "rounds": 5,
    }
    base.update(changes)
    return RunConfig.from_dict(base)


def assert_frames_equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert set(a) == set(b) == {"rounds", "groups", "queries"}
    for key in a:
        left = a[key].drop(columns=[c for c in TIMING if c in a[key]])
        right = b[key].drop(columns=[c for c in TIMING if c in b[key]])
        pd.testing.assert_frame_equal(left, right, check_exact=True)


# ----------------------------------------------------------------------------- determinism


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"strategy": "qbc_vote_entropy", "scenarios": ["label_bias:flip=0.5"]},
        {"strategy": "coreset", "scenarios": ["annotator_bias:rate=0.4", "duplicates:factor=2"]},
        {"strategy": "fair_uncertainty", "model": "random_forest", "seed": 11, "rounds": 2},
    ],
)
def test_same_config_gives_equal_frames_apart_from_timings(changes: dict[str, Any]) -> None:
    cfg = config(**changes)
    a, b = simulate(cfg).frames(), simulate(cfg).frames()
    assert_frames_equal(a, b)
    # timing columns exist and are the only exception
    assert set(TIMING) <= set(a["rounds"].columns)
    other = simulate(cfg.with_changes(seed=cfg.seed + 1)).frames()
    assert not other["queries"]["index"].equals(a["queries"]["index"]), "seed must matter"


def test_replay_through_config_json_is_identical() -> None:
    first = simulate(config(scenarios=["label_bias:flip=0.3", "measurement_noise:sigma=0.5"]))
    text = first.config.to_json()
    replay = simulate(text)
    assert replay.config == first.config
    assert replay.config.to_json() == text
    assert_frames_equal(first.frames(), replay.frames())
    # the resolved config spells out every default, the target group too
    assert '"group": "minority"' in text


def test_batch_size_does_not_change_which_rows_are_biased() -> None:
    scen = ["label_bias:flip=0.5", "measurement_noise:sigma=1", "duplicates:factor=2"]
    small = Simulation(config(batch_size=5, rounds=3, scenarios=scen))
    large = Simulation(config(batch_size=40, rounds=3, scenarios=scen))
    for f in ("y_pool_obs", "y_test_obs", "X_pool", "X_test", "idx_pool"):
        np.testing.assert_array_equal(getattr(small.split, f), getattr(large.split, f), err_msg=f)
    assert (small.split.y_pool_obs != small.split.y_pool).any(), "label bias flipped something"
    # the seed set does not depend on the batch size either
    np.testing.assert_array_equal(small.records[0].positions, large.records[0].positions)


def test_the_oracle_reveals_the_recorded_label_not_the_truth() -> None:
    sim = Simulation(config(scenarios=["label_bias:flip=0.8"], strategy="random", rounds=20))
    q = sim.run().frames()["queries"]
    s = sim.split
    np.testing.assert_array_equal(q["label_true"], s.y_pool[q["position"]])
    np.testing.assert_array_equal(q["label_observed"], s.y_pool_obs[q["position"]])
    assert (q["label_observed"] != q["label_true"]).sum() > 5, "some queried labels are biased"


# ----------------------------------------------------------------------------- rounds


def test_one_class_seed_set_uses_the_prior_until_both_classes_are_labelled() -> None:
    sim = Simulation(config(initial_size=1, batch_size=1, rounds=40))
    assert isinstance(sim.model, PriorModel)
    saw_switch = False
    while not sim.done:
        rec = sim.step()
        labels = sim.y_answer[sim.labeled]
        one_class = len(np.unique(labels)) == 1
        assert isinstance(sim.model, PriorModel) == one_class, rec.round
        assert np.isfinite(rec.overall["accuracy"])
        saw_switch |= isinstance(sim.model, LogisticRegression)
    assert saw_switch, "both classes were labelled within 40 rounds"


def test_round_semantics() -> None:
    initial, batch, rounds = 13, 7, 4
    result = simulate(config(initial_size=initial, batch_size=batch, rounds=rounds))
    assert [r.round for r in result.records] == list(range(rounds + 1))
    for r in result.records:
        assert r.n_labeled == initial + r.round * batch
        assert len(r.positions) == (initial if r.round == 0 else batch)
    frames = result.frames()
    assert frames["rounds"]["round"].tolist() == list(range(rounds + 1))
    assert frames["rounds"]["n_labeled"].tolist() == [initial + r * batch for r in range(5)]
    q = frames["queries"]
    assert q.groupby("round").size().tolist() == [initial] + [batch] * rounds
    assert q["score"][q["round"] == 0].isna().all(), "the seed set was not scored"
    assert q["score"][q["round"] > 0].notna().all()
    assert q["position"].is_unique, "no row is labelled twice"
    g = frames["groups"]
    assert (g[g["round"] == 0]["queried"] == 0).all()
    last = g[g["round"] == rounds]
    assert last["queried_cum"].sum() == batch * rounds


def test_budget_larger_than_the_pool_is_a_clear_error() -> None:
    with pytest.raises(ValueError) as info:
        Simulation(config(initial_size=50, batch_size=100, rounds=5))
    msg = str(info.value)
    assert msg.startswith("budget: initial_size=50 + batch_size=100 x rounds=5 = 550 labels")
    assert "the pool holds 450 rows" in msg and "allowed: at most 450" in msg


def test_stepping_past_the_last_round_is_a_clear_error() -> None:
    sim = Simulation(config(rounds=1))
    sim.step()
    with pytest.raises(ValueError, match="all 1 rounds are done"):
        sim.step()
    with pytest.raises(ValueError, match="all 1 rounds are done"):
        sim.propose()


# ----------------------------------------------------------------------------- human annotator


def test_human_annotator_labels_are_recorded() -> None:
    sim = Simulation(config(rounds=2))
    positions = sim.propose()
    assert int(sim.labeled.sum()) == 20, "propose labels nothing"
    answers = 1 - sim.split.y_pool_obs[positions]  # a contrary annotator
    rec = sim.step(answers, positions=positions)
    np.testing.assert_array_equal(rec.positions, positions)
    np.testing.assert_array_equal(rec.label_observed, answers)
    np.testing.assert_array_equal(rec.label_true, sim.split.y_pool[positions])
    np.testing.assert_array_equal(sim.y_answer[positions], answers)
    q = sim.result().frames()["queries"]
    np.testing.assert_array_equal(q[q["round"] == 1]["label_observed"], answers)
    # the model learns from the human's answers, not the data's labels
    lab = np.concatenate(sim.order)
    ctx = sim._context()
    np.testing.assert_array_equal(ctx.labeled_y, sim.y_answer[lab])


def test_human_annotator_wrong_answers_are_a_clear_error() -> None:
    sim = Simulation(config(rounds=2))
    positions = sim.propose()
    for bad in (np.zeros(len(positions) - 1, int), np.full(len(positions), 2)):
        with pytest.raises(ValueError, match=r"labels: got \d+ answers for 10 queried rows"):
            sim.step(bad, positions=positions)
    assert sim.round == 0 and int(sim.labeled.sum()) == 20


def test_human_annotator_positions_must_be_unlabelled_pool_rows() -> None:
    sim = Simulation(config(rounds=3))
    already = np.flatnonzero(sim.labeled)[:10]
    with pytest.raises(ValueError):
        sim.step(np.ones(10, int), positions=already)
    with pytest.raises(ValueError):
        sim.step(np.ones(10, int), positions=np.full(10, np.flatnonzero(~sim.labeled)[0]))
    with pytest.raises(ValueError):
        sim.step(np.ones(1, int), positions=np.array([10**6]))


# ----------------------------------------------------------------------------- features


def test_use_group_feature_adds_one_hot_group_columns() -> None:
    plain = Simulation(config(rounds=1))
    with_group = Simulation(config(rounds=1, use_group_feature=True))
    s, t = plain.split, with_group.split
    k = s.n_groups
    assert t.X_pool.shape == (s.n_pool, s.X_pool.shape[1] + k)
    assert t.n_group_cols == k and s.n_group_cols == 0
    np.testing.assert_array_equal(t.X_pool[:, :-k], s.X_pool)
    np.testing.assert_array_equal(t.X_pool[:, -k:], np.eye(k)[t.g_pool])
    np.testing.assert_array_equal(t.X_test[:, -k:], np.eye(k)[t.g_test])
    assert with_group.model.coef_.shape == (1, s.X_pool.shape[1] + k)


# ----------------------------------------------------------------------------- direction

SEEDS = range(5)


def minority_query_share(strategy: str, seed: int) -> tuple[float, float, int, int]:
    result = simulate(
        {
            "dataset": "two_groups:n_samples=1000,minority_fraction=0.1",
            "strategy": strategy,
            "initial_size": 20,
            "batch_size": 10,
            "rounds": 10,
            "seed": seed,
        }
    )
    g = result.frames()["groups"]
    last = g[(g["round"] == 10) & (g["group"] == "minority")].iloc[0]
    return (
        float(last["pool_share"]),
        float(last["query_share_cum"]),
        int(last["queried_cum"]),
        int(g[(g["round"] == 10)]["queried_cum"].sum()),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_group_balanced_queries_the_minority_well_above_its_pool_share(seed: int) -> None:
    pool_share, query_share, _, _ = minority_query_share("group_balanced", seed)
    assert pool_share == pytest.approx(0.1, abs=0.01)
    # target=equal aims at half the labels; 3x the pool share is "clearly above"
    assert query_share > 3 * pool_share, (pool_share, query_share)


@pytest.mark.parametrize("seed", SEEDS)
def test_random_tracks_pool_shares_within_a_binomial_bound(seed: int) -> None:
    pool_share, _, k, n = minority_query_share("random", seed)
    # without replacement the spread is smaller than binomial, so this bound is safe
    lo, hi = binom.ppf(1e-4, n, pool_share), binom.isf(1e-4, n, pool_share)
    assert lo <= k <= hi, (k, n, pool_share, lo, hi)


# ----------------------------------------------------------------------------- the config


def test_a_run_config_cannot_exist_invalid() -> None:
    cfg = config()
    for build in (
        lambda: RunConfig(rounds=-1),
        lambda: RunConfig(strategy=Spec("least_confidense")),
        lambda: RunConfig(scenarios=(Spec("label_bias", (("flip", "2"),)),)),
        lambda: RunConfig(model="svm"),
        lambda: dataclasses.replace(cfg, batch_size=0),
        lambda: cfg.with_changes(test_size=0.99),
    ):
        with pytest.raises(UserInputError):
            build()
    assert cfg.validate() is cfg  # kept for callers; the check ran when cfg was built


def test_a_run_config_holds_its_declared_types() -> None:
    cfg = RunConfig(
        dataset="two_groups",  # type: ignore[arg-type]
        scenarios=["label_bias:flip=0.5"],  # type: ignore[arg-type]
        seed=np.int64(3),
        rounds=2.0,  # type: ignore[arg-type]
    )
    assert cfg.dataset == Spec("two_groups") and cfg.scenarios == (
        Spec.parse("label_bias:flip=0.5"),
    )
    assert type(cfg.seed) is int and type(cfg.rounds) is int and cfg.rounds == 2
    assert cfg == RunConfig.from_json(cfg.to_json())
    hash(cfg)  # a cache key


def test_input_errors_are_user_input_errors_with_the_same_messages() -> None:
    with pytest.raises(UserInputError, match="is not a valid spec"):
        RunConfig.from_dict({"strategy": ":"})
    with pytest.raises(UserInputError, match="config: unknown field 'round'"):
        RunConfig.from_dict({"round": 3})
    with pytest.raises(UserInputError, match=r"^budget: "):
        Simulation(config(initial_size=50, batch_size=100, rounds=5))
    sim = Simulation(config(rounds=1))
    with pytest.raises(UserInputError, match=r"^positions: some are out of range"):
        sim.step(positions=np.array([10**6]))
    assert issubclass(UserInputError, ValueError)
