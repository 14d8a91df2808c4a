"""Calibrate and check ``components.cost``: estimated vs measured seconds of runs.

Usage (from the repo root)::

    python benchmarks/bench_cost.py             # calibrate, then 2k/10k/50k pools + adult
    python benchmarks/bench_cost.py --quick     # 2k and 10k pools, fewer configs (~3 min)
    python benchmarks/bench_cost.py --no-probe  # skip the 500k-row random-forest BALD round

Two parts, both in CPU seconds of this process (``time.process_time``) with
BLAS/OpenMP pinned to one thread (threadpoolctl), so the numbers are
single-core seconds and other processes on the machine inflate them less than
wall time:

1. **Calibration.** Each learner is fitted on 100 to 20,000 rows of
   two_groups (2 features), credit_default (31, mostly continuous) and adult
   (65, mostly one-hot) and predicts 20,000 rows;
   the engine's own per-row work, committee scoring, a k-center pass and
   group-aware picking are timed on their own. From these it derives the
   constants of ``components/cost.py`` and prints them as Python.
2. **Check.** Whole runs through ``components.trace.trace_run`` (what the app
   runs), a few rounds each, against ``estimate_seconds`` with the constants
   that ship in ``components/cost.py``. The ratio is estimate / measured:
   above 1 the estimate is cautious, below 1 it underestimates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from components import cost  # noqa: E402
from components.config import RunConfig  # noqa: E402
from components.engine import Simulation  # noqa: E402
from components.learners import LEARNERS, fit_model, predict_proba  # noqa: E402
from components.strategies import PoolView, QueryContext  # noqa: E402
from components.strategies.committee import (  # noqa: E402
    bald_scores,
    kl_to_mean_scores,
    vote_entropy_scores,
)
from components.strategies.coreset import min_sq_distances  # noqa: E402
from components.strategies.fair import group_balanced  # noqa: E402
from components.trace import trace_run  # noqa: E402
from datasets.base import load  # noqa: E402

MODELS = tuple(LEARNERS)
WIDE = "adult"  # 65 features, mostly one-hot
#: Calibration data: narrow, wide and continuous, wide and mostly one-hot.
CALIBRATION = (
    ("two_groups", "two_groups:n_samples=60000"),
    ("credit_default", "credit_default"),
    ("adult", WIDE),
)
#: Width of the pure-noise data set shown beside the calibration (not used for constants).
NOISE_FEATURES = 65
PREDICT_ROWS = 20_000


def cpu(fn: Callable[[], object], repeats: int) -> float:
    """Median CPU seconds of ``fn()`` over ``repeats`` calls."""
    out = []
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        out.append(time.process_time() - t0)
    return float(statistics.median(out))


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# -- 1. calibration ---------------------------------------------------------------
@dataclass
class Curve:
    """One learner on one data set: fit and predict CPU seconds by labelled rows."""

    n_features: int
    fit: dict[int, float]
    predict_row: dict[int, float]


def measure_curve(model: str, X: np.ndarray, y: np.ndarray, sizes: tuple[int, ...], repeats: int):
    rng = np.random.default_rng(0)
    Xp = X[rng.choice(len(X), size=min(PREDICT_ROWS, len(X)), replace=False)]
    fit, pred = {}, {}
    for n in sizes:
        rows = rng.choice(len(X), size=n, replace=False)
        Xl, yl = np.ascontiguousarray(X[rows]), y[rows]
        reps = repeats if n <= 5000 else max(1, repeats - 1)
        fit[n] = cpu(lambda Xl=Xl, yl=yl: fit_model(model, Xl, yl, seed=0), reps)
        m = fit_model(model, Xl, yl, seed=0)
        pred[n] = cpu(lambda m=m: predict_proba(m, Xp), repeats) / len(Xp)
    return Curve(X.shape[1], fit, pred)


def envelope(points: list[tuple[int, float]]) -> tuple[float, float]:
    """(base, per_feature) of a line on or above every (n_features, cost) point.

    The slope is the steepest from the narrowest point to any other (never
    below 0), and the base is raised until every point is covered: cautious
    where data sets of similar width cost differently.
    """
    d0, c0 = min(points)
    pf = max([0.0] + [(c - c0) / (d - d0) for d, c in points if d > d0])
    return (max(max(c - pf * d for d, c in points), 0.0), pf)


def covering_fit(rows: list[list[float]], measured: list[float]) -> list[float]:
    """Non-negative weights w with ``rows @ w >= measured`` and the smallest worst ratio.

    A linear program: minimise t subject to ``measured_i <= rows_i . w <= t * measured_i``
    for every point, then, at that t, the smallest mean ratio. The model never
    underestimates a calibration point and overestimates none by more than it must.
    """
    from scipy.optimize import linprog

    A = np.asarray(rows, dtype=float) / np.asarray(measured, dtype=float)[:, None]
    scale = np.where(A.max(axis=0) > 0, A.max(axis=0), 1.0)
    A = A / scale  # columns of order 1
    n, k = A.shape
    ones = np.ones((n, 1))
    A_ub = np.block([[-A, np.zeros((n, 1))], [A, -ones]])
    b_ub = np.concatenate([-np.ones(n), np.zeros(n)])
    bounds = [(0, None)] * k + [(1, None)]
    first = linprog(np.r_[np.zeros(k), 1.0], A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    t = first.x[-1] * (1 + 1e-6)
    bounds[-1] = (1, t)
    second = linprog(np.r_[A.sum(axis=0), 0.0], A_ub=A_ub, b_ub=b_ub, bounds=bounds, method="highs")
    return [float(w) for w in second.x[:k] / scale]


#: Fits shorter than this count as this long when the fit is judged (timer noise).
FIT_FLOOR_SECONDS = 0.005


def derive(model: str, curves: list[Curve]) -> cost.ModelCost:
    """Constants covering every calibration point: fit and predict as separate programs.

    Fit seconds = ``a + b d + (c + e d) n`` for n labelled rows and d features;
    predict seconds per row = ``p + q d`` (+ ``pair * d * n`` for brute-force k-NN).
    """
    rows, meas = [], []
    for c in curves:
        d = c.n_features
        for n, t in c.fit.items():
            rows.append([1.0, d, n, d * n])
            meas.append(max(t, FIT_FLOOR_SECONDS))
    a, b, c_, e = covering_fit(rows, meas)
    rows, meas = [], []
    for c in curves:
        d = c.n_features
        brute = model == "knn" and d > cost.KNN_BRUTE_ABOVE
        for n, t in c.predict_row.items():
            rows.append([1.0, d, d * n if brute else 0.0])
            meas.append(t)
    p, q, pair = covering_fit(rows, meas)
    return cost.ModelCost(fit=(a, b), fit_row=(c_, e), predict_row=(p, q), predict_pair=pair)


def model_seconds(
    c: cost.ModelCost, model: str, n_features: int, n_lab: int
) -> tuple[float, float]:
    """Estimated (fit seconds, predict seconds per row) at ``n_lab`` labelled rows."""
    d = n_features
    fit = cost._linear(c.fit, d) + n_lab * cost._linear(c.fit_row, d)
    brute = model == "knn" and d > cost.KNN_BRUTE_ABOVE
    pred = cost._linear(c.predict_row, d) + (c.predict_pair * d * n_lab if brute else 0.0)
    return fit, pred


def noise_data(n_features: int, rows: int = 30_000) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian features, a label from the first one plus noise: deep trees on every feature."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(rows, n_features))
    return X, (X[:, 0] + rng.normal(size=rows) > 0).astype(np.int64)


def engine_row_seconds(pool_rows: int, costs: dict[str, cost.ModelCost], repeats: int) -> float:
    """Engine work per pool row per round: logistic least-confidence steps minus the model."""
    n = int(round(pool_rows / 0.75))
    cfg = RunConfig.from_dict(
        {"dataset": f"two_groups:n_samples={n}", "rounds": 6, "initial_size": 20}
    )
    sim = Simulation(cfg)
    per_step = []
    while not sim.done:
        t0 = time.process_time()
        sim.step()
        per_step.append(time.process_time() - t0)
    step = float(statistics.median(per_step))
    one = cfg.with_changes(rounds=0, initial_size=cfg.initial_size + cfg.batch_size * 3)
    model = cost.estimate_parts(one, n, n_features=2, costs=costs)
    grid = cost.GRID_POINTS * cost._linear(costs["logistic"].predict_row, 2)
    rest = step - (model["fit"] + model["predict"] - grid)
    return max(rest, 0.0) / sim.split.n_pool


def member_row_seconds(pool_rows: int, members: int, repeats: int) -> float:
    rng = np.random.default_rng(0)
    p1 = rng.random((members, pool_rows))
    tensor = np.stack([1 - p1, p1], axis=2)
    worst = max(
        cpu(lambda f=f: f(tensor), repeats)
        for f in (bald_scores, kl_to_mean_scores, vote_entropy_scores)
    )
    return worst / (members * pool_rows)


def _pool(X: np.ndarray, n_groups: int, labelled: np.ndarray) -> PoolView:
    g = np.arange(len(X)) % n_groups
    return PoolView(X=X, group=g, labeled=labelled, groups=tuple(f"g{i}" for i in range(n_groups)))


def pass_row_seconds(pool_rows: int, n_features: int, passes: int, repeats: int) -> float:
    """One k-center distance pass, per pool row."""
    X = np.random.default_rng(0).normal(size=(pool_rows, n_features))
    lab = np.zeros(pool_rows, dtype=bool)
    lab[:passes] = True

    def run() -> None:
        min_sq_distances(_pool(X, 2, lab), {})

    return cpu(run, repeats) / (passes * pool_rows)


def group_row_seconds(pool_rows: int, n_groups: int, repeats: int) -> float:
    """Group-aware picking (one top-n per group), per pool row per group."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(pool_rows, 2))
    p1 = rng.random(pool_rows)
    ctx = QueryContext(proba=np.stack([1 - p1, p1], axis=1))
    pool = _pool(X, n_groups, np.zeros(pool_rows, dtype=bool))
    t = cpu(lambda: group_balanced(None, pool, 10, rng=rng, context=ctx), repeats)
    return t / (pool_rows * n_groups)


