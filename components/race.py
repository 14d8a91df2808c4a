"""You are the strategy: a person picks each batch on the pool map and races the model.

A :class:`Race` runs three :class:`~components.engine.Simulation` s of one
config side by side, each with the same budget (the config's batch size and
rounds):

- ``you``: the rows a person picked, each batch labelled by the run's
  simulated annotator (``Simulation.step(positions=...)``);
- ``model``: the config's own strategy;
- ``random``: the same config with the ``random`` strategy.

The three differ only in their strategy, and the seed set and the split are
drawn from their own streams of the run's seed (``components.engine.STREAMS``),
so all three start from the same labelled rows and test set. The person's run
keeps the config's strategy for its scores, so a person who picks exactly the
model's batches gets the model's records.

A race is fully determined by its config and the batches the person picked,
so a page keeps only those and rebuilds it (``Race(config, batches)``).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from components.config import RunConfig
from components.engine import Simulation
from components.learners import predict_proba
from components.trace import GRID, RunTrace, _grid, group_code_dtype
from specs import Spec, UserInputError

__all__ = [
    "FAR_GROUP",
    "PRESETS",
    "RACE_DATASETS",
    "RUNS",
    "Race",
    "Standing",
    "check_dataset",
    "found_sentence",
]

#: The 2D data sets a person can pick on; the map is their own two features.
RACE_DATASETS = ("two_groups", "clusters")
#: The group whose first query the race times, per data set (the far cluster).
FAR_GROUP = {"clusters": "minority"}
#: The three runs, in the order a page shows them.
RUNS = ("you", "model", "random")
#: Races a class can run in a few minutes (``RunConfig`` fields without the seed).
#: ``clusters``: the overlooked-cluster setting (Dasgupta, 2011, "Two faces of
#: active learning"); ``two_groups``: a label bias on the minority.
PRESETS: dict[str, dict[str, Any]] = {
    "clusters": {
        "dataset": "clusters:n_samples=2000",
        "strategy": "least_confidence",
        "model": "logistic",
        "initial_size": 20,
        "batch_size": 10,
        "rounds": 10,
    },
    "two_groups": {
        "dataset": "two_groups:n_samples=2000",
        "scenarios": ["label_bias:group=minority,flip=0.4"],
        "strategy": "least_confidence",
        "model": "logistic",
        "initial_size": 20,
        "batch_size": 10,
        "rounds": 6,
    },
}

MSG_DATASET = "dataset: {value!r} has no 2D map to pick on; allowed: {allowed} (You vs the model)"
MSG_DONE = "race: all {rounds} rounds are picked; allowed: start again"
MSG_NOT_LIST = "batch: {value!r} is not a list of point numbers; allowed: {n} point numbers"
MSG_OFF_MAP = "batch: point {value} is not on the map; allowed: points 0 to {last}"
MSG_REPEAT = "batch: point {value} is picked twice; pick exactly {n} different unlabelled points"
MSG_LABELLED = (
    "batch: {k} of your points {are} already labelled ({some}); pick exactly {n} unlabelled points"
)
MSG_COUNT = "batch: you picked {got}; pick exactly {n} unlabelled points"
MSG_SHORT = "batch: you picked {got}, {short} short; pick exactly {n} unlabelled points"


def check_dataset(config: RunConfig) -> None:
    """Refuse a data set without a 2D map (one line naming it and the allowed ones).

    >>> check_dataset(RunConfig.from_dict({"dataset": "clusters"}))
    >>> check_dataset(RunConfig.from_dict({"dataset": "adult"}))
    Traceback (most recent call last):
    ...
    specs.UserInputError: dataset: 'adult' has no 2D map to pick on; allowed: two_groups, \
