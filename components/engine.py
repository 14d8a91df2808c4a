"""The active-learning loop: ``Simulation`` (incremental) and ``simulate`` (one call).

Round 0 is the model fitted on the seed set. Each ``step()`` asks the
strategy for a batch, has the oracle reveal the observed labels, refits, and
measures the test set and the pool. One ``predict_proba`` on the pool per round
serves the metrics and the next round's strategy.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from components.config import RunConfig
from components.learners import committee_proba, fit_committee, fit_model, predict_proba
from components.metrics import GROUP_METRICS, group_rates, mean_by_group, summary, uncertainty_bias
from components.scenarios import apply_scenarios
from components.split import Split, make_split
from components.strategies import STRATEGIES, PoolView, QueryContext

MSG_BUDGET = (
    "budget: initial_size={initial} + batch_size={batch} x rounds={rounds} = {need} labels, "
    "but the pool holds {pool} rows after the scenarios; allowed: at most {pool} "
    "(with these sizes, rounds <= {max_rounds})"
)
MSG_DONE = "run: all {rounds} rounds are done; allowed: reset or raise rounds"
MSG_LABELS = (
    "labels: got {got} answers for {want} queried rows; allowed: exactly {want}, each 0 or 1"
)
MSG_POSITIONS = (
    "positions: {problem}; allowed: distinct, not yet labelled pool positions in [0, {n_pool})"
)
MSG_SEED_GROUP = (
    "cold_start_skew: the seed set needs {need} rows of group {group!r} but the pool has {have}; "
    "allowed: a smaller share or initial_size"
)

#: Streams spawned from the run's seed, in this order. Adding one goes at the end.
STREAMS = ("split", "scenarios", "seed_set", "strategy", "oracle", "model")


_CONTROLLER: list[ThreadpoolController] = []


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Pin BLAS/OpenMP pools to one thread; on 2 cores, default threading is much slower.

    The controller scans the process's loaded libraries once (about 5 ms,
    measured) and is reused; a library loaded later is picked up on the next
    scan, which happens if none was found.
    """
    if not _CONTROLLER or not _CONTROLLER[0].lib_controllers:
        _CONTROLLER[:] = [ThreadpoolController()]
    with _CONTROLLER[0].limit(limits=1):
        yield


@dataclass
class RoundRecord:
    """What one round produced. Arrays are per group code, shape (n_groups,)."""

    round: int
    n_labeled: int
    overall: dict[str, float]
    by_group: dict[str, np.ndarray]
    positions: np.ndarray
    scores: np.ndarray
    label_true: np.ndarray
    label_observed: np.ndarray
    timings: dict[str, float] = field(default_factory=dict)


