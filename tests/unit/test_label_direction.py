"""``label_bias``'s direction: under-recording (down) and over-recording (up).

Under ``up`` only the target group's negatives change, in the pool and in the
test set's recorded labels, each to 1, at the asked rate; the truth stays.
Under ``down`` (the default) the records are those of the scenario before it
had a direction.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.engine import simulate
from components.records import to_frames
from components.scenarios import MSG_DIRECTION, SCENARIOS
from components.split import Split, make_split
from datasets.base import load

HYPO = settings(max_examples=25, deadline=None, database=None)
SEEDS = st.integers(0, 2**32 - 1)


def split_of(n: int, minority_fraction: float, seed: int) -> Split:
    ds = load(f"two_groups:n_samples={n},minority_fraction={minority_fraction}")
    return make_split(ds, test_size=0.25, rng=np.random.default_rng(seed))


def label_bias(split: Split, seed: int, **params: object) -> Split:
    return SCENARIOS["label_bias"].func(split, rng=np.random.default_rng(seed), **params)


def before_direction(split: Split, seed: int, *, group: str, flip: float) -> Split:
    """The scenario as it was before it had a direction, written out again."""
    rng = np.random.default_rng(seed)
    g = split.code(group)
    out = {}
    for name, y, gg in (
        ("y_pool_obs", split.y_pool_obs, split.g_pool),
        ("y_test_obs", split.y_test_obs, split.g_test),
    ):
        y = y.copy()
        positives = np.flatnonzero((gg == g) & (y == 1))
        k = int(round(flip * len(positives)))
        y[positives[rng.permutation(len(positives))[:k]] if k else positives[:0]] = 0
        out[name] = y
    return split.evolve(**out)


@HYPO
@given(
    st.integers(200, 600),
    st.sampled_from([0.1, 0.3, 0.5]),
    st.floats(0.0, 1.0),
    st.integers(0, 1),
    SEEDS,
)
def test_up_flips_only_the_groups_negatives_at_the_rate(
    n: int, minority_fraction: float, flip: float, which: int, seed: int
) -> None:
    split = split_of(n, minority_fraction, seed)
    group = split.groups[which]
    g = split.code(group)
    out = label_bias(split, seed, group=group, flip=flip, direction="up")
    for y_before, y_after, gg in (
        (split.y_pool_obs, out.y_pool_obs, split.g_pool),
        (split.y_test_obs, out.y_test_obs, split.g_test),
    ):
        negatives = (gg == g) & (y_before == 0)
        changed = y_before != y_after
        assert changed.sum() == int(round(flip * negatives.sum()))
        assert not (changed & ~negatives).any(), "only the group's negatives may change"
        assert (y_after[changed] == 1).all()
    np.testing.assert_array_equal(out.y_pool, split.y_pool)
    np.testing.assert_array_equal(out.y_test, split.y_test)
    np.testing.assert_array_equal(out.X_pool, split.X_pool)
    np.testing.assert_array_equal(out.X_test, split.X_test)


@HYPO
@given(st.floats(0.0, 1.0), st.integers(0, 1), SEEDS)
def test_down_is_the_default_and_keeps_the_records_it_had(
    flip: float, which: int, seed: int
) -> None:
    split = split_of(400, 0.3, seed)
    group = split.groups[which]
    default = label_bias(split, seed, group=group, flip=flip)
    down = label_bias(split, seed, group=group, flip=flip, direction="down")
    reference = before_direction(split, seed, group=group, flip=flip)
    for out in (default, down):
        np.testing.assert_array_equal(out.y_pool_obs, reference.y_pool_obs)
        np.testing.assert_array_equal(out.y_test_obs, reference.y_test_obs)
        np.testing.assert_array_equal(out.y_pool, split.y_pool)
        np.testing.assert_array_equal(out.y_test, split.y_test)


@pytest.mark.parametrize("direction", ["down", "up"])
def test_same_seed_same_rows(direction: str) -> None:
    split = split_of(500, 0.3, 1)
    group = split.groups[1]
    runs = [label_bias(split, 7, group=group, flip=0.5, direction=direction) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].y_pool_obs, runs[1].y_pool_obs)
    np.testing.assert_array_equal(runs[0].y_test_obs, runs[1].y_test_obs)
    other = label_bias(split, 8, group=group, flip=0.5, direction=direction)
    assert (other.y_pool_obs != runs[0].y_pool_obs).any(), "the seed chooses the rows"


def test_an_unknown_direction_is_named() -> None:
    message = re.escape(MSG_DIRECTION.format(value="sideways"))
    with pytest.raises(ValueError, match=message):
        SCENARIOS.resolve("label_bias:direction=sideways")
    with pytest.raises(ValueError, match=message):
        label_bias(split_of(200, 0.3, 0), 0, group="minority", direction="sideways")


def test_a_run_with_direction_down_records_what_the_default_records() -> None:
    base = {"dataset": "two_groups:n_samples=600", "rounds": 3, "seed": 3}
    frames = [
        to_frames(simulate({**base, "scenarios": [spec]}))
        for spec in ("label_bias:flip=0.5", "label_bias:flip=0.5,direction=down")
    ]
    for name in ("groups", "queries"):
        a, b = (f[name] for f in frames)
        timing = [c for c in a.columns if c.endswith("_seconds")]
        assert a.drop(columns=timing).equals(b.drop(columns=timing)), name


def test_a_run_with_direction_up_records_extra_positives_for_the_group_only() -> None:
    cfg = {
        "dataset": "two_groups:n_samples=600",
        "scenarios": ["label_bias:group=minority,flip=1.0,direction=up"],
        "rounds": 5,
        "seed": 2,
    }
    queries = to_frames(simulate(cfg))["queries"]
    minority = queries["group"] == "minority"
    recorded, truth = queries["label_observed"], queries["label_true"]
    assert (recorded[minority] == 1).all(), "flip=1 records every minority negative as 1"
    assert (recorded[~minority] == truth[~minority]).all()