clusters (You vs the model)
    """
    name = config.dataset.name
    if name not in RACE_DATASETS:
        raise UserInputError(MSG_DATASET.format(value=name, allowed=", ".join(RACE_DATASETS)))


def _points(k: int) -> str:
    return f"{k} point" + ("" if k == 1 else "s")


@dataclass(frozen=True)
class Standing:
    """One run at one round: what the race compares.

    Attributes
    ----------
    run : str
        ``you``, ``model`` or ``random``.
    round : int
    accuracy : float
        Overall test accuracy against the truth.
    groups : DataFrame
        One row per group: ``group``, ``pool_share``, ``queried_cum``,
        ``query_share_cum`` (the ledger), ``accuracy`` and ``tpr`` against the
        truth, and ``accuracy_observed`` and ``tpr_observed`` against the
        recorded labels (record schema).
    found : int or None
        The round the run first labelled a row of the far group (0 = the seed
        set); None if it never has, or the data set has no far group.
    """

    run: str
    round: int
    accuracy: float
    groups: pd.DataFrame
    found: int | None


class Race:
    """A person's picks against the config's strategy and random, from one seed set.

    Parameters
    ----------
    config : RunConfig
        On a data set of ``RACE_DATASETS``; its strategy is the model's.
    batches : sequence of sequences of int
        The person's batches so far (pool positions), replayed in order.

    Examples
    --------
    >>> cfg = RunConfig.from_dict({"dataset": "clusters:n_samples=400", "initial_size": 10,
    ...                            "batch_size": 3, "rounds": 2})
    >>> race = Race(cfg)
    >>> race.round, race.n_pool
    (0, 299)
    >>> free = [int(p) for p in np.flatnonzero(~race.labelled("you"))]
    >>> race.submit(free[:3]).round
    1
    >>> race.submit(free[3:5])
    Traceback (most recent call last):
    ...
    specs.UserInputError: batch: you picked 2 points, 1 short; pick exactly 3 unlabelled points
    >>> bool((Race(cfg, race.batches).labelled("you") == race.labelled("you")).all())
    True
    """

    def __init__(self, config: RunConfig, batches: Sequence[Sequence[int]] = ()) -> None:
        check_dataset(config)
        you = Simulation(config)
        self.config = you.config
        self.sims: dict[str, Simulation] = {
            "you": you,
            "model": Simulation(self.config),
            "random": Simulation(self.config.with_changes(strategy=Spec("random"))),
        }
        s = you.split
        self.xy = s.X_pool[:, :2].astype(np.float32)  # the data's own 2D features
        self._grid = _grid(self.xy)
        self._proba: dict[str, list[np.ndarray]] = {k: [] for k in RUNS}
        for name in RUNS:
            self._snapshot(name)
        self.batches: tuple[tuple[int, ...], ...] = ()
        for batch in batches:
            self.submit(batch)

    # -- the race --------------------------------------------------------------
    @property
    def round(self) -> int:
        """Batches the person has picked so far."""
        return self.sims["you"].round

    @property
    def done(self) -> bool:
        return self.sims["you"].done

    @property
    def groups(self) -> tuple[str, ...]:
        return self.sims["you"].groups

    @property
    def n_pool(self) -> int:
        return self.sims["you"].split.n_pool

    @property
    def batch_size(self) -> int:
        return self.config.batch_size

    @property
    def far_group(self) -> str | None:
        """The group whose discovery the race times (the far cluster), if the data has one."""
        return FAR_GROUP.get(self.config.dataset.name)

    def labelled(self, run: str) -> np.ndarray:
        """Boolean mask over the pool: rows ``run`` has labelled so far (read-only copy)."""
        out = self.sims[run].labeled.copy()
        out.setflags(write=False)
        return out

    def check(self, positions: object) -> np.ndarray:
        """The person's batch as pool positions, or one friendly ``UserInputError``.

        Checked in this order: a list of integers, on the map, no repeats, none
        already labelled, exactly ``batch_size`` of them.
        """
        n = self.batch_size
        if self.done:
            raise UserInputError(MSG_DONE.format(rounds=self.config.rounds))
        try:
            raw = list(positions)  # type: ignore[call-overload]
        except TypeError:
            raise UserInputError(MSG_NOT_LIST.format(value=positions, n=n)) from None
        for p in raw:
            if isinstance(p, bool) or not isinstance(p, (int, np.integer)):
                raise UserInputError(MSG_NOT_LIST.format(value=str(p)[:40], n=n))
        pos = np.asarray(raw, dtype=np.int64)
        off = pos[(pos < 0) | (pos >= self.n_pool)]
        if len(off):
            raise UserInputError(MSG_OFF_MAP.format(value=int(off[0]), last=self.n_pool - 1))
        uniq, counts = np.unique(pos, return_counts=True)
        if (counts > 1).any():
            raise UserInputError(MSG_REPEAT.format(value=int(uniq[counts > 1][0]), n=n))
        done = [int(p) for p in pos if self.sims["you"].labeled[p]]
        if done:
            some = ", ".join(str(p) for p in done[:5]) + (", ..." if len(done) > 5 else "")
            raise UserInputError(
                MSG_LABELLED.format(
                    k=len(done), are="is" if len(done) == 1 else "are", some=some, n=n
                )
            )
        if len(pos) < n:
            raise UserInputError(MSG_SHORT.format(got=_points(len(pos)), short=n - len(pos), n=n))
        if len(pos) > n:
            raise UserInputError(MSG_COUNT.format(got=_points(len(pos)), n=n))
        return pos

    def submit(self, positions: Sequence[int]) -> Standing:
        """Label the person's batch, let the model and random take their turns; returns
        the person's standing. A refused batch changes nothing.
        """
        pos = self.check(positions)
        self.sims["you"].step(positions=pos)
        self.sims["model"].step()
        self.sims["random"].step()
        for name in RUNS:
            self._snapshot(name)
        self.batches += (tuple(int(p) for p in pos),)
        return self.standing("you")

    def fork(self) -> Race:
        """An independent copy to submit on (``Simulation.fork`` of each run); the data,
        the map and the earlier rounds' arrays are shared, never changed.
        """
        other = copy.copy(self)
        other.sims = {k: sim.fork() for k, sim in self.sims.items()}
        other._proba = {k: list(v) for k, v in self._proba.items()}
        return other

    def _snapshot(self, run: str) -> None:
        p = predict_proba(self.sims[run].model, self._grid[2])[:, 1]
        self._proba[run].append(p.reshape(GRID, GRID).astype(np.float32))

    # -- what the page shows ---------------------------------------------------
    def query_round(self, run: str) -> np.ndarray:
        """int16 over the pool: the round each row was labelled in by ``run``, -1 never."""
        out = np.full(self.n_pool, -1, dtype=np.int16)
        for r, pos in enumerate(self.sims[run].order):
            out[pos] = r
        return out

    def found(self, run: str) -> int | None:
        """The round ``run`` first labelled a row of the far group (0 = the seed set)."""
        far = self.far_group
        if far is None or far not in self.groups:
            return None
        code = self.groups.index(far)
        g = self.sims[run].split.g_pool
        for r, pos in enumerate(self.sims[run].order):
            if (g[pos] == code).any():
                return r
        return None

    def frames(self, run: str) -> dict[str, pd.DataFrame]:
        """The record frames (``rounds``, ``groups``, ``queries``) of ``run`` so far."""
        return self.sims[run].result().frames()

    def standing(self, run: str, r: int | None = None) -> Standing:
        """``run`` at round ``r`` (default: now)."""
        r = self.round if r is None else int(r)
        rec = self.sims[run].records[r]
        groups = pd.DataFrame(
            {
                "group": list(self.groups),
                "pool_share": np.asarray(rec.by_group["pool_share"], dtype=float),
                "queried_cum": np.asarray(rec.by_group["queried_cum"], dtype=np.int64),
                "query_share_cum": np.asarray(rec.by_group["query_share_cum"], dtype=float),
                "accuracy": np.asarray(rec.by_group["accuracy"], dtype=float),
                "accuracy_observed": np.asarray(rec.by_group["accuracy_observed"], dtype=float),
                "tpr": np.asarray(rec.by_group["tpr"], dtype=float),
                "tpr_observed": np.asarray(rec.by_group["tpr_observed"], dtype=float),
            }
        )
        found = self.found(run)
        return Standing(
            run=run,
            round=r,
            accuracy=float(rec.overall["accuracy"]),
            groups=groups,
            found=found if found is not None and found <= r else None,
        )

    def table(self) -> pd.DataFrame:
        """Every run, every round so far, every group: the ledger and accuracy, long form."""
        parts = []
        for run in RUNS:
            for r in range(self.round + 1):
                st = self.standing(run, r)
                parts.append(st.groups.assign(run=run, round=r, overall_accuracy=st.accuracy))
        cols = ["run", "round", "group", "pool_share", "queried_cum", "query_share_cum"]
        rest = ["accuracy", "accuracy_observed", "tpr", "tpr_observed", "overall_accuracy"]
        return pd.concat(parts, ignore_index=True)[[*cols, *rest]]

    def trace(self, run: str) -> RunTrace:
        """``run`` so far as a ``RunTrace``, for the app's charts (map, ledger, accuracy)."""
        sim = self.sims[run]
        s = sim.split
        n_rounds = self.round + 1
        return RunTrace(
            config=sim.config,
            groups=self.groups,
            frames=self.frames(run),
            xy=self.xy,
            g_pool=s.g_pool.astype(group_code_dtype(len(self.groups))),
            y_pool=s.y_pool.astype(np.int8),
            y_pool_obs=s.y_pool_obs.astype(np.int8),
            query_round=self.query_round(run),
            idx_pool=np.asarray(s.idx_pool),
            score_rows=np.zeros(0, dtype=np.int64),
            scores=np.full((n_rounds, 0), np.nan, dtype=np.float32),
            grid=(self._grid[0], self._grid[1], np.stack(self._proba[run])),
            dataset_name=sim.dataset.name,
            modality=sim.dataset.modality,
        )


