"""``fal``: fair active learning (Anahideh, Asudeh & Thirumuruganathan, 2022).

Reads ``pool.group`` and refits through ``context.fit``; see :func:`fal` for
where it differs from the paper.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from components.learners import predict_proba
from components.strategies.base import (
    STRATEGIES,
    Lookahead,
    PoolView,
    QueryContext,
    check_n,
    top_n,
)
from components.strategies.uncertainty import entropy_scores, pool_proba
from specs import Param

MSG_NEEDS_FIT = (
    "strategy 'fal': needs context.fit to refit the model; allowed: run it through the engine"
)


def dp_difference_of(pred: np.ndarray, group: np.ndarray, n_groups: int) -> float:
    """Largest gap in positive-prediction rate between groups present."""
    counts = np.bincount(group, minlength=n_groups)
    pos = np.bincount(group, weights=pred, minlength=n_groups)
    present = counts > 0
    rate = pos[present] / counts[present]
    return float(rate.max() - rate.min()) if len(rate) else 0.0


def minmax_normalise(values: np.ndarray) -> np.ndarray:
    """Rescale ``values`` to [0, 1] by their minimum and maximum; all equal gives zeros.

    >>> minmax_normalise(np.array([2.0, 4.0, 3.0])).tolist()
    [0.0, 1.0, 0.5]
    >>> minmax_normalise(np.array([0.7, 0.7])).tolist()
    [0.0, 0.0]
    """
    v = np.asarray(values, dtype=np.float64)
    span = float(v.max() - v.min()) if len(v) else 0.0
    return (v - v.min()) / span if span > 0 else np.zeros(len(v))


def fal_scores(informativeness: np.ndarray, unfairness: np.ndarray, *, alpha: float) -> np.ndarray:
    """FAL's combined score of each candidate, both terms min-max normalised first.

    ``alpha * norm(informativeness) - (1 - alpha) * norm(unfairness)``, with
    ``norm`` over the candidates (:func:`minmax_normalise`). Higher is better:
    informative rows whose labels are expected to leave the model fairer.

    Parameters
    ----------
    informativeness : ndarray (n_candidates,)
        Entropy of the current model's prediction.
    unfairness : ndarray (n_candidates,)
        Expected unfairness once the candidate is labelled (lower is better).
    alpha : float
        1 = informativeness only; 0 = fairness only.

    Returns
    -------
    ndarray (n_candidates,), in [-(1 - alpha), alpha]

    Examples
    --------
    A tiny spread in unfairness counts as much as a large one in entropy:

    >>> h = np.array([0.2, 0.9, 0.6])
    >>> dp = np.array([0.010, 0.016, 0.011])
    >>> fal_scores(h, dp, alpha=0.5).round(3).tolist()
    [0.0, 0.0, 0.202]
    """
    return alpha * minmax_normalise(informativeness) - (1.0 - alpha) * minmax_normalise(unfairness)


def _refit_unfairness(
    pool: PoolView,
    context: QueryContext,
    cand: np.ndarray,
    proba: np.ndarray,
    eval_rows: np.ndarray,
) -> np.ndarray:
    """Expected DP gap of the model refitted with each candidate and each label."""
    if context.fit is None:
        raise ValueError(MSG_NEEDS_FIT)
    X_lab = pool.X[context.labeled_positions]
    y_lab = context.labeled_y
    X_eval, g_eval = pool.X[eval_rows], pool.group[eval_rows]
    expected = np.zeros(len(cand))
    for j, i in enumerate(cand):
        X_new = np.vstack([X_lab, pool.X[i : i + 1]])
        for label in (0, 1):
            m = context.fit(X_new, np.append(y_lab, label))
            pred = (predict_proba(m, X_eval)[:, 1] >= 0.5).astype(float)
            expected[j] += proba[i, label] * dp_difference_of(pred, g_eval, len(pool.groups))
    return expected


def _label_unfairness(
    pool: PoolView, context: QueryContext, cand: np.ndarray, proba: np.ndarray
) -> np.ndarray:
    """Expected DP gap of the labelled set's recorded labels with each candidate added."""
    g_lab = pool.group[context.labeled_positions]
    y_lab = np.asarray(context.labeled_y, dtype=float)
    expected = np.zeros(len(cand))
    for j, i in enumerate(cand):
        g_new = np.append(g_lab, pool.group[i])
        for label in (0, 1):
            gap = dp_difference_of(np.append(y_lab, float(label)), g_new, len(pool.groups))
            expected[j] += proba[i, label] * gap
    return expected


