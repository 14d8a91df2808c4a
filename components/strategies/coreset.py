"""Greedy k-center (core-set) selection with an incremental distance array.

The squared distance of every pool row to its nearest labelled row is kept in
``context.state`` between rounds, so a round costs O(n_pool d) per *new*
labelled row, whatever the size of the labelled set.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from components.strategies.base import STRATEGIES, PoolView, QueryContext, check_n


def _sq_dist_to(
    X: np.ndarray, sq_norms: np.ndarray, c: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Squared distances of every row of X to c, via ||x||^2 - 2 x.c + ||c||^2."""
    out = np.matmul(X, c, out=out)
    out *= -2.0
    out += sq_norms
    out += float(c @ c)
    np.maximum(out, 0.0, out=out)
    return out


def min_sq_distances(pool: PoolView, state: dict[str, Any]) -> np.ndarray:
    """Squared distance of each pool row to the nearest labelled row, shape (n_pool,).

    Updates ``state`` in place with the rows labelled since the last call. If
    the rows labelled since are exactly the last greedy batch, its distances
    are reused rather than recomputed.
    """
    X = pool.X
    if "sq_norms" not in state or state["sq_norms"].shape[0] != X.shape[0]:
        state["sq_norms"] = np.einsum("ij,ij->i", X, X)
        state["min_sq"] = np.full(X.shape[0], np.inf)
        state["covered"] = np.zeros(X.shape[0], dtype=bool)
        state.pop("pending", None)
    covered = state["covered"]
    new = np.flatnonzero(pool.labeled & ~covered)
    pending = state.pop("pending", None)
    if pending is not None and np.array_equal(np.sort(pending[0]), new):
        state["min_sq"] = pending[1]
    else:
        d = state["min_sq"]
        buf = np.empty_like(d)
        for i in new:
            np.minimum(d, _sq_dist_to(X, state["sq_norms"], X[i], out=buf), out=d)
    covered[new] = True
    return state["min_sq"]


def coreset_scores(pool: PoolView, state: dict[str, Any]) -> np.ndarray:
    """Distance of each pool row to its nearest labelled row (0 for labelled rows), shape (n_pool,).

    ``state`` keeps the running distances between calls (see ``min_sq_distances``).

    >>> X = np.array([[0.0, 0.0], [3.0, 4.0], [6.0, 8.0]])
    >>> pool = PoolView(X=X, group=np.zeros(3, int), labeled=np.array([True, False, False]),
    ...                 groups=("all",))
    >>> coreset_scores(pool, {}).tolist()
    [0.0, 5.0, 10.0]
    """
    return np.sqrt(min_sq_distances(pool, state))


def coreset(
    model: Any, pool: PoolView, n: int, *, rng: np.random.Generator, context: QueryContext
) -> np.ndarray:
    """Greedy k-center: repeatedly take the row farthest from everything chosen.

    Ties (duplicated rows, for instance) are broken by ``rng``.
    """
    check_n(pool, n)
    state = context.state
    d = min_sq_distances(pool, state).copy()
    d[pool.labeled] = -1.0
    X, sq = pool.X, state["sq_norms"]
    picks = np.empty(n, dtype=np.int64)
    buf = np.empty_like(d)
    for k in range(n):
        i = int(np.argmax(d))
        best = d[i]
        if np.count_nonzero(d == best) > 1:  # a tie (duplicated rows): the rng decides
            i = int(rng.choice(np.flatnonzero(d == best)))
        picks[k] = i
        np.minimum(d, _sq_dist_to(X, sq, X[i], out=buf), out=d)
        d[i] = -1.0
    # distances after this batch, for reuse next round once the batch is labelled
    d[pool.labeled] = 0.0
    d[picks] = 0.0
    state["pending"] = (picks.copy(), d)
    return picks


def _coreset_scorer(model: Any, pool: PoolView, context: QueryContext, **_: Any) -> np.ndarray:
    return coreset_scores(pool, context.state)


STRATEGIES.register(
    "coreset",
    label="Core-set (cover the space)",
    description=(
        "Core-set (greedy k-center): cover the feature space, taking the row farthest "
        "from everything labelled. Ignores the model's uncertainty."
    ),
    citation=(
        "Sener, O. & Savarese, S. (2018). Active learning for convolutional neural "
        "networks: a core-set approach. ICLR."
    ),
    formula="x* = argmax_x min_{l in labelled} ||x - l||, repeated n times",
    scorer=coreset_scores,
    pool_scorer=_coreset_scorer,
    score_label="distance to the nearest labelled row",
)(coreset)