def found_sentence(found: dict[str, int | None], *, far: str, rounds: int, model: str) -> str:
    """Who found the far group first, in one sentence, from ``Race.found`` of each run.

    >>> found_sentence({"you": 1, "model": None, "random": 4}, far="minority", rounds=5,
    ...                model="Least confidence")
    'You found the minority group first, in round 1; random sampling found it in round 4; \
the model (Least confidence) has not asked about it in 5 rounds.'
    >>> found_sentence({"you": 0, "model": 0, "random": 0}, far="minority", rounds=2,
    ...                model="Least confidence")
    'The seed set already held a row of the minority group, so every run saw it from round 0.'
    """
    names = {"you": "You", "model": f"the model ({model})", "random": "random sampling"}
    if all(v == 0 for v in found.values()):
        return (
            f"The seed set already held a row of the {far} group, so every run saw it from round 0."
        )
    hits = sorted((r, RUNS.index(k), k) for k, r in found.items() if r is not None)
    parts = []
    if hits:
        best = hits[0][0]
        first = [k for r, _, k in hits if r == best]
        who = " and ".join(names[k] for k in first)
        verb = "found" if len(first) == 1 else "both found" if len(first) == 2 else "all found"
        parts.append(f"{who[0].upper()}{who[1:]} {verb} the {far} group first, in round {best}")
        parts += [f"{names[k]} found it in round {r}" for r, _, k in hits if r != best]
    span = f"{rounds} round" + ("" if rounds == 1 else "s")
    parts += [
        f"{names[k]} {'have' if k == 'you' else 'has'} not asked about it in {span}"
        for k in RUNS
        if found.get(k) is None
    ]
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
