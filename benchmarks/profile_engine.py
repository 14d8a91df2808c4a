"""Where a ``Simulation.step()`` spends time beyond the hand-written floor.

Usage (from the repo root)::

    python benchmarks/profile_engine.py                      # pieces at 2k, 20k, 200k
    python benchmarks/profile_engine.py --sizes 200000
    python benchmarks/profile_engine.py --cprofile bald --sizes 200000
    python benchmarks/profile_engine.py --what-if --repeats 3

Part 1 times each piece of engine work that the floors of bench_engine.py do
not do (or do differently), on a realistic state: the pool and model after
15 rounds. Each row is ms per round (per-call time x calls per round), next to
a candidate replacement written here, so a fix can be judged before it is made.
Part 2 (``--cprofile``) runs cProfile over whole steps of one strategy.

Part 3 (``--what-if``) re-runs bench_engine's paired measurement with the
candidate fixes monkeypatched into the engine *in this process only*:
level A = the same maths with less overhead (cached BLAS pinning, uncertainty
bias from one column max, top_n with argpartition, class sums by slices,
committee_proba by slices, k-center pass without temporaries); level B = A plus a
fast path the floors do not take: predict_proba of a binary LogisticRegression
as expit(X @ coef + b), without scikit-learn's input validation.

Nothing in components/ is changed; the replacements live only in this file.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from scipy.special import expit, xlogy  # noqa: E402
from threadpoolctl import ThreadpoolController, threadpool_limits  # noqa: E402

import components.engine as eng  # noqa: E402
from benchmarks.bench_engine import BATCH, config, make_dataset  # noqa: E402
from components.engine import Simulation  # noqa: E402
from components.learners import committee_proba, fit_committee, predict_proba  # noqa: E402
from components.metrics import group_rates, mean_by_group, summary, uncertainty_bias  # noqa: E402
from components.strategies.base import top_n  # noqa: E402
from components.strategies.committee import (  # noqa: E402
    bald_scores,
    kl_to_mean_scores,
    vote_entropy_scores,
)
from components.strategies.coreset import coreset, coreset_scores  # noqa: E402
from components.strategies.uncertainty import least_confidence_scores  # noqa: E402

WARM_ROUNDS = 15


def ms(fn: Callable[[], object], *, budget_s: float = 0.25, repeat: int = 7) -> float:
    """Median ms per call."""
    t = timeit.timeit(fn, number=1)
    number = max(1, int(budget_s / repeat / max(t, 1e-6)))
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e3


# -- candidate replacements (not in the engine) --------------------------------------
def top_binary(proba: np.ndarray) -> np.ndarray:
    """max(p0, p1) without a reduction over a length-2 axis."""
    return np.maximum(proba[:, 0], proba[:, 1])


def uncertainty_bias_fast(
    top: np.ndarray, group: np.ndarray, lab_pos: np.ndarray, n_groups: int, pool_counts
) -> np.ndarray:
    """uncertainty_bias from the top-class probability, without n-sized mask copies.

    Labelled rows (few) are set to +inf, so the median of the unlabelled rows
    is an order statistic of the whole array, and every labelled row counts as
    "certain", which is subtracted per group afterwards. Same result.
    """
    t = top.copy()
    t[lab_pos] = np.inf
    m = len(t) - len(lab_pos)
    if m == 0:
        return np.full(n_groups, np.nan)
    k = m // 2
    if m % 2 == 0 and k > 0:
        part = np.partition(t, [k - 1, k])
        med = (part[k - 1] + part[k]) / 2
    else:
        med = np.partition(t, k)[k]
    lab_counts = np.bincount(group[lab_pos], minlength=n_groups)
    n_g = (pool_counts - lab_counts).astype(np.float64)
    c_g = (np.bincount(group[t >= med], minlength=n_groups) - lab_counts).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ub = 1.0 - (c_g / n_g) / ((c_g.sum() - c_g) / (n_g.sum() - n_g))
    ub[~np.isfinite(ub)] = np.nan
    return ub


def mean_by_group_fast(
    values: np.ndarray, group: np.ndarray, lab_pos: np.ndarray, n_groups: int, pool_counts
) -> np.ndarray:
    """Mean over unlabelled rows as (pool sums - labelled sums): no n-sized mask copy."""
    s = np.bincount(group, weights=values, minlength=n_groups)
    s -= np.bincount(group[lab_pos], weights=values[lab_pos], minlength=n_groups)
    c = pool_counts - np.bincount(group[lab_pos], minlength=n_groups)
    return s / c


def top_n_fast(scores: np.ndarray, n: int, labeled: np.ndarray, rng) -> np.ndarray:
    """top_n semantics (NaN -> -inf, random ties at the cut) with one copy and argpartition."""
    s = scores.copy()
    s[labeled] = -np.inf
    s[np.isnan(s)] = -np.inf
    idx = np.argpartition(s, -n)[-n:]
    threshold = s[idx].min()
    if np.count_nonzero(s == threshold) > np.count_nonzero(s[idx] == threshold):
        above = np.flatnonzero(s > threshold)
        ties = np.flatnonzero(s == threshold)
        idx = np.concatenate([above, rng.choice(ties, size=n - len(above), replace=False)])
    return idx[np.argsort(-s[idx], kind="stable")]


def committee_proba_fast(members: list, X: np.ndarray) -> np.ndarray:
    """committee_proba for all-linear binary members: slices instead of a list index."""
    W = np.vstack([m.coef_ for m in members])
    b = np.array([m.intercept_[0] for m in members])
    p1 = expit(X @ W.T + b).T  # (m, n)
    out = np.empty((len(members), len(X), 2))
    out[:, :, 1] = p1
    np.subtract(1.0, p1, out=out[:, :, 0])
    return out


def _class_sum(x: np.ndarray) -> np.ndarray:
    """x.sum(axis=-1) for 2 classes, without a reduction over a length-2 axis."""
    return x[..., 0] + x[..., 1]


def bald_fast(cp: np.ndarray) -> np.ndarray:
    mean = cp.mean(axis=0)
    expected = -_class_sum(xlogy(cp, cp)).mean(axis=0)
    return -_class_sum(xlogy(mean, mean)) - expected


def vote_entropy_fast(cp: np.ndarray) -> np.ndarray:
    share = (cp[..., 1] > cp[..., 0]).mean(axis=0)  # argmax takes class 0 on a tie
    return -(xlogy(share, share) + xlogy(1.0 - share, 1.0 - share))


def kl_fast(cp: np.ndarray) -> np.ndarray:
    mean = cp.mean(axis=0, keepdims=True)
    ratio = np.divide(cp, mean, out=np.ones_like(cp), where=mean > 0)
    return _class_sum(xlogy(cp, ratio)).mean(axis=0)


def lr_proba_direct(model, X: np.ndarray) -> np.ndarray:
    """Binary LogisticRegression.predict_proba without sklearn's input validation."""
    p1 = expit(X @ model.coef_[0] + model.intercept_[0])
    out = np.empty((len(X), 2))
    out[:, 1] = p1
    np.subtract(1.0, p1, out=out[:, 0])
    return out


