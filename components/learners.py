"""Learners: a registry of factories ``(seed, n_samples) -> sklearn estimator``.

``fit_model`` wraps every fit so that a labelled set with one class predicts
the class prior instead of crashing, and ``committee_proba`` turns a bootstrap
committee into one probability tensor, with one matrix product when every
member is linear.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from specs import Registry, TypedEntry

# The other models' modules are imported by their factories: the default model is
# logistic, and sklearn.ensemble, neighbors and neural_network are slow to import.


@dataclass(frozen=True)
class LearnerEntry(TypedEntry):
    """A learner's entry: a factory ``(seed, n_samples) -> estimator``; no further fields."""


LEARNERS = Registry("model", entry=LearnerEntry)


@LEARNERS.register(
    "logistic",
    label="Logistic regression",
    description="L2-regularised logistic regression (C=1, lbfgs): a linear boundary.",
    citation="Cox, D. R. (1958). The regression analysis of binary sequences. JRSS B 20(2).",
)
def logistic(seed: int, n_samples: int) -> Any:
    return LogisticRegression(C=1.0, max_iter=500, random_state=seed)


@LEARNERS.register(
    "random_forest",
    label="Random forest",
    description="Random forest, 100 trees of depth at most 12: non-linear, step-shaped.",
    citation="Breiman, L. (2001). Random forests. Machine Learning 45(1).",
)
def random_forest(seed: int, n_samples: int) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=100, max_depth=12, n_jobs=1, random_state=seed)


@LEARNERS.register(
    "gradient_boosting",
    label="Gradient boosting",
    description="Histogram gradient boosting (scikit-learn), 100 iterations: strong on tables.",
    citation=(
        "Friedman, J. H. (2001). Greedy function approximation: a gradient boosting machine. "
        "Annals of Statistics 29(5)."
    ),
)
def gradient_boosting(seed: int, n_samples: int) -> Any:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(
        max_iter=100, early_stopping=False, random_state=seed, min_samples_leaf=5
    )


@LEARNERS.register(
    "knn",
    label="k nearest neighbours",
    description="k nearest neighbours, k = 15 (or fewer while few are labelled).",
    citation="Cover, T. & Hart, P. (1967). Nearest neighbor pattern classification. IEEE TIT 13(1).",
)
def knn(seed: int, n_samples: int) -> Any:
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(n_neighbors=max(1, min(15, n_samples)))


@LEARNERS.register(
    "naive_bayes",
    label="Gaussian naive Bayes",
    description="Gaussian naive Bayes: features assumed independent given the label.",
    citation=(
        "Hand, D. J. & Yu, K. (2001). Idiot's Bayes: not so stupid after all? "
        "International Statistical Review 69(3)."
    ),
)
def naive_bayes(seed: int, n_samples: int) -> Any:
    from sklearn.naive_bayes import GaussianNB

    return GaussianNB(var_smoothing=1e-6)


@LEARNERS.register(
    "mlp",
    label="Small neural network",
    description="A small neural network (one hidden layer of 32 ReLU units, Adam, 200 epochs).",
    citation=(
        "Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations "
        "by back-propagating errors. Nature 323."
    ),
)
def mlp(seed: int, n_samples: int) -> Any:
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(32,), max_iter=200, random_state=seed)


class PriorModel:
    """Predicts the class prior of the labels it saw, whatever the input.

    Used while the labelled set holds one class only, so nothing crashes and
    every pool point looks equally uncertain (ties are broken by the run's rng).

    >>> m = PriorModel().fit(np.zeros((3, 2)), np.array([1, 1, 1]))
    >>> m.predict_proba(np.zeros((2, 2))).tolist()
    [[0.0, 1.0], [0.0, 1.0]]
    """

    classes_ = np.array([0, 1])

    def fit(self, X: np.ndarray, y: np.ndarray) -> PriorModel:
        y = np.asarray(y)
        self.p1_ = float(y.mean()) if len(y) else 0.5
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        out = np.empty((len(X), 2))
        out[:, 1] = self.p1_
        out[:, 0] = 1.0 - self.p1_
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), int(self.p1_ > 0.5))


def fit_model(name: str, X: np.ndarray, y: np.ndarray, *, seed: int) -> Any:
    """Fit learner ``name`` on ``(X, y)``; one class -> ``PriorModel``.

    Parameters
    ----------
    X : ndarray (n_samples, n_features)
    y : ndarray (n_samples,) with values in {0, 1}
    seed : int, passed to the estimator's ``random_state``
    """
    y = np.asarray(y)
    if len(y) == 0 or np.all(y == y[0]):
        return PriorModel().fit(X, y)
    model = LEARNERS[name].func(seed, len(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model


def predict_proba(model: Any, X: np.ndarray) -> np.ndarray:
    """``model.predict_proba`` with two columns (classes 0 and 1) guaranteed.

    A fitted binary ``LogisticRegression`` is evaluated directly, with the same
    operations scikit-learn uses (``expit(X @ coef.T + intercept)``): identical
    numbers, without its per-call input validation.
    """
    if (
        type(model) is LogisticRegression
        and model.coef_.shape[0] == 1
        and X.ndim == 2
        and X.dtype == np.float64
        and X.shape[1] == model.coef_.shape[1]
    ):
        p1 = X @ model.coef_.T + model.intercept_
        p1 = expit(p1.reshape(-1), out=p1.reshape(-1))
        return np.stack([1 - p1, p1], axis=1)
    proba = model.predict_proba(X)
    if proba.shape[1] == 2:
        return proba
    out = np.zeros((len(X), 2))
    for j, c in enumerate(model.classes_):
        out[:, int(c)] = proba[:, j]
    return out


def fit_committee(
    name: str, X: np.ndarray, y: np.ndarray, *, members: int, rng: np.random.Generator
) -> list[Any]:
    """``members`` models, each fitted on a bootstrap resample of ``(X, y)``."""
    n = len(y)
    out = []
    for _ in range(members):
        rows = rng.integers(0, n, size=n)
        out.append(fit_model(name, X[rows], y[rows], seed=int(rng.integers(2**31 - 1))))
    return out


def committee_proba(members: list[Any], X: np.ndarray) -> np.ndarray:
    """Probabilities of every member, shape (n_members, n_samples, 2).

    Linear binary members (``coef_`` of shape (1, d)) are evaluated in one
    matrix product; others one by one.
    """
    m = len(members)
    out = np.empty((m, len(X), 2))
    linear = [
        i
        for i, est in enumerate(members)
        if isinstance(est, LogisticRegression) and est.coef_.shape[0] == 1
    ]
    if linear:
        W = np.vstack([members[i].coef_ for i in linear])  # (k, d)
        b = np.array([members[i].intercept_[0] for i in linear])
        z = X @ W.T + b  # (n, k)
        p1 = expit(z)
        out[linear, :, 1] = p1.T
        out[linear, :, 0] = 1.0 - p1.T
    for i, est in enumerate(members):
        if i not in linear:
            out[i] = predict_proba(est, X)
    return out