def fal(
    model: Any,
    pool: PoolView,
    n: int,
    *,
    rng: np.random.Generator,
    context: QueryContext,
    alpha: float = 0.5,
    candidates: int = 32,
    eval_size: int = 1000,
    lookahead: bool = True,
) -> np.ndarray:
    """Fair active learning: entropy traded against expected unfairness, both normalised.

    After Anahideh, Asudeh & Thirumuruganathan (2022). The candidates are the
    ``candidates`` unlabelled rows of highest entropy (all of them when the
    pool is smaller). Each candidate gets two terms:

    - informativeness: the entropy ``H(x)`` of the current model;
    - expected unfairness ``sum_y P(y|x) * DP(x, y)``. With ``lookahead=True``
      (the paper's look-ahead) ``DP(x, y)`` is the demographic-parity gap of the
      model refitted with ``(x, y)`` added, measured on ``eval_size`` random
      unlabelled rows: two refits per candidate. With ``lookahead=False`` it is
      the demographic-parity gap of the labelled set's recorded labels with
      ``(x, y)`` added: no refits, a cheap stand-in defined by this project.

    Both terms are min-max normalised over the candidates and combined as
    ``alpha * H_norm - (1 - alpha) * U_norm`` (:func:`fal_scores`); the top
    ``n`` are taken. Without the normalisation the entropy spread (tenths)
    swamps the unfairness spread (hundredths) and every ``alpha`` above 0
    would pick like entropy sampling.

    Where this differs from the paper: the paper labels one row per
    iteration and retrains; here a batch of ``n`` is the top ``n`` of one
    scoring. Only demographic parity is offered (the paper also treats other
    fairness measures); it needs no labels, so it is measured on unlabelled
    pool rows. Scoring only the highest-entropy rows keeps the refits
    affordable; with ``candidates`` at least the number of unlabelled rows,
    every row is scored. With ``alpha = 1`` the picks are the top ``n`` by
    entropy, and the refits are skipped.

    Examples
    --------
    >>> from components.engine import Simulation
    >>> from components.config import RunConfig
    >>> sim = Simulation(RunConfig.from_dict({"dataset": "two_groups:n_samples=400",
    ...     "strategy": "fal:candidates=8,eval_size=50", "initial_size": 20, "batch_size": 2}))
    >>> picks = sim.propose()
    >>> len(set(picks.tolist())), bool(sim.labeled[picks].any())
    (2, False)
    """
    check_n(pool, n)
    if lookahead and context.fit is None:
        raise ValueError(MSG_NEEDS_FIT)
    proba = pool_proba(model, pool, context)
    h_all = entropy_scores(proba) / np.log(2.0)
    k = min(pool.n_unlabeled, max(candidates, n))
    cand = top_n(h_all, k, labeled=pool.labeled, rng=rng)
    h = h_all[cand]
    if alpha >= 1.0:
        unfair = np.zeros(k)
    elif lookahead:
        free = pool.unlabeled_positions()
        eval_rows = rng.choice(free, size=min(eval_size, len(free)), replace=False)
        unfair = _refit_unfairness(pool, context, cand, proba, eval_rows)
    else:
        unfair = _label_unfairness(pool, context, cand, proba)
    score = fal_scores(h, unfair, alpha=alpha)
    order = top_n(score, n, labeled=np.zeros(k, dtype=bool), rng=rng)
    return cand[order]


def _fal_scorer(model: Any, pool: PoolView, context: QueryContext, **_: Any) -> np.ndarray:
    return entropy_scores(pool_proba(model, pool, context)) / np.log(2.0)


STRATEGIES.register(
    "fal",
    label="Fair Active Learning (FAL)",
    params=(
        Param(
            "alpha",
            "float",
            0.5,
            "1 = only informativeness (entropy); 0 = only expected fairness gain.",
            low=0.0,
            high=1.0,
        ),
        Param(
            "candidates",
            "int",
            32,
            "How many of the highest-entropy unlabelled rows are scored per round "
            "(with the look-ahead each costs two refits).",
            low=1,
            high=500,
        ),
        Param(
            "eval_size",
            "int",
            1000,
            "How many unlabelled rows measure the demographic-parity gap of a refitted model.",
            low=50,
            high=20000,
        ),
        Param(
            "lookahead",
            "bool",
            True,
            "true = refit the model with each candidate and label (the paper); false = "
            "use the parity gap of the labelled set's labels instead (no refits).",
        ),
    ),
    description=(
        "Fair Active Learning: among the highest-entropy rows, entropy traded against the "
        "demographic-parity gap the model would have after learning each row's label, "
        "both rescaled to [0, 1] over the candidates."
    ),
    citation=(
        "Anahideh, H., Asudeh, A. & Thirumuruganathan, S. (2022). Fair active learning. "
        "Expert Systems with Applications 199."
    ),
    formula=(
        "score(x) = alpha * norm(H(x)) - (1 - alpha) * norm(sum_y P(y|x) * DP(model + (x, y))), "
        "norm = min-max over the candidates"
    ),
    scorer=entropy_scores,
    pool_scorer=_fal_scorer,
    score_label="entropy (the informativeness part)",
    lookahead=Lookahead(candidates_param="candidates", eval_param="eval_size"),
)(fal)