def kcenter_floor_greedy(X, sq, d, n, buf):
    picks = []
    for _ in range(n):
        i = int(np.argmax(d))
        picks.append(i)
        np.dot(X, X[i], out=buf)
        np.multiply(buf, -2.0, out=buf)
        np.add(buf, sq, out=buf)
        np.add(buf, sq[i], out=buf)
        np.minimum(d, buf, out=d)
        d[i] = 0.0
    return picks


# -- part 1 ---------------------------------------------------------------------------
def warm(ds, frac, strategy: str) -> Simulation:
    sim = Simulation(config(strategy, 30, frac, 0), dataset=ds)
    for _ in range(WARM_ROUNDS):
        sim.step()
    return sim


def pieces(n: int) -> list[tuple[str, str, float, str, float]]:
    """(piece, calls/round, engine ms/round, candidate, candidate ms/round)."""
    ds, frac = make_dataset(n)
    rows = []
    rng = np.random.default_rng(0)
    with threadpool_limits(limits=1):
        # -- every strategy ------------------------------------------------------------
        sim = warm(ds, frac, "least_confidence")
        s = sim.split
        p, g, lab = sim.proba_pool, s.g_pool, sim.labeled
        unl = ~lab
        lab_pos = np.concatenate(sim.order)
        pool_counts = np.bincount(g, minlength=2).astype(np.float64)

        assert np.allclose(
            uncertainty_bias_fast(top_binary(p), g, lab_pos, 2, pool_counts),
            uncertainty_bias(p, g, unl, 2),
            equal_nan=True,
        )
        assert np.allclose(
            mean_by_group_fast(sim.scores, g, lab_pos, 2, pool_counts),
            mean_by_group(sim.scores, g, unl, 2),
        )

        def nested_limits():
            with threadpool_limits(limits=1):
                pass

        def engine_pinning():
            with eng.one_blas_thread():
                pass

        ctl = ThreadpoolController()

        def cached_limits():
            with ctl.limit(limits=1):
                pass

        rows.append(
            (
                "engine one_blas_thread() per step, current code",
                "1",
                ms(engine_pinning),
                "one ThreadpoolController, .limit(limits=1) per step",
                ms(cached_limits),
            )
        )
        rows.append(
            (
                "  for reference: threadpool_limits(limits=1) (one_blas_thread before the cached controller)",
                "1",
                ms(nested_limits),
                "-",
                float("nan"),
            )
        )
        rows.append(
            (
                "test-set predict_proba",
                "1",
                ms(lambda: predict_proba(sim.model, s.X_test)),
                "expit(X_test @ coef + b), no validation",
                ms(lambda: lr_proba_direct(sim.model, s.X_test)),
            )
        )
        pred = (sim.proba_test[:, 1] >= 0.5).astype(np.int64)

        def test_metrics():
            for yy in (s.y_test, s.y_test_obs):
                summary(group_rates(yy, pred, s.g_test, 2))
                np.mean(pred == yy)

        rows.append(
            (
                "group_rates + summary + accuracy, truth and observed",
                "1",
                ms(test_metrics),
                "-",
                float("nan"),
            )
        )
        rows.append(
            (
                "uncertainty_bias, current code",
                "1",
                ms(lambda: uncertainty_bias(p, g, unl, 2)),
                "labelled -> +inf, one partition, no n-sized masks",
                ms(lambda: uncertainty_bias_fast(top_binary(p), g, lab_pos, 2, pool_counts)),
            )
        )
        rows.append(
            (
                "  for reference: proba.max(axis=1) on (n, 2)",
                "1",
                ms(lambda: p.max(axis=1)),
                "np.maximum(p[:, 0], p[:, 1])",
                ms(lambda: top_binary(p)),
            )
        )
        rows.append(
            (
                "mean_by_group(scores, unlabelled) -> mean_score",
                "1",
                ms(lambda: mean_by_group(sim.scores, g, unl, 2)),
                "pool sums - labelled sums",
                ms(lambda: mean_by_group_fast(sim.scores, g, lab_pos, 2, pool_counts)),
            )
        )
        rows.append(
            (
                "top_n (where + nan_to_num + partition + argsort)",
                "1",
                ms(lambda: top_n(sim.scores, BATCH, labeled=lab, rng=rng)),
                "floor: copy, labelled -> -inf, argpartition",
                ms(lambda: top_n_fast(sim.scores, BATCH, lab, rng)),
            )
        )
        rows.append(
            (
                "pool_view() (copies the labelled mask) x2, _context() x2",
                "2",
                2 * (ms(sim.pool_view) + ms(sim._context)),
                "-",
                float("nan"),
            )
        )
        rows.append(
            (
                "pool predict_proba (floor does it too)",
                "1",
                ms(lambda: predict_proba(sim.model, s.X_pool)),
                "expit(X_pool @ coef + b), no validation",
                ms(lambda: lr_proba_direct(sim.model, s.X_pool)),
            )
        )
        rows.append(
            (
                "least_confidence_scores, current code",
                "1",
                ms(lambda: least_confidence_scores(p)),
                "1 - np.maximum(p[:, 0], p[:, 1])",
                ms(lambda: 1.0 - top_binary(p)),
            )
        )
        # -- committee -------------------------------------------------------------
        csim = warm(ds, frac, "bald")
        cs = csim.split
        clab = np.concatenate(csim.order)
        members = fit_committee(
            "logistic",
            cs.X_pool[clab],
            csim.y_answer[clab],
            members=5,
            rng=np.random.default_rng(1),
        )
        cp = committee_proba(members, cs.X_pool)
        for fast, ref in (
            (bald_fast, bald_scores),
            (vote_entropy_fast, vote_entropy_scores),
            (kl_fast, kl_to_mean_scores),
        ):
            assert np.allclose(fast(cp), ref(cp), atol=1e-12), fast.__name__
        assert np.allclose(committee_proba_fast(members, cs.X_pool), cp)
        rows.append(
            (
                "committee_proba -> (5, n, 2) tensor",
                "1",
                ms(lambda: committee_proba(members, cs.X_pool)),
                "same, slices instead of a list index",
                ms(lambda: committee_proba_fast(members, cs.X_pool)),
            )
        )
        rows.append(
            (
                "bald_scores on (5, n, 2)",
                "1",
                ms(lambda: bald_scores(cp)),
                "class sum as x[..., 0] + x[..., 1]",
                ms(lambda: bald_fast(cp)),
            )
        )
        rows.append(
            (
                "vote_entropy_scores on (5, n, 2)",
                "1",
                ms(lambda: vote_entropy_scores(cp)),
                "votes as p1 > p0, no argmax(axis=2)",
                ms(lambda: vote_entropy_fast(cp)),
            )
        )
        rows.append(
            (
                "kl_to_mean_scores on (5, n, 2)",
                "1",
                ms(lambda: kl_to_mean_scores(cp)),
                "class sum as x[..., 0] + x[..., 1]",
                ms(lambda: kl_fast(cp)),
            )
        )
        Xl, yl = cs.X_pool[clab], csim.y_answer[clab]
        rows.append(
            (
                "fit_committee, 5 bootstrap fits (floor does it too)",
                "1",
                ms(
                    lambda: fit_committee(
                        "logistic", Xl, yl, members=5, rng=np.random.default_rng(1)
                    ),
                    budget_s=0.5,
                ),
                "-",
                float("nan"),
            )
        )
        # -- coreset ---------------------------------------------------------------
        ksim = warm(ds, frac, "coreset")
        ks = ksim.split
        view = ksim.pool_view()
        state0 = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in ksim.state.items()}

        def engine_greedy():
            st = dict(state0)
            st["min_sq"] = state0["min_sq"].copy()
            st["covered"] = state0["covered"].copy()
            ctx = ksim._context()
            ctx.state = st
            coreset(ksim.model, view, BATCH, rng=np.random.default_rng(0), context=ctx)

        X = np.ascontiguousarray(ks.X_pool)
        sq = state0["sq_norms"]
        buf = np.empty(len(X))

        def floor_greedy():
            kcenter_floor_greedy(X, sq, state0["min_sq"].copy(), BATCH, buf)

        rows.append(
            (
                "coreset() greedy, 10 centers (incl. state copy)",
                "1",
                ms(engine_greedy),
                "floor: argmax + one in-place pass per center",
                ms(floor_greedy),
            )
        )
        rows.append(
            (
                "coreset_scores (sqrt of the pool, for the record)",
                "1",
                ms(lambda: coreset_scores(view, ksim.state)),
                "-",
                float("nan"),
            )
        )
    return rows


