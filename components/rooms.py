"""A class labelling together: the room store, UI-free.

A teacher creates a room from a ``RunConfig`` and gets a short code and a
secret teacher token. Students join with the code and a display name and
each gets a secret student token. Each round the teacher opens, the
strategy's batch is split among the students in join order (position ``i``
of the batch goes to student ``i mod n``); each student labels their items;
when every item is answered, or when the teacher closes the round, the model
refits on the class's labels (items nobody answered are answered by the
simulated annotator, and marked so).

Everything lives in the database (``components.room_db``): a restarted
server, a second process or a teacher's new browser tab finds the same room.
The model is never stored: it is rebuilt by replay (same config, same
labels per round, hence the same model), and kept per store object.

Privacy: a student's views hold only their own items and answers and the
class's counts. The teacher's view holds counts and agreement with the
truth; names with per-student counts only when the teacher turns
``show_names`` on. Exports name students by a per-room pseudonym.

>>> import tempfile, pathlib
>>> from components.config import RunConfig
>>> db = pathlib.Path(tempfile.mkdtemp()) / "rooms.sqlite"
>>> store = RoomStore(f"sqlite:///{db}")
>>> cfg = RunConfig.from_dict({"dataset": "two_groups:n_samples=400", "batch_size": 4,
...                            "rounds": 1})
>>> room = store.create_room(cfg)
>>> ana, ben = store.join(room.code, "Ana"), store.join(room.code, "Ben")
>>> store.open_round(room.teacher_token)["assigned"]
{'student-1': 2, 'student-2': 2}
>>> for token in (ana, ben):
...     done = store.submit(token, {item.position: 1 for item in store.items_for(token)})
>>> done.round_closed, store.state(room.teacher_token)["round"]
(True, 1)
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from components import room_views as views
from components.room_access import (
    ALPHABET,
    CODE_LENGTH,
    DEFAULT_MAX_STUDENTS,
    DEFAULT_TTL_HOURS,
    MAX_STUDENTS,
    MSG_ALREADY_OPEN,
    MSG_DONE,
    MSG_FULL,
    MSG_MAX,
    MSG_NO_STUDENTS,
    MSG_NONE_OPEN,
    _hash,
    _labels,
    _Live,
    normalise_code,
)
from components.room_db import Database, default_url, items, rooms, rounds, students
from components.room_reads import RoomReads
from specs import UserInputError

if TYPE_CHECKING:
    from components.config import RunConfig

__all__ = ["Item", "Room", "RoomStore", "SubmitResult", "normalise_code"]

Item = views.Item


@dataclass(frozen=True)
class Room:
    """A new room: its ``code`` (for students) and the teacher's secret ``teacher_token``."""

    code: str
    teacher_token: str


@dataclass(frozen=True)
class SubmitResult:
    """What a submission did: answers stored, this student's items left, whether it closed."""

    round: int
    stored: int
    remaining: int
    round_closed: bool


