"""One cache primitive: single-flight, least-recently-used, with an optional TTL and byte cap.

Used by dataset loading and by the app's caches of runs and figures. Each key
is computed once even when many threads ask at the same moment: the first
caller computes, the others wait for its result. A computation that raises
stores nothing, and the next caller tries again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """A bounded, thread-safe memo of ``key -> value``.

    Parameters
    ----------
    max_entries : int
        Entries kept; the least recently used go first.
    ttl : float, optional
        Seconds an entry stays valid (``None``: until evicted).
    max_bytes : int, optional
        Bound on the sum of ``size(value)`` over the entries.
    size : callable, optional
        ``value -> bytes`` for ``max_bytes``.

    Examples
    --------
    >>> calls = []
    >>> memo = Memo(max_entries=2)
    >>> memo.get_or_compute("a", lambda: calls.append("a") or 1)
    1
    >>> memo.get_or_compute("a", lambda: calls.append("again") or 2), calls
    (1, ['a'])
    >>> _ = memo.get_or_compute("b", lambda: 2), memo.get_or_compute("c", lambda: 3)
    >>> "a" in memo, len(memo)
    (False, 2)
    """

    def __init__(
        self,
        *,
        max_entries: int,
        ttl: float | None = None,
        max_bytes: int | None = None,
        size: Callable[[V], int] | None = None,
    ) -> None:
        self.max_entries = max_entries
        self.ttl = ttl
        self.max_bytes = max_bytes
        self._size = size or (lambda _v: 0)
        self._data: OrderedDict[K, tuple[float, V, int]] = OrderedDict()
        self._locks: dict[K, threading.Lock] = {}
        self._guard = threading.Lock()
        self.nbytes = 0
        self.hits = self.misses = 0

    def _lookup(self, key: K) -> tuple[bool, V | None]:
        with self._guard:
            hit = self._data.get(key)
            if hit is None:
                return False, None
            stamp, value, size = hit
            if self.ttl is not None and time.monotonic() - stamp > self.ttl:
                del self._data[key]
                self.nbytes -= size
                return False, None
            self._data.move_to_end(key)
            self.hits += 1
            return True, value

    def put(self, key: K, value: V) -> None:
        """Store ``value`` (evicting the least recently used beyond the bounds)."""
        size = self._size(value)
        with self._guard:
            old = self._data.pop(key, None)
            self.nbytes += size - (old[2] if old else 0)
            self._data[key] = (time.monotonic(), value, size)
            while self._data and (
                len(self._data) > self.max_entries
                or (self.max_bytes is not None and self.nbytes > self.max_bytes)
            ):
                self.nbytes -= self._data.popitem(last=False)[1][2]

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The value for ``key``, computed once for all concurrent callers."""
        found, value = self._lookup(key)
        if found:
            return value  # type: ignore[return-value]
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        try:
            with lock:
                found, value = self._lookup(key)
                if found:
                    return value  # type: ignore[return-value]
                with self._guard:
                    self.misses += 1
                value = compute()
                self.put(key, value)
                return value
        finally:
            with self._guard:
                if not lock.locked():
                    self._locks.pop(key, None)

    def __contains__(self, key: object) -> bool:
        with self._guard:
            return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        with self._guard:
            self._data.clear()
            self.nbytes = 0