def print_pieces(sizes: list[int]) -> None:
    table: dict[str, dict[int, tuple]] = {}
    order: list[str] = []
    for n in sizes:
        print(f"timing pieces at pool {n:,} ...", file=sys.stderr, flush=True)
        for name, calls, e, alt, a in pieces(n):
            if name not in table:
                order.append(name)
                table[name] = {}
            table[name][n] = (calls, e, alt, a)
    head = " | ".join(f"{n // 1000}k engine / candidate" for n in sizes)
    print(f"\n| piece | calls/round | {head} | candidate |")
    print("|---|---:|" + "---:|" * len(sizes) + "---|")
    for name in order:
        cells = []
        for n in sizes:
            calls, e, alt, a = table[name][n]
            k = int(calls)
            cells.append(f"{e * k:.2f} / {a * k:.2f}" if a == a else f"{e * k:.2f} / -")
        print(f"| {name} | {calls} | " + " | ".join(cells) + f" | {alt} |")


# -- part 2 -------------------------------------------------------------------------------
def profile_steps(strategy: str, n: int, rounds: int = 30, top: int = 30) -> None:
    ds, frac = make_dataset(n)
    with threadpool_limits(limits=1):
        sim = Simulation(config(strategy, rounds, frac, 0), dataset=ds)
        prof = cProfile.Profile()
        prof.enable()
        while not sim.done:
            sim.step()
        prof.disable()
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).strip_dirs().sort_stats(key).print_stats(top)
        print(f"\n### {strategy}, pool {n:,}, {rounds} steps, by {key}\n")
        print(buf.getvalue())


