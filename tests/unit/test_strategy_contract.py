"""Contract tests for every registered query strategy, and the ``*_scores`` maths.

Parametrised over ``STRATEGIES``, so a newly registered strategy is covered
without touching this file.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import entropy as kl_or_entropy

from components.config import RunConfig
from components.engine import Simulation, one_blas_thread
from components.learners import PriorModel
from components.strategies import STRATEGIES
from components.strategies.committee import bald_scores, kl_to_mean_scores, vote_entropy_scores
from components.strategies.uncertainty import (
    entropy_scores,
    least_confidence_scores,
    margin_scores,
)

DATA = "two_groups:n_samples=600"  # pool of 450 rows at test_size=0.25
NAMES = list(STRATEGIES)
BATCHES = (1, 7, 100)
SCORED = [n for n in NAMES if STRATEGIES[n].scorer is not None]
PARAMS = [(n, p.name) for n in NAMES for p in STRATEGIES[n].params]
HYPO = settings(max_examples=60, deadline=None, database=None)


def make_sim(
    name: str, *, batch: int = 7, seed: int = 0, initial: int = 20, spec: str | None = None
) -> Simulation:
    rounds = 2 if initial + 2 * batch <= 450 else 1
    return Simulation(
        RunConfig.from_dict(
            {
                "dataset": DATA,
                "strategy": spec or name,
                "batch_size": batch,
                "initial_size": initial,
                "rounds": rounds,
                "seed": seed,
            }
        )
    )


def call(sim: Simulation, n: int, *, rng_seed: int = 0, context: Any = None) -> np.ndarray:
    """Call the strategy directly, as the engine does (BLAS on one thread, as in the loop)."""
    with one_blas_thread():
        return sim.entry.func(
            sim.model,
            sim.pool_view(),
            n,
            rng=np.random.default_rng(rng_seed),
            context=context if context is not None else sim._context(),
            **sim.strategy_params,
        )


def assert_valid_picks(picks: np.ndarray, sim: Simulation, n: int) -> None:
    assert isinstance(picks, np.ndarray)
    assert np.issubdtype(picks.dtype, np.integer), picks.dtype
    assert picks.shape == (n,)
    assert len(np.unique(picks)) == n, "picks must be distinct"
    assert picks.min() >= 0 and picks.max() < sim.split.n_pool, "picks must be pool positions"
    assert not sim.labeled[picks].any(), "a pick is already labelled"


# ----------------------------------------------------------------------------- picks


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("name", NAMES)
def test_picks_are_valid_and_inputs_untouched(name: str, batch: int) -> None:
    sim = make_sim(name, batch=batch)
    assert batch <= sim.pool_view().n_unlabeled
    pool = sim.pool_view()
    ctx = sim._context()
    # What a strategy sees is read-only, so it cannot corrupt the run.
    for arr in (pool.X, pool.group, pool.labeled):
        assert not arr.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            arr[0] = arr[0]
    before = {
        "X": pool.X.copy(),
        "group": pool.group.copy(),
        "labeled": pool.labeled.copy(),
        "proba": None if ctx.proba is None else ctx.proba.copy(),
        "committee": None if ctx.committee_proba is None else ctx.committee_proba.copy(),
        "labeled_y": ctx.labeled_y.copy(),
        "labeled_positions": ctx.labeled_positions.copy(),
        "y_answer": sim.y_answer.copy(),
    }
    picks = call(sim, batch, context=ctx)
    assert_valid_picks(picks, sim, batch)
    np.testing.assert_array_equal(pool.X, before["X"])
    np.testing.assert_array_equal(pool.group, before["group"])
    np.testing.assert_array_equal(pool.labeled, before["labeled"])
    assert ctx.proba is not None, "the engine passes the pool probabilities"
    np.testing.assert_array_equal(ctx.proba, before["proba"])
    if before["committee"] is not None:
        np.testing.assert_array_equal(ctx.committee_proba, before["committee"])
    np.testing.assert_array_equal(ctx.labeled_y, before["labeled_y"])
    np.testing.assert_array_equal(ctx.labeled_positions, before["labeled_positions"])
    np.testing.assert_array_equal(sim.y_answer, before["y_answer"])
    # propose() is the engine's path: also valid, and it labels nothing.
    n_labeled = int(sim.labeled.sum())
    assert_valid_picks(sim.propose(), sim, batch)
    assert int(sim.labeled.sum()) == n_labeled


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("name", NAMES)
def test_same_seed_and_config_give_the_same_picks(name: str, batch: int) -> None:
    a, b = make_sim(name, batch=batch), make_sim(name, batch=batch)
    first_a, first_b = a.propose(), b.propose()
    np.testing.assert_array_equal(first_a, first_b)
    if batch == 7:  # a second round too: strategies may keep state between rounds
        a.step(positions=first_a)
        b.step(positions=first_b)
        second_a, second_b = a.propose(), b.propose()
        assert_valid_picks(second_a, a, batch)
        np.testing.assert_array_equal(second_a, second_b)


@pytest.mark.parametrize("name", NAMES)
def test_asking_for_more_than_the_unlabelled_rows_is_a_clear_error(name: str) -> None:
    sim = make_sim(name)
    free = sim.pool_view().n_unlabeled
    expected = f"n={free + 1} is more than the {free} unlabelled pool rows; allowed: 1 to {free}"
    with pytest.raises(ValueError) as info:
        call(sim, free + 1)
    assert str(info.value) == expected
    with pytest.raises(ValueError, match=f"allowed: 1 to {free}"):
        call(sim, 0)


def test_asking_for_zero_rows_does_not_claim_zero_is_too_many() -> None:
    for name in ("random", "least_confidence"):  # check_n and top_n paths
        sim = make_sim(name)
        with pytest.raises(ValueError) as info:
            call(sim, 0)
        assert "n=0 is more than" not in str(info.value)


# ----------------------------------------------------------------------------- parameters


def _out_of_range(name: str, param: str) -> str:
    p = STRATEGIES[name].param(param)
    if p.choices is not None or p.kind == "bool":
        return "bogus"
    if p.high is not None:
        return str(p.high + 1)
    return str(p.low - 1)


@pytest.mark.parametrize(("name", "param"), PARAMS)
def test_out_of_range_parameter_names_field_value_and_bounds(name: str, param: str) -> None:
    p = STRATEGIES[name].param(param)
    value = _out_of_range(name, param)
    with pytest.raises(ValueError) as info:
        RunConfig.from_dict({"dataset": DATA, "strategy": f"{name}:{param}={value}"})
    msg = str(info.value)
    assert f"strategy '{name}'" in msg
    assert f"{param}=" in msg and value in msg
    assert f"allowed: {p.bounds()}" in msg
    if p.choices is None and p.kind != "bool":  # numbers: also text that is not a number
        with pytest.raises(ValueError, match=rf"{param}='abc' is not a.*allowed: "):
            STRATEGIES.resolve(f"{name}:{param}=abc")


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_is_named_with_a_suggestion(name: str) -> None:
    entry = STRATEGIES[name]
    if entry.params:
        # a one-letter name (minmax_group's p) has no typo that still looks like it
        real = next((p.name for p in entry.params if len(p.name) > 2), entry.params[0].name)
        typo = real[:-1]
        with pytest.raises(ValueError) as info:
            RunConfig.from_dict({"dataset": DATA, "strategy": f"{name}:{typo}=1"})
        msg = str(info.value)
        assert f"unknown parameter '{typo}'" in msg
        assert f"did you mean '{real}'?" in msg
        assert "allowed: " + ", ".join(p.name for p in entry.params) in msg
    else:
        with pytest.raises(ValueError, match=r"unknown parameter 'bogus'; allowed: \(none\)"):
            RunConfig.from_dict({"dataset": DATA, "strategy": f"{name}:bogus=1"})


@pytest.mark.parametrize("name", NAMES)
def test_typo_in_strategy_name_suggests_the_right_one(name: str) -> None:
    typo = name[:-1]
    with pytest.raises(ValueError) as info:
        RunConfig.from_dict({"dataset": DATA, "strategy": typo})
    msg = str(info.value)
    assert f"strategy: '{typo}' is not a known name" in msg
    assert f"did you mean '{name}'?" in msg
    assert "allowed: " + ", ".join(NAMES) in msg


# ----------------------------------------------------------------------------- scores


@pytest.mark.parametrize("name", SCORED)
def test_scorer_gives_finite_scores_for_every_pool_row(name: str) -> None:
    sim = make_sim(name)
    scorer = sim.entry.pool_scorer
    scores = scorer(sim.model, sim.pool_view(), sim._context(), **sim.strategy_params)
    assert scores.shape == (sim.split.n_pool,)
    assert np.isfinite(scores).all()
    # the engine computed the same scores for this round (they explain the picks)
    np.testing.assert_allclose(scores, sim.scores)


def test_least_confidence_scores_by_hand() -> None:
    p = np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]])
    np.testing.assert_allclose(least_confidence_scores(p), [0.1, 0.5, 0.2])
    three = np.array([[0.5, 0.3, 0.2], [1 / 3, 1 / 3, 1 / 3], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(least_confidence_scores(three), [0.5, 2 / 3, 0.0])


def test_margin_scores_by_hand() -> None:
    p = np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8], [1.0, 0.0]])
    np.testing.assert_allclose(margin_scores(p), [0.2, 1.0, 0.4, 0.0])
    # three classes: only the top two count, wherever they are
    three = np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.4, 0.4, 0.2]])
    np.testing.assert_allclose(margin_scores(three), [0.8, 0.8, 1.0])


def test_entropy_scores_by_hand() -> None:
    p = np.array([[1.0, 0.0], [0.5, 0.5], [0.25, 0.75]])
    expected = [0.0, np.log(2), -(0.25 * np.log(0.25) + 0.75 * np.log(0.75))]
    np.testing.assert_allclose(entropy_scores(p), expected)
    np.testing.assert_allclose(entropy_scores(np.full((1, 3), 1 / 3)), [np.log(3)])


@HYPO
@given(arrays(np.float64, st.integers(2, 30), elements=st.floats(0.0, 1.0)))
def test_binary_uncertainty_scores_rank_points_alike(p1: np.ndarray) -> None:
    """For two classes, all three measures order points by distance from 0.5."""
    proba = np.column_stack([1.0 - p1, p1])
    lc, mg, en = least_confidence_scores(proba), margin_scores(proba), entropy_scores(proba)
    dist = np.abs(p1 - 0.5)
    np.testing.assert_allclose(lc, 0.5 - dist, atol=1e-12)
    np.testing.assert_allclose(mg, 1.0 - 2.0 * dist, atol=1e-12)
    i, j = np.meshgrid(np.arange(len(p1)), np.arange(len(p1)))
    closer = dist[i] < dist[j] - 1e-9
    assert (en[i][closer] > en[j][closer] - 1e-12).all()
    assert (en >= -1e-12).all() and (en <= np.log(2) + 1e-12).all()


def test_vote_entropy_scores_by_hand() -> None:
    agree = np.array([[[0.9, 0.1]], [[0.6, 0.4]], [[0.7, 0.3]], [[0.8, 0.2]]])
    split = np.array([[[0.9, 0.1]], [[0.4, 0.6]], [[0.7, 0.3]], [[0.2, 0.8]]])
    three_one = np.array([[[0.9, 0.1]], [[0.6, 0.4]], [[0.7, 0.3]], [[0.2, 0.8]]])
    got = vote_entropy_scores(np.concatenate([agree, split, three_one], axis=1))
    np.testing.assert_allclose(got, [0.0, np.log(2), kl_or_entropy([0.75, 0.25])])
    # three classes: votes for classes 0, 0, 2 -> shares (2/3, 0, 1/3)
    three = np.array([[[0.6, 0.3, 0.1]], [[0.5, 0.1, 0.4]], [[0.1, 0.2, 0.7]]])
    np.testing.assert_allclose(vote_entropy_scores(three), [kl_or_entropy([2 / 3, 1 / 3])])


def test_kl_to_mean_scores_by_hand() -> None:
    same = np.array([[[0.3, 0.7]], [[0.3, 0.7]]])
    apart = np.array([[[0.9, 0.1]], [[0.1, 0.9]]])
    uneven = np.array([[[0.8, 0.2]], [[0.5, 0.5]], [[0.2, 0.8]]])
    got = kl_to_mean_scores(np.concatenate([same, apart], axis=1))
    kl = kl_or_entropy([0.9, 0.1], [0.5, 0.5])
    np.testing.assert_allclose(got, [0.0, kl], atol=1e-12)
    mean = uneven[:, 0].mean(axis=0)
    want = np.mean([kl_or_entropy(m, mean) for m in uneven[:, 0]])
    np.testing.assert_allclose(kl_to_mean_scores(uneven), [want])


def test_bald_scores_by_hand() -> None:
    unsure_alike = np.array([[[0.5, 0.5]], [[0.5, 0.5]]])  # uncertain, but no disagreement
    sure_apart = np.array([[[1.0, 0.0]], [[0.0, 1.0]]])  # each sure, total disagreement
    mixed = np.array([[[0.9, 0.1]], [[0.3, 0.7]]])
    got = bald_scores(np.concatenate([unsure_alike, sure_apart, mixed], axis=1))
    h = kl_or_entropy
    want_mixed = h([0.6, 0.4]) - (h([0.9, 0.1]) + h([0.3, 0.7])) / 2
    np.testing.assert_allclose(got, [0.0, np.log(2), want_mixed], atol=1e-12)


@HYPO
@given(
    st.integers(2, 6),
    st.integers(1, 8),
    st.integers(0, 2**32 - 1),
)
def test_committee_scores_bounds(members: int, n: int, seed: int) -> None:
    p = np.random.default_rng(seed).dirichlet([0.5, 0.5], size=(members, n))
    ve, kl, bald = vote_entropy_scores(p), kl_to_mean_scores(p), bald_scores(p)
    for s in (ve, kl, bald):
        assert s.shape == (n,) and np.isfinite(s).all()
    assert (ve >= -1e-12).all() and (ve <= np.log(2) + 1e-12).all()
    assert (kl >= -1e-12).all()
    assert (bald >= -1e-12).all() and (bald <= entropy_scores(p.mean(axis=0)) + 1e-12).all()
    # BALD (mutual information) equals the mean KL of the members to the committee mean
    np.testing.assert_allclose(bald, kl, atol=1e-10)


# ----------------------------------------------------------------------------- ties

#: Inputs of a ``*_scores`` function that come from the model (or the group), not the features.
#: ``group_loss`` is one number per group, so its scores tie within a group too.
MODEL_INPUTS = {"proba", "committee_proba", "uncertainty", "group", "deficit", "group_loss"}


def reads_only_the_model(name: str) -> bool:
    """Whether the strategy's score reads nothing of the features, from its scorer's signature."""
    scorer = STRATEGIES[name].scorer
    if scorer is None:
        return False
    sig = inspect.signature(scorer).parameters.values()
    inputs = {p.name for p in sig if p.kind is p.POSITIONAL_OR_KEYWORD}
    return inputs <= MODEL_INPUTS


#: With one labelled row the model is a PriorModel, so these scores tie (within a group).
TIED = [n for n in NAMES if reads_only_the_model(n)]
#: ... and these strategies' picks then come from the rng: tied scores, or no score at all.
RNG_DRIVEN = [n for n in NAMES if reads_only_the_model(n) or STRATEGIES[n].scorer is None]


def test_the_tie_lists_come_from_the_registry() -> None:
    # coreset and density_weighted read the features, so a PriorModel does not tie them
    assert {"least_confidence", "bald", "fair_uncertainty"} <= set(TIED)
    assert not {"coreset", "density_weighted"} & set(RNG_DRIVEN)
    assert "random" in RNG_DRIVEN and "random" not in TIED


@pytest.mark.parametrize("name", TIED)
def test_prior_model_makes_scores_tie(name: str) -> None:
    sim = make_sim(name, initial=1)
    assert isinstance(sim.model, PriorModel)
    free = ~sim.labeled
    for g in range(sim.n_groups):
        s = sim.scores[free & (sim.split.g_pool == g)]
        assert np.ptp(s) == 0.0, f"scores of group {g} should all tie under a PriorModel"


@pytest.mark.parametrize("name", RNG_DRIVEN)
def test_ties_are_broken_by_the_rng_not_by_position(name: str) -> None:
    sim = make_sim(name, initial=1, batch=20)
    assert isinstance(sim.model, PriorModel)
    n = 20
    a, b = call(sim, n, rng_seed=0), call(sim, n, rng_seed=1)
    assert_valid_picks(a, sim, n)
    assert set(a.tolist()) != set(b.tolist()), "different rngs should break ties differently"
    free = np.flatnonzero(~sim.labeled)
    assert set(a.tolist()) != set(free[:n].tolist()), "ties went to the lowest positions"
    for g in range(sim.n_groups):
        mine = np.sort(a[sim.split.g_pool[a] == g])
        if len(mine) >= 2:
            lowest = free[sim.split.g_pool[free] == g][: len(mine)]
            assert not np.array_equal(mine, lowest), f"group {g}: ties went to lowest positions"
    # and a different run seed gives a different batch too
    other = make_sim(name, initial=1, batch=20, seed=1)
    assert set(other.propose().tolist()) != set(sim.propose().tolist())
