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

import hashlib
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from components import room_views as views
from components.config import RunConfig
from components.engine import Simulation
from components.room_db import Database, default_url, items, rooms, rounds, students
from components.room_state import (
    RoomRecords,
    public_state,
    room_records,
    student_state,
    teacher_state,
)
from specs import UserInputError

__all__ = ["Item", "Room", "RoomStore", "SubmitResult"]

Item = views.Item
#: Letters and digits that cannot be mistaken for one another (no 0/O, 1/I/L).
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
DEFAULT_TTL_HOURS = 12.0
DEFAULT_MAX_STUDENTS = 60
MAX_STUDENTS = 200
#: Rooms whose rebuilt model a store keeps in memory.
LIVE_ROOMS = 8

MSG_CODE = (
    "room code: {value!r} is not an open room on this server (rooms last {hours:g} hours); "
    "allowed: the {n}-character code on the teacher's screen"
)
MSG_TOKEN = (
    "{who} token: {value!r} is not known in any open room; allowed: the link you got when "
    "you {how} (rooms last {hours:g} hours)"
)
MSG_FULL = "room {code}: {n} students have joined, its limit; allowed: at most {n} students"
MSG_MAX = "max_students: {value!r}; allowed: an integer in [1, {limit}]"
MSG_NO_STUDENTS = "room {code}: no student has joined; allowed: open a round once students join"
MSG_ALREADY_OPEN = "room {code}: round {n} is already open; allowed: close it first"
MSG_NONE_OPEN = "round: no round is open in room {code}; allowed: {allowed}"
MSG_CLOSED = "round: round {n} is closed; allowed: {allowed}"
MSG_DONE = "room {code}: all {n} rounds are done; allowed: read the results, or start a new room"
MSG_NOT_YOURS = "positions: {bad} are not your items in round {n}; allowed: {mine}"
MSG_LABELS = "labels: {value!r}; allowed: a mapping of your item positions to 0 or 1"
MSG_LABEL_VALUE = "label for position {position}: {value!r}; allowed: 0 or 1"


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


@dataclass
class _Live:
    """A room's rebuilt ``Simulation`` after ``closed`` rounds, and its proposed batch."""

    sim: Simulation
    closed: int
    proposed: np.ndarray | None = None


class _Expired(UserInputError):
    def __init__(self, message: str, room_id: int) -> None:
        super().__init__(message)
        self.room_id = room_id


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _peek(token: object) -> str:
    """A secret as shown in a refusal: its first characters only."""
    text = str(token)
    return text[:4] + "…" if len(text) > 4 else text


def normalise_code(value: object) -> str:
    """A room code as typed (any case, spaces or dashes), upper-cased and stripped.

    >>> normalise_code(" ab3-d7k ")
    'AB3D7K'
    """
    return re.sub(r"[\s\-]", "", str(value)).upper()


def _labels(answers: object) -> dict[int, int]:
    if not isinstance(answers, Mapping) or not answers:
        raise UserInputError(MSG_LABELS.format(value=str(answers)[:60]))
    out: dict[int, int] = {}
    for key, value in answers.items():
        try:
            position = int(key)
        except (TypeError, ValueError):
            raise UserInputError(MSG_LABELS.format(value=str(answers)[:60])) from None
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
            if not (isinstance(value, str) and value.strip() in ("0", "1")):
                raise UserInputError(MSG_LABEL_VALUE.format(position=position, value=value))
        label = int(value)
        if label not in (0, 1):
            raise UserInputError(MSG_LABEL_VALUE.format(position=position, value=value))
        out[position] = label
    return out


