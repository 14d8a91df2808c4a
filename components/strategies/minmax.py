"""``minmax_group``: query the group whose estimated loss is largest.

After Abernethy, Awasthi, Kleindessner, Morgenstern, Russell & Zhang (2022),
"Active sampling for min-max fairness", ICML. Each round the group losses are
estimated on a held-out slice of the labelled rows; queries then go to the
group with the largest loss, or, with probability ``p``, to a row drawn
from the whole unlabelled pool.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from components.learners import predict_proba
from components.strategies.base import STRATEGIES, PoolView, QueryContext, check_n
from specs import Param

MSG_NEEDS_FIT = (
    "strategy 'minmax_group': needs context.fit to refit the model; "
    "allowed: run it through the engine"
)

#: Keys ``frac(position * KEY + shift)`` spread evenly over [0, 1) (a Weyl
#: sequence), whatever the positions; a row is held out when its key is below
#: ``val_share``.
KEY = (np.sqrt(5.0) - 1.0) / 2.0


#: The loss of a model that knows nothing, per loss: a group without held-out rows
#: counts as at least this bad, so it is queried until it can be measured.
CHANCE = {"log": float(np.log(2.0)), "error": 0.5}


def validation_mask(positions: np.ndarray, val_share: float) -> np.ndarray:
    """Which labelled rows are held out to measure the group losses.

    A row is held out when ``frac(position * KEY + shift)`` is below
    ``val_share``, with ``shift = frac(n_labeled * sqrt(2))``. The keys need no
    rng, so the engine's scorer and the strategy agree on the slice, and they
    ignore the labels. The shift moves with the size of the labelled set, so
    each round holds out a fresh slice: with a fixed slice, the two or three
    held-out rows of a small group decided its loss for the whole run, and a
    group whose few held-out rows happened to be easy was never queried.

    Parameters
    ----------
    positions : ndarray (n_labeled,) int
        Pool positions of the labelled rows.
    val_share : float
        Share of rows held out, in (0, 1).

    Returns
    -------
    ndarray (n_labeled,) bool

    Examples
    --------
    >>> validation_mask(np.arange(10), 0.3).astype(int).tolist()
    [1, 0, 0, 0, 0, 1, 0, 0, 1, 0]
    >>> float(validation_mask(np.arange(10_000), 0.3).mean())
    0.3001
    """
    pos = np.asarray(positions, dtype=np.float64)
    shift = np.mod(len(pos) * np.sqrt(2.0), 1.0)
    return np.mod(pos * KEY + shift, 1.0) < val_share


def group_losses(
    pool: PoolView, context: QueryContext, *, val_share: float = 0.3, loss: str = "log"
) -> np.ndarray:
    """Each group's loss on held-out labelled rows, for a model fitted on the rest.

    The learner is refitted (``context.fit``) on the labelled rows outside
    :func:`validation_mask` and scored on the rows inside it, against their
    recorded labels: mean log loss (``loss="log"``) or error rate
    (``loss="error"``).

    Returns
    -------
    ndarray (n_groups,)
        NaN for a group with no held-out rows (or when nothing is left to fit on).
    """
    k = len(pool.groups)
    out = np.full(k, np.nan)
    lab = np.asarray(context.labeled_positions)
    y = np.asarray(context.labeled_y)
    val = validation_mask(lab, val_share)
    if not val.any() or val.all():
        return out
    if context.fit is None:
        raise ValueError(MSG_NEEDS_FIT)
    m = context.fit(pool.X[lab[~val]], y[~val])
    proba = predict_proba(m, pool.X[lab[val]])
    p_true = proba[np.arange(len(proba)), y[val]]
    if loss == "error":
        per_row = (proba.argmax(axis=1) != y[val]).astype(float)
    else:
        per_row = -np.log(np.clip(p_true, 1e-12, 1.0))
    g = pool.group[lab[val]]
    counts = np.bincount(g, minlength=k)
    sums = np.bincount(g, weights=per_row, minlength=k)
    seen = counts > 0
    out[seen] = sums[seen] / counts[seen]
    return out


def group_loss_scores(group_loss: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Each row's score is its group's estimated loss.

    >>> group_loss_scores(np.array([0.2, 0.6]), np.array([0, 1, 1, 0])).tolist()
    [0.2, 0.6, 0.6, 0.2]
    """
    return np.asarray(group_loss, dtype=np.float64)[group]


def _filled_losses(
    pool: PoolView, context: QueryContext, val_share: float, loss: str
) -> np.ndarray:
    """:func:`group_losses`, with an unmeasured group as bad as the worst (or chance)."""
    losses = group_losses(pool, context, val_share=val_share, loss=loss)
    known = losses[~np.isnan(losses)]
    worst = max(CHANCE[loss], float(known.max()) if len(known) else 0.0)
    return np.where(np.isnan(losses), worst, losses)


