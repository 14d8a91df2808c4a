"""Why this point? The score that chose a queried row, its parts, its rank, its neighbours.

A pick is explained from the state the strategy saw when it picked: the
model's pool probabilities, the committee's, the labelled set and the
strategy's scores for that round (``Simulation.scores``). A live
``Simulation`` holds that state before each step (the annotator's seat
explains its batch that way). A finished run keeps only the picked rows'
scores, so :func:`why_at` replays the deterministic run up to the round
before the pick, which costs one short simulation.

Each strategy family names its parts (see ``PARTS``); where the parts
compose to the score, they do so exactly as the strategy computes it, and
tests check it. Where a strategy's reasoning is not kept (FAL's look-ahead
refits draw a random evaluation sample while picking), ``Why.caveat`` says so.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from components.config import RunConfig
from components.engine import Simulation
from components.strategies import STRATEGIES
from components.why_parts import PARTS, Part, PickState
from specs import UserInputError

__all__ = ["Neighbour", "Part", "Why", "sentence", "why_at", "why_point"]

MSG_ROUND = "round: {value} is not a round of this run; allowed: 0 to {last}"
MSG_NOT_PICKED = (
    "position: {value} was not labelled in round {round}; allowed: one of that round's "
    "{n} rows ({some})"
)
MSG_POSITION = "position: {value!r} is not a pool position; allowed: an integer in [0, {n_pool})"

CAVEAT_SEED = "it was drawn at random into the seed set, before the model asked anything"


@dataclass(frozen=True)
class Neighbour:
    """A labelled row near the picked one (in the model's feature space)."""

    position: int
    distance: float
    label: int  # what the annotator recorded
    group: str


@dataclass(frozen=True)
class Why:
    """Why one row was queried.

    Attributes
    ----------
    position : int
        The pool position.
    round : int
        The round whose batch it joined (0: the seed set).
    strategy : str
        The strategy's registry name.
    group : str
    score : float
        The strategy's score for it that round (NaN when the strategy has none).
    score_label : str
        What the score means, in words.
    parts : tuple of Part
        The score's parts, per family (``PARTS``).
    rank : int or None
        Its rank by ``score`` among the unlabelled rows that round (1 = top,
        rows with equal scores share a rank); None without a score.
    ties : int
        Other unlabelled rows with exactly its score.
    n_unlabeled : int
        Unlabelled rows when it was picked.
    pick : int or None
        Its place in the batch (1 = picked first); None for the seed set.
    batch_size : int
    neighbours : tuple of Neighbour
        The nearest labelled rows when it was picked, nearest first.
    p_positive : float
        The model's probability for the positive label then.
    positive_label : str
        What label 1 means.
    caveat : str
        What cannot be shown, or empty.
    """

    position: int
    round: int
    strategy: str
    group: str
    score: float
    score_label: str
    parts: tuple[Part, ...]
    rank: int | None
    ties: int
    n_unlabeled: int
    pick: int | None
    batch_size: int
    neighbours: tuple[Neighbour, ...]
    p_positive: float
    positive_label: str
    caveat: str = ""

    def part(self, key: str) -> float:
        """The value of part ``key`` (KeyError when this strategy has none)."""
        for p in self.parts:
            if p.key == key:
                return p.value
        raise KeyError(key)


def _neighbours(
    sim: Simulation, i: int, k: int, lab: np.ndarray | None = None
) -> tuple[Neighbour, ...]:
    lab = np.concatenate(sim.order) if lab is None else lab
    X = sim.split.X_pool
    d = np.sqrt(((X[lab] - X[i]) ** 2).sum(axis=1))
    near = np.argsort(d, kind="stable")[:k]
    return tuple(
        Neighbour(
            position=int(lab[j]),
            distance=float(d[j]),
            label=int(sim.y_answer[lab[j]]),
            group=sim.groups[int(sim.split.g_pool[lab[j]])],
        )
        for j in near
    )


def why_point(
    sim: Simulation, position: int, *, batch: np.ndarray | None = None, k: int = 3
) -> Why:
    """Why the strategy picks (or picked) ``position`` in the round ``sim`` is about to run.

    ``sim`` must hold the state from before the pick: the scores that chose
    the batch (``sim.scores``), the model's probabilities and the labelled set.

    Parameters
    ----------
    sim : Simulation
        Positioned before the pick (not yet stepped past it).
    position : int
        An unlabelled pool position.
    batch : ndarray (batch_size,) int, optional
        The batch the strategy proposed, in pick order, for the row's place in it.
    k : int
        How many nearest labelled rows to list.

    Returns
    -------
    Why

    Examples
    --------
    >>> sim = Simulation(RunConfig.from_dict({"dataset": "two_groups:n_samples=300", "rounds": 2}))
    >>> batch = sim.propose()
    >>> w = why_point(sim, int(batch[0]), batch=batch)
    >>> w.rank, w.pick, round(w.part("least_confidence"), 6) == round(w.score, 6)
    (1, 1, True)
    """
    s = sim.split
    i = _check_position(position, s.n_pool)
    pool = sim.pool_view()
    if pool.labeled[i]:
        raise UserInputError(f"position: {i} is already labelled; allowed: an unlabelled row")
    entry = STRATEGIES[sim.config.strategy.name]
    st = PickState(sim, pool, dict(sim.strategy_params), sim.proba_pool, sim.scores)
    explain = PARTS.get(entry.name)
    parts, caveat = explain(st, i) if explain is not None else ([], "")
    score, rank, ties = float("nan"), None, 0
    if sim.scores is not None:
        score = float(sim.scores[i])
        unl = sim.scores[~pool.labeled]
        rank = int(np.count_nonzero(unl > score)) + 1
        ties = int(np.count_nonzero(unl == score)) - 1
    pick = None
    if batch is not None:
        hit = np.flatnonzero(np.asarray(batch) == i)
        pick = int(hit[0]) + 1 if len(hit) else None
    return Why(
        position=i,
        round=sim.round + 1,
        strategy=entry.name,
        group=sim.groups[int(s.g_pool[i])],
        score=score,
        score_label=entry.score_label,
        parts=tuple(parts),
        rank=rank,
        ties=ties,
        n_unlabeled=pool.n_unlabeled,
        pick=pick,
        batch_size=sim.config.batch_size,
        neighbours=_neighbours(sim, i, k),
        p_positive=float(sim.proba_pool[i, 1]),
        positive_label=sim.dataset.positive_label,
        caveat=caveat,
    )


def _check_position(position: object, n_pool: int) -> int:
    try:
        i = int(position)  # type: ignore[call-overload]
        ok = i == position and 0 <= i < n_pool
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise UserInputError(MSG_POSITION.format(value=position, n_pool=n_pool))
    return i


_REPLAYS: OrderedDict[tuple[str, int], tuple[Simulation, np.ndarray]] = OrderedDict()
_LOCK = threading.Lock()
_KEEP = 4


def replay_to(config: RunConfig, round: int) -> tuple[Simulation, np.ndarray]:
    """The run of ``config`` stepped to just before round ``round``, and that round's batch.

    The simulated-oracle run is deterministic, so the batch equals the one
    the finished run recorded for ``round``. The last few replays are kept
    per process (never mutated after they are made).
    """
    key = (config.to_json(), int(round))
    with _LOCK:
        hit = _REPLAYS.get(key)
        if hit is not None:
            _REPLAYS.move_to_end(key)
            return hit
    sim = Simulation(config)
    if not 1 <= round <= sim.config.rounds:
        raise UserInputError(MSG_ROUND.format(value=round, last=sim.config.rounds))
    while sim.round < round - 1:
        sim.step()
    batch = sim.propose()
    with _LOCK:
        _REPLAYS[key] = (sim, batch)
        while len(_REPLAYS) > _KEEP:
            _REPLAYS.popitem(last=False)
    return sim, batch


def why_at(config: RunConfig, round: int, position: int, *, k: int = 3) -> Why:
    """Why ``position`` was queried in round ``round`` of the (simulated-oracle) run of ``config``.

    Replays the run to the round before (:func:`replay_to`). A seed-set row
    (``round == 0``) was drawn at random: its ``Why`` says so.

    Examples
    --------
    >>> cfg = RunConfig.from_dict({"dataset": "two_groups:n_samples=300", "rounds": 2})
    >>> sim, batch = replay_to(cfg, 2)
    >>> why_at(cfg, 2, int(batch[-1])).pick == len(batch)
    True
    """
    if round == 0:
        return _seed_why(config, position, k)
    sim, batch = replay_to(config, round)
    i = _check_position(position, sim.split.n_pool)
    if i not in batch:
        some = ", ".join(str(int(b)) for b in batch[:5]) + (", ..." if len(batch) > 5 else "")
        raise UserInputError(MSG_NOT_PICKED.format(value=i, round=round, n=len(batch), some=some))
    return why_point(sim, i, batch=batch, k=k)


def _seed_why(config: RunConfig, position: int, k: int) -> Why:
    sim = Simulation(config)
    i = _check_position(position, sim.split.n_pool)
    seed = sim.order[0]
    if i not in seed:
        raise UserInputError(
            MSG_NOT_PICKED.format(value=i, round=0, n=len(seed), some="the seed set")
        )
    return Why(
        position=i,
        round=0,
        strategy="seed set",
        group=sim.groups[int(sim.split.g_pool[i])],
        score=float("nan"),
        score_label="",
        parts=(),
        rank=None,
        ties=0,
        n_unlabeled=sim.split.n_pool,
        pick=None,
        batch_size=len(seed),
        neighbours=_neighbours(sim, i, k, seed[seed != i]),
        p_positive=float(sim.proba_pool[i, 1]),
        positive_label=sim.dataset.positive_label,
        caveat=CAVEAT_SEED,
    )


def sentence(why: Why) -> str:
    """Why the row was queried, in one plain sentence (``components.why_text.sentence``)."""
    from components.why_text import sentence as say

    return say(why)
