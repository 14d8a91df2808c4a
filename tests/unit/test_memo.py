"""The one cache primitive: computed once under contention, bounded, expiring, retried on error."""

from __future__ import annotations

import threading
import time

import pytest

from datasets.memo import Memo


def test_many_threads_asking_at_once_compute_once():
    memo: Memo[str, int] = Memo(max_entries=4)
    calls, gate = [], threading.Event()

    def slow() -> int:
        calls.append(1)
        gate.wait(5)
        return 42

    out: list[int] = []
    threads = [
        threading.Thread(target=lambda: out.append(memo.get_or_compute("k", slow)))
        for _ in range(10)
    ]
    for t in threads:
        t.start()
    time.sleep(0.1)
    gate.set()
    for t in threads:
        t.join(5)
    assert calls == [1] and out == [42] * 10


def test_a_failed_computation_stores_nothing_and_the_next_caller_retries():
    memo: Memo[str, int] = Memo(max_entries=4)

    def fail() -> int:
        raise RuntimeError("session left")

    with pytest.raises(RuntimeError):
        memo.get_or_compute("k", fail)
    assert "k" not in memo
    assert memo.get_or_compute("k", lambda: 7) == 7


def test_entries_expire_after_the_ttl():
    memo: Memo[str, int] = Memo(max_entries=4, ttl=0.05)
    memo.get_or_compute("k", lambda: 1)
    time.sleep(0.1)
    assert memo.get_or_compute("k", lambda: 2) == 2


def test_the_byte_cap_evicts_the_least_recently_used():
    memo: Memo[str, str] = Memo(max_entries=100, max_bytes=10, size=len)
    for key in "abc":
        memo.get_or_compute(key, lambda k=key: k * 4)
    assert "a" not in memo and "b" in memo and "c" in memo and memo.nbytes == 8