def _minmax_scorer(
    model: Any,
    pool: PoolView,
    context: QueryContext,
    *,
    val_share: float = 0.3,
    loss: str = "log",
    **_: Any,
) -> np.ndarray:
    return group_loss_scores(_filled_losses(pool, context, val_share, loss), pool.group)


def minmax_group(
    model: Any,
    pool: PoolView,
    n: int,
    *,
    rng: np.random.Generator,
    context: QueryContext,
    p: float = 0.1,
    val_share: float = 0.3,
    loss: str = "log",
) -> np.ndarray:
    """Query the group with the largest held-out loss; with probability ``p``, anyone.

    Each of the ``n`` picks first flips a coin: with probability ``p`` it is
    a row drawn uniformly from the whole unlabelled pool; otherwise a row
    drawn uniformly from the unlabelled rows of the group with the largest
    estimated loss (:func:`group_losses`; ties between groups broken by
    ``rng``; a group with no held-out rows counts as the worst). This is the
    paper's rule: it samples inside the worst group at random, not by
    uncertainty.

    Where this differs from the paper: the paper takes one point per round and
    retrains; here the losses are estimated once per round and the whole batch
    follows them. The paper assumes a separate validation sample; here it is
    the share ``val_share`` of the labelled rows picked by
    :func:`validation_mask`, and the losses come from a refit on the other
    labelled rows. The run's own model still trains on all labelled rows.

    Examples
    --------
    >>> from components.engine import Simulation
    >>> from components.config import RunConfig
    >>> sim = Simulation(RunConfig.from_dict({"dataset": "two_groups:n_samples=400",
    ...     "strategy": "minmax_group", "initial_size": 20, "batch_size": 5}))
    >>> picks = sim.propose()
    >>> len(set(picks.tolist())), bool(sim.labeled[picks].any())
    (5, False)
    """
    check_n(pool, n)
    scores = (
        context.scores
        if context.scores is not None
        else _minmax_scorer(model, pool, context, val_share=val_share, loss=loss)
    )
    k = len(pool.groups)
    free = pool.unlabeled_positions()
    loss_of = np.full(k, -np.inf)
    for g in np.unique(pool.group[free]):
        loss_of[g] = scores[free[pool.group[free] == g][0]]
    coins = rng.random(n) < p
    everyone = rng.permutation(free)
    queues = [rng.permutation(free[pool.group[free] == g]) for g in range(k)]
    left = np.bincount(pool.group[free], minlength=k)
    taken = np.zeros(pool.n_pool, dtype=bool)
    heads = np.zeros(k, dtype=int)
    head_all = 0
    picks = []
    for coin in coins:
        if coin:
            while taken[everyone[head_all]]:
                head_all += 1
            i = int(everyone[head_all])
        else:
            value = np.where(left > 0, loss_of, -np.inf)
            best = np.flatnonzero(value == value.max())
            g = int(best[0] if len(best) == 1 else rng.choice(best))
            while taken[queues[g][heads[g]]]:
                heads[g] += 1
            i = int(queues[g][heads[g]])
        taken[i] = True
        left[pool.group[i]] -= 1
        picks.append(i)
    return np.array(picks, dtype=np.int64)


STRATEGIES.register(
    "minmax_group",
    label="Min-max group loss",
    params=(
        Param(
            "p",
            "float",
            0.1,
            "Chance that a query is a random row of the whole pool instead of a row of "
            "the worst group.",
            low=0.0,
            high=1.0,
        ),
        Param(
            "val_share",
            "float",
            0.3,
            "Share of the labelled rows held out to measure each group's loss.",
            low=0.05,
            high=0.9,
        ),
        Param(
            "loss",
            "str",
            "log",
            "How a group's loss is measured: mean log loss or error rate.",
            choices=("log", "error"),
        ),
    ),
    description=(
        "Min-max fairness: measure each group's loss on held-out labelled rows and query "
        "a random row of the worst group (with probability p, a random row of the pool)."
    ),
    citation=(
        "Abernethy, J., Awasthi, P., Kleindessner, M., Morgenstern, J., Russell, C. & "
        "Zhang, J. (2022). Active sampling for min-max fairness. ICML."
    ),
    formula=(
        "with probability 1 - p: x ~ Uniform(unlabelled rows of argmax_g loss_g(held-out)); "
        "otherwise x ~ Uniform(unlabelled pool)"
    ),
    scorer=group_loss_scores,
    pool_scorer=_minmax_scorer,
    score_label="estimated loss of the row's group (held-out labelled rows)",
)(minmax_group)
