"""The parts of each strategy family's score, for ``components.why``.

``PARTS`` maps a strategy's name to a function that reads the state the
strategy saw when it picked (``PickState``) and names the parts of its score:
where the parts compose to the score, they do so as the strategy computes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from components.engine import Simulation
from components.strategies.base import (
    PoolView,
    QueryContext,
    group_counts,
    target_shares,
    top_n,
)
from components.strategies.committee import kl_to_mean_scores
from components.strategies.fair import representation_deficit
from components.strategies.fal import _label_unfairness, fal_scores
from components.strategies.uncertainty import entropy_scores, information_density

__all__ = ["CAVEAT_FAL", "PARTS", "Part", "PickState"]

CAVEAT_FAL = (
    "FAL also weighs how much fairer the model would become after refitting with this row's "
    "label, measured on a random sample drawn while picking; that part is not kept, so it "
    "cannot be shown here"
)


@dataclass(frozen=True)
class Part:
    """One named part of a score: ``key`` for code, ``label`` in plain words."""

    key: str
    label: str
    value: float


@dataclass(frozen=True, eq=False)
class PickState:
    """What the strategy saw when it picked (read from a ``Simulation``)."""

    sim: Simulation
    pool: PoolView
    params: dict
    proba: np.ndarray
    scores: np.ndarray | None

    @property
    def labelled(self) -> np.ndarray:
        return np.concatenate(self.sim.order)


Explainer = Callable[[PickState, int], tuple[list[Part], str]]


def _uncertainty(st: PickState, i: int) -> tuple[list[Part], str]:
    p = st.proba[i]
    name = st.sim.config.strategy.name
    out = []
    if name == "least_confidence":
        out.append(Part("least_confidence", "least confidence", float(1.0 - p.max())))
    elif name == "margin":
        gap = float(abs(p[1] - p[0]))
        out += [Part("gap", "gap between the two answers", gap), Part("margin", "margin", 1 - gap)]
    else:
        out.append(Part("entropy", "entropy (nats)", float(entropy_scores(p[None])[0])))
    return out, ""


def _density(st: PickState, i: int) -> tuple[list[Part], str]:
    beta = float(st.params.get("beta", 1.0))
    density = information_density(st.pool.X, st.pool.labeled, state={})
    h = float(entropy_scores(st.proba[i][None])[0])
    return [
        Part("entropy", "entropy (nats)", h),
        Part("density", "typicality of the unlabelled rows (density)", float(density[i])),
        Part("beta", "beta", beta),
    ], ""


def _committee(st: PickState, i: int) -> tuple[list[Part], str]:
    c = st.sim.committee[:, i, :]  # (members, 2)
    votes = int((c[:, 1] > c[:, 0]).sum())
    mean = c.mean(axis=0)
    members_h = entropy_scores(c)
    return [
        Part("members", "committee members", float(len(c))),
        Part("votes_positive", "members voting positive", float(votes)),
        Part("low_p", "lowest member probability", float(c[:, 1].min())),
        Part("high_p", "highest member probability", float(c[:, 1].max())),
        Part(
            "entropy_of_mean",
            "entropy of the committee's mean",
            float(entropy_scores(mean[None])[0]),
        ),
        Part("mean_member_entropy", "mean entropy of the members", float(members_h.mean())),
        Part(
            "kl_to_mean",
            "mean KL to the committee mean",
            float(kl_to_mean_scores(c[:, None, :])[0]),
        ),
    ], ""


def _coreset(st: PickState, i: int) -> tuple[list[Part], str]:
    lab = st.labelled
    d = float(np.sqrt(((st.pool.X[lab] - st.pool.X[i]) ** 2).sum(axis=1)).min())
    return [Part("distance", "distance to the nearest labelled row", d)], ""


def _group_shares(st: PickState, i: int) -> tuple[float, float, float, float]:
    """(group's labelled share, its target share, its deficit, its rank in group)."""
    target = str(st.params.get("target", "equal"))
    shares = target_shares(st.pool, target)
    _, have = group_counts(st.pool)
    g = int(st.pool.group[i])
    deficit = representation_deficit(have.astype(float), shares)[g]
    return float(have[g] / max(have.sum(), 1)), float(shares[g]), float(deficit), g


def _balanced(st: PickState, i: int) -> tuple[list[Part], str]:
    have, want, deficit, g = _group_shares(st, i)
    lc = 1.0 - st.proba.max(axis=1)
    same = (st.pool.group == g) & ~st.pool.labeled
    rank_in_group = int(np.count_nonzero(lc[same] > lc[i])) + 1
    random_within = st.params.get("within", "uncertainty") == "random"
    return [
        Part("least_confidence", "least confidence", float(lc[i])),
        Part("group_labelled_share", "its group's share of the labelled rows", have),
        Part("target_share", "its group's target share", want),
        Part("rank_in_group", "rank inside its group", float(rank_in_group)),
        Part("random_within", "drawn at random inside its group", float(random_within)),
    ], ""


def _fair(st: PickState, i: int) -> tuple[list[Part], str]:
    have, want, deficit, _ = _group_shares(st, i)
    lam = float(st.params.get("lam", 1.0))
    return [
        Part("least_confidence", "least confidence", float(1.0 - st.proba[i].max())),
        Part("group_labelled_share", "its group's share of the labelled rows", have),
        Part("target_share", "its group's target share", want),
        Part("deficit", "its group's shortfall", deficit),
        Part("lam", "lam", lam),
        Part("boost", "boost (1 + lam x shortfall)", 1.0 + lam * deficit),
    ], ""


def _fal(st: PickState, i: int) -> tuple[list[Part], str]:
    alpha = float(st.params.get("alpha", 0.5))
    h_bits = float(entropy_scores(st.proba[i][None])[0] / np.log(2.0))
    parts = [Part("entropy_bits", "entropy (bits)", h_bits), Part("alpha", "alpha", alpha)]
    if bool(st.params.get("lookahead", True)) and alpha < 1.0:
        return parts, CAVEAT_FAL
    if alpha >= 1.0:
        return parts, ""
    # Without the look-ahead the fairness term needs no rng: recompute it over the candidates.
    h_all = entropy_scores(st.proba) / np.log(2.0)
    k = min(
        st.pool.n_unlabeled, max(int(st.params.get("candidates", 32)), st.sim.config.batch_size)
    )
    cand = top_n(h_all, k, labeled=st.pool.labeled, rng=np.random.default_rng(0))
    if i not in cand:
        cand = np.append(cand, i)
    ctx = QueryContext(
        proba=st.proba, labeled_positions=st.labelled, labeled_y=st.sim.y_answer[st.labelled]
    )
    unfair = _label_unfairness(st.pool, ctx, cand, st.proba)
    combined = fal_scores(h_all[cand], unfair, alpha=alpha)
    j = int(np.flatnonzero(cand == i)[0])
    parts += [
        Part("unfairness", "expected parity gap of the labels with it added", float(unfair[j])),
        Part("fal_score", "FAL's combined score", float(combined[j])),
        Part("fal_rank", "rank among FAL's candidates", float((combined > combined[j]).sum() + 1)),
        Part("candidates", "candidates", float(len(cand))),
    ]
    return parts, ""


def _minmax(st: PickState, i: int) -> tuple[list[Part], str]:
    # The score of a row is its group's loss: read each group's from any of its rows.
    k = len(st.pool.groups)
    losses = np.full(k, np.nan)
    for g in range(k):
        rows = np.flatnonzero(st.pool.group == g)
        if len(rows):
            losses[g] = st.scores[rows[0]]
    g = int(st.pool.group[i])
    free = np.bincount(st.pool.group[~st.pool.labeled], minlength=k) > 0
    worst = float(np.nanmax(np.where(free, losses, np.nan)))
    return [
        Part("group_loss", "its group's estimated loss", float(losses[g])),
        Part("worst_group_loss", "the largest group loss", worst),
        Part("p", "chance of a random pick", float(st.params.get("p", 0.1))),
    ], ""


def _random(st: PickState, i: int) -> tuple[list[Part], str]:
    return [], ""


#: Strategy name -> the function naming its parts; a new strategy without an
#: entry is explained by its score and rank alone.
PARTS: dict[str, Explainer] = {
    "least_confidence": _uncertainty,
    "margin": _uncertainty,
    "entropy": _uncertainty,
    "density_weighted": _density,
    "qbc_vote_entropy": _committee,
    "qbc_kl": _committee,
    "bald": _committee,
    "coreset": _coreset,
    "group_balanced": _balanced,
    "fair_uncertainty": _fair,
    "fal": _fal,
    "minmax_group": _minmax,
    "random": _random,
}