class RoomStore:
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
        self.url = url or default_url()
        self.db = Database(self.url)
        self.ttl_hours = float(ttl_hours)
        self.clock = clock
        self._live: OrderedDict[tuple, _Live] = OrderedDict()
        self._configs: dict[int, RunConfig] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

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
                stamp = self.clock()
                for position, label in sorted(labels.items()):
                    conn.execute(
                        update(items)
                        .where(
                            items.c.room_id == room.id,
                            items.c.round == number,
                            items.c.position == position,
                            items.c.student_id == student.id,
                        )
                        .values(label=label, source="class", labelled_at=stamp)
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

    # -- reading -------------------------------------------------------------------
    def state(self, key: str, *, now: float | None = None) -> dict[str, Any]:
        """The teacher's view (``key`` a teacher token) or the public one (``key`` a room code).

        Public: the round, the number of students and the open round's
        progress in counts. Teacher: also per round progress, the class's
        answers against the truth per group, the ledger, the groups the class
        was never shown and, with ``show_names`` on, each student's counts.
        """
        with self._refusing(), self.db.read() as conn:
            if len(normalise_code(key)) <= CODE_LENGTH + 2:
                return public_state(conn, self._room_by_code(conn, key))
            return teacher_state(conn, self._room_by_teacher(conn, key))

    def student_state(self, student_token: str) -> dict[str, Any]:
        """A student's own view: their name, their progress, the class's counts; nobody else's."""
        with self._refusing(), self.db.read() as conn:
            student, room = self._student(conn, student_token)
            return student_state(conn, room, student)

    def records(self, teacher_token: str) -> RoomRecords:
        """The run's records (``rounds``, ``groups``, ``queries``) with pseudonymous annotators."""
        with self._refusing():
            with self.db.read() as conn:
                room = self._room_by_teacher(conn, teacher_token)
                history = self._history(conn, room.id)
                who = conn.execute(
                    select(items.c.round, items.c.position, items.c.source, students.c.seat)
                    .select_from(items.outerjoin(students, items.c.student_id == students.c.id))
                    .where(items.c.room_id == room.id)
                ).all()
            with self._room_lock(room.id):
                result = self._replay(room, history).sim.result()
        return room_records(result, who)

    # -- expiry ----------------------------------------------------------------------
    def purge_expired(self) -> int:
        """Delete every expired room and its rows; returns how many were deleted."""
        with self.db.write() as conn:
            ids = (
                conn.execute(select(rooms.c.id).where(rooms.c.expires_at <= self.clock()))
                .scalars()
                .all()
            )
            self._delete(conn, ids)
        return len(ids)

    def _delete(self, conn: Connection, ids: list[int]) -> None:
        if not ids:
            return
        for table in (items, rounds, students):
            conn.execute(delete(table).where(table.c.room_id.in_(ids)))
        conn.execute(delete(rooms).where(rooms.c.id.in_(ids)))
        with self._guard:
            for key in [k for k in self._live if k[0] in ids]:
                self._live.pop(key)
            for i in ids:
                self._configs.pop(i, None)

    # -- internals ---------------------------------------------------------------------
    def _refusing(self) -> _Refusing:
        return _Refusing(self)

    def _alive(self, room: Any, refusal: str) -> Any:
        if room is None:
            raise UserInputError(refusal)
        if room.expires_at <= self.clock():
            raise _Expired(refusal, room.id)
        return room

    def _room_by_code(self, conn: Connection, code: str) -> Any:
        text = normalise_code(code)
        refusal = MSG_CODE.format(value=str(code)[:20], hours=self.ttl_hours, n=CODE_LENGTH)
        if len(text) != CODE_LENGTH or any(c not in ALPHABET for c in text):
            raise UserInputError(refusal)
        row = conn.execute(select(rooms).where(rooms.c.code == text)).first()
        return self._alive(row, refusal)

    def _room_by_teacher(self, conn: Connection, token: str) -> Any:
        refusal = MSG_TOKEN.format(
            who="teacher", value=_peek(token), how="opened the room", hours=self.ttl_hours
        )
        row = conn.execute(select(rooms).where(rooms.c.teacher_hash == _hash(str(token)))).first()
        return self._alive(row, refusal)

    def _student(self, conn: Connection, token: str) -> tuple[Any, Any]:
        refusal = MSG_TOKEN.format(
            who="student", value=_peek(token), how="joined", hours=self.ttl_hours
        )
        student = conn.execute(
            select(students).where(students.c.token_hash == _hash(str(token)))
        ).first()
        if student is None:
            raise UserInputError(refusal)
        room = conn.execute(select(rooms).where(rooms.c.id == student.room_id)).first()
        return student, self._alive(room, refusal)

    def _open_round(self, conn: Connection, room_id: int, *, lock: bool = False) -> int | None:
        query = select(rounds.c.number).where(
            rounds.c.room_id == room_id, rounds.c.status == "open"
        )
        return conn.execute(query.with_for_update() if lock else query).scalar()

    def _mark_closed(self, conn: Connection, room_id: int, number: int, by: str) -> None:
        conn.execute(
            update(rounds)
            .where(rounds.c.room_id == room_id, rounds.c.number == number)
            .values(status="closed", closed_at=self.clock(), closed_by=by)
        )

    def _refuse_submit(
        self,
        room: Any,
        number: int | None,
        labels: dict[int, int],
        now: set[int],
        earlier: dict[int, int],
    ) -> None:
        wait = "wait for the teacher to open the next round"
        late = sorted({earlier[p] for p in labels if p in earlier and p not in now})
        if late:
            allowed = f"your items of round {number}" if number is not None else wait
            raise UserInputError(MSG_CLOSED.format(n=late[0], allowed=allowed))
        if number is None:
            raise UserInputError(MSG_NONE_OPEN.format(code=room.code, allowed=wait))
        bad = sorted(set(labels) - now)
        shown = ", ".join(map(str, bad[:10])) + (" ..." if len(bad) > 10 else "")
        mine = ", ".join(map(str, sorted(now))) if now else "none (you have no items this round)"
        raise UserInputError(MSG_NOT_YOURS.format(bad=shown, n=number, mine=mine))

    def _config(self, room: Any) -> RunConfig:
        with self._guard:
            cfg = self._configs.get(room.id)
            if cfg is None:
                cfg = self._configs[room.id] = RunConfig.from_json(room.config_json)
            return cfg

    def _room_lock(self, room_id: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(room_id, threading.Lock())

    def _remember(self, key: tuple, live: _Live) -> None:
        self._live[key] = live
        self._live.move_to_end(key)
        while len(self._live) > LIVE_ROOMS:
            self._live.popitem(last=False)

    def _history(self, conn: Connection, room_id: int) -> dict[str, Any]:
        """Closed rounds as ``(positions, labels)`` in batch order, and the open round."""
        status = dict(
            conn.execute(
                select(rounds.c.number, rounds.c.status).where(rounds.c.room_id == room_id)
            ).all()
        )
        rows = conn.execute(
            select(items.c.round, items.c.position, items.c.label)
            .where(items.c.room_id == room_id)
            .order_by(items.c.round, items.c.slot)
        ).all()
        closed: list[tuple[np.ndarray, np.ndarray]] = []
        open_round = next((n for n, s in status.items() if s == "open"), None)
        for n in sorted(k for k, s in status.items() if s == "closed"):
            mine = [r for r in rows if r.round == n]
            closed.append(
                (
                    np.array([r.position for r in mine], dtype=np.int64),
                    np.array([r.label for r in mine], dtype=np.int64),
                )
            )
        opened = [r.position for r in rows if r.round == open_round]
        return {"closed": closed, "open": open_round, "open_positions": np.array(opened, int)}

    def _replay(self, room: Any, history: dict[str, Any]) -> _Live:
        """The room's ``Simulation`` after its closed rounds (call with the room's lock held).

        Each round replays as it ran: the strategy proposes (so its random
        stream advances as it did), the proposal must equal the stored batch,
        and the stored labels refit the model.
        """
        key = (room.id, room.code, room.created_at)
        with self._guard:
            live = self._live.get(key)
        closed = history["closed"]
        if live is None or live.closed > len(closed):
            live = _Live(Simulation(self._config(room)), 0)
        for positions, labels in closed[live.closed :]:
            self._propose(live, positions)
            live.sim.step(labels, positions=positions)
            live.closed, live.proposed = live.closed + 1, None
        if history["open"] is not None:
            self._propose(live, history["open_positions"])
        with self._guard:
            self._remember(key, live)
        return live

    @staticmethod
    def _propose(live: _Live, expected: np.ndarray) -> None:
        if live.proposed is None:
            live.proposed = live.sim.propose()
        if not np.array_equal(live.proposed, expected):
            raise RuntimeError(
                "room store: the replayed run proposes another batch than the stored one; "
                "the code or its libraries changed since the room was created"
            )

    def _refit(self, room: Any) -> Any:
        with self.db.read() as conn:
            history = self._history(conn, room.id)
        with self._room_lock(room.id):
            return self._replay(room, history).sim.records[-1]


class _Refusing:
    """Turns an expired room's refusal into a purge, then the same refusal."""

    def __init__(self, store: RoomStore) -> None:
        self.store = store

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, _Expired):
            with self.store.db.write() as conn:
                self.store._delete(conn, [exc.room_id])
            raise UserInputError(str(exc)) from None
        return False
