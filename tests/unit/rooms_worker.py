"""Students' submissions in a process of their own, for ``test_rooms_concurrency``.

Kept apart from the test module so a spawned process imports only the room
store (not the test module's imports) before it submits.
"""

from __future__ import annotations

import threading
from typing import Any

from components.rooms import RoomStore


def submit_in_process(
    url: str, plan: list[tuple[str, dict[int, int]]], barrier: Any, queue: Any
) -> None:
    """One store; a thread per student waits for every student, then submits; outcomes on ``queue``."""
    store = RoomStore(url)

    def student(token: str, answers: dict[int, int]) -> None:
        barrier.wait()
        try:
            out = store.submit(token, answers)
            queue.put((out.round, out.stored, out.remaining, out.round_closed))
        except Exception as exc:  # reported to the parent, which fails the test
            queue.put(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=student, args=job) for job in plan]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    store.db.dispose()
