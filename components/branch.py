"""Rewind and branch: from round k of a run, change one thing and continue.

A branch is the main run up to round ``k`` (its *prefix*) followed by rounds
``k+1 ..`` run under a change: another strategy (with its parameters), another
strength of a label-level bias, or another annotator. The two timelines share
the prefix, which is never recomputed.

Semantics
---------
- **State at round k.** The branch starts from a fork of the main run's
  :class:`~components.engine.Simulation` after round ``k``
  (:meth:`Simulation.fork`): the same labelled rows, answers, fitted model and
  random streams. A :class:`Trunk` keeps one such fork per round of the main
  run, so any number of branches, from any round, cost only their own rounds.
- **Random streams.** Every stream (strategy, model, committee, lookahead)
  continues from where the main run's stood after round ``k``. Hence the same
  main config and the same branch spec give identical results every time, and
  a branch that changes nothing reproduces the main run exactly.
- **Another strategy.** From round ``k+1`` the new strategy picks, with fresh
  state of its own. The round-k model is kept; the new strategy's scores on the
  pool are computed from it (a committee, if the new strategy needs one, is
  fitted on the round-k labels from the committee stream). Round ``k``'s
  record stays the main run's.
- **Another bias strength or annotator.** Only what is *recorded or answered*
  can change after the data were drawn: ``label_bias`` (the recorded labels)
  and annotator scenarios (``annotator_bias``: who answers). Scenarios that
  decide which rows the pool holds, how they are measured, or the seed set
  were settled before round 0 and are refused. A changed scenario is rebuilt
  from the run's seed as if the run had been configured with it from the
  start: a larger ``flip`` mislabels the same rows as before plus some more,
  and an annotator with another ``rate`` errs on the same rows at a lower rate
  threshold. From round ``k+1`` on, newly revealed answers and the test set's
  recorded labels follow the new setting; answers revealed in rounds ``0..k``
  stay as they were. A strength of 0 removes a bias; a scenario the main run
  lacks is added after its own.

A branch is described by :class:`BranchSpec`, which fits in a URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from components import loop
from components.config import RunConfig
from components.engine import STREAMS, Simulation, one_blas_thread
from components.environment import ANNOTATOR
from components.learners import committee_proba, fit_committee, predict_proba
from components.scenarios import SCENARIOS, apply_scenarios
from components.split import make_split
from components.strategies import STRATEGIES
from components.trace import RunTrace, trace_run
from specs import Spec, UserInputError

__all__ = [
    "BRANCHABLE",
    "BranchSpec",
    "Trunk",
    "branch_config",
    "branch_trace",
]

#: Data scenarios a branch may change: they set recorded labels only, not rows or features.
LABEL_SCENARIOS = ("label_bias",)

MSG_ROUND = "branch: at={value!r} is {problem}; allowed: a round in [0, {last}]"
MSG_ROUND_FORMAT = "branch: at={value!r} is not a whole number; allowed: a round in [0, rounds-1]"
MSG_FIXED = (
    "branch: scenario '{name}' {why}, settled before round 0; allowed in a branch: {allowed}"
)
MSG_TWICE = "branch: scenario '{name}' is changed twice; allowed: each scenario once"
MSG_NOTHING = "branch: no round given; allowed: branch=<round> with a strategy or scenario change"


def branchable() -> tuple[str, ...]:
    """Scenario names a branch may change: label-level data scenarios and annotators."""
    annot = [name for name in SCENARIOS if SCENARIOS[name].part == ANNOTATOR]
    return (*LABEL_SCENARIOS, *annot)


BRANCHABLE = branchable()


@dataclass(frozen=True)
class BranchSpec:
    """Where a branch starts and what it changes.

    ``strategy`` replaces the main run's strategy (None keeps it).
    ``scenarios`` are changes merged by name into the main run's scenarios:
    given parameters replace the main run's, a scenario it lacks is added.

    >>> spec = BranchSpec(10, Spec("bald"), (Spec("label_bias", (("flip", 0.1),)),))
    >>> spec.to_query()
    {'branch': '10', 'branch_strategy': 'bald', 'branch_scenario': ['label_bias:flip=0.1']}
    >>> BranchSpec.from_query(spec.to_query()) == spec.validate()
    True
    >>> BranchSpec.from_query({"branch": "ten"})
    Traceback (most recent call last):
    ...
    specs.UserInputError: branch: at='ten' is not a whole number; allowed: a round in [0, rounds-1]
    """

    at_round: int
    strategy: Spec | None = None
    scenarios: tuple[Spec, ...] = ()

    def validate(self) -> BranchSpec:
        """Names from the registries, parameters checked by their entries (group names later)."""
        strategy = None if self.strategy is None else STRATEGIES.resolve(self.strategy)
        seen: list[str] = []
        changes = []
        for raw in self.scenarios:
            spec = Spec.coerce(raw, kind="scenario")
            SCENARIOS[spec.name]
            if spec.name in seen:
                raise UserInputError(MSG_TWICE.format(name=spec.name))
            seen.append(spec.name)
            if spec.name not in BRANCHABLE and spec.name != "none":
                raise UserInputError(_fixed_message(spec.name))
            # check each given value with the entry's own rules, keep only those given
            resolved = dict(SCENARIOS.resolve(spec).params)
            changes.append(Spec(spec.name, tuple((k, resolved[k]) for k, _ in spec.params)))
        return replace(self, strategy=strategy, scenarios=tuple(changes))

    def to_query(self) -> dict[str, str | list[str]]:
        """URL parameters: ``branch``, ``branch_strategy``, ``branch_scenario`` (repeated)."""
        out: dict[str, str | list[str]] = {"branch": str(int(self.at_round))}
        if self.strategy is not None:
            out["branch_strategy"] = str(self.strategy)
        if self.scenarios:
            out["branch_scenario"] = [str(s) for s in self.scenarios]
        return out

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> BranchSpec | None:
        """The spec in URL ``params`` (lists allowed), validated; None when there is none."""

        def last(key: str) -> str | None:
            v = params.get(key)
            if isinstance(v, list):
                return v[-1] if v else None
            return v

        raw = last("branch")
        if raw is None or raw == "":
            if last("branch_strategy") or params.get("branch_scenario"):
                raise UserInputError(MSG_NOTHING)
            return None
        text = str(raw).strip()
        if not text.isdigit() or len(text) > 6:
            raise UserInputError(MSG_ROUND_FORMAT.format(value=str(raw)[:40]))
        strategy = last("branch_strategy")
        sc = params.get("branch_scenario") or []
        sc = sc if isinstance(sc, list) else [sc]
        return cls(
            int(text),
            Spec.parse(strategy, kind="strategy") if strategy else None,
            tuple(Spec.parse(s, kind="scenario") for s in sc if s),
        ).validate()

    def describe(self) -> str:
        """The change in a few words, e.g. ``'strategy bald; label_bias flip=0.1'``."""
        parts = [f"strategy {self.strategy}"] if self.strategy is not None else []
        for s in self.scenarios:
            body = ", ".join(f"{k}={v}" for k, v in s.params)
            parts.append(f"{s.name} {body}".strip())
        return "; ".join(parts) or "no change"


def _fixed_message(name: str) -> str:
    part = SCENARIOS[name].part
    why = {
        "seed_set": "draws the seed set",
        "data": "sets which rows the pool holds or how they are measured",
    }.get(part, "acts before round 0")
    return MSG_FIXED.format(name=name, why=why, allowed=", ".join(BRANCHABLE))


def branch_config(main: RunConfig, spec: BranchSpec) -> RunConfig:
    """The branch's resolved config: ``main`` with ``spec``'s changes (rounds unchanged).

    Raises ``UserInputError`` for a round outside ``[0, rounds-1]`` or a group
    this data lacks.
    """
    spec = spec.validate()
    last = main.rounds - 1
    if not 0 <= spec.at_round <= last:
        problem = "past the last round that has a next one" if spec.at_round > 0 else "negative"
        raise UserInputError(MSG_ROUND.format(value=spec.at_round, problem=problem, last=last))
    scenarios = list(main.scenarios)
    for change in spec.scenarios:
        if change.name == "none":
            continue
        at = [i for i, s in enumerate(scenarios) if s.name == change.name]
        if at:
            scenarios[at[0]] = scenarios[at[0]].with_params(**dict(change.params))
        else:
            scenarios.append(change)
    strategy = main.strategy if spec.strategy is None else spec.strategy
    return main.with_changes(strategy=strategy, scenarios=tuple(scenarios)).resolve()


class Trunk:
    """The main run, with a fork of its simulation kept at every round it has reached.

    ``at(k)`` steps the main run up to round ``k`` if it is not there yet
    (each round once), and returns a fresh fork of its state after round ``k``.
    """

    def __init__(self, config: RunConfig) -> None:
        self._live = Simulation(config)
        self.config = self._live.config
        self._forks: dict[int, Simulation] = {0: self._live.fork()}

    @property
    def reached(self) -> int:
        """The last round of the main run computed so far."""
        return self._live.round

    def at(self, k: int) -> Simulation:
        while self._live.round < k:
            self._live.step()
            self._forks[self._live.round] = self._live.fork()
        return self._forks[k].fork()

    @property
    def nbytes(self) -> int:
        """About how much memory the kept forks hold (their pool-sized arrays)."""
        total = 0
        for sim in self._forks.values():
            for arr in (sim.labeled, sim.y_answer, sim.proba_pool, sim.committee, sim.scores):
                total += 0 if arr is None else arr.nbytes
            total += sum(v.nbytes for v in sim.state.values() if isinstance(v, np.ndarray))
        return total


def _switch_strategy(sim: Simulation, strategy: Spec) -> None:
    """Give ``sim`` another strategy from its next pick on (the round's model is kept)."""
    entry = STRATEGIES[strategy.name]
    sim.entry = entry
    sim.strategy_params = dict(strategy.params)
    sim.state = {}
    committee = entry.committee
    if committee is None:
        sim.committee = None
    else:
        lab = np.concatenate(sim.order)
        members = fit_committee(
            sim.config.model,
            sim.split.X_pool[lab],
            sim.y_answer[lab],
            members=int(sim.strategy_params[committee.size_param]),
            rng=sim._rng["committee"],
        )
        sim.committee = committee_proba(members, sim.split.X_pool)
    sim.scores = None
    sim.scores = loop.score(entry, sim.model, sim.pool_view(), sim._context(), sim.strategy_params)


def _switch_environment(sim: Simulation, config: RunConfig) -> None:
    """Rebuild the environment for ``config``'s scenarios from the run's seed (same pool)."""
    old = sim.config.scenarios
    for spec in old + config.scenarios:
        if spec.name not in BRANCHABLE and (spec in old) != (spec in config.scenarios):
            raise UserInputError(_fixed_message(spec.name))
    seqs = dict(zip(STREAMS, np.random.SeedSequence(config.seed).spawn(len(STREAMS)), strict=True))
    split = make_split(
        sim.dataset,
        test_size=config.test_size,
        rng=np.random.default_rng(seqs["split"]),
        use_group_feature=config.use_group_feature,
    )
    env = apply_scenarios(
        split,
        config.scenarios,
        seed_seq=seqs["scenarios"],
        annotator_rng=np.random.default_rng(seqs["annotator"]),
    )
    same_rows = np.array_equal(env.split.idx_pool, sim.split.idx_pool)
    if not same_rows or not np.array_equal(env.split.X_pool, sim.split.X_pool):
        changed = next(s.name for s in config.scenarios if s not in old)
        raise UserInputError(_fixed_message(changed))
    sim.environment = env
    sim.split = env.split
    sim.annotator = env.annotator


def _frames_after(main: RunTrace, branch: dict[str, pd.DataFrame], k: int) -> dict:
    out = {}
    for name, frame in main.frames.items():
        after = branch[name][branch[name]["round"] > k]
        out[name] = pd.concat([frame[frame["round"] <= k], after], ignore_index=True)
    return out


def branch_trace(main: RunTrace, spec: BranchSpec, trunk: Trunk | None = None) -> RunTrace:
    """The branch's trace: ``main``'s rounds ``0..k``, then rounds ``k+1..`` under the change.

    Parameters
    ----------
    main : RunTrace
        The main run's trace (``trace_run``).
    spec : BranchSpec
        Where to branch and what to change.
    trunk : Trunk, optional
        The main run's kept states. Without one, a trunk is made here and the
        main run is stepped to round ``k`` once.

    Returns
    -------
    RunTrace
        Its frames for rounds ``0..k`` are ``main``'s rows; its config is the
        branch's.
    """
    config = branch_config(main.config, spec)
    k = spec.at_round
    trunk = trunk if trunk is not None else Trunk(main.config)
    sim = trunk.at(k)
    if config.scenarios != sim.config.scenarios:
        _switch_environment(sim, config)
    with one_blas_thread():
        if config.strategy != sim.config.strategy:
            _switch_strategy(sim, config.strategy)
    sim.config = config
    rows = main.score_rows
    grid = main.grid
    points = None
    if grid is not None:
        gx, gy = np.meshgrid(grid[0], grid[1])
        points = np.column_stack([gx.ravel(), gy.ravel()])
    scores, probas = list(main.scores[: k + 1]), [] if grid is None else list(grid[2][: k + 1])
    while not sim.done:
        sim.step()
        sc = sim.scores
        scores.append(
            sc[rows].astype(np.float32)
            if sc is not None
            else np.full(len(rows), np.nan, np.float32)
        )
        if points is not None:
            p = predict_proba(sim.model, points)[:, 1]
            probas.append(p.reshape(len(grid[1]), len(grid[0])).astype(np.float32))
    query_round = np.where(main.query_round <= k, main.query_round, -1).astype(np.int16)
    for r in range(k + 1, len(sim.order)):
        query_round[sim.order[r]] = r
    return replace(
        main,
        config=config,
        frames=_frames_after(main, sim.result().frames(), k),
        y_pool_obs=sim.split.y_pool_obs.astype(np.int8),
        query_round=query_round,
        scores=np.vstack(scores),
        grid=None if grid is None else (grid[0], grid[1], np.stack(probas)),
    )


def main_and_branch(config: RunConfig, spec: BranchSpec) -> tuple[RunTrace, RunTrace]:
    """Both timelines from scratch (for the command line and tests): main trace, branch trace."""
    main = trace_run(config)
    return main, branch_trace(main, spec, Trunk(main.config))
