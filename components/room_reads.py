"""The room store's reading side: the teacher's, the public and a student's views, and records.

A mixin of :class:`components.rooms.RoomStore` over :class:`components.room_access.RoomAccess`
(lookups and refusals); the views themselves are built in :mod:`components.room_state`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from components.room_access import CODE_LENGTH, RoomAccess, normalise_code
from components.room_db import items, students

if TYPE_CHECKING:
    from components.room_state import RoomRecords


class RoomReads(RoomAccess):
    """What a room's teacher, its students and the public may read."""

    def state(self, key: str) -> dict[str, Any]:
        """The teacher's view (``key`` a teacher token) or the public one (``key`` a room code).

        Public: the round, the number of students and the open round's
        progress in counts. Teacher: also per round progress, the class's
        answers against the truth per group, the ledger, the groups the class
        was never shown and, with ``show_names`` on, each student's counts.
        """
        from components.room_state import public_state, teacher_state

        with self._refusing(), self.db.read() as conn:
            if len(normalise_code(key)) <= CODE_LENGTH + 2:
                return public_state(conn, self._room_by_code(conn, key))
            return teacher_state(conn, self._room_by_teacher(conn, key))

    def student_state(self, student_token: str) -> dict[str, Any]:
        """A student's own view: their name, their progress, the class's counts; nobody else's."""
        from components import room_state

        with self._refusing(), self.db.read() as conn:
            student, room = self._student(conn, student_token)
            return room_state.student_state(conn, room, student)

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
        from components.room_state import room_records

        return room_records(result, who)
