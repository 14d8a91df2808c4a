"""Thirty students submitting at the same moment, from threads and from separate processes.

Against one SQLite file: every answer is stored once, none is lost, the round
closes exactly once, and the refitted model learnt from exactly those answers.
"""

from __future__ import annotations

import multiprocessing
import threading
from types import SimpleNamespace

import pytest
from rooms_worker import submit_in_process
from sqlalchemy import select

from components.config import RunConfig
from components.room_db import items, rounds
from components.rooms import RoomStore
from specs import UserInputError

N_STUDENTS = 30
CFG = RunConfig.from_dict(
    {"dataset": "two_groups:n_samples=400", "batch_size": 30, "rounds": 2, "seed": 3}
)


def a_full_class(url: str) -> tuple[RoomStore, str, list[tuple[str, dict[int, int]]]]:
    """A room of 30 students with round 1 open, and each student's answers (one item each)."""
    store = RoomStore(url)
    room = store.create_room(CFG)
    tokens = [store.join(room.code, f"Student {k}") for k in range(N_STUDENTS)]
    store.open_round(room.teacher_token)
    plan = []
    for k, token in enumerate(tokens):
        mine = store.items_for(token)
        assert len(mine) == 1
        plan.append((token, {item.position: (item.position + k) % 2 for item in mine}))
    return store, room.teacher_token, plan


def check_stored_once(store: RoomStore, teacher: str, plan, outcomes) -> None:
    expected = {p: label for _, answers in plan for p, label in answers.items()}
    with store.db.read() as conn:
        rows = conn.execute(
            select(items.c.position, items.c.label, items.c.source).where(items.c.round == 1)
        ).all()
        status = conn.execute(select(rounds.c.status, rounds.c.closed_by)).all()
    assert len(rows) == N_STUDENTS == len({r.position for r in rows})
    assert {r.position: r.label for r in rows} == expected  # nothing lost, nothing mixed up
    assert all(r.source == "class" for r in rows)
    assert status == [("closed", "complete")]
    closers = [o for o in outcomes if not isinstance(o, str) and o.round_closed]
    assert len(closers) == 1  # the round closed once, by the submission that completed it
    q = store.records(teacher).frames["queries"]
    r1 = q[q["round"] == 1]
    learnt = dict(zip(r1["position"], r1["label_observed"], strict=True))
    assert learnt == expected
    state = store.state(teacher)
    assert (state["round"], state["progress"][0]["labelled"]) == (1, N_STUDENTS)


def test_thirty_threads_submitting_at_once_twice_each(tmp_path):
    """Each student double-clicks: two identical submissions race with everyone else's."""
    store, teacher, plan = a_full_class(f"sqlite:///{tmp_path / 'rooms.sqlite'}")
    shared = RoomStore(store.url)  # one server process: one store, many sessions
    barrier = threading.Barrier(2 * N_STUDENTS)
    outcomes: list = []
    lock = threading.Lock()

    def student(token: str, answers: dict[int, int]) -> None:
        barrier.wait()
        try:
            out = shared.submit(token, answers)
        except UserInputError as exc:  # the copy that lands after the round closed
            out = str(exc)
        with lock:
            outcomes.append(out)

    threads = [
        threading.Thread(target=student, args=(token, answers))
        for token, answers in plan
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 2 * N_STUDENTS
    refusals = [o for o in outcomes if isinstance(o, str)]
    assert all("round 1 is closed" in r for r in refusals)
    check_stored_once(store, teacher, plan, outcomes)


@pytest.mark.parametrize(
    "n_procs",
    [
        pytest.param(10, id="10 processes x 3 students"),
        pytest.param(30, id="30 processes x 1 student", marks=pytest.mark.slow),
    ],
)
def test_students_in_separate_processes_submitting_at_once(tmp_path, n_procs):
    url = f"sqlite:///{tmp_path / 'rooms.sqlite'}"
    store, teacher, plan = a_full_class(url)
    ctx = multiprocessing.get_context("spawn")
    barrier, queue = ctx.Barrier(N_STUDENTS), ctx.Queue()
    procs = [
        ctx.Process(target=submit_in_process, args=(url, plan[k::n_procs], barrier, queue))
        for k in range(n_procs)
    ]
    for p in procs:
        p.start()
    got = [queue.get(timeout=600) for _ in plan]
    for p in procs:
        p.join(timeout=60)
    queue.close()
    queue.join_thread()
    assert [p.exitcode for p in procs] == [0] * n_procs
    assert [g for g in got if isinstance(g, str)] == []
    assert sorted(g[:3] for g in got) == [(1, 1, 0)] * N_STUDENTS
    check_stored_once(store, teacher, plan, [SimpleNamespace(round_closed=g[3]) for g in got])


@pytest.mark.parametrize("n_threads", [8])
def test_students_joining_at_once_get_distinct_seats(tmp_path, n_threads):
    store = RoomStore(f"sqlite:///{tmp_path / 'rooms.sqlite'}")
    room = store.create_room(CFG, show_names=True)
    barrier = threading.Barrier(n_threads)
    tokens: list[str] = []

    def join() -> None:
        barrier.wait()
        tokens.append(store.join(room.code, "Ana"))

    threads = [threading.Thread(target=join) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    named = store.state(room.teacher_token)["students_progress"]
    assert [s["pseudonym"] for s in named] == [f"student-{k}" for k in range(1, n_threads + 1)]
    assert sorted(s["name"] for s in named) == sorted(
        ["Ana"] + [f"Ana ({k})" for k in range(2, n_threads + 1)]
    )