class RoomStore(RoomReads):
    """Classroom rooms in a database; every method is one request of a page.

    Parameters
    ----------
    url : str, optional
        A SQLAlchemy URL; by default ``$WGL_ROOMS_URL`` or a private SQLite file.
    ttl_hours : float
        A room's life from its creation; after it, the room is refused and purged.
    clock : callable
        Seconds since the epoch (tests pass a fake one).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        ttl_hours: float = DEFAULT_TTL_HOURS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not float(ttl_hours) > 0:
            raise ValueError(f"ttl_hours={ttl_hours!r}; allowed: a positive number of hours")
        self.url = url or default_url()
        self.db = Database(self.url)
        self.ttl_hours = float(ttl_hours)
        self.clock = clock
        super().__init__()

    def close(self) -> None:
        """Close the database connections this store holds (the rooms stay in the database)."""
        self.db.dispose()

    # -- rooms and students ----------------------------------------------------
    def create_room(
        self,
        config: RunConfig | Mapping[str, Any] | str,
        *,
        teacher_name: str | None = None,
        max_students: int = DEFAULT_MAX_STUDENTS,
        show_names: bool = False,
    ) -> Room:
        """A new room running ``config``; the config is checked by building its run."""
        from components.config import RunConfig
        from components.engine import Simulation

        if isinstance(config, str):
            config = RunConfig.from_json(config)
        elif not isinstance(config, RunConfig):
            config = RunConfig.from_dict(config)
        if isinstance(max_students, bool) or not isinstance(max_students, int):
            raise UserInputError(MSG_MAX.format(value=max_students, limit=MAX_STUDENTS))
        if not 1 <= max_students <= MAX_STUDENTS:
            raise UserInputError(MSG_MAX.format(value=max_students, limit=MAX_STUDENTS))
        if teacher_name is not None:
            teacher_name = views.check_name(teacher_name, field="teacher name")
        sim = Simulation(config)
        pool_counts = np.bincount(sim.split.g_pool, minlength=sim.n_groups).tolist()
        self.purge_expired()
        token = secrets.token_urlsafe(32)
        now = self.clock()
        for _ in range(50):
            code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self.db.write() as conn:
                    room_id = conn.execute(
                        insert(rooms).values(
                            code=code,
                            teacher_hash=_hash(token),
                            teacher_name=teacher_name,
                            config_json=sim.config.to_json(),
                            groups_json=json.dumps(list(sim.groups)),
                            pool_counts_json=json.dumps(pool_counts),
                            created_at=now,
                            expires_at=now + self.ttl_hours * 3600.0,
                            show_names=bool(show_names),
                            max_students=max_students,
                        )
                    ).inserted_primary_key[0]
                break
            except IntegrityError:  # the code is taken: draw another
                continue
        else:  # pragma: no cover - 31**6 codes
            raise RuntimeError("room store: no free room code found")
        with self._guard:
            self._remember((int(room_id), code, now), _Live(sim, 0))
        return Room(code=code, teacher_token=token)

    def join(self, code: str, display_name: str) -> str:
        """Join room ``code`` as ``display_name``; returns the student's secret token.

        A name already taken in the room is numbered: the second "Ana" is
        "Ana (2)". Only the student and (if the teacher turns names on) the
        teacher see it.
        """
        name = views.check_name(display_name)
        token = secrets.token_urlsafe(24)
        with self._refusing():
            with self.db.write() as conn:
                room = self._room_by_code(conn, code)
                self._lock_room(conn, room.id)
                taken = conn.execute(
                    select(students.c.seat, students.c.name).where(students.c.room_id == room.id)
                ).all()
                if len(taken) >= room.max_students:
                    raise UserInputError(MSG_FULL.format(code=room.code, n=room.max_students))
                conn.execute(
                    insert(students).values(
                        room_id=room.id,
                        seat=max((s.seat for s in taken), default=0) + 1,
                        token_hash=_hash(token),
                        name=views.numbered(name, {s.name for s in taken}),
                        joined_at=self.clock(),
                    )
                )
        return token

    def set_show_names(self, teacher_token: str, on: bool) -> None:
        """Let the teacher's view name who labelled how much (off by default)."""
        with self._refusing():
            with self.db.write() as conn:
                room = self._room_by_teacher(conn, teacher_token)
                conn.execute(update(rooms).where(rooms.c.id == room.id).values(show_names=bool(on)))

    # -- the round lifecycle -----------------------------------------------------
    def open_round(self, teacher_token: str) -> dict[str, Any]:
        """Ask the strategy for the next batch and split it among the students present.

        Returns ``{"round", "batch", "assigned"}``: the round number, the batch
        size and how many items each pseudonym got.
        """
        with self._refusing():
            with self.db.read() as conn:
                room = self._room_by_teacher(conn, teacher_token)
                history = self._history(conn, room.id)
            if history["open"] is not None:
                raise UserInputError(MSG_ALREADY_OPEN.format(code=room.code, n=history["open"]))
            closed = len(history["closed"])
            with self._room_lock(room.id):
                live = self._replay(room, history)
                if live.sim.done:
                    raise UserInputError(MSG_DONE.format(code=room.code, n=closed))
                if live.proposed is None:
                    live.proposed = live.sim.propose()
                positions = live.proposed
                split = live.sim.split
                simulated = live.sim.annotator.answer(positions)
            with self.db.write() as conn:
                room = self._room_by_teacher(conn, teacher_token)
                self._lock_room(conn, room.id)
                now_open = conn.execute(
                    select(func.count()).where(rounds.c.room_id == room.id)
                ).scalar_one()
                if now_open != closed:
                    raise UserInputError(MSG_ALREADY_OPEN.format(code=room.code, n=now_open))
                seats = conn.execute(
                    select(students.c.id, students.c.seat)
                    .where(students.c.room_id == room.id)
                    .order_by(students.c.seat)
                ).all()
                if not seats:
                    raise UserInputError(MSG_NO_STUDENTS.format(code=room.code))
                number = closed + 1
                conn.execute(
                    insert(rounds).values(
                        room_id=room.id, number=number, status="open", opened_at=self.clock()
                    )
                )
                rows = [
                    {
                        "room_id": room.id,
                        "round": number,
                        "position": int(p),
                        "slot": i,
                        "row": int(split.idx_pool[p]),
                        "group_code": int(split.g_pool[p]),
                        "truth": int(split.y_pool[p]),
                        "simulated": int(simulated[i]),
                        "student_id": seats[i % len(seats)].id,
                    }
                    for i, p in enumerate(positions)
                ]
                conn.execute(insert(items), rows)
        counts: dict[str, int] = {}
        for i in range(len(positions)):
            key = views.pseudonym(seats[i % len(seats)].seat)
            counts[key] = counts.get(key, 0) + 1
        return {"round": number, "batch": len(positions), "assigned": counts}

    def items_for(self, student_token: str) -> list[Item]:
        """This student's items in the open round (empty when none is open), with their answers."""
        with self._refusing():
            with self.db.read() as conn:
                student, room = self._student(conn, student_token)
                number = self._open_round(conn, room.id)
                if number is None:
                    return []
                rows = conn.execute(
                    select(items.c.position, items.c.row, items.c.label, items.c.source)
                    .where(
                        items.c.room_id == room.id,
                        items.c.round == number,
                        items.c.student_id == student.id,
                    )
                    .order_by(items.c.slot)
                ).all()
        spec = self._config(room).dataset
        out = []
        for r in rows:
            kind, fields, image, text = views.show_row(spec, r.row)
            label = r.label if r.source == "class" else None
            out.append(Item(r.position, number, kind, fields, image, text, label))
        return out

    def submit(self, student_token: str, answers: Mapping[int, int]) -> SubmitResult:
        """Store this student's answers (``{position: 0 or 1}``) for items of the open round.

        A later answer for the same item replaces the earlier one while the
        round is open. When the last item of the batch is answered the round
        closes and the model refits.
        """
        labels = _labels(answers)
        with self._refusing():
            with self.db.write() as conn:
                student, room = self._student(conn, student_token)
                number = self._open_round(conn, room.id, lock=True)
                mine = conn.execute(
                    select(items.c.position, items.c.round).where(
                        items.c.room_id == room.id, items.c.student_id == student.id
                    )
                ).all()
                now = {m.position for m in mine if m.round == number}
                if number is None or not set(labels) <= now:
                    earlier = {m.position: m.round for m in mine if m.round != number}
                    self._refuse_submit(room, number, labels, now, earlier)
                conn.execute(
                    update(items)
                    .where(
                        items.c.room_id == room.id,
                        items.c.round == number,
                        items.c.position == bindparam("p"),
                        items.c.student_id == student.id,
                    )
                    .values(label=bindparam("l"), source="class", labelled_at=self.clock()),
                    [{"p": p, "l": v} for p, v in sorted(labels.items())],
                )
                left = conn.execute(
                    select(items.c.student_id).where(
                        items.c.room_id == room.id,
                        items.c.round == number,
                        items.c.label.is_(None),
                    )
                ).all()
                closed = not left
                if closed:
                    self._mark_closed(conn, room.id, number, "complete")
        if closed:
            self._refit(room)
        remaining = sum(1 for s in left if s.student_id == student.id)
        return SubmitResult(number, len(labels), remaining, closed)

    def close_round(self, teacher_token: str) -> dict[str, Any]:
        """Close the open round: unanswered items get the simulated annotator's answer; refit.

        Returns ``{"round", "class_labels", "simulated", "accuracy"}``.
        """
        with self._refusing():
            with self.db.write() as conn:
                room = self._room_by_teacher(conn, teacher_token)
                number = self._open_round(conn, room.id, lock=True)
                if number is None:
                    allowed = "open a round first"
                    raise UserInputError(MSG_NONE_OPEN.format(code=room.code, allowed=allowed))
                unanswered = (items.c.room_id == room.id) & (items.c.round == number)
                conn.execute(
                    update(items)
                    .where(unanswered, items.c.label.is_(None))
                    .values(label=items.c.simulated, source=views.SIMULATED)
                )
                self._mark_closed(conn, room.id, number, "teacher")
                sources = conn.execute(select(items.c.source).where(unanswered)).scalars().all()
        record = self._refit(room)
        return {
            "round": number,
            "class_labels": sum(1 for s in sources if s == "class"),
            "simulated": sum(1 for s in sources if s == views.SIMULATED),
            "accuracy": record.overall["accuracy"],
        }