def calibrate(quick: bool, repeats: int) -> tuple[dict[str, cost.ModelCost], dict, list[str]]:
    sizes = (100, 1000, 4000) if quick else (100, 1000, 5000, 20_000)
    data = [(name, load(spec)) for name, spec in CALIBRATION]
    noise = noise_data(NOISE_FEATURES)
    costs, lines = {}, []
    for model in MODELS:
        log(f"calibrate {model}")
        curves = [(name, measure_curve(model, ds.X, ds.y, sizes, repeats)) for name, ds in data]
        costs[model] = derive(model, [c for _, c in curves])
        curves.append((f"noise{NOISE_FEATURES}, not used", measure_curve(model, *noise, sizes, 1)))
        for name, c in curves:
            fits = ", ".join(f"{n:,}: {t * 1e3:.0f}" for n, t in c.fit.items())
            preds = ", ".join(f"{n:,}: {t * 1e6:.2f}" for n, t in c.predict_row.items())
            ratios = [model_seconds(costs[model], model, c.n_features, n) for n in c.fit]
            fit_r = [
                r[0] / max(c.fit[n], FIT_FLOOR_SECONDS) for r, n in zip(ratios, c.fit, strict=True)
            ]
            pred_r = [r[1] / c.predict_row[n] for r, n in zip(ratios, c.fit, strict=True)]
            lines.append(
                f"| {model} | {name} ({c.n_features}) | {fits} | {preds} | "
                f"{min(fit_r):.2f} - {max(fit_r):.2f} | {min(pred_r):.2f} - {max(pred_r):.2f} |"
            )
    pool = 50_000 if quick else 200_000
    log("calibrate the engine, committee scoring, k-center, group picking")
    passes = [(d, pass_row_seconds(pool, d, 20, repeats)) for d in (2, 65)]
    extra = {
        "ENGINE_ROW_SECONDS": engine_row_seconds(pool, costs, repeats),
        "MEMBER_ROW_SECONDS": member_row_seconds(pool, 10, repeats),
        "PASS_ROW_SECONDS": envelope(passes),
        "GROUP_ROW_SECONDS": group_row_seconds(pool, 10, repeats),
    }
    return costs, extra, lines


