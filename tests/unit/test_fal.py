"""``fal``: both terms normalised, so ``alpha`` moves the picks; ``alpha = 1`` is entropy."""

from __future__ import annotations

import numpy as np
import pytest

from components.config import RunConfig
from components.engine import Simulation
from components.strategies.fal import fal_scores, minmax_normalise
from components.strategies.uncertainty import entropy_scores

SEEDS = range(5)
BATCH = 5


def make_sim(alpha: float, seed: int, *, lookahead: bool = True) -> Simulation:
    flag = "true" if lookahead else "false"
    return Simulation(
        RunConfig.from_dict(
            {
                "dataset": "two_groups:n_samples=800",
                "scenarios": ["label_bias:group=minority,flip=0.5"],
                "strategy": f"fal:alpha={alpha},candidates=32,eval_size=300,lookahead={flag}",
                "initial_size": 30,
                "batch_size": BATCH,
                "rounds": 1,
                "seed": seed,
            }
        )
    )


def test_minmax_normalise_by_hand() -> None:
    np.testing.assert_allclose(minmax_normalise(np.array([1.0, 3.0, 2.0, 5.0])), [0, 0.5, 0.25, 1])
    np.testing.assert_array_equal(minmax_normalise(np.array([0.3, 0.3, 0.3])), [0, 0, 0])
    assert minmax_normalise(np.zeros(0)).shape == (0,)


def test_fal_scores_normalise_both_terms_by_hand() -> None:
    # entropy spans 0.45, unfairness only 0.008: after normalising each spans 1
    h = np.array([0.50, 0.95, 0.70, 0.60])
    u = np.array([0.012, 0.020, 0.016, 0.014])
    h_n = np.array([0.0, 1.0, 0.20 / 0.45, 0.10 / 0.45])
    u_n = np.array([0.0, 1.0, 0.5, 0.25])
    for alpha in (0.0, 0.25, 0.5, 1.0):
        np.testing.assert_allclose(
            fal_scores(h, u, alpha=alpha), alpha * h_n - (1 - alpha) * u_n, atol=1e-12
        )
    # alpha = 0.5: row 0 (least informative, fairest) and row 1 (most informative,
    # least fair) tie at 0
    s = fal_scores(h, u, alpha=0.5)
    assert s[0] == pytest.approx(0.0) and s[1] == pytest.approx(0.0)
    # the rescaling does not depend on the units of either term
    np.testing.assert_allclose(fal_scores(h * 7, u / 3, alpha=0.3), fal_scores(h, u, alpha=0.3))
    # the limits: alpha = 1 orders by entropy, alpha = 0 by (lowest) unfairness
    assert np.argsort(-fal_scores(h, u, alpha=1.0)).tolist() == np.argsort(-h).tolist()
    assert np.argsort(-fal_scores(h, u, alpha=0.0)).tolist() == np.argsort(u).tolist()


@pytest.mark.parametrize("lookahead", [True, False])
def test_alpha_changes_the_picks_and_alpha_one_is_entropy_sampling(lookahead: bool) -> None:
    differ_0, differ_half, entropy_top = 0, 0, 0
    for seed in SEEDS:
        picks = {a: make_sim(a, seed, lookahead=lookahead).propose() for a in (0.0, 0.5, 1.0)}
        differ_0 += set(picks[0.0].tolist()) != set(picks[1.0].tolist())
        differ_half += set(picks[0.5].tolist()) != set(picks[1.0].tolist())
        sim = make_sim(1.0, seed, lookahead=lookahead)
        h = entropy_scores(sim.proba_pool)
        h[sim.labeled] = -np.inf
        best = np.sort(h)[::-1][:BATCH]
        # alpha = 1 takes the highest-entropy rows, best first
        np.testing.assert_allclose(h[picks[1.0]], best)
        entropy_top += 1
    assert differ_0 >= 4, f"alpha 0 and 1 differ in {differ_0} of 5 seeds"
    assert differ_half >= 4, f"alpha 0.5 and 1 differ in {differ_half} of 5 seeds"
    assert entropy_top == len(SEEDS)


def test_candidates_are_the_highest_entropy_rows() -> None:
    sim = make_sim(0.0, 0, lookahead=False)
    h = entropy_scores(sim.proba_pool)
    h[sim.labeled] = -np.inf
    cut = np.sort(h)[::-1][31]  # the 32nd highest entropy
    assert (h[sim.propose()] >= cut).all()
