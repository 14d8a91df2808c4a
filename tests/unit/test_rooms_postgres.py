"""The room store on PostgreSQL, when a server is given (skipped otherwise).

Set ``WGL_ROOMS_TEST_PG_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:55432/rooms``,
a database these tests may wipe) and install a driver (``psycopg``). The same
guarantees as on SQLite: a class's round, 30 students submitting at once,
concurrent joins, and a new store finding the same run.
"""

from __future__ import annotations

import os
import threading

import pandas as pd
import pytest

from components.config import RunConfig
from components.records import TIMING_COLUMNS
from components.room_db import make_engine, metadata
from components.rooms import RoomStore

URL = os.environ.get("WGL_ROOMS_TEST_PG_URL", "")
pytestmark = pytest.mark.skipif(not URL, reason="WGL_ROOMS_TEST_PG_URL is not set")
CFG = RunConfig.from_dict(
    {"dataset": "two_groups:n_samples=400", "batch_size": 30, "rounds": 2, "seed": 5}
)


@pytest.fixture
def url():
    pytest.importorskip("psycopg")
    engine = make_engine(URL)
    metadata.drop_all(engine)
    yield URL
    metadata.drop_all(engine)
    engine.dispose()


def run_at_once(n: int, work) -> list:
    barrier, out, lock = threading.Barrier(n), [], threading.Lock()

    def one(k: int) -> None:
        barrier.wait()
        value = work(k)
        with lock:
            out.append(value)

    threads = [threading.Thread(target=one, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_a_class_of_thirty_on_postgres(url):
    store = RoomStore(url)
    room = store.create_room(CFG, show_names=True)
    tokens = run_at_once(30, lambda k: store.join(room.code, "Ana"))
    named = store.state(room.teacher_token)["students_progress"]
    assert sorted(s["pseudonym"] for s in named) == sorted(f"student-{k}" for k in range(1, 31))
    assert len({s["name"] for s in named}) == 30
    store.open_round(room.teacher_token)
    plans = [(t, {i.position: i.position % 2 for i in store.items_for(t)}) for t in tokens]
    results = run_at_once(30, lambda k: store.submit(*plans[k]))
    assert sum(r.round_closed for r in results) == 1
    expected = {p: v for _, a in plans for p, v in a.items()}
    q = store.records(room.teacher_token).frames["queries"]
    r1 = q[q["round"] == 1]
    assert dict(zip(r1["position"], r1["label_observed"], strict=True)) == expected

    fresh = RoomStore(url)
    assert fresh.state(room.teacher_token) == store.state(room.teacher_token)
    a, b = store.records(room.teacher_token), fresh.records(room.teacher_token)
    for name in ("groups", "queries"):
        pd.testing.assert_frame_equal(a.frames[name], b.frames[name])
    pd.testing.assert_frame_equal(
        a.frames["rounds"].drop(columns=list(TIMING_COLUMNS)),
        b.frames["rounds"].drop(columns=list(TIMING_COLUMNS)),
    )
    fresh.open_round(room.teacher_token)
    assert fresh.close_round(room.teacher_token)["simulated"] == 30
    assert store.state(room.teacher_token)["done"]
    store.close()
    fresh.close()