def g3(x: float) -> str:
    """Two significant digits, rounded up so the printed constant still covers its points."""
    if x <= 0:
        return "0.0"
    exp = math.floor(math.log10(x)) - 1
    return f"{math.ceil(x / 10**exp - 1e-9) * 10**exp:.2g}"


def as_python(costs: dict[str, cost.ModelCost], extra: dict) -> str:
    out = ["MODEL_COSTS: dict[str, ModelCost] = {"]
    for name, c in costs.items():
        pair = f", predict_pair={g3(c.predict_pair)}" if c.predict_pair else ""
        out.append(
            f'    "{name}": ModelCost(fit=({g3(c.fit[0])}, {g3(c.fit[1])}), '
            f"fit_row=({g3(c.fit_row[0])}, {g3(c.fit_row[1])}), "
            f"predict_row=({g3(c.predict_row[0])}, {g3(c.predict_row[1])}){pair}),"
        )
    out.append("}")
    for k, v in extra.items():
        out.append(f"{k} = ({g3(v[0])}, {g3(v[1])})" if isinstance(v, tuple) else f"{k} = {g3(v)}")
    return "\n".join(out)


# -- 2. check against whole runs -------------------------------------------------------
@dataclass
class Check:
    label: str
    model: str
    strategy: str
    pool: int
    rounds: int
    sizes: str  # seed set / batch
    measured: float  # CPU s for the whole short run (median over repeats)
    wall: float
    estimate: float
    repeats: int

    @property
    def ratio(self) -> float:
        return self.estimate / self.measured


