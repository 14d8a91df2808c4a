"""How the room store finds and checks what a request names, and rebuilds a room's run.

The store's refusals and lookups (room code, teacher token, student token,
expiry), the parsing of a student's answers, and the per-store cache of
rebuilt ``Simulation`` objects live here; ``components.rooms`` holds the
requests themselves.

Tokens are secrets: the database keeps their SHA-256 hashes only, and a
refusal shows their first characters, never the whole.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import Connection, delete, select, update

from components.room_db import Database, items, rooms, rounds, students
from specs import UserInputError

if TYPE_CHECKING:
    from components.config import RunConfig
    from components.engine import Simulation

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


class RoomAccess:
    """Lookups, refusals and the replay cache shared by the store's requests."""

    db: Database
    ttl_hours: float
    clock: Callable[[], float]

    def __init__(self) -> None:
        self._live: OrderedDict[tuple, _Live] = OrderedDict()
        self._configs: dict[int, RunConfig] = {}
        self._locks: dict[int, threading.Lock] = {}
        self._guard = threading.Lock()

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

    @staticmethod
    def _lock_room(conn: Connection, room_id: int) -> None:
        """Hold the room's row until the transaction ends: joins and round openings queue.

        SQLite's ``BEGIN IMMEDIATE`` already serialises writers; a server
        database needs the row lock.
        """
        conn.execute(select(rooms.c.id).where(rooms.c.id == room_id).with_for_update())

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
                from components.config import RunConfig

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
            from components.engine import Simulation

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

    def __init__(self, store: RoomAccess) -> None:
        self.store = store

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, _Expired):
            with self.store.db.write() as conn:
                self.store._delete(conn, [exc.room_id])
            raise UserInputError(str(exc)) from None
        return False
