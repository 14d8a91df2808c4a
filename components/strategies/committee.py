"""Committee strategies: query by committee (vote entropy, KL to the mean) and BALD.

The engine builds a bootstrap committee of the run's learner each round and
passes its probabilities as ``context.committee_proba`` of shape
(n_members, n_pool, 2). Every ``*_scores`` function takes that tensor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import xlogy

from components.learners import predict_proba
from components.strategies.base import MEMBERS, STRATEGIES, Committee, PoolView, QueryContext
from components.strategies.uncertainty import entropy_scores, scored

MSG_NO_COMMITTEE = (
    "strategy '{name}': needs a committee (context.committee_proba) or a fit function; "
    "allowed: run it through the engine"
)


def vote_entropy_scores(committee_proba: np.ndarray) -> np.ndarray:
    """Entropy of the members' hard votes, shape (n,).

    >>> p = np.array([[[0.2, 0.8]], [[0.7, 0.3]]])  # 2 members, 1 point
    >>> vote_entropy_scores(p).round(3).tolist()
    [0.693]
    """
    k = committee_proba.shape[2]
    if k == 2:  # vote share for class 1 without an argmax over a short axis
        v1 = (committee_proba[:, :, 1] > committee_proba[:, :, 0]).mean(axis=0)
        return -(xlogy(v1, v1) + xlogy(1 - v1, 1 - v1))
    votes = committee_proba.argmax(axis=2)  # (m, n)
    share = np.stack([(votes == c).mean(axis=0) for c in range(k)], axis=1)
    return -xlogy(share, share).sum(axis=1)


def kl_to_mean_scores(committee_proba: np.ndarray) -> np.ndarray:
    """Mean KL divergence of each member from the committee mean, shape (n,).

    >>> p = np.array([[[0.5, 0.5]], [[0.5, 0.5]]])
    >>> kl_to_mean_scores(p).tolist()
    [0.0]
    """
    mean = committee_proba.mean(axis=0, keepdims=True)
    ratio = np.divide(committee_proba, mean, out=np.ones_like(committee_proba), where=mean > 0)
    return xlogy(committee_proba, ratio).sum(axis=2).mean(axis=0)


def bald_scores(committee_proba: np.ndarray) -> np.ndarray:
    """Mutual information between the label and the committee member, shape (n,).

    ``H(mean_m p_m) - mean_m H(p_m)``: high where members are each confident
    but disagree.

    >>> p = np.array([[[0.0, 1.0]], [[1.0, 0.0]]])
    >>> bald_scores(p).round(3).tolist()
    [0.693]
    """
    mean = committee_proba.mean(axis=0)
    h = xlogy(committee_proba, committee_proba)
    if h.shape[2] == 2:
        expected = -(h[:, :, 0] + h[:, :, 1]).mean(axis=0)
    else:
        expected = -h.sum(axis=2).mean(axis=0)
    return entropy_scores(mean) - expected


def committee_of(
    pool: PoolView, context: QueryContext, *, members: int, name: str, rng: np.random.Generator
) -> np.ndarray:
    """The engine's committee probabilities, or a bootstrap committee built here."""
    if context.committee_proba is not None:
        return context.committee_proba
    if context.fit is None:
        raise ValueError(MSG_NO_COMMITTEE.format(name=name))
    X = pool.X[context.labeled_positions]
    y = context.labeled_y
    out = np.empty((members, pool.n_pool, 2))
    for i in range(members):
        rows = rng.integers(0, len(y), size=len(y))
        out[i] = predict_proba(context.fit(X[rows], y[rows]), pool.X)
    return out


def _make_scorer(fn: Any, name: str) -> Any:
    def scorer(
        model: Any, pool: PoolView, context: QueryContext, *, members: int = 5, **_: Any
    ) -> np.ndarray:
        rng = np.random.default_rng(context.state.setdefault("committee_seed", 0))
        return fn(committee_of(pool, context, members=members, name=name, rng=rng))

    scorer.__name__ = f"{name}_scorer"
    return scorer


_COMMITTEE = {
    "qbc_vote_entropy": (
        vote_entropy_scores,
        "Query by committee: ask where bootstrap models' votes disagree most.",
        "Seung, H. S., Opper, M. & Sompolinsky, H. (1992). Query by committee. COLT. "
        "Dagan, I. & Engelson, S. P. (1995). Committee-based sampling for training "
        "probabilistic classifiers. ICML (vote entropy).",
        "score(x) = H(share of votes per label)",
        "vote entropy",
    ),
    "qbc_kl": (
        kl_to_mean_scores,
        "Query by committee: ask where members' probabilities diverge most from their mean.",
        "McCallum, A. & Nigam, K. (1998). Employing EM and pool-based active learning for "
        "text classification. ICML (KL divergence to the mean).",
        "score(x) = mean_m KL(P_m(.|x) || mean P(.|x))",
        "KL to the committee mean",
    ),
    "bald": (
        bald_scores,
        "BALD: ask where members are confident but disagree (mutual information), "
        "here with a bootstrap committee instead of a Bayesian posterior.",
        "Houlsby, N., Huszar, F., Ghahramani, Z. & Lengyel, M. (2011). Bayesian active "
        "learning for classification and preference learning. arXiv:1112.5745.",
        "score(x) = H(mean_m P_m) - mean_m H(P_m)",
        "mutual information (BALD)",
    ),
}

_COMMITTEE_LABELS = {
    "qbc_vote_entropy": "Committee: vote entropy",
    "qbc_kl": "Committee: KL divergence",
    "bald": "BALD (committee)",
}

for _name, (_fn, _desc, _cite, _formula, _label) in _COMMITTEE.items():
    _scorer = _make_scorer(_fn, _name)
    STRATEGIES.register(
        _name,
        params=(MEMBERS,),
        description=_desc,
        citation=_cite,
        formula=_formula,
        scorer=_fn,
        pool_scorer=_scorer,
        score_label=_label,
        committee=Committee(size_param=MEMBERS.name),
        label=_COMMITTEE_LABELS[_name],
    )(scored(_scorer))