class Simulation:
    """One run of pool-based active learning, stepped a round at a time.

    >>> sim = Simulation(RunConfig.from_dict({"dataset": "two_groups:n_samples=400", "rounds": 2}))
    >>> [sim.step().round for _ in range(2)], sim.done
    ([1, 2], True)
    """

    def __init__(self, config: RunConfig, *, dataset: Any = None) -> None:
        from datasets.base import load

        self.config = config.resolve(dataset=dataset)
        cfg = self.config
        self.dataset = dataset if dataset is not None else load(cfg.dataset)
        streams = dict(
            zip(STREAMS, np.random.SeedSequence(cfg.seed).spawn(len(STREAMS)), strict=True)
        )
        self._rng = {k: np.random.default_rng(v) for k, v in streams.items()}
        split = make_split(
            self.dataset,
            test_size=cfg.test_size,
            rng=self._rng["split"],
            use_group_feature=cfg.use_group_feature,
        )
        self.split: Split = apply_scenarios(split, cfg.scenarios, seed_seq=streams["scenarios"])
        need = cfg.initial_size + cfg.batch_size * cfg.rounds
        if need > self.split.n_pool:
            raise ValueError(
                MSG_BUDGET.format(
                    initial=cfg.initial_size,
                    batch=cfg.batch_size,
                    rounds=cfg.rounds,
                    need=need,
                    pool=self.split.n_pool,
                    max_rounds=max(0, (self.split.n_pool - cfg.initial_size) // cfg.batch_size),
                )
            )
        self.entry = STRATEGIES[cfg.strategy.name]
        self.strategy_params = dict(cfg.strategy.params)
        self.groups = self.split.groups
        self.n_groups = len(self.groups)
        s = self.split
        self.labeled = np.zeros(s.n_pool, dtype=bool)
        self.y_answer = np.full(s.n_pool, -1, dtype=np.int64)  # what the oracle said
        self.order: list[np.ndarray] = []  # positions labelled, by round
        self._oracle_u = self._rng["oracle"].random((max(1, len(s.oracle_flip)), s.n_pool))
        self.state: dict[str, Any] = {}
        self.pool_share = np.bincount(s.g_pool, minlength=self.n_groups) / s.n_pool
        self.queried_cum = np.zeros(self.n_groups, dtype=np.int64)
        self.records: list[RoundRecord] = []
        self.model: Any = None
        self.proba_pool: np.ndarray | None = None
        self.proba_test: np.ndarray | None = None
        self.committee: np.ndarray | None = None
        self.scores: np.ndarray | None = None
        with one_blas_thread():
            seed_positions = self._draw_seed_set()
            self._label(seed_positions)
            self._refit_and_measure(seed_positions, np.full(len(seed_positions), np.nan), {})

    # -- public --------------------------------------------------------------
    @property
    def round(self) -> int:
        return self.records[-1].round

    @property
    def done(self) -> bool:
        return self.round >= self.config.rounds

    def pool_view(self) -> PoolView:
        s = self.split
        labeled = self.labeled.copy()
        labeled.setflags(write=False)
        return PoolView(X=s.X_pool, group=s.g_pool, labeled=labeled, groups=self.groups)

    def propose(self) -> np.ndarray:
        """The strategy's next batch (pool positions), without labelling it."""
        if self.done:
            raise ValueError(MSG_DONE.format(rounds=self.config.rounds))
        with one_blas_thread():
            return self._propose()

    def step(
        self, labels: np.ndarray | None = None, *, positions: np.ndarray | None = None
    ) -> RoundRecord:
        """Run one round and return its record.

        ``labels`` replaces the simulated oracle (human-annotator mode); then
        ``positions`` must be the batch those labels answer (from ``propose``).
        """
        if self.done:
            raise ValueError(MSG_DONE.format(rounds=self.config.rounds))
        if labels is not None:
            want = self.config.batch_size if positions is None else len(positions)
            if np.shape(labels) != (want,) or not np.isin(labels, (0, 1)).all():
                raise ValueError(MSG_LABELS.format(got=np.size(labels), want=want))
        with one_blas_thread():
            t0 = time.perf_counter()
            if positions is None:
                positions = self._propose()
            else:
                positions = self._check_positions(positions)
            t_query = time.perf_counter() - t0
            if labels is not None:
                labels = np.asarray(labels)
                if labels.shape != positions.shape or not np.isin(labels, (0, 1)).all():
                    raise ValueError(MSG_LABELS.format(got=labels.size, want=len(positions)))
            scores = (
                self.scores[positions]
                if self.scores is not None
                else np.full(len(positions), np.nan)
            )
            self._label(positions, labels)
            return self._refit_and_measure(positions, scores, {"query_seconds": t_query})

    def run(self) -> RunResult:
        while not self.done:
            self.step()
        return self.result()

    def result(self) -> RunResult:
        return RunResult(
            config=self.config,
            groups=self.groups,
            records=list(self.records),
            idx_pool=self.split.idx_pool,
            g_pool=self.split.g_pool,
            y_pool=self.split.y_pool,
        )

    # -- internals -------------------------------------------------------------
    def _draw_seed_set(self) -> np.ndarray:
        rng, s, n = self._rng["seed_set"], self.split, self.config.initial_size
        if not s.seed_share:
            return rng.choice(s.n_pool, size=n, replace=False)
        chosen: list[np.ndarray] = []
        rest = np.ones(s.n_pool, dtype=bool)
        for code, share in s.seed_share:
            want = int(round(share * n))
            rows = np.flatnonzero(s.g_pool == code)
            if want > len(rows):
                raise ValueError(
                    MSG_SEED_GROUP.format(need=want, group=self.groups[code], have=len(rows))
                )
            chosen.append(rng.choice(rows, size=want, replace=False))
            rest &= s.g_pool != code
        left = n - sum(len(c) for c in chosen)
        others = np.flatnonzero(rest)
        if left > len(others):
            raise ValueError(
                MSG_SEED_GROUP.format(need=left, group="the other groups", have=len(others))
            )
        chosen.append(rng.choice(others, size=left, replace=False))
        return np.concatenate(chosen)

    def _check_positions(self, positions: np.ndarray) -> np.ndarray:
        pos = np.asarray(positions)
        n_pool = self.split.n_pool
        if pos.ndim != 1 or len(pos) == 0 or not np.issubdtype(pos.dtype, np.integer):
            raise ValueError(
                MSG_POSITIONS.format(problem="not a non-empty list of integers", n_pool=n_pool)
            )
        if pos.min() < 0 or pos.max() >= n_pool:
            raise ValueError(MSG_POSITIONS.format(problem="some are out of range", n_pool=n_pool))
        if len(np.unique(pos)) != len(pos):
            raise ValueError(MSG_POSITIONS.format(problem="some are repeated", n_pool=n_pool))
        if self.labeled[pos].any():
            raise ValueError(
                MSG_POSITIONS.format(problem="some are already labelled", n_pool=n_pool)
            )
        return pos.astype(np.int64)

    def _oracle(self, positions: np.ndarray) -> np.ndarray:
        s = self.split
        y = s.y_pool_obs[positions].copy()
        for k, (code, rate, direction) in enumerate(s.oracle_flip):
            hit = (s.g_pool[positions] == code) & (self._oracle_u[k, positions] < rate)
            if direction == "down":
                hit &= y == 1
            elif direction == "up":
                hit &= y == 0
            y[hit] = 1 - y[hit]
        return y

    def _label(self, positions: np.ndarray, labels: np.ndarray | None = None) -> None:
        answers = self._oracle(positions) if labels is None else labels.astype(np.int64)
        self.labeled[positions] = True
        self.y_answer[positions] = answers
        self.order.append(np.asarray(positions, dtype=np.int64))

    def _fit(self, X: np.ndarray, y: np.ndarray) -> Any:
        return fit_model(self.config.model, X, y, seed=int(self._rng["model"].integers(2**31 - 1)))

    def _context(self) -> QueryContext:
        lab = np.concatenate(self.order)
        return QueryContext(
            proba=self.proba_pool,
            committee_proba=self.committee,
            labeled_y=self.y_answer[lab],
            labeled_positions=lab,
            fit=self._fit,
            scores=self.scores,
            state=self.state,
        )

    def _propose(self) -> np.ndarray:
        positions = self.entry.func(
            self.model,
            self.pool_view(),
            self.config.batch_size,
            rng=self._rng["strategy"],
            context=self._context(),
            **self.strategy_params,
        )
        return np.asarray(positions, dtype=np.int64)

    def _refit_and_measure(
        self, positions: np.ndarray, scores: np.ndarray, timings: dict[str, float]
    ) -> RoundRecord:
        s, k = self.split, self.n_groups
        t0 = time.perf_counter()
        lab = np.concatenate(self.order)
        self.model = self._fit(s.X_pool[lab], self.y_answer[lab])
        self.proba_pool = predict_proba(self.model, s.X_pool)
        self.committee = None
        if self.entry.extra.get("committee"):
            members = fit_committee(
                self.config.model,
                s.X_pool[lab],
                self.y_answer[lab],
                members=int(self.strategy_params.get("members", 5)),
                rng=self._rng["model"],
            )
            self.committee = committee_proba(members, s.X_pool)
        t_fit = time.perf_counter() - t0

        t0 = time.perf_counter()
        self.scores = None
        scorer = self.entry.extra.get("scorer")
        if scorer is not None:
            ctx = self._context()
            self.scores = scorer(self.model, self.pool_view(), ctx, **self.strategy_params)
        t_score = time.perf_counter() - t0

        t0 = time.perf_counter()
        self.proba_test = predict_proba(self.model, s.X_test)
        pred = (self.proba_test[:, 1] >= 0.5).astype(np.int64)
        truth = group_rates(s.y_test, pred, s.g_test, k)
        obs = group_rates(s.y_test_obs, pred, s.g_test, k)
        st, so = summary(truth), summary(obs)
        overall = {
            "accuracy": float(np.mean(pred == s.y_test)),
            "accuracy_observed": float(np.mean(pred == s.y_test_obs)),
            **st,
            "worst_group_accuracy_observed": so["worst_group_accuracy"],
            "eo_difference_observed": so["eo_difference"],
            "pp_difference_observed": so["pp_difference"],
        }
        unlabeled = ~self.labeled
        queried = (
            np.bincount(s.g_pool[positions], minlength=k) if self.records else np.zeros(k, int)
        )
        self.queried_cum = self.queried_cum + queried
        total_q = self.queried_cum.sum()
        labeled_counts = np.bincount(s.g_pool[self.labeled], minlength=k)
        by_group: dict[str, np.ndarray] = {
            "pool_share": self.pool_share,
            "labeled_share": labeled_counts / labeled_counts.sum(),
            "queried": queried,
            "queried_cum": self.queried_cum.copy(),
            "query_share_cum": (self.queried_cum / total_q if total_q else np.full(k, np.nan)),
        }
        for name in GROUP_METRICS:
            by_group[name] = truth[name]
            by_group[f"{name}_observed"] = obs[name]
        by_group["mean_score"] = (
            mean_by_group(self.scores, s.g_pool, unlabeled, k)
            if self.scores is not None
            else np.full(k, np.nan)
        )
        by_group["uncertainty_bias"] = uncertainty_bias(self.proba_pool, s.g_pool, unlabeled, k)
        by_group["test_count"] = truth["count"]
        t_metrics = time.perf_counter() - t0

        record = RoundRecord(
            round=len(self.records),
            n_labeled=int(self.labeled.sum()),
            overall=overall,
            by_group=by_group,
            positions=np.asarray(positions, dtype=np.int64),
            scores=np.asarray(scores, dtype=np.float64),
            label_true=s.y_pool[positions],
            label_observed=self.y_answer[positions],
            timings={
                "fit_seconds": t_fit,
                "query_seconds": timings.get("query_seconds", 0.0) + t_score,
                "metrics_seconds": t_metrics,
            },
        )
        self.records.append(record)
        return record


@dataclass
class RunResult:
    """A finished (or partial) run: its resolved config and its round records."""

    config: RunConfig
    groups: tuple[str, ...]
    records: list[RoundRecord]
    idx_pool: np.ndarray
    g_pool: np.ndarray
    y_pool: np.ndarray

    def frames(self) -> dict[str, Any]:
        from components.records import to_frames

        return to_frames(self)


def simulate(config: RunConfig | dict[str, Any] | str) -> RunResult:
    """Run ``config`` to its budget in one call.

    ``config`` may be a ``RunConfig``, a dict, or JSON text.
    """
    if isinstance(config, str):
        config = RunConfig.from_json(config)
    elif isinstance(config, dict):
        config = RunConfig.from_dict(config)
    return Simulation(config).run()
