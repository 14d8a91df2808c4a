"""The active-learning loop: ``Simulation`` (incremental) and ``simulate`` (one call).

A run acts in an environment (``components.environment``: the split, an
annotator, a seed sampler) that the scenarios build. Round 0 fits on the seed
set. Each ``step()`` picks a batch with the strategy, has the annotator reveal
its labels, refits, scores the pool for the next pick and measures
(``components.loop`` and ``components.records``). One ``predict_proba`` on the
pool per round serves the metrics and the next round's strategy.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from components import loop
from components.config import RunConfig
from components.environment import Annotator, Environment, GivenLabels
from components.learners import predict_proba
from components.loop import MSG_LABELS
from components.records import RoundRecord, RunResult, measure
from components.scenarios import apply_scenarios
from components.split import Split, make_split
from components.strategies import STRATEGIES, PoolView, QueryContext
from specs import UserInputError

__all__ = ["MSG_BUDGET", "STREAMS", "RoundRecord", "RunResult", "Simulation", "simulate"]

MSG_BUDGET = (
    "budget: initial_size={initial} + batch_size={batch} x rounds={rounds} = {need} labels, "
    "but the pool holds {pool} rows after the scenarios; allowed: at most {pool} "
    "(with these sizes, rounds <= {max_rounds})"
)
MSG_DONE = "run: all {rounds} rounds are done; allowed: reset or raise rounds"
MSG_POSITIONS = (
    "positions: {problem}; allowed: distinct, not yet labelled pool positions in [0, {n_pool})"
)

#: Streams spawned from the run's seed, in this order. A new one goes at the end,
#: so every existing stream keeps its numbers.
STREAMS = (
    "split",
    "scenarios",
    "seed_set",
    "strategy",
    "annotator",
    "model",
    "committee",
    "lookahead",
)


_CONTROLLER: list[ThreadpoolController] = []


@contextmanager
def one_blas_thread() -> Iterator[None]:
    """Pin BLAS/OpenMP pools to one thread: on a shared 2-core machine more threads only contend.

    The controller's scan of the loaded libraries is kept and reused; it is
    redone while it has found none, so a library loaded later is picked up.
    """
    if not _CONTROLLER or not _CONTROLLER[0].lib_controllers:
        _CONTROLLER[:] = [ThreadpoolController()]
    with _CONTROLLER[0].limit(limits=1):
        yield


class Simulation:
    """One run of pool-based active learning, stepped a round at a time.

    ``annotator``, if given, builds the annotator that answers every query
    (the seed set's too) from the environment, whose own annotator it may
    wrap; by default the scenarios' annotator answers.

    >>> sim = Simulation(RunConfig.from_dict({"dataset": "two_groups:n_samples=400", "rounds": 2}))
    >>> [sim.step().round for _ in range(2)], sim.done
    ([1, 2], True)
    """

    def __init__(
        self,
        config: RunConfig,
        *,
        dataset: Any = None,
        annotator: Callable[[Environment], Annotator] | None = None,
    ) -> None:
        from datasets.base import load

        self.config = config.resolve(dataset=dataset)
        cfg = self.config
        self.dataset = dataset if dataset is not None else load(cfg.dataset)
        seqs = np.random.SeedSequence(cfg.seed).spawn(len(STREAMS))
        streams = dict(zip(STREAMS, seqs, strict=True))
        self._rng = {k: np.random.default_rng(v) for k, v in streams.items()}
        split = make_split(
            self.dataset,
            test_size=cfg.test_size,
            rng=self._rng["split"],
            use_group_feature=cfg.use_group_feature,
        )
        self.environment = apply_scenarios(
            split,
            cfg.scenarios,
            seed_seq=streams["scenarios"],
            annotator_rng=self._rng["annotator"],
        )
        self.split: Split = self.environment.split
        self.annotator = (
            annotator(self.environment) if annotator is not None else self.environment.annotator
        )
        self._check_budget()
        self.entry = STRATEGIES[cfg.strategy.name]
        self.strategy_params = dict(cfg.strategy.params)
        self.groups = self.split.groups
        self.n_groups = len(self.groups)
        s = self.split
        self.labeled = np.zeros(s.n_pool, dtype=bool)
        self.y_answer = np.full(s.n_pool, -1, dtype=np.int64)  # what the annotator said
        self.order: list[np.ndarray] = []  # positions labelled, by round
        self.state: dict[str, Any] = {}  # the strategy's, kept between rounds
        self.pool_share = np.bincount(s.g_pool, minlength=self.n_groups) / s.n_pool
        self.queried_cum = np.zeros(self.n_groups, dtype=np.int64)
        self.records: list[RoundRecord] = []
        self.model: Any = None
        self.proba_pool: np.ndarray | None = None
        self.proba_test: np.ndarray | None = None
        self.committee: np.ndarray | None = None
        self.scores: np.ndarray | None = None
        with one_blas_thread():
            sampler = self.environment.seed_sampler
            seed_set = sampler.sample(s, cfg.initial_size, rng=self._rng["seed_set"])
            seed_set = np.asarray(seed_set, dtype=np.int64)
            self._reveal(seed_set, self.annotator)
            self._refit_and_measure(seed_set, np.full(len(seed_set), np.nan), 0.0)

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
            raise UserInputError(MSG_DONE.format(rounds=self.config.rounds))
        with one_blas_thread():
            return self._pick()

    def step(
        self, labels: np.ndarray | None = None, *, positions: np.ndarray | None = None
    ) -> RoundRecord:
        """Run one round and return its record.

        ``labels`` are a human's answers for this round, in place of the
        annotator's; then ``positions`` must be the batch they answer (from
        ``propose``). ``positions`` alone labels that batch by the annotator.
        """
        if self.done:
            raise UserInputError(MSG_DONE.format(rounds=self.config.rounds))
        if labels is not None:
            want = self.config.batch_size if positions is None else len(positions)
            if np.shape(labels) != (want,) or not np.isin(labels, (0, 1)).all():
                raise UserInputError(MSG_LABELS.format(got=np.size(labels), want=want))
        with one_blas_thread():
            t0 = time.perf_counter()
            positions = self._pick() if positions is None else self._check_positions(positions)
            t_query = time.perf_counter() - t0
            annotator = self.annotator
            if labels is not None:
                labels = np.asarray(labels)
                if labels.shape != positions.shape:
                    raise UserInputError(MSG_LABELS.format(got=labels.size, want=len(positions)))
                annotator = GivenLabels(positions, labels)
            scores = (
                self.scores[positions]
                if self.scores is not None
                else np.full(len(positions), np.nan)
            )
            self._reveal(positions, annotator)
            return self._refit_and_measure(positions, scores, t_query)

    def fork(self) -> Simulation:
        """An independent copy at this round that continues exactly as this run would.

        Every random stream resumes where it stands. What later rounds change
        in place (the labelled mask, the answers, the strategy's state, the
        streams) is copied; the data, the environment, the fitted model and the
        round's arrays (replaced each round, never changed in place) are shared.

        >>> sim = Simulation(RunConfig.from_dict({"dataset": "two_groups:n_samples=400",
        ...                                       "rounds": 2}))
        >>> twin = sim.fork()
        >>> sim.step().positions.tolist() == twin.step().positions.tolist()
        True
        """
        other = copy.copy(self)
        other.labeled = self.labeled.copy()
        other.y_answer = self.y_answer.copy()
        other.order = list(self.order)
        other.records = list(self.records)
        other.state = copy.deepcopy(self.state)
        other.strategy_params = dict(self.strategy_params)
        other._rng = copy.deepcopy(self._rng)
        return other

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
    def _check_budget(self) -> None:
        cfg, n_pool = self.config, self.split.n_pool
        need = cfg.initial_size + cfg.batch_size * cfg.rounds
        if need > n_pool:
            raise UserInputError(
                MSG_BUDGET.format(
                    initial=cfg.initial_size,
                    batch=cfg.batch_size,
                    rounds=cfg.rounds,
                    need=need,
                    pool=n_pool,
                    max_rounds=max(0, (n_pool - cfg.initial_size) // cfg.batch_size),
                )
            )

    def _check_positions(self, positions: np.ndarray) -> np.ndarray:
        pos = np.asarray(positions)
        n_pool = self.split.n_pool

        def bad(problem: str) -> UserInputError:
            return UserInputError(MSG_POSITIONS.format(problem=problem, n_pool=n_pool))

        if pos.ndim != 1 or len(pos) == 0 or not np.issubdtype(pos.dtype, np.integer):
            raise bad("not a non-empty list of integers")
        if pos.min() < 0 or pos.max() >= n_pool:
            raise bad("some are out of range")
        if len(np.unique(pos)) != len(pos):
            raise bad("some are repeated")
        if self.labeled[pos].any():
            raise bad("some are already labelled")
        return pos.astype(np.int64)

    def _reveal(self, positions: np.ndarray, annotator: Annotator) -> None:
        answers = loop.reveal(annotator, positions)
        self.labeled[positions] = True
        self.y_answer[positions] = answers
        self.order.append(np.asarray(positions, dtype=np.int64))

    def _lookahead_fit(self, X: np.ndarray, y: np.ndarray) -> Any:
        """``context.fit``: a strategy's own refits draw from the lookahead stream."""
        return loop.fit_one(self.config.model, X, y, rng=self._rng["lookahead"])

    def _context(self) -> QueryContext:
        lab = np.concatenate(self.order)
        return QueryContext(
            proba=self.proba_pool,
            committee_proba=self.committee,
            labeled_y=self.y_answer[lab],
            labeled_positions=lab,
            fit=self._lookahead_fit,
            scores=self.scores,
            state=self.state,
        )

    def _pick(self) -> np.ndarray:
        return loop.pick(
            self.entry,
            self.model,
            self.pool_view(),
            self.config.batch_size,
            rng=self._rng["strategy"],
            context=self._context(),
            params=self.strategy_params,
        )

    def _refit_and_measure(
        self, positions: np.ndarray, scores: np.ndarray, t_query: float
    ) -> RoundRecord:
        s, k = self.split, self.n_groups
        t0 = time.perf_counter()
        lab = np.concatenate(self.order)
        committee = self.entry.committee
        fitted = loop.fit(
            s,
            lab,
            self.y_answer[lab],
            learner=self.config.model,
            committee_size=(
                None if committee is None else int(self.strategy_params[committee.size_param])
            ),
            rng=self._rng["model"],
            committee_rng=self._rng["committee"],
        )
        self.model, self.proba_pool, self.committee = (
            fitted.model,
            fitted.proba_pool,
            fitted.committee,
        )
        t_fit = time.perf_counter() - t0

        t0 = time.perf_counter()
        self.scores = None  # the context must not offer last round's scores
        self.scores = loop.score(
            self.entry, self.model, self.pool_view(), self._context(), self.strategy_params
        )
        t_score = time.perf_counter() - t0

        t0 = time.perf_counter()
        self.proba_test = predict_proba(self.model, s.X_test)
        queried = (
            np.bincount(s.g_pool[positions], minlength=k) if self.records else np.zeros(k, int)
        )
        self.queried_cum = self.queried_cum + queried
        overall, by_group = measure(
            s,
            proba_test=self.proba_test,
            proba_pool=self.proba_pool,
            labeled=self.labeled,
            queried=queried,
            queried_cum=self.queried_cum,
            pool_share=self.pool_share,
            scores=self.scores,
        )
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
                "query_seconds": t_query + t_score,
                "metrics_seconds": t_metrics,
            },
        )
        self.records.append(record)
        return record


def simulate(config: RunConfig | dict[str, Any] | str) -> RunResult:
    """Run ``config`` to its budget in one call.

    ``config`` may be a ``RunConfig``, a dict, or JSON text.
    """
    if isinstance(config, str):
        config = RunConfig.from_json(config)
    elif isinstance(config, dict):
        config = RunConfig.from_dict(config)
    return Simulation(config).run()
