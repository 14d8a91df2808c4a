"""``components.metrics`` against fairlearn (the oracle) and against definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from fairlearn.metrics import (
    MetricFrame,
    demographic_parity_difference,
    equalized_odds_difference,
    false_positive_rate,
    selection_rate,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, precision_score, recall_score

from components.metrics import group_rates, summary, uncertainty_bias

HYPO = settings(max_examples=40, deadline=None, database=None)
#: fairlearn takes ~0.1 s an example; three group counts share this budget
FAIRLEARN_HYPO = settings(max_examples=20, deadline=None, database=None)


def tpr(y: np.ndarray, p: np.ndarray) -> float:
    return recall_score(y, p, zero_division=np.nan)


def ppv(y: np.ndarray, p: np.ndarray) -> float:
    return precision_score(y, p, zero_division=np.nan)


@st.composite
def labelled_groups(draw: st.DrawFn, n_groups: int) -> tuple[np.ndarray, ...]:
    """y, pred and group codes; one group may be left with no positives at all."""
    n = draw(st.integers(n_groups * 2, 120))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    group = np.concatenate([np.arange(n_groups), rng.integers(0, n_groups, n - n_groups)])
    y = (rng.random(n) < draw(st.floats(0.05, 0.95))).astype(np.int64)
    pred = (rng.random(n) < draw(st.floats(0.05, 0.95))).astype(np.int64)
    if draw(st.booleans()):  # a group without positives: its TPR is undefined
        y[group == draw(st.integers(0, n_groups - 1))] = 0
    return y, pred, group


def fairlearn_frame(y: np.ndarray, pred: np.ndarray, group: np.ndarray) -> MetricFrame:
    return MetricFrame(
        metrics={
            "accuracy": accuracy_score,
            "tpr": tpr,
            "fpr": false_positive_rate,
            "selection_rate": selection_rate,
            "ppv": ppv,
        },
        y_true=y,
        y_pred=pred,
        sensitive_features=group,
    )


def check_against_fairlearn(y: np.ndarray, pred: np.ndarray, group: np.ndarray, k: int) -> None:
    ours = group_rates(y, pred, group, k)
    frame = fairlearn_frame(y, pred, group)
    theirs = frame.by_group
    for code in range(k):
        rows = group == code
        assert ours["count"][code] == rows.sum()
        for name in ("accuracy", "selection_rate", "tpr", "ppv"):
            np.testing.assert_allclose(
                ours[name][code], theirs.loc[code, name], equal_nan=True, err_msg=name
            )
        negatives = (y[rows] == 0).sum()
        if negatives:
            np.testing.assert_allclose(ours["fpr"][code], theirs.loc[code, "fpr"])
        else:  # fairlearn says 0.0 here; an undefined rate must be NaN ("n/a")
            assert math.isnan(ours["fpr"][code])
        if not (y[rows] == 1).any():
            assert math.isnan(ours["tpr"][code])

    s = summary(ours)
    gaps = frame.difference()
    np.testing.assert_allclose(s["worst_group_accuracy"], frame.group_min()["accuracy"])
    np.testing.assert_allclose(
        s["dp_difference"], demographic_parity_difference(y, pred, sensitive_features=group)
    )
    np.testing.assert_allclose(s["pp_difference"], gaps["ppv"], equal_nan=True)
    # groups with an undefined rate are left out of a gap, not counted as 0
    tpr_gap = gaps["tpr"]
    fpr_defined = [theirs.loc[c, "fpr"] for c in range(k) if (y[group == c] == 0).any()]
    fpr_gap = max(fpr_defined) - min(fpr_defined) if fpr_defined else np.nan
    np.testing.assert_allclose(s["eo_difference"], np.nanmax([tpr_gap, fpr_gap]))
    both_classes = all(len(np.unique(y[group == c])) == 2 for c in range(k))
    if both_classes:
        np.testing.assert_allclose(
            s["eo_difference"], equalized_odds_difference(y, pred, sensitive_features=group)
        )


@pytest.mark.parametrize("k", [2, 3, 5])
def test_group_rates_and_summary_match_fairlearn(k: int) -> None:
    @FAIRLEARN_HYPO
    @given(labelled_groups(k))
    def check(data: tuple[np.ndarray, ...]) -> None:
        check_against_fairlearn(*data, k)

    check()


def test_group_without_positives_has_nan_tpr_and_fairlearn_agrees() -> None:
    y = np.array([1, 0, 1, 1, 0, 0, 0, 0, 1, 0])
    pred = np.array([1, 1, 0, 1, 1, 0, 0, 1, 1, 0])
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])  # group 1: no positives
    rates = group_rates(y, pred, group, 3)
    assert math.isnan(rates["tpr"][1])
    np.testing.assert_allclose(rates["tpr"][[0, 2]], [2 / 3, 1.0])
    np.testing.assert_allclose(rates["fpr"], [1.0, 0.5, 0.0])
    check_against_fairlearn(y, pred, group, 3)


def test_absent_group_is_nan_and_left_out_of_gaps() -> None:
    y = np.array([1, 0, 1, 0])
    pred = np.array([1, 0, 0, 0])
    group = np.array([0, 0, 2, 2])  # code 1 has no rows
    rates = group_rates(y, pred, group, 3)
    assert rates["count"][1] == 0
    for name in ("accuracy", "tpr", "fpr", "selection_rate", "ppv"):
        assert math.isnan(rates[name][1]), name
    s = summary(rates)
    assert s["worst_group_accuracy"] == 0.5
    assert s["dp_difference"] == 0.5
    assert s["eo_difference"] == 1.0


# ----------------------------------------------------------------------------- uncertainty bias


def uncertainty_bias_by_definition(
    proba: np.ndarray, group: np.ndarray, unlabeled: np.ndarray, n_groups: int
) -> list[float]:
    """Phillips, Chang & Friedler (2018), written out row by row.

    A row is certain when its top-class probability is at least the median over
    the unlabelled rows; UB(g) = 1 - P(certain | g) / P(certain | not g).
    """
    rows = [i for i in range(len(group)) if unlabeled[i]]
    if not rows:
        return [math.nan] * n_groups
    tops = [max(proba[i]) for i in rows]
    med = float(np.median(tops))
    certain = {i: max(proba[i]) >= med for i in rows}
    out = []
    for g in range(n_groups):
        inside = [certain[i] for i in rows if group[i] == g]
        outside = [certain[i] for i in rows if group[i] != g]
        if not inside or not outside:
            out.append(math.nan)
            continue
        p_in = sum(inside) / len(inside)
        p_out = sum(outside) / len(outside)
        out.append(math.nan if p_out == 0 else 1.0 - p_in / p_out)
    return out


@st.composite
def pools(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    k = draw(st.sampled_from([2, 3, 5]))
    n = draw(st.integers(1, 80))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # few distinct probabilities, so ties at the median happen often
    p1 = rng.choice(np.linspace(0.0, 1.0, draw(st.integers(2, 11))), size=n)
    proba = np.column_stack([1.0 - p1, p1])
    group = rng.integers(0, k, n)
    unlabeled = rng.random(n) < draw(st.floats(0.0, 1.0))
    return proba, group, unlabeled, k


@HYPO
@given(pools())
def test_uncertainty_bias_matches_its_definition(data: tuple) -> None:
    proba, group, unlabeled, k = data
    ours = uncertainty_bias(proba, group, unlabeled, k)
    assert ours.shape == (k,)
    np.testing.assert_allclose(ours, uncertainty_bias_by_definition(*data), equal_nan=True)


def test_uncertainty_bias_sign_by_hand() -> None:
    # group 1 is always unsure, group 0 always sure: UB(1) = 1, UB(0) = 1 - 1/0 -> NaN
    proba = np.array([[0.95, 0.05]] * 4 + [[0.55, 0.45]] * 4)
    group = np.array([0] * 4 + [1] * 4)
    ub = uncertainty_bias(proba, group, np.ones(8, dtype=bool), 2)
    assert ub[1] == 1.0
    assert math.isnan(ub[0])
    # half of group 1 sure: P(certain|1) = 1/3 (of its 6), P(certain|0) = 1 -> UB(1) = 2/3
    proba = np.array([[0.9, 0.1]] * 4 + [[0.9, 0.1]] * 2 + [[0.6, 0.4]] * 4)
    group = np.array([0] * 4 + [1] * 6)
    ub = uncertainty_bias(proba, group, np.ones(10, dtype=bool), 2)
    np.testing.assert_allclose(ub[1], 1 - (2 / 6) / 1.0)
    # the labelled rows do not count
    labelled_out = np.array([True] * 4 + [False] * 2 + [True] * 4)
    np.testing.assert_allclose(uncertainty_bias(proba, group, labelled_out, 2)[1], 1.0)
