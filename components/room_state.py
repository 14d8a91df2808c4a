"""A room's views for its three readers, and its records with pseudonyms.

- the public view (anyone with the code): the round and the class's counts;
- a student's view: the same, plus their own name and progress;
- the teacher's view: progress per round, the class's answers against the
  truth per group, the ledger, the groups the class was never shown, and
  per-student counts by name only when the teacher turned ``show_names`` on.

Every view is plain JSON-ready data built from the database rows alone, so
two processes reading the same database give equal views.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from components import room_views as views
from components.records import QUERY_COLUMNS, RunResult, safe_csv, to_frames
from components.room_db import items, rounds, students

ANNOTATOR_COLUMN = "annotator"


def _rounds(conn: Connection, room_id: int) -> list[Any]:
    return conn.execute(
        select(rounds.c.number, rounds.c.status, rounds.c.closed_by)
        .where(rounds.c.room_id == room_id)
        .order_by(rounds.c.number)
    ).all()


def _items(conn: Connection, room_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(
            items.c.round,
            items.c.position,
            items.c.group_code,
            items.c.truth,
            items.c.simulated,
            items.c.student_id,
            items.c.label,
            items.c.source,
        )
        .where(items.c.room_id == room_id)
        .order_by(items.c.round, items.c.slot)
    ).all()
    return [dict(r._mapping) for r in rows]


def _common(conn: Connection, room: Any) -> tuple[dict[str, Any], list[Any], list[dict]]:
    cfg = json.loads(room.config_json)
    rs = _rounds(conn, room.id)
    its = _items(conn, room.id)
    open_round = next((r.number for r in rs if r.status == "open"), None)
    closed = sum(1 for r in rs if r.status == "closed")
    n_students = len(conn.execute(select(students.c.id).where(students.c.room_id == room.id)).all())
    now = [i for i in its if i["round"] == open_round]
    base = {
        "code": room.code,
        "round": closed,
        "rounds": int(cfg["rounds"]),
        "batch_size": int(cfg["batch_size"]),
        "open_round": open_round,
        "students": n_students,
        "open_assigned": len(now),
        "open_labelled": sum(1 for i in now if i["source"] == "class"),
        "done": closed >= int(cfg["rounds"]),
    }
    return base, rs, its


def public_state(conn: Connection, room: Any) -> dict[str, Any]:
    """What anyone holding the room code may see: the round and the class's counts."""
    base, _, _ = _common(conn, room)
    return base


def student_state(conn: Connection, room: Any, student: Any) -> dict[str, Any]:
    """The public view plus this student's own name and progress."""
    base, _, its = _common(conn, room)
    mine = [i for i in its if i["student_id"] == student.id and i["round"] == base["open_round"]]
    return {
        **base,
        "name": student.name,
        "my_assigned": len(mine),
        "my_labelled": sum(1 for i in mine if i["source"] == "class"),
        "positive_label": _positive_label(room),
    }


def _positive_label(room: Any) -> str:
    from datasets.base import load

    return load(json.loads(room.config_json)["dataset"]).positive_label


def teacher_state(conn: Connection, room: Any) -> dict[str, Any]:
    """The teacher's view; names only with ``show_names`` on."""
    base, rs, its = _common(conn, room)
    groups = json.loads(room.groups_json)
    pool_counts = json.loads(room.pool_counts_json)
    progress = []
    for r in rs:
        mine = [i for i in its if i["round"] == r.number]
        per_student: dict[int, list[dict]] = {}
        for i in mine:
            per_student.setdefault(i["student_id"], []).append(i)
        progress.append(
            {
                "round": r.number,
                "status": r.status,
                "closed_by": r.closed_by,
                "assigned": len(mine),
                "labelled": sum(1 for i in mine if i["source"] == "class"),
                "simulated": sum(1 for i in mine if i["source"] == views.SIMULATED),
                "students_assigned": len(per_student),
                "students_done": sum(
                    1 for v in per_student.values() if all(i["label"] is not None for i in v)
                ),
            }
        )
    closed_numbers = {r.number for r in rs if r.status == "closed"}
    shown = np.bincount([i["group_code"] for i in its], minlength=len(groups))
    out = {
        **base,
        "teacher_name": room.teacher_name,
        "show_names": bool(room.show_names),
        "expires_at": room.expires_at,
        "groups": groups,
        "progress": progress,
        "labels_vs_truth": views.label_tally(its, groups),
        "ledger": views.ledger(
            [i for i in its if i["round"] in closed_numbers], groups, pool_counts
        ),
        "shown": {g: int(shown[k]) for k, g in enumerate(groups)},
        "never_shown": [g for k, g in enumerate(groups) if shown[k] == 0],
    }
    if room.show_names:
        out["students_progress"] = _by_name(conn, room, its, base["open_round"])
    return out


def _by_name(
    conn: Connection, room: Any, its: list[dict], open_round: int | None
) -> list[dict[str, Any]]:
    roster = conn.execute(
        select(students.c.id, students.c.seat, students.c.name)
        .where(students.c.room_id == room.id)
        .order_by(students.c.seat)
    ).all()
    out = []
    for s in roster:
        mine = [i for i in its if i["student_id"] == s.id]
        now = [i for i in mine if i["round"] == open_round]
        out.append(
            {
                "name": s.name,
                "pseudonym": views.pseudonym(s.seat),
                "assigned_now": len(now),
                "labelled_now": sum(1 for i in now if i["source"] == "class"),
                "labelled_total": sum(1 for i in mine if i["source"] == "class"),
            }
        )
    return out


@dataclass(frozen=True)
class RoomRecords:
    """A room's run in the record schema: ``config`` (resolved) and the three frames.

    ``frames["queries"]`` has one more column than a simulated run's,
    ``annotator``: ``student-<seat>`` for a class answer, ``simulated`` for
    the seed set and for items nobody answered.
    """

    config_json: str
    frames: dict[str, pd.DataFrame]

    def files(self) -> dict[str, str]:
        """The four record files' text (as ``write_run``), the queries with ``annotator``."""
        return {
            "config.json": self.config_json + "\n",
            "rounds.csv": safe_csv(self.frames["rounds"]),
            "groups.csv": safe_csv(self.frames["groups"]),
            "queries.csv": safe_csv(self.frames["queries"][[*QUERY_COLUMNS, ANNOTATOR_COLUMN]]),
        }


def room_records(result: RunResult, who: Sequence[Any]) -> RoomRecords:
    """``result``'s frames with each query's annotator as a per-room pseudonym.

    ``who`` holds ``(round, position, source, seat)`` per stored item.
    """
    frames = to_frames(result)
    names = {
        (int(w.round), int(w.position)): (
            views.pseudonym(w.seat) if w.source == "class" else views.SIMULATED
        )
        for w in who
    }
    q = frames["queries"]
    q[ANNOTATOR_COLUMN] = [
        names.get((int(r), int(p)), views.SIMULATED)
        for r, p in zip(q["round"], q["position"], strict=True)
    ]
    return RoomRecords(config_json=result.config.to_json(), frames=frames)
