"""Branches in the app: a bounded cache of branch traces and of the main runs' kept states.

A branch costs the rounds after its branch point (``components.branch``). The
main run's states are kept in a :class:`~components.branch.Trunk` per main
config, shared by every session and every branch of that run; a trunk that is
not kept yet steps the main run up to the branch round once. Before any work
starts, the estimated seconds of what is left to compute (the branch's rounds,
plus the trunk's missing rounds) go through the server's run budget
(``components.cost``) and the computation takes one of the server's
simulation slots, like any run. No streamlit here.
"""

from __future__ import annotations

import json
import pickle
import threading
from collections.abc import Callable
from typing import Any

from components.branch import BranchSpec, Trunk, branch_config, branch_trace
from components.budget import MSG_OVER_BUDGET, format_seconds
from components.config import RunConfig
from components.cost import estimate_seconds
from components.trace import RunTrace
from dashboard.cache import TRACES, TTL_SECONDS, RunSlots
from datasets.base import load
from datasets.memo import Memo
from specs import UserInputError

#: Main runs whose states are kept (each holds pool-sized arrays per round).
MAX_TRUNKS = 4
#: Bytes all kept trunks may hold, estimated from round 0's size times the rounds.
MAX_TRUNK_BYTES = 400 << 20
MAX_BRANCHES = 32
ADVICE = "branch at a later round, or lower rounds in the sidebar"


class _Kept:
    """A trunk with its lock: one session steps it at a time."""

    def __init__(self, config: RunConfig) -> None:
        self.trunk = Trunk(config)
        self.lock = threading.Lock()
        self.nbytes = self.trunk.nbytes * (config.rounds + 1)


class BranchRuns:
    """Branch traces, ``(main config, branch spec) -> pickled RunTrace``, and kept trunks."""

    def __init__(
        self,
        *,
        slots: RunSlots | None = None,
        budget_seconds: float | None = None,
        max_trunks: int = MAX_TRUNKS,
        ttl: float = TTL_SECONDS,
    ) -> None:
        self.slots = slots or TRACES.slots
        self.budget_seconds = TRACES.budget_seconds if budget_seconds is None else budget_seconds
        self._trunks: Memo[str, _Kept] = Memo(
            max_entries=max_trunks, ttl=ttl, max_bytes=MAX_TRUNK_BYTES, size=lambda k: k.nbytes
        )
        self._branches: Memo[str, bytes] = Memo(max_entries=MAX_BRANCHES, ttl=ttl)

    @staticmethod
    def key(main: RunConfig, spec: BranchSpec) -> str:
        return main.to_json() + json.dumps(spec.to_query(), sort_keys=True)

    def __contains__(self, item: tuple[RunConfig, BranchSpec]) -> bool:
        return self.key(*item) in self._branches

    def cost_seconds(self, main: RunConfig, spec: BranchSpec) -> float:
        """Estimated seconds still to compute: the branch's rounds and the trunk's missing ones."""
        cfg = branch_config(main, spec)
        ds = load(cfg.dataset)
        kw: dict[str, Any] = {"n_features": int(ds.X.shape[1]), "n_groups": len(ds.groups)}
        k = spec.at_round

        def est(c: RunConfig) -> float:
            return estimate_seconds(c, ds.n_samples, **kw)

        seconds = est(cfg) - est(cfg.with_changes(rounds=k))
        kept = self._kept(main)
        reached = kept.trunk.reached if kept is not None else -1
        if reached < k:
            seconds += est(main.with_changes(rounds=k))
            if reached >= 0:
                seconds -= est(main.with_changes(rounds=reached))
        return max(seconds, 0.0)

    def check_budget(self, main: RunConfig, spec: BranchSpec) -> None:
        """Refuse a branch estimated above the server's budget (``UserInputError``, one line)."""
        if (main, spec) in self:
            return
        seconds = self.cost_seconds(main, spec)
        if seconds > self.budget_seconds:
            raise UserInputError(
                MSG_OVER_BUDGET.format(
                    estimate=format_seconds(seconds),
                    budget=format_seconds(self.budget_seconds),
                    advice=ADVICE,
                )
            )

    def _kept(self, main: RunConfig) -> _Kept | None:
        found, kept = self._trunks._lookup(main.to_json())
        return kept if found else None

    def get_or_compute(
        self,
        main: RunTrace,
        spec: BranchSpec,
        *,
        on_wait: Callable[[int], Any] | None = None,
    ) -> RunTrace:
        """The branch of ``main`` that ``spec`` describes: cached, or computed once for everyone.

        Raises ``UserInputError`` for a spec that does not fit the run or a
        branch over the budget, before any work starts.
        """
        spec = spec.validate()
        branch_config(main.config, spec)  # the round and group names, against this run

        def compute() -> bytes:
            self.check_budget(main.config, spec)
            with self.slots.slot(on_wait):
                kept = self._trunks.get_or_compute(
                    main.config.to_json(), lambda: _Kept(main.config)
                )
                with kept.lock:
                    trace = branch_trace(main, spec, kept.trunk)
            return pickle.dumps(trace, protocol=pickle.HIGHEST_PROTOCOL)

        blob = self._branches.get_or_compute(self.key(main.config, spec), compute)
        return pickle.loads(blob)  # noqa: S301 -- our own bytes, never user input


#: The one process-wide store of branches.
BRANCHES = BranchRuns()
