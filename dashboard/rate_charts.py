"""Per-group error rates with intervals, and uncertainty bias per group over the budget.

Builders from a run's record frames to figures (no streamlit); visitor text
passes ``plotly_escape``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from components import harm
from components.intervals import wilson
from dashboard.figures import (
    DASHES,
    SCREEN,
    SYMBOLS,
    Chart,
    Style,
    axis,
    figure,
    line_trace,
)
from dashboard.run_charts import _cols, _n_labeled, budget_range
from dashboard.safe import plotly_escape as _t

RATES_TITLE = "Error rates by group (truth; hollow: recorded labels)"
UNCERTAINTY_TITLE = "Uncertainty bias per group (unlabelled pool; 0 = even)"
#: The rates ``rates_figure`` draws: (column, axis label).
RATE_METRICS = (
    ("tpr", "TPR"),
    ("fpr", "FPR"),
    ("selection_rate", "selection rate"),
    ("ppv", "PPV"),
)


def rate_table(groups: pd.DataFrame, r: int) -> pd.DataFrame:
    """Each group's TPR, FPR, selection rate and PPV at round ``r``, with 95% intervals.

    TPR and FPR and their Wilson intervals come from ``components.harm.rates``
    (test positives recovered from the group's rates). The selection rate's
    interval counts the predicted positives among the group's ``test_count``
    rows; PPV's counts the true positives among those predicted positives
    (``selection_rate * test_count``).

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame.
    r : int
        The round.

    Returns
    -------
    DataFrame, one row per group in frame order
        ``group``; per metric of ``RATE_METRICS`` the value, ``<metric>_low``,
        ``<metric>_high`` (NaN where undefined) and ``<metric>_observed``,
        the value against the recorded labels.

    Examples
    --------
    >>> g = pd.DataFrame({"round": [1], "group": ["a"], "test_count": [100.0],
    ...     "tpr": [0.5], "fpr": [0.1], "accuracy": [0.82], "selection_rate": [0.18],
    ...     "ppv": [10 / 18], "tpr_observed": [0.5], "fpr_observed": [0.1],
    ...     "accuracy_observed": [0.82], "selection_rate_observed": [0.18],
    ...     "ppv_observed": [10 / 18]})
    >>> row = rate_table(g, 1).iloc[0]
    >>> round(float(row["ppv_low"]), 3), round(float(row["ppv_high"]), 3)
    (0.337, 0.754)
    """
    now = groups[groups["round"] == r].reset_index(drop=True)
    base = harm.rates(groups, r)
    out = pd.DataFrame({"group": base["group"]})
    for m in ("tpr", "fpr"):
        for col in (m, f"{m}_low", f"{m}_high", f"{m}_observed"):
            out[col] = base[col].to_numpy(dtype=float)
    n = now["test_count"].to_numpy(dtype=float)
    sel = now["selection_rate"].to_numpy(dtype=float)
    ppv = now["ppv"].to_numpy(dtype=float)
    predicted = np.round(sel * n)
    bounds = {"selection_rate": [], "ppv": []}
    for i in range(len(now)):
        bounds["selection_rate"].append(wilson(predicted[i], n[i]))
        hits = round(ppv[i] * predicted[i]) if not np.isnan(ppv[i]) else np.nan
        bounds["ppv"].append(wilson(hits, predicted[i]))
    for m, values in (("selection_rate", sel), ("ppv", ppv)):
        out[m] = values
        out[f"{m}_low"] = [b[0] for b in bounds[m]]
        out[f"{m}_high"] = [b[1] for b in bounds[m]]
        out[f"{m}_observed"] = now[f"{m}_observed"].to_numpy(dtype=float)
    return out


def rates_figure(
    groups: pd.DataFrame, r: int, *, colors: dict[str, str], style: Style = SCREEN
) -> Chart:
    """Group against group on four rates at round ``r``: truth with 95% intervals, recorded hollow.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        The run's ``groups`` record frame (see ``rate_table``).
    r : int
        The round shown.
    colors : dict of str to str
        Group -> colour; its order is the groups' order along each metric.
    style : Style

    Returns
    -------
    Chart
        Per group two traces: the rates against the truth (one marker per
        metric, with its interval as an error bar), then the same rates
        against the recorded labels as hollow markers just to the right.
    """
    table = rate_table(groups, r)
    names = table["group"].tolist()
    k = len(colors)
    width = 0.7 / max(k, 1)
    traces = []
    for i, name in enumerate(colors):
        if name not in names:
            continue
        row = table.iloc[names.index(name)]
        x = np.arange(len(RATE_METRICS)) - 0.35 + width * (i + 0.35)
        v = np.array([row[m] for m, _ in RATE_METRICS], dtype=float)
        low = np.array([row[f"{m}_low"] for m, _ in RATE_METRICS], dtype=float)
        high = np.array([row[f"{m}_high"] for m, _ in RATE_METRICS], dtype=float)
        obs = np.array([row[f"{m}_observed"] for m, _ in RATE_METRICS], dtype=float)
        symbol = SYMBOLS[i % len(SYMBOLS)]
        labels = [label for _, label in RATE_METRICS]
        traces.append(
            {
                "type": "scatter",
                "x": x,
                "y": v,
                "mode": "markers",
                "name": f"{_t(name)} vs truth",
                "legendgroup": _t(name),
                "marker": {"color": colors[name], "symbol": symbol, "size": style.marker * 1.6},
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": high - v,
                    "arrayminus": v - low,
                    "color": colors[name],
                    "thickness": style.line * 0.6,
                    "width": style.marker * 0.6,
                },
                "text": labels,
                "customdata": np.column_stack([low, high]),
                "hovertemplate": (
                    f"{_t(name)}, %{{text}} vs truth: %{{y:.1%}}"
                    "<br>95% interval %{customdata[0]:.1%} to %{customdata[1]:.1%}<extra></extra>"
                ),
            }
        )
        traces.append(
            {
                "type": "scatter",
                "x": x + width * 0.3,
                "y": obs,
                "mode": "markers",
                "name": f"{_t(name)} vs recorded labels",
                "legendgroup": _t(name),
                "marker": {
                    "color": colors[name],
                    "symbol": f"{symbol}-open",
                    "size": style.marker * 1.6,
                    "line": {"width": 2.0},
                },
                "text": labels,
                "hovertemplate": (
                    f"{_t(name)}, %{{text}} vs recorded labels: %{{y:.1%}}<extra></extra>"
                ),
            }
        )
    return figure(
        traces,
        style,
        title=RATES_TITLE,
        xaxis=axis(
            "",
            range=[-0.5, len(RATE_METRICS) - 0.5],
            tickvals=list(range(len(RATE_METRICS))),
            ticktext=[label for _, label in RATE_METRICS],
            showgrid=False,
        ),
        yaxis=axis("rate (95% interval)", range=[0, 1.02], tickformat=".0%"),
    )


def uncertainty_figure(
    groups: pd.DataFrame,
    rounds: pd.DataFrame,
    r: int,
    *,
    colors: dict[str, str],
    style: Style = SCREEN,
) -> Chart:
    """Each group's uncertainty bias over the budget, against a zero line.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        Columns ``round``, ``group``, ``uncertainty_bias``.
    rounds : DataFrame, one row per round
        Columns ``round``, ``n_labeled``.
    r : int
        The last round shown.
    colors : dict of str to str
        Group -> colour.
    style : Style

    Returns
    -------
    Chart
        A dotted zero line, then one line per group over rounds ``0..r``; the
        y axis fits the whole run's values (and 0).
    """
    g = _cols(groups, r, "round", "group", "uncertainty_bias")
    gx = _n_labeled(g["round"], rounds)
    xr = budget_range(rounds)
    traces = [
        line_trace(
            xr,
            [0.0, 0.0],
            color="#555555",
            width=style.line * 0.6,
            dash="dot",
            name="0: as sure as about the others",
            hoverinfo="skip",
        )
    ]
    for i, name in enumerate(colors):
        mine = g["group"] == name
        traces.append(
            line_trace(
                gx[mine],
                g["uncertainty_bias"][mine],
                color=colors[name],
                width=style.line,
                dash=DASHES[i % len(DASHES)],
                name=_t(name),
                mode="lines+markers",
                legendgroup=_t(name),
                marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": style.marker},
                hovertemplate=f"{_t(name)}: %{{y:+.2f}}<br>%{{x}} labelled<extra></extra>",
            )
        )
    every = groups["uncertainty_bias"].to_numpy(dtype=float)
    every = every[np.isfinite(every)]
    lo = min(-0.1, float(every.min())) if len(every) else -1.0
    hi = max(0.1, float(every.max())) if len(every) else 1.0
    pad = (hi - lo) * 0.05
    return figure(
        traces,
        style,
        title=UNCERTAINTY_TITLE,
        xaxis=axis("rows labelled", range=xr),
        yaxis=axis("uncertainty bias", range=[lo - pad, hi + pad]),
    )
