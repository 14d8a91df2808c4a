"""components.harm: Wilson intervals, the under/even/over rule, the worst group, the reasons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from components import harm


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        # Newcombe (1998), "Two-sided confidence intervals for the single
        # proportion", Statistics in Medicine 17, table I, method 3 (score).
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_matches_published_intervals(k, n, low, high):
    lo, hi = harm.wilson(k, n)
    assert lo == pytest.approx(low, abs=6e-5)
    assert hi == pytest.approx(high, abs=6e-5)


def test_wilson_is_symmetric_and_undefined_without_trials():
    lo, hi = harm.wilson(3, 10)
    lo2, hi2 = harm.wilson(7, 10)
    assert lo == pytest.approx(1 - hi2) and hi == pytest.approx(1 - lo2)
    assert all(math.isnan(x) for x in harm.wilson(0, 0))
    assert harm.wilson(10, 10)[1] == 1.0


def test_share_range_is_the_score_test_range():
    lo, hi = harm.share_range(0.25, 300)
    half = harm.Z95 * math.sqrt(0.25 * 0.75 / 300)
    assert (lo, hi) == pytest.approx((0.25 - half, 0.25 + half))
    # The pool share lies outside the Wilson interval of the query share
    # exactly when the query share lies outside this range.
    for q in np.linspace(0.1, 0.4, 61):
        w_lo, w_hi = harm.wilson(q * 300, 300)
        outside = not (w_lo <= 0.25 <= w_hi)
        assert outside == (harm.share_word(q, 0.25, 300) != harm.EVEN), q


@pytest.mark.parametrize(
    ("q", "p", "n", "word"),
    [
        (0.5, 0.5, 1, harm.EVEN),  # one query: anything but 0/1 is even
        (1.0, 0.5, 1, harm.EVEN),  # 0.5 + 1.96 * 0.5 > 1: still even
        (1.0, 0.5, 4, harm.OVER),  # half width 0.49: the range ends at 0.99
        (0.8, 0.5, 10, harm.EVEN),  # the ratio rule would say over (1.6x)
        (0.8, 0.5, 100, harm.OVER),
        (0.2, 0.5, 100, harm.UNDER),
        (0.0, 0.0, 50, harm.EVEN),  # an empty group is never picked: even
        (0.02, 0.0, 50, harm.OVER),  # ...and any pick of it is over
        (0.5, 0.5, 0, None),  # round 0: no queries yet
        (float("nan"), 0.5, 10, None),
    ],
)
def test_share_word_edge_cases(q, p, n, word):
    assert harm.share_word(q, p, n) == word


def test_share_on_the_bound_counts_as_even():
    lo, hi = harm.share_range(0.3, 200)
    assert harm.share_word(hi, 0.3, 200) == harm.EVEN
    assert harm.share_word(lo, 0.3, 200) == harm.EVEN
    assert harm.share_word(hi + 1e-6, 0.3, 200) == harm.OVER
    assert harm.share_word(lo - 1e-6, 0.3, 200) == harm.UNDER


def frame(**cols) -> pd.DataFrame:
    n = len(cols["group"])
    return pd.DataFrame({"round": [1] * n, **cols})


def test_worst_group_follows_the_larger_gap():
    tpr_bigger = frame(group=["a", "b", "c"], tpr=[0.2, 0.6, 0.5], fpr=[0.1, 0.2, 0.15])
    assert harm.largest_gap(tpr_bigger) == harm.Gap("tpr", 0.4, worst="a", best="b")
    fpr_bigger = frame(group=["a", "b", "c"], tpr=[0.5, 0.6, 0.55], fpr=[0.05, 0.35, 0.1])
    gap = harm.largest_gap(fpr_bigger)
    assert (gap.metric, gap.worst, gap.best) == ("fpr", "b", "a")  # most flagged is worst
    assert gap.size == pytest.approx(0.3)


def test_worst_group_ties_and_missing_rates():
    tie = frame(group=["a", "b"], tpr=[0.4, 0.6], fpr=[0.1, 0.3])
    assert harm.largest_gap(tie).metric == "tpr"  # equal gaps: TPR
    one_defined = frame(group=["a", "b"], tpr=[np.nan, 0.6], fpr=[0.1, 0.3])
    assert harm.largest_gap(one_defined) == harm.Gap("fpr", 0.2, worst="b", best="a")
    none = frame(group=["a"], tpr=[0.5], fpr=[0.1])
    assert harm.largest_gap(none) is None
    observed = frame(group=["a", "b"], tpr_observed=[0.1, 0.6], fpr_observed=[0.1, 0.1])
    assert harm.largest_gap(observed, suffix="_observed").worst == "a"


def counts_frame(y, pred, g, y_obs=None) -> pd.DataFrame:
    """A one-round groups frame computed from labels the way the record does."""
    from components.metrics import group_rates

    codes = np.unique(g, return_inverse=True)[1]
    k = int(codes.max()) + 1
    t = group_rates(y, pred, codes, k)
    o = group_rates(y if y_obs is None else y_obs, pred, codes, k)
    out = {"group": [f"g{i}" for i in range(k)], "test_count": t["count"]}
    for name in ("tpr", "fpr", "accuracy", "selection_rate"):
        out[name] = t[name]
        out[f"{name}_observed"] = o[name]
    return frame(**out)


def test_rates_recovers_the_positives_and_their_intervals():
    rng = np.random.default_rng(3)
    n = 2000
    g = rng.integers(0, 3, n)
    y = (rng.random(n) < np.array([0.1, 0.3, 0.5])[g]).astype(int)
    pred = np.where(rng.random(n) < 0.7, y, 1 - y)
    y_obs = np.where((y == 1) & (g == 0) & (rng.random(n) < 0.4), 0, y)
    table = harm.rates(counts_frame(y, pred, g, y_obs), 1)
    for i in range(3):
        row = table.iloc[i]
        m = g == i
        assert row["positives"] == y[m].sum()
        assert row["positives_observed"] == y_obs[m].sum()
        assert row["negatives"] == m.sum() - y[m].sum()
        tp = int(((y == 1) & (pred == 1) & m).sum())
        assert (row["tpr_low"], row["tpr_high"]) == pytest.approx(harm.wilson(tp, y[m].sum()))


def test_rates_without_positives_or_without_negatives():
    y = np.array([0, 0, 0, 1, 1, 1])
    pred = np.array([0, 1, 0, 1, 1, 0])
    g = np.array([0, 0, 0, 1, 1, 1])
    table = harm.rates(counts_frame(y, pred, g), 1)
    assert list(table["positives"]) == [0, 3]
    assert math.isnan(table["tpr_low"][0]) and math.isnan(table["fpr_low"][1])
    assert (table["tpr_low"][1], table["tpr_high"][1]) == pytest.approx(harm.wilson(2, 3))


def test_positives_undetermined_only_at_half_and_half():
    assert math.isnan(harm.positives_from_rates(10, 0.5, 0.5, accuracy=0.5, selection_rate=0.5))
    # tpr = fpr (the selection rate cannot tell) is solved from the accuracy
    assert harm.positives_from_rates(10, 0.2, 0.2, accuracy=0.56, selection_rate=0.2) == 4


def test_rates_rejects_a_round_not_in_the_record():
    with pytest.raises(ValueError, match="round 7 is not in the record"):
        harm.rates(frame(group=["a"], tpr=[0.5], fpr=[0.1], test_count=[1.0]), 7)


def balance_frame(ub=(-0.89, 0.47), names=("women", "men"), shares=(0.2, 0.8), n=300):
    return pd.DataFrame(
        {
            "round": [5] * len(names),
            "group": list(names),
            "pool_share": [0.33, 0.67][: len(names)] if len(names) == 2 else [1 / 3] * 3,
            "query_share_cum": list(shares),
            "queried_cum": [s * n for s in shares],
            "uncertainty_bias": list(ub),
        }
    )


def test_selected_against_names_the_mechanism_as_a_tendency():
    out = harm.selected_against(balance_frame(), 5, strategy="least_confidence")
    assert [g for g, _ in out] == ["women"]
    text = out[0][1]
    assert "surer about women than about men" in text
    assert "uncertainty bias -0.89" in text and "unlabelled pool" in text
    assert "least confidence asks where it is unsure" in text and "tends to" in text


def test_selected_against_claims_no_reason_the_record_does_not_show():
    # an uncertainty strategy but the model is less sure about the group
    out = harm.selected_against(balance_frame(ub=(0.2, -0.1)), 5, strategy="margin")
    assert "does not show" in out[0][1] and "surer" not in out[0][1]
    # a strategy that does not pick by uncertainty
    out = harm.selected_against(balance_frame(), 5, strategy="random")
    assert "does not show" in out[0][1]
    # nobody outside the range: nobody listed
    even = balance_frame(shares=(0.33, 0.67))
    assert harm.selected_against(even, 5, strategy="least_confidence") == []


def test_selected_against_with_more_groups_and_plain_names():
    name = "[x](http://e.example) *"
    f = balance_frame(ub=(-0.5, 0.2, 0.3), names=(name, "b", "c"), shares=(0.1, 0.45, 0.45), n=300)
    (g, text), *_ = harm.selected_against(f, 5, strategy="entropy")
    assert g == name and text.startswith(name)  # plain text: the dashboard escapes
    assert "than about the rest of the pool" in text


def test_query_balance_matches_the_rule_on_each_row():
    t = harm.query_balance(balance_frame(), 5)
    assert list(t["word"]) == [harm.UNDER, harm.OVER]
    assert t["n_queries"].iloc[0] == 300
    assert (t["low"] < t["pool_share"]).all() and (t["pool_share"] < t["high"]).all()


def test_intervals_overlap_says_when_one_run_cannot_tell_groups_apart():
    t = pd.DataFrame(
        {
            "group": ["a", "b"],
            "tpr_low": [0.30, 0.40],
            "tpr_high": [0.45, 0.50],
            "fpr_low": [0.01, 0.20],
            "fpr_high": [0.05, 0.30],
        }
    )
    assert harm.intervals_overlap(t, harm.Gap("tpr", 0.05, worst="a", best="b"))
    assert not harm.intervals_overlap(t, harm.Gap("fpr", 0.22, worst="b", best="a"))
    touching = t.assign(tpr_high=[0.40, 0.50])
    assert harm.intervals_overlap(touching, harm.Gap("tpr", 0.1, worst="a", best="b"))
