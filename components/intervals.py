"""Intervals for rates from counts: the Wilson score interval, and test positives per group.

Shared by the headline's numbers (:mod:`components.harm`) and anything else that
puts a 95% interval on a per-group rate.
"""

from __future__ import annotations

import math

#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054


def wilson(k: float, n: float, *, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion ``k / n``.

    Parameters
    ----------
    k : float
        Successes, ``0 <= k <= n``.
    n : float
        Trials.
    z : float
        Normal quantile; the default gives a two-sided 95% interval.

    Returns
    -------
    (low, high) : tuple of float
        NaN, NaN when ``n`` is 0 or not a number.

    Examples
    --------
    >>> lo, hi = wilson(15, 100)
    >>> round(lo, 4), round(hi, 4)
    (0.0931, 0.2328)
    >>> wilson(0, 10)[0]
    0.0
    >>> wilson(0, 0)
    (nan, nan)
    """
    if not n or math.isnan(n) or math.isnan(k):
        return (math.nan, math.nan)
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    # At k = 0 or k = n the bound is exactly 0 or 1; say so, not 1 - 1e-16.
    low = 0.0 if k <= 0 else max(0.0, centre - half)
    high = 1.0 if k >= n else min(1.0, centre + half)
    return (low, high)


def positives_from_rates(
    count: float, tpr: float, fpr: float, *, accuracy: float, selection_rate: float
) -> float:
    """A group's number of positive test rows, recovered from its recorded rates.

    With ``P`` positives among ``n`` rows, ``accuracy * n = tpr * P + (1 - fpr)
    * (n - P)`` and ``selection_rate * n = tpr * P + fpr * (n - P)``. The
    equation with the larger coefficient of ``P`` is solved (they fail only
    together, when ``tpr = fpr = 0.5``). An undefined TPR means no positives,
    an undefined FPR no negatives.

    Parameters
    ----------
    count : float
        Test rows in the group (``test_count``).
    tpr, fpr : float
        The group's rates against one set of labels (NaN when undefined).
    accuracy, selection_rate : float
        Against the same labels (the selection rate needs none).

    Returns
    -------
    float
        A whole number of rows, or NaN when the rates cannot tell.

    Examples
    --------
    >>> positives_from_rates(100, 0.5, 0.1, accuracy=0.82, selection_rate=0.18)
    20.0
    >>> positives_from_rates(10, float("nan"), 0.2, accuracy=0.8, selection_rate=0.2)
    0.0
    """
    if math.isnan(count):
        return math.nan
    if math.isnan(tpr):
        return 0.0
    if math.isnan(fpr):
        return float(count)
    a, b = tpr + fpr - 1, tpr - fpr
    if max(abs(a), abs(b)) < 1e-9:
        return math.nan
    if abs(a) >= abs(b):
        p = count * (accuracy - 1 + fpr) / a
    else:
        p = count * (selection_rate - fpr) / b
    return float(min(max(round(p), 0), count))


def newcombe(k1: float, n1: float, k2: float, n2: float, *, z: float = Z95) -> tuple[float, float]:
    """A 95% interval for the difference ``k1 / n1 - k2 / n2`` of two independent proportions.

    Newcombe's hybrid score interval (method 10 in Newcombe, R. G. (1998).
    Interval estimation for the difference between independent proportions:
    comparison of eleven methods. Statistics in Medicine 17(8)), built from
    the two :func:`wilson` intervals.

    Returns
    -------
    (low, high) : tuple of float
        NaN, NaN when either proportion is undefined.

    Examples
    --------
    >>> lo, hi = newcombe(56, 70, 48, 80)
    >>> round(lo, 4), round(hi, 4)
    (0.0524, 0.3339)
    >>> newcombe(1, 2, 0, 0)
    (nan, nan)
    """
    l1, u1 = wilson(k1, n1, z=z)
    l2, u2 = wilson(k2, n2, z=z)
    if math.isnan(l1) or math.isnan(l2):
        return (math.nan, math.nan)
    p1, p2 = k1 / n1, k2 / n2
    d = p1 - p2
    low = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return (max(-1.0, low), min(1.0, high))