def data_label(spec: str) -> tuple[str, int, int]:
    ds = load(spec)
    return spec, ds.n_samples, ds.X.shape[1]


def run_check(spec: str, model: str, strategy: str, sizes: tuple[int, int], rounds: int, repeats):
    name, n, d = data_label(spec)
    cfg = RunConfig.from_dict(
        {
            "dataset": spec,
            "model": model,
            "strategy": strategy,
            "initial_size": sizes[0],
            "batch_size": sizes[1],
            "rounds": rounds,
            "seed": 1,
        }
    )
    est = cost.estimate_seconds(cfg, n, n_features=d)
    reps = 1 if est > 20 else repeats
    cpus, walls = [], []
    for _ in range(reps):
        t0, w0 = time.process_time(), time.perf_counter()
        trace = trace_run(cfg)
        cpus.append(time.process_time() - t0)
        walls.append(time.perf_counter() - w0)
    pool = len(trace.g_pool)
    return Check(
        label=name,
        model=model,
        strategy=strategy,
        pool=pool,
        rounds=rounds,
        sizes=f"{sizes[0]:,} / {sizes[1]}",
        measured=statistics.median(cpus),
        wall=statistics.median(walls),
        estimate=est,
        repeats=reps,
    )


def short(spec: str) -> str:
    if spec.startswith("two_groups:n_samples="):
        return f"two_groups {int(spec.split('=')[1]):,}"
    return spec


def check_runs(quick: bool, rounds: int, repeats: int, probe: bool) -> list[Check]:
    # (dataset spec, (initial_size, batch_size)): pools of ~2k, ~10k, ~50k and adult (36.6k)
    data = [("two_groups:n_samples=2667", (200, 10)), ("two_groups:n_samples=13333", (1000, 50))]
    if not quick:
        data += [("two_groups:n_samples=66667", (2000, 100)), (WIDE, (2000, 100))]
    strategies = (
        ("least_confidence", "bald:members=5")
        if quick
        else ("random", "least_confidence", "bald:members=5", "bald:members=10")
    )
    out = []
    for spec, sizes in data:
        for model in MODELS:
            for strategy in strategies:
                log(f"check {short(spec)} {model} {strategy}")
                out.append(run_check(spec, model, strategy, sizes, rounds, repeats))
    others = ("coreset", "density_weighted", "group_balanced", "qbc_kl", "fal")
    for model in ("logistic",) if quick else ("logistic", "random_forest"):
        for strategy in others:
            log(f"check two_groups 13,333 {model} {strategy}")
            out.append(run_check(data[1][0], model, strategy, data[1][1], rounds, repeats))
    if probe:
        # the probe's first rounds (2,000 labelled) and its late rounds (20,000)
        for seed_rows in (2000, 20_000):
            log(f"check the probe: 500k rows, random_forest, bald:members=25, seed {seed_rows:,}")
            out.append(
                run_check(
                    "two_groups:n_samples=500000",
                    "random_forest",
                    "bald:members=25",
                    (seed_rows, 100),
                    1,
                    1,
                )
            )
    return out


