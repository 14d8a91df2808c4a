"""The annotator's seat: a person labels the batches the model asks for.

A ``Seat`` holds a :class:`~components.engine.Simulation`. Each round the
model proposes a batch (:meth:`Seat.batch`); the person answers each row
with 0 or 1, or asks for the simulated annotator's answer instead
(``"simulated"``); :meth:`Seat.submit` hands the answers to the engine
(``Simulation.step(labels, positions=batch)``), which refits. The report
(``components.seat_report``) then says, per group, how the person's labels
compare with the truth, which groups the model showed them and which it
never did, and what the same budget would have shown them at random.

A seat is fully determined by its config and the answers submitted, so it
can be rebuilt from ``(config, history)``: a page keeps only that.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from components.config import RunConfig
from components.engine import Simulation
from components.records import RoundRecord
from components.room_views import SIMULATED, show_row
from components.why import Why, why_point
from specs import UserInputError

if TYPE_CHECKING:
    from components.seat_report import SeatReport

__all__ = ["SIMULATED", "Answer", "Seat", "SeatItem", "codes_of"]

MSG_DONE = "seat: all {rounds} rounds are labelled; allowed: read the report, or start again"
MSG_NOT_MAPPING = (
    "labels: {kind} is not a mapping of position to answer; "
    "allowed: {{position: 0, 1 or 'simulated'}} for each row of the batch"
)
MSG_VALUE = "labels: position {position} has {value!r}; allowed: 0, 1 or 'simulated'"
MSG_POSITION = "labels: position {position!r} is not in this batch; allowed: one of {some}"
MSG_MISSING = (
    "labels: no answer for {n} of the batch's {m} rows (positions {some}); "
    "allowed: one answer per row, each 0, 1 or 'simulated'"
)

MSG_CODES = (
    "answers: {value!r} {problem}; allowed: one group of 0, 1 or s (simulated) per round, "
    "in batch order, rounds joined by '.'"
)

Label = int | str
CODE = {0: "0", 1: "1", SIMULATED: "s"}
FROM_CODE = {v: k for k, v in CODE.items()}


@dataclass(frozen=True)
class SeatItem:
    """One row of the batch, as the person sees it (never its label).

    Attributes
    ----------
    position : int
        The pool position: the key of its answer in ``submit``.
    order : int
        Its place in the batch, 1 = the model's first pick.
    group : str
    kind : str
        ``tabular``, ``image`` or ``text``.
    fields : tuple of (str, str)
        The record's columns and values in the data set's own words (tabular).
    image : tuple of tuples of float, or None
        The 8x8 intensities in [0, 1] of a digit.
    text : str or None
        The sentence of a text row.
    """

    position: int
    order: int
    group: str
    kind: str
    fields: tuple[tuple[str, str], ...]
    image: tuple[tuple[float, ...], ...] | None
    text: str | None


@dataclass(frozen=True)
class Answer:
    """One row the seat answered: what the person said against the truth.

    ``given`` is the person's label, or None when they let the simulated
    annotator answer; ``used`` is the label the model learned from.
    """

    round: int
    position: int
    group: str
    truth: int
    simulated: int
    given: int | None
    used: int


def codes_of(history: Sequence[Mapping[int, Label]]) -> str:
    """Answers per round (each in batch order) as text: ``"10s.0s1"``.

    >>> codes_of([{4: 1, 2: 0, 9: "simulated"}, {1: 0}])
    '10s.0'
    """
    return ".".join("".join(CODE[v] for v in h.values()) for h in history)


def _some(positions: Sequence[int]) -> str:
    shown = ", ".join(str(int(p)) for p in list(positions)[:6])
    return shown + (", ..." if len(positions) > 6 else "")


def _as_position(key: object) -> int | None:
    if isinstance(key, bool):
        return None
    if isinstance(key, (int, np.integer)):
        return int(key)
    return None


def _as_label(value: object) -> Label | None:
    if isinstance(value, str):
        return SIMULATED if value == SIMULATED else None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return None
    return int(value) if int(value) in (0, 1) else None


class Seat:
    """A person in the annotator's seat of one run.

    Parameters
    ----------
    config : RunConfig
        The run; its annotator answers the seed set and any row the person
        hands over (``"simulated"``).
    history : sequence of mappings
        Answers already submitted, one mapping per round: replayed in order.

    Examples
    --------
    >>> seat = Seat(RunConfig.from_dict({"dataset": "two_groups:n_samples=300",
    ...                                  "batch_size": 3, "rounds": 2}))
    >>> items = seat.batch()
    >>> [it.order for it in items], seat.round
    ([1, 2, 3], 0)
    >>> _ = seat.submit({items[0].position: 1, items[1].position: 0,
    ...                  items[2].position: "simulated"})
    >>> seat.round, len(seat.answers), seat.answers[2].given is None
    (1, 3, True)
    """

    def __init__(self, config: RunConfig, history: Sequence[Mapping[Any, Any]] = ()) -> None:
        self.sim = Simulation(config)
        self.config = self.sim.config
        self.history: tuple[dict[int, Label], ...] = ()
        self.answers: tuple[Answer, ...] = ()
        self._batch: np.ndarray | None = None
        self._random: Simulation | None = None
        for labels in history:
            self.submit(labels)

    # -- the run ---------------------------------------------------------------
    @property
    def groups(self) -> tuple[str, ...]:
        return self.sim.groups

    @property
    def round(self) -> int:
        """Rounds the person has labelled so far (0 before the first submit)."""
        return self.sim.round

    @property
    def done(self) -> bool:
        return self.sim.done

    @property
    def records(self) -> list[RoundRecord]:
        return list(self.sim.records)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The run's record frames so far (``rounds``, ``groups``, ``queries``)."""
        return self.sim.result().frames()

    # -- the batch -------------------------------------------------------------
    def positions(self) -> np.ndarray:
        """The model's next batch (pool positions, its first pick first)."""
        if self.done:
            raise UserInputError(MSG_DONE.format(rounds=self.config.rounds))
        if self._batch is None:  # proposed once: proposing draws from the run's stream
            self._batch = self.sim.propose()
        return self._batch

    def batch(self) -> list[SeatItem]:
        """The model's next batch as the person sees it."""
        s = self.sim.split
        out = []
        for k, p in enumerate(self.positions().tolist()):
            kind, fields, image, text = show_row(self.config.dataset, int(s.idx_pool[p]))
            out.append(
                SeatItem(
                    position=int(p),
                    order=k + 1,
                    group=self.groups[int(s.g_pool[p])],
                    kind=kind,
                    fields=fields,
                    image=image,
                    text=text,
                )
            )
        return out

    def simulated_answer(self, position: int) -> int:
        """What the run's simulated annotator answers for ``position`` (a row of the batch)."""
        p = self._in_batch(position)
        return int(self.sim.annotator.answer(np.array([p]))[0])

    def why(self, position: int) -> Why:
        """Why the model put ``position`` in this batch (``components.why``)."""
        p = self._in_batch(position)
        return why_point(self.sim, p, batch=self.positions())

    def _in_batch(self, position: object) -> int:
        batch = self.positions()
        p = _as_position(position)
        if p is None or p not in batch:
            raise UserInputError(MSG_POSITION.format(position=position, some=_some(batch)))
        return p

    # -- answering -------------------------------------------------------------
    def check(self, labels: object) -> dict[int, Label]:
        """``labels`` as ``{position: 0 | 1 | "simulated"}`` in batch order, or ``UserInputError``."""
        if self.done:
            raise UserInputError(MSG_DONE.format(rounds=self.config.rounds))
        if not isinstance(labels, Mapping):
            raise UserInputError(MSG_NOT_MAPPING.format(kind=type(labels).__name__))
        batch = self.positions()
        given: dict[int, Label] = {}
        for key, value in labels.items():
            p = _as_position(key)
            if p is None or p not in batch:
                raise UserInputError(MSG_POSITION.format(position=key, some=_some(batch)))
            label = _as_label(value)
            if label is None:
                raise UserInputError(MSG_VALUE.format(position=p, value=value))
            given[p] = label
        missing = [int(p) for p in batch if int(p) not in given]
        if missing:
            raise UserInputError(
                MSG_MISSING.format(n=len(missing), m=len(batch), some=_some(missing))
            )
        return {int(p): given[int(p)] for p in batch}

    def submit(self, labels: Mapping[Any, Any]) -> RoundRecord:
        """Answer the batch and let the model refit; returns the round's record.

        Rows answered ``"simulated"`` get the simulated annotator's answer.
        """
        checked = self.check(labels)
        batch = self.positions()
        simulated = np.asarray(self.sim.annotator.answer(batch), dtype=np.int64)
        used = np.array(
            [
                simulated[k] if checked[int(p)] == SIMULATED else checked[int(p)]
                for k, p in enumerate(batch)
            ],
            dtype=np.int64,
        )
        record = self.sim.step(used, positions=batch)
        s = self.sim.split
        self.answers += tuple(
            Answer(
                round=record.round,
                position=int(p),
                group=self.groups[int(s.g_pool[p])],
                truth=int(s.y_pool[p]),
                simulated=int(simulated[k]),
                given=None if checked[int(p)] == SIMULATED else int(checked[int(p)]),
                used=int(used[k]),
            )
            for k, p in enumerate(batch)
        )
        self.history += (checked,)
        self._batch = None
        return record

    def report(self) -> SeatReport:
        """How did I do? Per group (``components.seat_report.seat_report``)."""
        from components.seat_report import seat_report

        return seat_report(self)

    # -- rebuilding ------------------------------------------------------------
    def settle(self) -> Seat:
        """Do now the work a read would do lazily: propose the next batch, step random's run.

        Afterwards reading the seat (batch, why, report) changes nothing, so
        a settled seat can be read by several threads at once.
        """
        if not self.done:
            self.positions()
        self.random_positions()
        return self

    def codes(self) -> str:
        """The answers so far as text for a link: ``"10s1.0ss1"`` (one group per round).

        The batches are determined by the config and the answers before
        them, so the answers in batch order are enough to rebuild the seat
        (:meth:`from_codes`).
        """
        return codes_of(self.history)

    @classmethod
    def from_codes(cls, config: RunConfig, codes: str) -> Seat:
        """The seat of ``config`` after the answers in ``codes`` (:meth:`codes`).

        >>> cfg = RunConfig.from_dict({"dataset": "two_groups:n_samples=300",
        ...                            "batch_size": 3, "rounds": 2})
        >>> Seat.from_codes(cfg, "1s0.011").codes()
        '1s0.011'
        >>> Seat.from_codes(cfg, "1s")
        Traceback (most recent call last):
        ...
        specs.UserInputError: answers: '1s' round 1 has 2 answers for 3 rows; allowed: one \
group of 0, 1 or s (simulated) per round, in batch order, rounds joined by '.'
        """
        text = str(codes)

        def bad(problem: str) -> UserInputError:
            return UserInputError(MSG_CODES.format(value=text[:40], problem=problem))

        parts = text.split(".") if text else []
        if len(parts) > config.rounds:
            raise bad(f"holds {len(parts)} rounds, more than the run's {config.rounds}")
        if any(not part or set(part) - set(FROM_CODE) for part in parts):
            raise bad("holds something other than 0, 1, s and '.'")
        seat = cls(config)
        for k, part in enumerate(parts):
            batch = seat.positions().tolist()
            if len(part) != len(batch):
                raise bad(f"round {k + 1} has {len(part)} answers for {len(batch)} rows")
            seat.submit({p: FROM_CODE[c] for p, c in zip(batch, part, strict=True)})
        return seat

    def fork(self) -> Seat:
        """An independent copy to submit on, sharing the read-only data with this one.

        A page may keep seats in a cache shared by sessions: it submits on a
        fork, never on the cached seat itself.
        """
        memo = {}
        for sim in (self.sim, self._random):
            if sim is not None:
                for x in (sim.dataset, sim.split, sim.environment, sim.annotator, sim.config):
                    memo[id(x)] = x
                memo[id(sim.entry)] = sim.entry
        return copy.deepcopy(self, memo)

    def random_positions(self) -> np.ndarray:
        """The rows ``random`` queries over the rounds labelled so far, from the same seed
        set: the run's own seed streams with only the strategy changed.

        Random's picks do not depend on the answers, so its run is stepped
        along with the seat (one refit per round).
        """
        if self._random is None:
            from specs import Spec

            self._random = Simulation(self.config.with_changes(strategy=Spec("random")))
        while self._random.round < self.round:
            self._random.step()
        picked = [r.positions for r in self._random.records[1 : self.round + 1]]
        return np.concatenate(picked) if picked else np.zeros(0, np.int64)
