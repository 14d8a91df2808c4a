"""``minmax_group``: queries go to the group with the largest held-out loss."""

from __future__ import annotations

import numpy as np
import pytest

from components.config import RunConfig
from components.engine import Simulation
from components.strategies import STRATEGIES, PoolView, QueryContext
from components.strategies.minmax import (
    CHANCE,
    group_losses,
    minmax_group,
    validation_mask,
)

SEEDS = range(5)


def run_share(strategy: str, seed: int, *, scenario: str) -> tuple[float, float]:
    """(minority share of the queries, minority share of the pool) after 10 rounds of 10."""
    sim = Simulation(
        RunConfig.from_dict(
            {
                "dataset": "two_groups:n_samples=2000",
                "scenarios": [scenario],
                "strategy": strategy,
                "initial_size": 40,
                "batch_size": 10,
                "rounds": 10,
                "seed": seed,
            }
        )
    )
    minority = sim.split.groups.index("minority")
    seed_set = sim.labeled.copy()
    sim.run()
    queried = sim.labeled & ~seed_set
    g = sim.split.g_pool
    return float(np.mean(g[queried] == minority)), float(np.mean(g == minority))


def toy_pool(n: int = 40, labeled: int = 10) -> PoolView:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 2))
    group = np.arange(n) % 2
    lab = np.zeros(n, dtype=bool)
    lab[:labeled] = True
    for arr in (X, group, lab):
        arr.flags.writeable = False
    return PoolView(X=X, group=group, labeled=lab, groups=("a", "b"))


@pytest.mark.parametrize(
    "scenario",
    ["measurement_noise:group=minority,sigma=2.0", "label_bias:group=minority,flip=0.3"],
)
def test_the_harder_group_is_queried_more_than_its_pool_share(scenario: str) -> None:
    # two_groups' minority has its own boundary, so one linear model serves it
    # worse; noisy features or labels make it harder still
    shares = [run_share("minmax_group", seed, scenario=scenario) for seed in SEEDS]
    query = np.array([q for q, _ in shares])
    pool = shares[0][1]
    assert (query > pool).all(), (query, pool)
    assert query.mean() > 2 * pool, (query, pool)
    # random sampling, the same runs otherwise, stays near the pool share
    rand = np.mean([run_share("random", seed, scenario=scenario)[0] for seed in SEEDS])
    assert abs(rand - pool) < 0.1
    assert query.mean() > rand + 0.3


def test_with_p_zero_every_pick_is_in_the_worst_group_and_distinct() -> None:
    pool = toy_pool()
    scores = np.where(pool.group == 1, 0.9, 0.2)  # group 1 has the larger loss
    for seed in range(3):
        picks = minmax_group(
            None,
            pool,
            12,
            rng=np.random.default_rng(seed),
            context=QueryContext(scores=scores),
            p=0.0,
        )
        assert (pool.group[picks] == 1).all()
        assert len(set(picks.tolist())) == 12
        assert not pool.labeled[picks].any()
    # the worst group has 15 free rows: the 16th pick and on go to the next group
    picks = minmax_group(
        None, pool, 20, rng=np.random.default_rng(0), context=QueryContext(scores=scores), p=0.0
    )
    assert np.bincount(pool.group[picks], minlength=2).tolist() == [5, 15]


def test_with_p_one_picks_ignore_the_losses() -> None:
    pool = toy_pool(n=400, labeled=0)
    scores = np.where(pool.group == 1, 0.9, 0.2)
    picks = minmax_group(
        None, pool, 200, rng=np.random.default_rng(0), context=QueryContext(scores=scores), p=1.0
    )
    assert 0.4 < float(np.mean(pool.group[picks] == 1)) < 0.6
    assert len(set(picks.tolist())) == 200 and picks.min() >= 0 and picks.max() < 400


def test_picks_are_distinct_in_range_and_unlabelled_over_rounds() -> None:
    sim = Simulation(
        RunConfig.from_dict(
            {
                "dataset": "two_groups:n_samples=600",
                "strategy": "minmax_group:p=0.3",
                "initial_size": 20,
                "batch_size": 25,
                "rounds": 4,
                "seed": 3,
            }
        )
    )
    for _ in range(4):
        picks = sim.propose()
        assert len(set(picks.tolist())) == 25
        assert picks.min() >= 0 and picks.max() < sim.split.n_pool
        assert not sim.labeled[picks].any()
        sim.step(positions=picks)


def test_group_losses_by_hand_and_a_group_without_held_out_rows() -> None:
    pool = toy_pool()  # group = position % 2
    lab = np.arange(7)
    val = validation_mask(lab, 0.3)
    assert lab[val].tolist() == [2]  # one held-out row, of group 0
    y = np.array([0, 1, 1, 0, 1, 0, 1])
    fitted = []

    def fit(X: np.ndarray, y_fit: np.ndarray) -> _Const:
        fitted.append(len(y_fit))
        return _Const(0.8)

    ctx = QueryContext(labeled_positions=lab, labeled_y=y, fit=fit)
    losses = group_losses(pool, ctx, val_share=0.3)
    assert fitted == [6], "one refit, on the rows that are not held out"
    # a constant P(y=1) = 0.8 on a held-out positive: log loss -log 0.8
    assert losses[0] == pytest.approx(-np.log(0.8))
    assert np.isnan(losses[1])
    assert group_losses(pool, ctx, val_share=0.3, loss="error")[0] == 0.0
    # the scorer fills the unmeasured group with the worst of chance and the others
    scores = minmax_group_scores_of(pool, ctx)
    assert scores[1] == pytest.approx(CHANCE["log"]) and scores[0] == pytest.approx(-np.log(0.8))


def minmax_group_scores_of(pool: PoolView, ctx: QueryContext) -> np.ndarray:
    return STRATEGIES["minmax_group"].pool_scorer(None, pool, ctx, val_share=0.3, loss="log")


class _Const:
    """A fitted model that says P(y=1) = ``p1`` for every row."""

    classes_ = np.array([0, 1])

    def __init__(self, p1: float) -> None:
        self.p1 = p1

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.tile([1.0 - self.p1, self.p1], (len(X), 1))
