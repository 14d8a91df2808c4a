"""A bounded, time-limited cache of finished runs, shared by all sessions safely.

A simulated-oracle run is deterministic per config, so thirty students with the
same settings should pay for it once. ``st.cache_data`` cannot report progress
from inside the cached call, so this small cache does the same job: it stores
*pickled bytes* of our own ``RunTrace`` objects (never user data) and hands
every caller a fresh copy, so no mutable object is ever shared. One lock per
config makes concurrent callers wait for the first computation.
"""

from __future__ import annotations

import itertools
import pickle
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from components.budget import check_total_budget
from components.config import RunConfig
from components.trace import RunTrace, trace_run
from dashboard import hosting
from dashboard.charts import copy_containers
from dashboard.uploads import check_web_safe
from datasets.base import load
from datasets.memo import Memo

MAX_ENTRIES = 48
TTL_SECONDS = 3600.0


class RunSlots:
    """At most ``limit`` simulations at once; the rest wait in line, first come first served.

    ``on_wait(ahead)`` is called about every ``poll`` seconds while a caller
    waits, with how many are ahead of it. If it raises (Streamlit raises when
    the session that waits is gone or reran), the caller leaves the line.

    >>> slots = RunSlots(1)
    >>> with slots.slot():
    ...     slots.active
    1
    >>> slots.active
    0
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError(f"max_simulations: {limit} is out of range; allowed: 1 or more")
        self.limit = limit
        self.active = 0
        self._line: deque[int] = deque()
        self._tickets = itertools.count()
        self._cond = threading.Condition()

    @contextmanager
    def slot(
        self, on_wait: Callable[[int], Any] | None = None, *, poll: float = 0.5
    ) -> Iterator[None]:
        ticket = next(self._tickets)
        with self._cond:
            self._line.append(ticket)
        try:
            while True:
                with self._cond:
                    ahead = self._line.index(ticket)
                    if ahead == 0 and self.active < self.limit:
                        self._line.popleft()
                        self.active += 1
                        break
                    ahead += max(0, self.active - self.limit + 1)
                if on_wait is not None:
                    on_wait(ahead)
                with self._cond:
                    self._cond.wait(poll)
        except BaseException:
            with self._cond:
                if ticket in self._line:
                    self._line.remove(ticket)
                self._cond.notify_all()
            raise
        try:
            yield
        finally:
            with self._cond:
                self.active -= 1
                self._cond.notify_all()

    @property
    def waiting(self) -> int:
        return len(self._line)


class TraceCache:
    """Finished runs, ``config json -> pickled RunTrace``, on :class:`datasets.memo.Memo`."""

    def __init__(
        self,
        *,
        max_entries: int = MAX_ENTRIES,
        ttl: float = TTL_SECONDS,
        slots: RunSlots | None = None,
        budget_seconds: float | None = None,
    ) -> None:
        self.slots = slots or RunSlots(hosting.settings().max_simulations)
        self.budget_seconds = (
            hosting.settings().run_budget_seconds if budget_seconds is None else budget_seconds
        )
        self._memo: Memo[str, bytes] = Memo(max_entries=max_entries, ttl=ttl)

    def __len__(self) -> int:
        return len(self._memo)

    def check_budget(self, *configs: RunConfig) -> None:
        """Refuse runs estimated, together, above this server's budget (names what to lower).

        Runs already in the cache cost nothing and are not counted.
        """
        todo = [c for c in configs if c.to_json() not in self._memo]
        if not todo:
            return
        ds = load(todo[0].dataset)
        check_total_budget(
            todo,
            ds.n_samples,
            self.budget_seconds,
            n_features=int(ds.X.shape[1]),
            n_groups=len(ds.groups),
        )

    def get_or_compute(
        self,
        config: RunConfig,
        *,
        progress: Callable[[int, int], Any] | None = None,
        on_wait: Callable[[int], Any] | None = None,
    ) -> RunTrace:
        """The trace for ``config``: from the cache, or computed once for everyone.

        A run estimated above ``budget_seconds`` is refused (``UserInputError``)
        before it starts. A computation takes one of ``slots``;
        ``on_wait(ahead)`` reports the line while it waits. An exception from
        ``progress`` or ``on_wait`` (the session left) abandons the computation
        and frees the slot.
        """
        check_web_safe(config.dataset)

        def compute() -> bytes:
            self.check_budget(config)
            with self.slots.slot(on_wait):
                trace = trace_run(config, progress=progress)
            return pickle.dumps(trace, protocol=pickle.HIGHEST_PROTOCOL)

        blob = self._memo.get_or_compute(config.to_json(), compute)
        return pickle.loads(blob)  # noqa: S301 -- our own bytes, never user input


#: The one process-wide cache.
TRACES = TraceCache()


class FigureCache:
    """Finished figures, ready to send, per (run, chart, round, look), for all sessions.

    A run is deterministic per config, so every student on the teacher's link
    draws the same figure at round r: it is built and encoded once. Values are
    plain data (what ``Chart.to_dict()`` returns, or a round's numbers and
    sentences). Every caller gets its own copy of every container, so a session
    can never change what another receives.
    """

    def __init__(
        self, *, max_entries: int = 1500, max_bytes: int = 64 << 20, ttl: float = TTL_SECONDS
    ) -> None:
        self._memo: Memo[tuple, dict] = Memo(
            max_entries=max_entries, ttl=ttl, max_bytes=max_bytes, size=_approx_bytes
        )

    def get_or_build(self, key: tuple, build: Callable[[], dict]) -> dict:
        return copy_containers(self._memo.get_or_compute(key, build))

    def __len__(self) -> int:
        return len(self._memo)

    @property
    def hits(self) -> int:
        return self._memo.hits

    @property
    def misses(self) -> int:
        return self._memo.misses

    @property
    def nbytes(self) -> int:
        """About how much the cached figures take (their strings, mostly typed arrays)."""
        return self._memo.nbytes


def _approx_bytes(obj: object) -> int:
    if isinstance(obj, str):
        return len(obj)
    if isinstance(obj, dict):
        return sum(_approx_bytes(v) + 16 for v in obj.values())
    if isinstance(obj, list):
        return sum(_approx_bytes(v) + 8 for v in obj)
    return 8


#: Finished figures of the runs above: at most 1,500 figures and 64 MB.
FIGURES = FigureCache()


_WARM = threading.Event()


def warm(config: RunConfig) -> None:
    """Compute ``config``'s run in a background thread, once per process.

    The server's start-up (``dashboard.warmup``) calls it, so the first visitor
    finds the default run ready or being computed; whoever asks before it is
    done waits on the same computation.
    """
    if _WARM.is_set():
        return
    _WARM.set()

    def job() -> None:
        try:
            TRACES.get_or_compute(config.resolve())
        except Exception:  # noqa: BLE001 -- warming is best effort; the page reports errors
            pass

    threading.Thread(target=job, name="warm-default-run", daemon=True).start()
