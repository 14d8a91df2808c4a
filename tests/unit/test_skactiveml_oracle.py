"""Uncertainty strategies against an independent implementation: scikit-activeml 1.0.1.

Both sides score the pool with the SAME fitted LogisticRegression (the
Simulation's model, wrapped in ``SklearnClassifier`` and queried with
``fit_clf=False``), so any difference is in the strategy, not the model.
"""

from __future__ import annotations

import numpy as np
import pytest
from skactiveml.classifier import SklearnClassifier
from skactiveml.pool import UncertaintySampling
from skactiveml.utils import MISSING_LABEL
from sklearn.linear_model import LogisticRegression

from components.config import RunConfig
from components.engine import Simulation

DATA = "two_groups:n_samples=600"
#: our strategy name -> scikit-activeml's method name
METHODS = {"least_confidence": "least_confident", "margin": "margin_sampling", "entropy": "entropy"}


def make_sim(strategy: str, *, batch: int, rounds: int, seed: int = 0) -> Simulation:
    return Simulation(
        RunConfig.from_dict(
            {
                "dataset": DATA,
                "strategy": strategy,
                "batch_size": batch,
                "rounds": rounds,
                "initial_size": 20,
                "seed": seed,
            }
        )
    )


def skal_query(sim: Simulation, method: str, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """scikit-activeml's picks and utilities for the Simulation's current model."""
    X = np.asarray(sim.split.X_pool)
    y = np.full(sim.split.n_pool, MISSING_LABEL)
    y[sim.labeled] = sim.y_answer[sim.labeled]
    assert isinstance(sim.model, LogisticRegression)
    clf = SklearnClassifier(sim.model, classes=[0, 1], missing_label=MISSING_LABEL)
    clf.fit(X, y)  # sets up the wrapper's bookkeeping
    clf.estimator_ = sim.model  # ... then score with the very same fitted model
    np.testing.assert_array_equal(clf.predict_proba(X), sim.proba_pool)
    qs = UncertaintySampling(method=method, missing_label=MISSING_LABEL, random_state=0)
    picks, utilities = qs.query(X, y, clf, fit_clf=False, batch_size=batch, return_utilities=True)
    return np.asarray(picks), utilities[0]


def assert_no_ties_near_the_cut(utilities: np.ndarray, batch: int) -> None:
    """The comparison is only exact where the top ``batch + 1`` utilities differ."""
    u = np.sort(utilities[~np.isnan(utilities)])[::-1][: batch + 1]
    assert (np.diff(u) < 0).all(), "pool has ties at the cut; pick another seed"


@pytest.mark.parametrize("strategy", list(METHODS))
def test_batch_of_one_matches_over_several_rounds(strategy: str) -> None:
    sim = make_sim(strategy, batch=1, rounds=8)
    for _ in range(8):
        theirs, utilities = skal_query(sim, METHODS[strategy], 1)
        assert_no_ties_near_the_cut(utilities, 1)
        ours = sim.propose()
        np.testing.assert_array_equal(ours, theirs)
        # scikit-activeml marks labelled rows NaN; elsewhere our scores equal its utilities
        free = ~sim.labeled
        np.testing.assert_allclose(sim.scores[free], utilities[free], rtol=1e-12, atol=1e-12)
        assert np.isnan(utilities[sim.labeled]).all()
        sim.step(positions=ours)


@pytest.mark.parametrize("batch", [5, 25, 100])
@pytest.mark.parametrize("strategy", list(METHODS))
def test_larger_batches_match_as_sets(strategy: str, batch: int) -> None:
    sim = make_sim(strategy, batch=batch, rounds=3)
    for _ in range(3):
        theirs, utilities = skal_query(sim, METHODS[strategy], batch)
        assert_no_ties_near_the_cut(utilities, batch)
        ours = sim.propose()
        assert set(ours.tolist()) == set(theirs.tolist())
        sim.step(positions=ours)