# -- report -------------------------------------------------------------------------
def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}"


LIMITS = """## Limits

- Not counted: loading the data set (adult ~4 s, two_groups at 500,000 rows
  ~1 s; once per server, cached), the split and the scenarios (linear in rows,
  ~0.2 s at 500,000 rows), and drawing the charts.
- The constants know rows, features and groups, not the data. Tree fits depend
  on how deep the trees grow: on pure-noise continuous features (the `noise`
  rows above) a 20,000-row random-forest fit takes up to ~5x the estimate, while
  on adult the estimate is up to ~2.5x above. Uploads can look like noise.
- Without `n_features`, 65 features (adult) are assumed; `duplicates` is assumed
  to copy a group holding half the pool.
- The estimate and the budget are single-core CPU seconds. On this loaded
  2-core machine wall time ran up to ~3.7x the CPU time; several runs at once
  on one server share its cores the same way.
"""


def render(costs, extra, cal_lines, checks: list[Check], meta: dict) -> str:
    out = [
        "# Run cost: estimated vs measured",
        "",
        f"{meta['date']}; machine: {machine()}; Python {platform.python_version()}, "
        f"numpy {np.__version__}. Load average at start {meta['load0']}, at end {meta['load1']} "
        "(other engineers ran tests at the same time).",
        "",
        "All times are CPU seconds of the benchmark process (`time.process_time`) with "
        "BLAS/OpenMP pinned to one thread: single-core seconds, what `components.cost` "
        "estimates. Wall time is shown too; on a loaded 2-core machine it runs higher.",
        "",
        "## 1. Calibration",
        "",
        "Fit: CPU ms to fit on that many labelled rows. Predict: CPU us per predicted row "
        f"({PREDICT_ROWS:,} rows) with the model fitted on that many rows. Median of "
        f"{meta['repeats']} (one fewer above 5,000 rows). The constants come "
        "from two small linear programs per model over two_groups (2 features), credit_default "
        "(31, mostly continuous) and adult (65, mostly one-hot): fit seconds = `a + b*d + "
        "(c + e*d)*n` and predict seconds per row = `p + q*d` (+ `pair*d*n`, brute-force "
        "k-NN), non-negative, never below a measured point (fits under "
        f"{FIT_FLOOR_SECONDS * 1e3:g} ms count as {FIT_FLOOR_SECONDS * 1e3:g} ms), with the "
        "smallest worst overestimate. The last two columns are estimate / measured over the "
        "labelled-set sizes, with the derived constants. The `noise` rows (Gaussian features, "
        "a noisy label: every tree grows to full depth on every feature) are a worst case, "
        "shown and not used: uploads like it cost more than the estimate.",
        "",
        "| model | data (features) | fit ms by labelled rows | predict us/row by labelled rows "
        "| fit est/meas. | predict est/meas. |",
        "|---|---|---|---|---:|---:|",
        *cal_lines,
        "",
        "Derived constants (what `components/cost.py` should hold; each pair is "
        "`(base, per_feature)`):",
        "",
        "```python",
        as_python(costs, extra),
        "```",
        "",
        "Shipped in `components/cost.py` when this ran:",
        "",
        "```python",
        as_python(
            cost.MODEL_COSTS,
            {
                "ENGINE_ROW_SECONDS": cost.ENGINE_ROW_SECONDS,
                "MEMBER_ROW_SECONDS": cost.MEMBER_ROW_SECONDS,
                "PASS_ROW_SECONDS": cost.PASS_ROW_SECONDS,
                "GROUP_ROW_SECONDS": cost.GROUP_ROW_SECONDS,
            },
        ),
        "```",
        "",
        "## 2. Whole runs",
        "",
        f"`trace_run` (what the app runs) for round 0 plus {meta['rounds']} rounds; "
        "`estimate_seconds` with the shipped constants and the data set's real feature "
        f"count. Median of {meta['repeats']} runs (1 where the estimate is above 20 s). "
        "s/round = whole run / (rounds + 1). Ratio = estimate / measured CPU: above 1 the "
        "estimate is cautious.",
        "",
        "| data | pool | model | strategy | seed / batch | measured CPU s/round | "
        "wall s/round | estimated s/round | ratio |",
        "|---|---:|---|---|---|---:|---:|---:|---:|",
    ]
    for c in checks:
        per = c.rounds + 1
        out.append(
            f"| {short(c.label)} | {c.pool:,} | {c.model} | {c.strategy} | {c.sizes} | "
            f"{c.measured / per:.3f} | {c.wall / per:.3f} | {c.estimate / per:.3f} | "
            f"{c.ratio:.2f} |"
        )
    out += [
        "",
        "## How far off, per model",
        "",
        "Ratio estimate / measured over the runs above; 'expensive' = measured above 1 CPU "
        "s/round.",
        "",
        "| model | runs | min | median | max | expensive runs: min - max |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for model in MODELS:
        rs = [c for c in checks if c.model == model]
        if not rs:
            continue
        ratios = [c.ratio for c in rs]
        big = [c.ratio for c in rs if c.measured / (c.rounds + 1) > 1.0]
        span = f"{min(big):.2f} - {max(big):.2f} ({len(big)})" if big else "none"
        out.append(
            f"| {model} | {len(rs)} | {min(ratios):.2f} | {statistics.median(ratios):.2f} | "
            f"{max(ratios):.2f} | {span} |"
        )
    out += ["", LIMITS, f"Benchmark wall time {meta['wall']:.0f} s.", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="2k and 10k pools, fewer configs")
    p.add_argument("--repeats", type=int, default=3, help="repeats per measurement (3)")
    p.add_argument("--rounds", type=int, default=None, help="rounds per checked run (3; quick 2)")
    p.add_argument("--no-probe", action="store_true", help="skip the 500k-row probe round")
    p.add_argument("--no-calibrate", action="store_true", help="only check the shipped constants")
    p.add_argument(
        "--calibrate-only", action="store_true", help="print the derived constants and stop"
    )
    p.add_argument("--out", default=None, help="markdown file (benchmarks/results/cost[-quick].md)")
    args = p.parse_args(argv)
    rounds = args.rounds or (2 if args.quick else 3)
    out = Path(
        args.out or ROOT / "benchmarks" / "results" / ("cost-quick.md" if args.quick else "cost.md")
    )
    meta = {
        "date": dt.date.today().isoformat(),
        "load0": ", ".join(f"{x:.1f}" for x in os.getloadavg()),
        "repeats": args.repeats,
        "rounds": rounds,
    }
    t0 = time.perf_counter()
    warnings.simplefilter("ignore", ConvergenceWarning)
    with threadpool_limits(limits=1):
        if args.no_calibrate:
            costs, extra, cal_lines = dict(cost.MODEL_COSTS), {}, ["| (skipped) | | | | | |"]
        else:
            costs, extra, cal_lines = calibrate(args.quick, args.repeats)
            print(as_python(costs, extra), flush=True)
            if args.calibrate_only:
                print("\n".join(cal_lines))
                return 0
        checks = check_runs(
            args.quick, rounds, args.repeats, probe=not (args.no_probe or args.quick)
        )
    meta["load1"] = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    meta["wall"] = time.perf_counter() - t0
    text = render(costs, extra, cal_lines, checks, meta)
    print(text)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    log(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
