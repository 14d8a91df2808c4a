"""Run cost: the single-core seconds a run will take, estimated before it starts.

A round refits the learner on the labelled rows, predicts the whole pool and
the test set, scores the pool and picks a batch. Committee strategies fit and
predict ``members`` more models; ``fal`` refits twice per candidate; ``coreset``
makes one pass over the pool per labelled row. The estimate adds those parts
up from a small table of per-learner constants::

    seconds = (1 + members) * (fits + predictions) + strategy + engine
    fits        = (rounds + 1) * fit + sum_r n_labelled(r) * fit_row
    predictions = (rounds + 1) * (n_pool + n_test) * predict_row

Each constant is ``base + per_feature * n_features``; brute-force k-NN (more
than 15 features, as scikit-learn chooses) adds a cost per predicted row per
labelled row per feature. The numbers come from ``benchmarks/bench_cost.py``,
which also reports how far the estimate is from measured runs
(``benchmarks/results/cost.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from components.config import RunConfig
from components.cost_model import (
    ENGINE_ROW_SECONDS,
    GROUP_ROW_SECONDS,
    MEMBER_ROW_SECONDS,
    MODEL_COSTS,
    PASS_ROW_SECONDS,
    ModelCost,
)
from components.scenarios import SCENARIOS
from components.strategies import STRATEGIES
from specs import Spec

#: Single-core seconds one run may take in the app unless its host sets another
#: (``dashboard.hosting``; the command line keeps no budget).
DEFAULT_BUDGET_SECONDS = 120.0
#: Features assumed when the caller does not say: adult's 65, the widest large built-in table.
DEFAULT_FEATURES = 65
#: Share of the pool assumed for a ``duplicates`` group (the scenario's default is the smallest).
DUPLICATED_SHARE = 0.5
#: scikit-learn's k-NN searches by brute force above this many features.
KNN_BRUTE_ABOVE = 15
#: Points of the dashboard's decision-boundary grid, predicted every round on 2-feature data.
GRID_POINTS = 60 * 60


def _linear(pair: tuple[float, float], n_features: int) -> float:
    return pair[0] + pair[1] * n_features


def committee_members(config: RunConfig) -> int:
    committee = STRATEGIES[config.strategy.name].committee
    if committee is None:
        return 0
    return int(STRATEGIES.resolve(config.strategy).get(committee.size_param))


def _pool_factor(scenarios: tuple[Spec, ...]) -> float:
    factor = 1.0
    for spec in scenarios:
        if spec.name == "duplicates":
            copies = int(SCENARIOS.resolve(spec).get("factor"))
            factor *= 1.0 + (copies - 1) * DUPLICATED_SHARE
    return factor


@dataclass(frozen=True)
class RunShape:
    """The sizes a run's cost depends on, derived once from the config and the data.

    ``labelled`` sums the labelled rows over the fits of rounds 0..rounds and
    ``before_query`` over the rounds before each query; ``brute`` is k-NN by
    brute force, whose predictions scan every labelled row.
    """

    n_pool: float
    n_test: float
    n_features: int
    n_groups: int
    rounds: int
    initial_size: int
    batch_size: int
    labelled: float
    before_query: float
    cost: ModelCost
    brute: bool

    def fits(self, n_fits: int, rows: float) -> float:
        """Seconds of ``n_fits`` fits on ``rows`` labelled rows in all."""
        d = self.n_features
        return n_fits * _linear(self.cost.fit, d) + rows * _linear(self.cost.fit_row, d)

    def predictions(self, rows: float, n_rounds: int, labelled_rows: float) -> float:
        """Seconds to predict ``rows`` rows in each of ``n_rounds`` rounds.

        ``labelled_rows`` is the labelled set summed over those rounds, which
        brute-force k-NN scans for every predicted row.
        """
        d = self.n_features
        pair = self.cost.predict_pair * d * labelled_rows if self.brute else 0.0
        return rows * (n_rounds * _linear(self.cost.predict_row, d) + pair)

    def one_pass(self) -> float:
        """Seconds of one pass over the pool (a k-center distance, a density product)."""
        return self.n_pool * _linear(PASS_ROW_SECONDS, self.n_features)


def _coreset(run: RunShape, params: Mapping[str, object]) -> float:
    # one distance pass per labelled row, each once: the min-distance array is kept
    return min(run.initial_size + run.batch_size * run.rounds, run.n_pool) * run.one_pass()


def _density(run: RunShape, params: Mapping[str, object]) -> float:
    return 2 * (run.rounds + 1) * run.one_pass()


def _by_group(run: RunShape, params: Mapping[str, object]) -> float:
    return run.rounds * run.n_groups * run.n_pool * GROUP_ROW_SECONDS


def _fal(run: RunShape, params: Mapping[str, object]) -> float:
    # two refits per candidate (one per label), each predicting eval_size rows
    k = min(run.n_pool, max(int(params["candidates"]), run.batch_size))
    eval_rows = min(int(params["eval_size"]), run.n_pool)
    q = run.before_query
    return (
        2 * k * (run.fits(run.rounds, q + run.rounds) + run.predictions(eval_rows, run.rounds, q))
    )


#: Strategy work beyond scoring the pool once a round, by strategy name.
STRATEGY_EXTRA: dict[str, Callable[[RunShape, Mapping[str, object]], float]] = {
    "coreset": _coreset,
    "density_weighted": _density,
    "group_balanced": _by_group,
    "fair_uncertainty": _by_group,
    # without the look-ahead fal only counts labels: no refits
    "fal": lambda run, params: _fal(run, params) if params.get("lookahead", True) else 0.0,
    # one refit a round on the labelled rows outside the validation slice
    "minmax_group": lambda run, params: run.fits(run.rounds + 1, run.labelled),
}


def run_shape(
    config: RunConfig,
    n_samples: int,
    *,
    n_features: int | None = None,
    n_groups: int = 2,
    costs: Mapping[str, ModelCost] = MODEL_COSTS,
) -> RunShape:
    """The :class:`RunShape` of ``config`` on ``n_samples`` rows; see :func:`estimate_parts`.

    >>> cfg = RunConfig.from_dict({"initial_size": 20, "batch_size": 10, "rounds": 2})
    >>> run_shape(cfg, 4000, n_features=2).labelled  # 20 + 30 + 40
    90
    """
    d = (DEFAULT_FEATURES if n_features is None else n_features) + (
        n_groups if config.use_group_feature else 0
    )
    n_pool = n_samples * (1.0 - config.test_size) * _pool_factor(config.scenarios)
    sizes = [
        min(config.initial_size + config.batch_size * r, n_pool) for r in range(config.rounds + 1)
    ]
    return RunShape(
        n_pool=n_pool,
        n_test=n_samples * config.test_size,
        n_features=d,
        n_groups=n_groups,
        rounds=config.rounds,
        initial_size=config.initial_size,
        batch_size=config.batch_size,
        labelled=sum(sizes),
        before_query=sum(sizes[:-1]),
        cost=costs[config.model],
        brute=config.model == "knn" and d > KNN_BRUTE_ABOVE,
    )


def estimate_parts(
    config: RunConfig,
    n_samples: int,
    *,
    n_features: int | None = None,
    n_groups: int = 2,
    costs: Mapping[str, ModelCost] = MODEL_COSTS,
) -> dict[str, float]:
    """Estimated single-core seconds of a whole run, by part.

    Parameters
    ----------
    config : RunConfig
        The run; round 0 (the fit on the seed set) counts as a round.
    n_samples : int
        Rows of the data set before the pool/test split.
    n_features : int, optional
        Model inputs per row; ``DEFAULT_FEATURES`` when unknown.
    n_groups : int
        Groups in the data (group-aware strategies and ``use_group_feature``).
    costs : mapping of model name to ModelCost
        The per-learner constants; ``MODEL_COSTS`` by default.

    Returns
    -------
    dict
        ``fit``, ``predict``, ``strategy`` and ``engine`` seconds.

    Examples
    --------
    >>> cfg = RunConfig.from_dict({"dataset": "two_groups", "strategy": "bald"})
    >>> parts = estimate_parts(cfg, 4000, n_features=2)
    >>> sorted(parts), parts["fit"] > parts["engine"]
    (['engine', 'fit', 'predict', 'strategy'], True)
    """
    run = run_shape(config, n_samples, n_features=n_features, n_groups=n_groups, costs=costs)
    refits, m = run.rounds + 1, committee_members(config)
    grid = GRID_POINTS if run.n_features == 2 else 0  # the dashboard's decision boundary
    rows = (1 + m) * run.n_pool + run.n_test + grid  # predicted every round
    params = dict(STRATEGIES.resolve(config.strategy).params)
    extra = STRATEGY_EXTRA.get(config.strategy.name)
    return {
        "fit": (1 + m) * run.fits(refits, run.labelled),
        "predict": run.predictions(rows, refits, run.labelled),
        "strategy": refits * m * run.n_pool * MEMBER_ROW_SECONDS
        + (extra(run, params) if extra else 0.0),
        "engine": refits * run.n_pool * ENGINE_ROW_SECONDS,
    }


def estimate_seconds(
    config: RunConfig,
    n_samples: int,
    *,
    n_features: int | None = None,
    n_groups: int = 2,
    costs: Mapping[str, ModelCost] = MODEL_COSTS,
) -> float:
    """Estimated single-core seconds for the whole run (round 0 to ``config.rounds``).

    Data loading and the split are not counted. See :func:`estimate_parts`
    for the parameters.

    Examples
    --------
    >>> cheap = RunConfig.from_dict({"dataset": "adult", "rounds": 30})
    >>> estimate_seconds(cheap, 48_842) < 5
    True
    >>> rf = cheap.with_changes(model="random_forest", strategy=Spec("bald", (("members", 25),)))
    >>> estimate_seconds(rf, 48_842) > estimate_seconds(cheap, 48_842) * 100
    True
    """
    parts = estimate_parts(config, n_samples, n_features=n_features, n_groups=n_groups, costs=costs)
    return float(sum(parts.values()))
