"""components.cost: the run-cost estimate, the budget check and the budget setting.

No timing here: the constants are calibrated by benchmarks/bench_cost.py; these
tests pin the estimate's shape and the messages.
"""

from __future__ import annotations

import doctest
import re

import pytest

from components import budget, cost
from components.budget import check_budget
from components.config import RunConfig
from components.cost import (
    DEFAULT_BUDGET_SECONDS,
    MODEL_COSTS,
    estimate_parts,
    estimate_seconds,
)
from components.learners import LEARNERS
from components.strategies import STRATEGIES
from specs import Spec

#: The dashboard's first run: adult, label bias, least confidence, logistic, 20 + 30 x 10.
EXPLORE = RunConfig.from_dict(
    {
        "dataset": "adult:group=sex",
        "scenarios": ["label_bias:group=Female,flip=0.4"],
        "strategy": "least_confidence",
        "model": "logistic",
        "initial_size": 20,
        "batch_size": 10,
        "rounds": 30,
    }
)
ADULT_ROWS = 48_842

#: The most expensive link inside the app's widget ranges found so far.
PROBE = RunConfig.from_dict(
    {
        "dataset": "two_groups",
        "strategy": "bald:members=25",
        "model": "random_forest",
        "initial_size": 2000,
        "batch_size": 100,
        "rounds": 200,
    }
)
PROBE_ROWS = 500_000


def est(config: RunConfig, n_samples: int = 10_000, **kw: int) -> float:
    return estimate_seconds(config, n_samples, **kw)


# -- the shape of the estimate ----------------------------------------------------------
def test_every_learner_has_constants() -> None:
    assert set(MODEL_COSTS) == set(LEARNERS)


@pytest.mark.parametrize("model", list(LEARNERS))
def test_grows_with_rows_rounds_and_members(model: str) -> None:
    cfg = PROBE.with_changes(
        model=model, initial_size=20, batch_size=10, rounds=10, strategy=Spec("bald")
    )
    assert est(cfg, 20_000) > est(cfg, 10_000)
    assert est(cfg.with_changes(rounds=20)) > est(cfg)
    more = cfg.with_changes(strategy=cfg.strategy.with_params(members=10))
    assert est(more) > est(cfg)


def test_grows_with_labelled_rows_and_features() -> None:
    cfg = PROBE.with_changes(initial_size=20, batch_size=10, rounds=10)
    assert est(cfg.with_changes(initial_size=2000)) > est(cfg)
    assert est(cfg.with_changes(batch_size=100)) > est(cfg)
    for model in ("logistic", "gradient_boosting", "knn", "naive_bayes", "mlp"):
        wide = cfg.with_changes(model=model)
        assert est(wide, n_features=65) > est(wide, n_features=3)


def test_random_forest_costs_more_than_logistic() -> None:
    for strategy in ("random", "least_confidence", "bald"):
        cfg = EXPLORE.with_changes(strategy=STRATEGIES.resolve(strategy))
        for n in (2_000, 50_000, 500_000):
            assert est(cfg.with_changes(model="random_forest"), n) > est(cfg, n)


def test_a_committee_costs_about_members_plus_one_models() -> None:
    one = PROBE.with_changes(strategy=STRATEGIES.resolve("least_confidence"))
    ratio = est(PROBE) / est(one)
    assert 20 < ratio < 27  # 26 models; committee scoring adds a little


def test_parts_add_up_and_are_not_negative() -> None:
    for name in STRATEGIES:
        cfg = EXPLORE.with_changes(strategy=STRATEGIES.resolve(name), model="knn")
        parts = estimate_parts(cfg, ADULT_ROWS, n_features=65, n_groups=2)
        assert all(v >= 0 for v in parts.values())
        assert sum(parts.values()) == pytest.approx(estimate_seconds(cfg, ADULT_ROWS))


def test_look_ahead_and_kcenter_strategies_cost_more_than_least_confidence() -> None:
    base = est(EXPLORE, ADULT_ROWS)
    for name in ("fal", "coreset"):
        assert est(EXPLORE.with_changes(strategy=STRATEGIES.resolve(name)), ADULT_ROWS) > base


def test_duplicates_and_group_feature_raise_the_estimate() -> None:
    dup = EXPLORE.with_changes(scenarios=EXPLORE.scenarios + (Spec("duplicates"),))
    assert est(dup, ADULT_ROWS) > est(EXPLORE, ADULT_ROWS)
    ugf = EXPLORE.with_changes(use_group_feature=True, model="knn")
    assert est(ugf, n_features=10, n_groups=10) > est(
        ugf.with_changes(use_group_feature=False), n_features=10, n_groups=10
    )


# -- the budget ------------------------------------------------------------------------
def test_probe_is_far_above_the_default_budget() -> None:
    assert est(PROBE, PROBE_ROWS, n_features=2) > 30 * DEFAULT_BUDGET_SECONDS
    with pytest.raises(ValueError, match="above this server's budget"):
        check_budget(PROBE, PROBE_ROWS, DEFAULT_BUDGET_SECONDS, n_features=2)


def test_explore_default_is_far_below_the_default_budget() -> None:
    assert est(EXPLORE, ADULT_ROWS, n_features=65) < DEFAULT_BUDGET_SECONDS / 20
    check_budget(EXPLORE, ADULT_ROWS, DEFAULT_BUDGET_SECONDS)  # no error


def test_over_budget_message_names_estimate_budget_and_what_to_lower() -> None:
    with pytest.raises(ValueError) as info:
        check_budget(PROBE, PROBE_ROWS, 120.0, n_features=2)
    msg = str(info.value)
    assert "\n" not in msg
    pattern = re.escape(budget.MSG_OVER_BUDGET).replace(
        r"\{estimate\}", r"(?P<est>[\d.]+ (s|min|h))"
    )
    pattern = pattern.replace(r"\{budget\}", "2 min").replace(r"\{advice\}", "(?P<advice>.+)")
    m = re.fullmatch(pattern, msg)
    assert m, msg
    assert m["advice"].startswith(("lower ", "choose "))
    assert any(
        knob in m["advice"]
        for knob in ("rounds (200)", "members (25)", "dataset rows (500,000)", "random_forest")
    )


def test_advice_names_the_model_when_it_dominates() -> None:
    cfg = EXPLORE.with_changes(model="mlp", rounds=2, initial_size=20_000)
    with pytest.raises(ValueError, match="faster model than mlp"):
        check_budget(cfg, ADULT_ROWS, 1.0)


def test_advice_for_fal_names_its_candidates() -> None:
    cfg = EXPLORE.with_changes(
        strategy=STRATEGIES.resolve("fal:candidates=500"), model="gradient_boosting"
    )
    with pytest.raises(ValueError, match=r"candidates \(500\)"):
        check_budget(cfg, ADULT_ROWS, 1.0)


def test_format_seconds() -> None:
    assert budget.format_seconds(0.4) == "0 s"
    assert budget.format_seconds(89) == "89 s"
    assert budget.format_seconds(120) == "2 min"
    assert budget.format_seconds(2.5 * 3600) == "2.5 h"


def test_doctests() -> None:
    result = doctest.testmod(cost, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_every_strategy_is_costed() -> None:
    # A strategy that only scores the pool costs the engine's pass; anything more
    # (refits, distance passes, per-group picks) needs an entry in STRATEGY_EXTRA.
    committee = {n for n in STRATEGIES if STRATEGIES[n].extra.get("committee")}
    score_only = {"random", "least_confidence", "margin", "entropy"}
    assert set(STRATEGIES) == score_only | committee | set(cost.STRATEGY_EXTRA)