# -- part 3: what if ---------------------------------------------------------------------
def _patches(level: str) -> list[tuple[object, str, object]]:
    """(module or dict, attribute) -> replacement, for a what-if level."""
    import contextlib

    from sklearn.linear_model import LogisticRegression

    import components.engine as eng
    import components.strategies.coreset as cs_mod
    import components.strategies.uncertainty as unc
    from components.strategies import STRATEGIES

    ctl = ThreadpoolController()

    @contextlib.contextmanager
    def one_blas_thread_cached():
        with ctl.limit(limits=1):
            yield

    pool_counts: dict[int, np.ndarray] = {}

    def ub(proba, group, unlabeled, n_groups):
        top = top_binary(proba) if proba.shape[1] == 2 else proba.max(axis=1)
        if id(group) not in pool_counts:  # the engine keeps these; here, cache per pool
            pool_counts[id(group)] = np.bincount(group, minlength=n_groups)
        lab_pos = np.flatnonzero(~unlabeled)
        return uncertainty_bias_fast(top, group, lab_pos, n_groups, pool_counts[id(group)])

    def mbg(values, group, mask, n_groups):
        counts = np.bincount(group, minlength=n_groups).astype(np.float64)
        return mean_by_group_fast(values, group, np.flatnonzero(~mask), n_groups, counts)

    def top_n_patched(scores, n, *, labeled, rng):
        return top_n_fast(scores, n, labeled, rng)

    def sq_dist_inplace(X, sq_norms, c):
        d = X @ c
        d *= -2.0
        d += sq_norms
        d += float(c @ c)
        np.maximum(d, 0.0, out=d)
        return d

    def scorer_of(fast):
        def scorer(model, pool, context, **_):
            return fast(context.committee_proba)

        return scorer

    def cproba(members, X):
        if all(isinstance(m, LogisticRegression) and m.coef_.shape[0] == 1 for m in members):
            return committee_proba_fast(members, X)
        return committee_proba(members, X)

    out: list[tuple[object, str, object]] = [
        (eng, "one_blas_thread", one_blas_thread_cached),
        (eng, "uncertainty_bias", ub),
        (eng, "mean_by_group", mbg),
        (eng, "committee_proba", cproba),
        (unc, "top_n", top_n_patched),
        (cs_mod, "_sq_dist_to", sq_dist_inplace),
        (STRATEGIES["bald"].extra, "scorer", scorer_of(bald_fast)),
        (STRATEGIES["qbc_vote_entropy"].extra, "scorer", scorer_of(vote_entropy_fast)),
        (STRATEGIES["qbc_kl"].extra, "scorer", scorer_of(kl_fast)),
    ]
    if level == "B":

        def pp(model, X):
            if isinstance(model, LogisticRegression) and model.coef_.shape[0] == 1:
                return lr_proba_direct(model, X)
            return predict_proba(model, X)

        out.append((eng, "predict_proba", pp))
    return out


