"""The calibrated constants of :mod:`components.cost`: what one learner's fit and predict cost.

The numbers come from ``benchmarks/bench_cost.py`` (``--calibrate-only`` prints
new ones); ``benchmarks/results/cost.md`` has the measurements and the ratios.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelCost:
    """Single-core seconds of one learner; each pair is ``(base, per_feature)``.

    Attributes
    ----------
    fit : seconds per fit, whatever its size
    fit_row : seconds per labelled row, per fit
    predict_row : seconds per predicted row
    predict_pair : seconds per predicted row per labelled row per feature
        (brute-force k-NN only; 0 for the others)
    """

    fit: tuple[float, float]
    fit_row: tuple[float, float]
    predict_row: tuple[float, float]
    predict_pair: float = 0.0


# From benchmarks/bench_cost.py on a 2-core machine, 2026-11-30: CPU seconds with
# BLAS pinned to one thread, on two_groups (2 features), credit_default (31) and
# adult (65); per model the non-negative fit that never underestimates a measured
# point. benchmarks/results/cost.md has the measurements and the ratios.
MODEL_COSTS: dict[str, ModelCost] = {
    "logistic": ModelCost(
        fit=(0.0068, 0.0), fit_row=(1.1e-07, 1.4e-07), predict_row=(1.9e-08, 8e-10)
    ),
    "random_forest": ModelCost(fit=(0.14, 0.0), fit_row=(0.00017, 0.0), predict_row=(9.1e-06, 0.0)),
    "gradient_boosting": ModelCost(
        fit=(0.18, 0.0021), fit_row=(4.6e-06, 1.9e-06), predict_row=(6.5e-06, 1.8e-08)
    ),
    "knn": ModelCost(
        fit=(0.005, 0.0), fit_row=(1.6e-07, 0.0), predict_row=(3.4e-06, 0.0), predict_pair=1.5e-10
    ),
    "naive_bayes": ModelCost(
        fit=(0.005, 0.0), fit_row=(2.4e-07, 1.3e-08), predict_row=(1.2e-07, 8.5e-09)
    ),
    "mlp": ModelCost(fit=(0.22, 0.0), fit_row=(0.00011, 1.1e-05), predict_row=(1.2e-07, 2.4e-09)),
}
#: Engine work per pool row per round (masks, top-n, pool metrics), seconds.
ENGINE_ROW_SECONDS = 5.2e-8
#: Committee scoring per pool row per member per round, seconds.
MEMBER_ROW_SECONDS = 5.3e-8
#: One pass over the pool (a k-center distance, a density product) per row: (base, per_feature).
PASS_ROW_SECONDS = (2.5e-9, 9e-10)
#: Group-aware picking (one top-n per group) per pool row per group, seconds.
GROUP_ROW_SECONDS = 5.3e-8
