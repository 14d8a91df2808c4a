"""Per-group metrics with ``np.bincount`` over integer group codes.

fairlearn is the oracle in the tests (benchmarks/bench_engine.py compares the
speed of the two). A rate whose denominator is 0 (a group without positives,
say) is NaN, shown as "n/a".
"""

from __future__ import annotations

import numpy as np

GROUP_METRICS = ("accuracy", "tpr", "fpr", "selection_rate", "ppv")


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    out = np.full(len(num), np.nan)
    np.divide(num, den, out=out, where=den > 0)
    return out


def group_rates(
    y: np.ndarray, pred: np.ndarray, group: np.ndarray, n_groups: int
) -> dict[str, np.ndarray]:
    """Accuracy, TPR, FPR, selection rate and PPV per group code.

    Parameters
    ----------
    y, pred : ndarray (n,) of {0, 1}
    group : ndarray (n,) of int codes in [0, n_groups)

    Returns
    -------
    dict of name -> ndarray (n_groups,), plus ``"count"``.

    >>> r = group_rates(np.array([1, 0, 1, 1]), np.array([1, 1, 0, 1]), np.array([0, 0, 1, 1]), 2)
    >>> r["accuracy"].tolist(), r["tpr"].tolist()
    ([0.5, 0.5], [1.0, 0.5])
    """
    yf = y.astype(np.float64)
    pf = pred.astype(np.float64)
    count = np.bincount(group, minlength=n_groups).astype(np.float64)
    pos = np.bincount(group, weights=yf, minlength=n_groups)
    pred_pos = np.bincount(group, weights=pf, minlength=n_groups)
    tp = np.bincount(group, weights=yf * pf, minlength=n_groups)
    correct = np.bincount(group, weights=(yf == pf), minlength=n_groups)
    fp = pred_pos - tp
    return {
        "count": count,
        "accuracy": _ratio(correct, count),
        "tpr": _ratio(tp, pos),
        "fpr": _ratio(fp, count - pos),
        "selection_rate": _ratio(pred_pos, count),
        "ppv": _ratio(tp, pred_pos),
    }


def _spread(values: np.ndarray) -> float:
    v = values[~np.isnan(values)]
    return float(v.max() - v.min()) if len(v) else float("nan")


def summary(rates: dict[str, np.ndarray]) -> dict[str, float]:
    """Worst-group accuracy and the three gaps, from ``group_rates`` output.

    ``dp_difference`` is the spread of selection rates, ``eo_difference`` the
    larger of the TPR and FPR spreads, ``pp_difference`` the spread of PPV, as
    in fairlearn's ``demographic_parity_difference`` and
    ``equalized_odds_difference``. Groups absent from the data are left out.
    """
    acc = rates["accuracy"][~np.isnan(rates["accuracy"])]
    tpr_gap, fpr_gap = _spread(rates["tpr"]), _spread(rates["fpr"])
    gaps = [g for g in (tpr_gap, fpr_gap) if g == g]
    return {
        "worst_group_accuracy": float(acc.min()) if len(acc) else float("nan"),
        "dp_difference": _spread(rates["selection_rate"]),
        "eo_difference": float(max(gaps)) if gaps else float("nan"),
        "pp_difference": _spread(rates["ppv"]),
    }


def top_proba(proba: np.ndarray) -> np.ndarray:
    """Top-class probability per row, shape (n,).

    For two columns it is ``np.maximum`` of the columns: numpy's reduction
    over a short axis (``max(axis=1)``) is slow.

    >>> top_proba(np.array([[0.2, 0.8], [0.6, 0.4]])).tolist()
    [0.8, 0.6]
    """
    if proba.shape[1] == 2:
        return np.maximum(proba[:, 0], proba[:, 1])
    return proba.max(axis=1)


def uncertainty_bias(
    proba: np.ndarray, group: np.ndarray, unlabeled: np.ndarray, n_groups: int
) -> np.ndarray:
    """Phillips, Chang & Friedler (2018) uncertainty bias per group, shape (n_groups,).

    On the unlabelled rows, a row is *certain* when its top-class probability is
    at least the median. ``UB(g) = 1 - P(certain | g) / P(certain | not g)``;
    above 0 means the model is sure about g less often than about the others.
    Labelled rows are pushed to +inf and left out of the counts, so no
    full-pool copy is made.
    """
    top = top_proba(proba)
    labeled = ~unlabeled
    m = int(np.count_nonzero(unlabeled))
    if m == 0:
        return np.full(n_groups, np.nan)
    top[labeled] = np.inf
    k = m // 2
    kth = [k - 1, k] if m % 2 == 0 else [k]
    part = np.partition(top, kth)
    median = (part[k - 1] + part[k]) / 2 if m % 2 == 0 else part[k]
    certain = top >= median
    n_g = np.bincount(group, minlength=n_groups) - np.bincount(group[labeled], minlength=n_groups)
    c_g = np.bincount(group[certain], minlength=n_groups) - np.bincount(
        group[labeled], minlength=n_groups
    )
    n_g = n_g.astype(np.float64)
    c_g = c_g.astype(np.float64)
    p_in = _ratio(c_g, n_g)
    p_out = _ratio(c_g.sum() - c_g, n_g.sum() - n_g)
    with np.errstate(divide="ignore", invalid="ignore"):
        ub = 1.0 - p_in / p_out
    ub[~np.isfinite(ub)] = np.nan
    return ub


def mean_by_group(
    values: np.ndarray, group: np.ndarray, mask: np.ndarray, n_groups: int
) -> np.ndarray:
    """Mean of ``values[mask]`` per group code, NaN for an empty group.

    Computed as all rows minus the (few) rows outside ``mask``, so the large
    ``mask`` (the unlabelled pool) is never copied.
    """
    out = ~mask
    g_out = group[out]
    sums = np.bincount(group, weights=values, minlength=n_groups) - np.bincount(
        g_out, weights=values[out], minlength=n_groups
    )
    counts = np.bincount(group, minlength=n_groups) - np.bincount(g_out, minlength=n_groups)
    return _ratio(sums, counts.astype(np.float64))