def _apply(patches: list[tuple[object, str, object]]) -> list[tuple[object, str, object]]:
    """Set each (module or dict, name) to its replacement; return what was there."""
    saved = []
    for obj, name, new in patches:
        if isinstance(obj, dict):
            saved.append((obj, name, obj[name]))
            obj[name] = new
        else:
            saved.append((obj, name, getattr(obj, name)))
            setattr(obj, name, new)
    return saved


def what_if(sizes: list[int], rounds: int, repeats: int) -> None:
    from benchmarks.bench_engine import measure

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    results: dict[str, dict[tuple[int, str], float]] = {}
    with threadpool_limits(limits=1):
        for n in sizes:
            for level in ("now", "A", "B"):
                saved = _apply(_patches(level)) if level != "now" else []
                try:
                    log(f"what-if level {level}")
                    for row in measure(n, rounds, repeats, log):
                        results.setdefault(level, {})[(n, row.strategy)] = row.ratio
                finally:
                    _apply(saved)
    keys = list(results["now"])
    print(
        "\n| pool | strategy | ratio now | A: same maths, less overhead | B: A + direct logistic predict_proba |"
    )
    print("|---:|---|---:|---:|---:|")
    for n, strat in keys:
        r = [results[lv][(n, strat)] for lv in ("now", "A", "B")]
        print(f"| {n // 1000}k | {strat} | {r[0]:.2f}x | {r[1]:.2f}x | {r[2]:.2f}x |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000, 200_000])
    ap.add_argument("--cprofile", metavar="STRATEGY", default=None)
    ap.add_argument("--what-if", action="store_true", help="ratios with the fixes patched in")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    if args.what_if:
        what_if(args.sizes, args.rounds, args.repeats)
    elif args.cprofile:
        for n in args.sizes:
            profile_steps(args.cprofile, n)
    else:
        print_pieces(args.sizes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
