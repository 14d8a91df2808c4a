"""Property tests of the bias scenarios, on small synthetic splits.

Every scenario in ``SCENARIOS`` gets the generic checks (shapes, the test set's
truth, inputs unchanged, each pool row still traceable to its dataset row);
each named scenario then gets the rate it promises.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, chi2

from components.config import RunConfig
from components.engine import Simulation
from components.environment import (
    POOL,
    TEST_FEATURES,
    TEST_LABELS,
    BiasedAnnotator,
    RecordedLabels,
)
from components.scenarios import SCENARIOS, apply_scenarios
from components.split import Split, make_split
from datasets.base import Dataset, load
from specs import Param, Spec

HYPO = settings(max_examples=30, deadline=None, database=None)
SPLIT_FIELDS = (
    "X_pool",
    "y_pool",
    "y_pool_obs",
    "g_pool",
    "idx_pool",
    "X_test",
    "y_test",
    "y_test_obs",
    "g_test",
    "idx_test",
)


def acting_on(part: str) -> set[str]:
    return {n for n in SCENARIOS if part in SCENARIOS[n].acts_on}


#: Only these may change the test set (DESIGN: how data is measured or recorded).
CHANGE_TEST_X = acting_on(TEST_FEATURES)
CHANGE_TEST_Y_OBS = acting_on(TEST_LABELS)
CHANGE_POOL = acting_on(POOL)
#: A probability so small that a correct implementation essentially never fails.
ALPHA = 1e-9


@st.composite
def splits(draw: st.DrawFn, *, group_feature: bool | None = None) -> tuple[Dataset, Split]:
    n = draw(st.integers(100, 400))
    frac = draw(st.sampled_from([0.1, 0.2, 0.35, 0.5]))
    name = draw(st.sampled_from(["two_groups", "clusters"]))
    ds = load(f"{name}:n_samples={n},minority_fraction={frac},seed={draw(st.integers(0, 3))}")
    use_group = draw(st.booleans()) if group_feature is None else group_feature
    split = make_split(
        ds,
        test_size=draw(st.sampled_from([0.2, 0.25, 0.5])),
        rng=np.random.default_rng(draw(st.integers(0, 2**32 - 1))),
        use_group_feature=use_group,
    )
    return ds, split


def value_of(draw: Any, p: Param, split: Split) -> Any:
    """Draw an allowed value of ``p`` (any group of ``split`` for ``group``)."""
    if p.name == "group":
        return draw(st.sampled_from(split.groups))
    if p.choices is not None:
        return draw(st.sampled_from(p.choices))
    if p.kind == "bool":
        return draw(st.booleans())
    if p.kind == "int":
        return draw(st.integers(int(p.low), int(p.high)))
    return draw(st.floats(p.low, p.high))


def snapshot(split: Split) -> dict[str, np.ndarray]:
    return {f: getattr(split, f).copy() for f in SPLIT_FIELDS}


def assert_unchanged(split: Split, before: dict[str, np.ndarray]) -> None:
    for f in SPLIT_FIELDS:
        np.testing.assert_array_equal(getattr(split, f), before[f], err_msg=f)


def full_X(ds: Dataset, split: Split) -> np.ndarray:
    codes = np.array([split.groups.index(g) for g in ds.group])
    if split.n_group_cols:
        return np.hstack([ds.X, np.eye(split.n_groups)[codes]])
    return np.asarray(ds.X)


def codes_of(ds: Dataset, split: Split) -> np.ndarray:
    return np.array([split.groups.index(g) for g in ds.group])


def environment(name: str, split: Split, seed: int, **params: Any) -> Any:
    """The environment one scenario makes from ``split``."""
    spec = Spec(name, tuple(params.items()))
    return apply_scenarios(
        split,
        (spec,),
        seed_seq=np.random.SeedSequence(seed),
        annotator_rng=np.random.default_rng(seed),
    )


def apply(name: str, split: Split, seed: int, **params: Any) -> Split:
    """The data after scenario ``name`` (the same data for an annotator or seed-set scenario)."""
    if SCENARIOS[name].part == "data":
        return SCENARIOS[name].func(split, rng=np.random.default_rng(seed), **params)
    return environment(name, split, seed, **params).split


# ----------------------------------------------------------------------------- every scenario


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_keeps_the_truth_and_its_inputs(name: str) -> None:
    entry = SCENARIOS[name]

    @HYPO
    @given(splits(), st.data(), st.integers(0, 2**32 - 1))
    def check(ds_split: tuple[Dataset, Split], data: st.DataObject, seed: int) -> None:
        ds, split = ds_split
        params = {p.name: value_of(data.draw, p, split) for p in entry.params}
        before = snapshot(split)
        try:
            out = apply(name, split, seed, **params)
        except ValueError as exc:  # only a setting that empties the group may refuse
            assert str(exc).startswith(f"scenario '{name}': leaves 0 rows of group"), exc
            assert_unchanged(split, before)
            return
        assert_unchanged(split, before)
        assert isinstance(out, Split)
        # shapes consistent
        n, m = out.n_pool, len(out.y_test)
        assert out.X_pool.shape == (n, split.X_pool.shape[1])
        for f in ("y_pool", "y_pool_obs", "g_pool", "idx_pool"):
            assert getattr(out, f).shape == (n,), f
        assert out.X_test.shape == split.X_test.shape
        for f in ("y_test_obs", "g_test", "idx_test"):
            assert getattr(out, f).shape == (m,), f
        assert out.groups == split.groups and out.n_group_cols == split.n_group_cols
        # the test set's truth is never touched
        for f in ("y_test", "g_test", "idx_test"):
            np.testing.assert_array_equal(getattr(out, f), getattr(split, f), err_msg=f)
        if name not in CHANGE_TEST_X:
            np.testing.assert_array_equal(out.X_test, split.X_test)
        if name not in CHANGE_TEST_Y_OBS:
            np.testing.assert_array_equal(out.y_test_obs, split.y_test_obs)
        # every pool row is still a dataset row with its true label and group
        np.testing.assert_array_equal(out.y_pool, ds.y[out.idx_pool])
        np.testing.assert_array_equal(out.g_pool, codes_of(ds, split)[out.idx_pool])
        assert set(out.idx_pool.tolist()) <= set(split.idx_pool.tolist())
        if name not in CHANGE_TEST_X:
            np.testing.assert_array_equal(out.X_pool, full_X(ds, split)[out.idx_pool])
        if name not in CHANGE_TEST_Y_OBS:  # observed labels travel with their row
            obs = dict(zip(split.idx_pool.tolist(), split.y_pool_obs.tolist(), strict=True))
            np.testing.assert_array_equal(out.y_pool_obs, [obs[i] for i in out.idx_pool])
        if name not in CHANGE_POOL:  # acts_on says the data is left alone
            for f in ("X_pool", "y_pool_obs", "idx_pool"):
                np.testing.assert_array_equal(getattr(out, f), getattr(split, f), err_msg=f)
        for f in SPLIT_FIELDS:
            assert not getattr(out, f).flags.writeable, f

    check()


# ----------------------------------------------------------------------------- label bias


@HYPO
@given(splits(), st.floats(0.0, 1.0), st.integers(0, 1), st.integers(0, 2**32 - 1))
def test_label_bias_flips_exactly_the_asked_share_of_positives(
    ds_split: tuple[Dataset, Split], flip: float, which: int, seed: int
) -> None:
    _, split = ds_split
    group = split.groups[which]
    g = split.code(group)
    out = apply("label_bias", split, seed, group=group, flip=flip)
    for y_before, y_after, gg in (
        (split.y_pool_obs, out.y_pool_obs, split.g_pool),
        (split.y_test_obs, out.y_test_obs, split.g_test),
    ):
        positives = (gg == g) & (y_before == 1)
        changed = y_before != y_after
        assert changed.sum() == int(round(flip * positives.sum()))
        assert not (changed & ~positives).any(), "only the group's positives may change"
        assert (y_after[changed] == 0).all()
    np.testing.assert_array_equal(out.X_pool, split.X_pool)
    np.testing.assert_array_equal(out.idx_pool, split.idx_pool)


# ----------------------------------------------------------------------------- under-representation


@HYPO
@given(splits(), st.floats(0.0, 1.0), st.integers(0, 1), st.integers(0, 2**32 - 1))
def test_underrepresentation_keeps_round_keep_times_n_of_the_group(
    ds_split: tuple[Dataset, Split], keep: float, which: int, seed: int
) -> None:
    _, split = ds_split
    group = split.groups[which]
    g = split.code(group)
    n_g = int((split.g_pool == g).sum())
    want = int(round(keep * n_g))
    if want == 0:
        with pytest.raises(ValueError, match=f"leaves 0 rows of group '{group}'"):
            apply("underrepresentation", split, seed, group=group, keep=keep)
        return
    out = apply("underrepresentation", split, seed, group=group, keep=keep)
    assert (out.g_pool == g).sum() == want
    # other groups: every row kept, in the same order
    np.testing.assert_array_equal(out.idx_pool[out.g_pool != g], split.idx_pool[split.g_pool != g])


# ----------------------------------------------------------------------------- base-rate shift


@HYPO
@given(splits(), st.floats(0.0, 1.0), st.integers(0, 1), st.integers(0, 2**32 - 1))
def test_base_rate_shift_reaches_the_asked_rate_within_rounding(
    ds_split: tuple[Dataset, Split], rate: float, which: int, seed: int
) -> None:
    _, split = ds_split
    group = split.groups[which]
    g = split.code(group)
    before_pos = int(((split.g_pool == g) & (split.y_pool == 1)).sum())
    before_neg = int(((split.g_pool == g) & (split.y_pool == 0)).sum())
    # impossible only if the rate needs a label the group lacks entirely
    if (rate > 0 and before_pos == 0) or (rate < 1 and before_neg == 0):
        with pytest.raises(ValueError, match=f"leaves 0 rows of group '{group}'"):
            apply("base_rate_shift", split, seed, group=group, positive_rate=rate)
        return
    out = apply("base_rate_shift", split, seed, group=group, positive_rate=rate)
    mine = out.g_pool == g
    n_after, pos_after = int(mine.sum()), int(out.y_pool[mine].sum())
    assert n_after > 0
    # dropping rows of one label only: the count is within half a row of the target
    assert abs(rate * n_after - pos_after) <= 0.5 + 1e-9
    assert pos_after == before_pos or n_after - pos_after == before_neg, "one label kept whole"
    np.testing.assert_array_equal(out.idx_pool[out.g_pool != g], split.idx_pool[split.g_pool != g])


# ----------------------------------------------------------------------------- duplicates


@HYPO
@given(splits(), st.integers(1, 10), st.integers(0, 1), st.integers(0, 2**32 - 1))
def test_duplicates_multiplies_the_group_by_factor(
    ds_split: tuple[Dataset, Split], factor: int, which: int, seed: int
) -> None:
    _, split = ds_split
    group = split.groups[which]
    g = split.code(group)
    out = apply("duplicates", split, seed, group=group, factor=factor)
    before = np.bincount(split.g_pool, minlength=split.n_groups)
    after = np.bincount(out.g_pool, minlength=split.n_groups)
    expected = before.copy()
    expected[g] *= factor
    np.testing.assert_array_equal(after, expected)
    ids, counts = np.unique(out.idx_pool[out.g_pool == g], return_counts=True)
    np.testing.assert_array_equal(ids, np.sort(split.idx_pool[split.g_pool == g]))
    assert (counts == factor).all()
    ids_other, counts_other = np.unique(out.idx_pool[out.g_pool != g], return_counts=True)
    assert (counts_other == 1).all() and len(ids_other) == (split.g_pool != g).sum()


# ----------------------------------------------------------------------------- measurement noise


@HYPO
@given(
    splits(),
    st.floats(0.05, 10.0),
    st.integers(0, 1),
    st.integers(0, 2**32 - 1),
)
def test_measurement_noise_only_touches_the_group_with_sigma_times_sd(
    ds_split: tuple[Dataset, Split], sigma: float, which: int, seed: int
) -> None:
    _, split = ds_split
    group = split.groups[which]
    g = split.code(group)
    out = apply("measurement_noise", split, seed, group=group, sigma=sigma)
    d = split.X_pool.shape[1] - split.n_group_cols
    sd = split.X_pool[:, :d].std(axis=0)
    deltas = []
    for before, after, gg in (
        (split.X_pool, out.X_pool, split.g_pool),
        (split.X_test, out.X_test, split.g_test),
    ):
        np.testing.assert_array_equal(after[gg != g], before[gg != g])
        np.testing.assert_array_equal(after[:, d:], before[:, d:])  # one-hot columns kept
        deltas.append(after[gg == g, :d] - before[gg == g, :d])
    delta = np.vstack(deltas)
    assert (delta != 0).all(), "every feature of every row of the group gets noise"
    # sum of squared standardised noise is chi-squared with one degree per value
    k = delta.shape[0]
    stat = ((delta / (sigma * sd)) ** 2).sum(axis=0)
    lo, hi = chi2.ppf(ALPHA, k), chi2.isf(ALPHA, k)
    assert ((stat > lo) & (stat < hi)).all(), (stat / k, lo / k, hi / k)
    for f in ("y_pool", "y_pool_obs", "idx_pool", "y_test_obs"):
        np.testing.assert_array_equal(getattr(out, f), getattr(split, f))


# ----------------------------------------------------------------------------- oracle scenarios


@HYPO
@given(splits(), st.floats(0.0, 1.0), st.sampled_from(["down", "up", "both"]))
def test_annotator_bias_changes_no_stored_label(
    ds_split: tuple[Dataset, Split], rate: float, direction: str
) -> None:
    _, split = ds_split
    group = split.groups[-1]
    env = environment("annotator_bias", split, 0, group=group, rate=rate, direction=direction)
    for f in SPLIT_FIELDS:
        np.testing.assert_array_equal(getattr(env.split, f), getattr(split, f), err_msg=f)
    annotator = env.annotator
    assert isinstance(annotator, BiasedAnnotator)
    assert (annotator.code, annotator.rate, annotator.direction) == (
        split.code(group),
        rate,
        direction,
    )
    assert isinstance(annotator.inner, RecordedLabels)
    assert annotator.u.shape == (split.n_pool,)


def oracle_run(scenario: str, *, seed: int) -> tuple[Simulation, Any]:
    cfg = RunConfig.from_dict(
        {
            "dataset": "two_groups:n_samples=2000,minority_fraction=0.5",
            "scenarios": [scenario],
            "strategy": "random",
            "initial_size": 20,
            "batch_size": 100,
            "rounds": 10,
            "seed": seed,
        }
    )
    sim = Simulation(cfg)
    return sim, sim.run().frames()["queries"]


def assert_binomial(k: int, n: int, p: float) -> None:
    lo, hi = binom.ppf(ALPHA, n, p), binom.isf(ALPHA, n, p)
    assert lo <= k <= hi, f"{k} of {n} is outside [{lo}, {hi}] for p={p}"


@pytest.mark.parametrize("direction", ["down", "up", "both"])
@pytest.mark.parametrize("rate", [0.3, 0.7])
def test_annotator_bias_flips_queried_labels_at_the_rate(rate: float, direction: str) -> None:
    sim, q = oracle_run(f"annotator_bias:group=minority,rate={rate},direction={direction}", seed=3)
    np.testing.assert_array_equal(sim.split.y_pool_obs, sim.split.y_pool)
    mine = q["group"] == "minority"
    flipped = q["label_observed"] != q["label_true"]
    assert not flipped[~mine].any(), "other groups are answered truthfully"
    for true_label, should in (
        (1, direction in ("down", "both")),
        (0, direction in ("up", "both")),
    ):
        rows = mine & (q["label_true"] == true_label)
        assert rows.sum() > 100
        if should:
            assert_binomial(int(flipped[rows].sum()), int(rows.sum()), rate)
        else:
            assert not flipped[rows].any()
    # the stored data and the test set are untouched
    fresh = Simulation(sim.config.with_changes(scenarios=()))
    for f in SPLIT_FIELDS:
        np.testing.assert_array_equal(getattr(sim.split, f), getattr(fresh.split, f), err_msg=f)


@pytest.mark.parametrize("share", [0.0, 0.25, 1.0])
def test_cold_start_skew_sets_the_seed_sets_group_share(share: float) -> None:
    cfg = RunConfig.from_dict(
        {
            "dataset": "two_groups:n_samples=600",
            "scenarios": [f"cold_start_skew:share={share}"],
            "strategy": "random",
            "initial_size": 20,
            "rounds": 1,
        }
    )
    q = Simulation(cfg).run().frames()["queries"]
    seed_set = q[q["round"] == 0]
    assert len(seed_set) == 20
    assert (seed_set["group"] == "minority").sum() == round(share * 20)


# ----------------------------------------------------------------------------- composition


def test_composition_follows_the_given_order() -> None:
    ds = load("two_groups:n_samples=600")
    split = make_split(ds, test_size=0.25, rng=np.random.default_rng(0))
    lb = SCENARIOS.resolve("label_bias:group=minority,flip=0.5")
    dup = SCENARIOS.resolve("duplicates:group=minority,factor=3")
    seq = np.random.SeedSequence(7)
    unused = np.random.default_rng(0)  # no annotator scenario here
    first_env = apply_scenarios(split, (lb, dup), seed_seq=seq, annotator_rng=unused)
    second_env = apply_scenarios(
        split, (dup, lb), seed_seq=np.random.SeedSequence(7), annotator_rng=unused
    )
    assert first_env.log == (str(lb), str(dup)) and second_env.log == (str(dup), str(lb))
    first, second = first_env.split, second_env.split
    # apply_scenarios is exactly the functions applied in order, child stream i for step i
    a, b = np.random.SeedSequence(7).spawn(2)
    by_hand = SCENARIOS["duplicates"].func(
        SCENARIOS["label_bias"].func(split, rng=np.random.default_rng(a), **dict(lb.params)),
        rng=np.random.default_rng(b),
        **dict(dup.params),
    )
    for f in SPLIT_FIELDS:
        np.testing.assert_array_equal(getattr(first, f), getattr(by_hand, f), err_msg=f)

    def copies_agree(s: Split) -> bool:
        labels: dict[int, set[int]] = {}
        for i, y in zip(s.idx_pool.tolist(), s.y_pool_obs.tolist(), strict=True):
            labels.setdefault(i, set()).add(y)
        return all(len(v) == 1 for v in labels.values())

    # bias then copy: copies share the biased label; copy then bias: copies disagree
    assert copies_agree(first)
    assert not copies_agree(second)


def test_run_config_keeps_the_scenario_order() -> None:
    specs = ["duplicates:factor=2", "underrepresentation:keep=0.5", "label_bias:flip=0.2"]
    sim = Simulation(
        RunConfig.from_dict(
            {"dataset": "two_groups:n_samples=600", "scenarios": specs, "rounds": 1}
        )
    )
    assert [Spec.parse(s).name for s in sim.environment.log] == [Spec.parse(s).name for s in specs]
    reverse = Simulation(
        RunConfig.from_dict(
            {"dataset": "two_groups:n_samples=600", "scenarios": specs[::-1], "rounds": 1}
        )
    )
    assert [Spec.parse(s).name for s in reverse.environment.log] == [
        Spec.parse(s).name for s in specs[::-1]
    ]


# ----------------------------------------------------------------------------- group names


@pytest.mark.parametrize(
    "name", [n for n in SCENARIOS if any(p.name == "group" for p in SCENARIOS[n].params)]
)
def test_unknown_group_is_named_and_allowed_groups_listed(name: str) -> None:
    ds = load("two_groups:n_samples=600")
    split = make_split(ds, test_size=0.25, rng=np.random.default_rng(0))
    with pytest.raises(ValueError) as info:
        apply(name, split, 0, group="minorty")
    msg = str(info.value)
    assert f"scenario '{name}'" in msg and "group='minorty'" in msg
    assert "allowed: majority, minority" in msg and "did you mean 'minority'?" in msg
    # the same through a RunConfig, before any simulation is built
    with pytest.raises(ValueError) as info:
        RunConfig.from_dict(
            {"dataset": "two_groups:n_samples=600", "scenarios": [f"{name}:group=Martians"]}
        ).resolve()
    msg = str(info.value)
    assert f"scenario '{name}'" in msg and "group='Martians'" in msg
    assert "allowed: majority, minority" in msg


@pytest.mark.parametrize(
    ("dataset", "smallest"),
    [("two_groups:n_samples=600", "minority"), ("german", "Female")],
)
def test_default_group_is_the_smallest(dataset: str, smallest: str) -> None:
    ds = load(dataset)
    counts = ds.group_counts()
    assert counts[smallest] == min(counts.values())
    names = [n for n in SCENARIOS if any(p.name == "group" for p in SCENARIOS[n].params)]
    cfg = RunConfig.from_dict({"dataset": dataset, "scenarios": names}).resolve()
    for spec in cfg.scenarios:
        assert spec.get("group") == smallest, spec
    # and the resolved config says so, so a replay never depends on the default
    assert all(s["params"]["group"] == smallest for s in cfg.to_dict()["scenarios"])
