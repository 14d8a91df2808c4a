"""One run's record frames at round ``r`` as figures: ledger, batches, accuracy, gaps,
error rates by group and uncertainty bias.

Each builder reveals rounds ``0..r`` of the run's ``groups`` and ``rounds``
frames (the record schema) against axes fixed to the whole budget. Group
names are visitor text: they pass ``plotly_escape`` before reaching a figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures import (
    DASHES,
    FIGURE_LEGEND,
    GHOST,
    PATTERNS,
    SCREEN,
    SYMBOLS,
    Chart,
    Style,
    axis,
    figure,
    line_trace,
)
from dashboard.safe import plotly_escape as _t

LEDGER_TITLE = "Who gets labelled: share of queries vs pool share (dotted)"
COMPOSITION_TITLE = "Each round's batch, by group"
ACCURACY_TITLE = "Accuracy: vs truth (solid), vs recorded labels (dashed)"
FAIRNESS_TITLE = "Fairness gaps (lower = fairer), worst-group accuracy"

#: Fairness measures drawn by ``fairness_figure``: (column, label, colour, dash).
FAIRNESS_SERIES = (
    ("worst_group_accuracy", "worst-group accuracy", "#000000", "solid"),
    ("dp_difference", "demographic parity gap", "#0072B2", "dash"),
    ("eo_difference", "equalized odds gap", "#D55E00", "dot"),
    ("pp_difference", "predictive parity gap", "#009E73", "dashdot"),
)


def _cols(frame: pd.DataFrame, r: int, *names: str) -> dict[str, np.ndarray]:
    """Numpy columns of a small record frame, rows up to round ``r``.

    Numpy masks rather than pandas filters: these frames are tiny and the
    charts are redrawn every round.
    """
    keep = frame["round"].to_numpy() <= r
    out = {}
    for name in names:
        col = frame[name]
        arr = col.to_numpy(dtype=object) if name == "group" else col.to_numpy()
        out[name] = arr[keep]
    return out


def budget_range(rounds: pd.DataFrame) -> list[float]:
    """The x range ``[lo, hi]`` of "rows labelled" over the whole run, padded 2%.

    Examples
    --------
    >>> budget_range(pd.DataFrame({"n_labeled": [20, 120]}))
    [18.0, 122.0]
    """
    nl = rounds["n_labeled"].to_numpy()
    lo, hi = float(nl.min()), float(nl.max())
    pad = max(1.0, (hi - lo) * 0.02)
    return [lo - pad, hi + pad]


def _n_labeled(round_of: np.ndarray, rounds: pd.DataFrame) -> np.ndarray:
    """Rows labelled at each round in ``round_of`` (looked up in the rounds frame)."""
    rr = rounds["round"].to_numpy()
    lookup = np.zeros(int(rr.max()) + 1, dtype=np.int64)
    lookup[rr] = rounds["n_labeled"].to_numpy()
    return lookup[np.asarray(round_of, dtype=np.int64)]


def ledger_figure(
    groups: pd.DataFrame,
    rounds: pd.DataFrame,
    r: int,
    *,
    colors: dict[str, str],
    style: Style = SCREEN,
    ghost: pd.DataFrame | None = None,
) -> Chart:
    """Each group's cumulative share of queries (solid) against its pool share (dotted).

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        Columns ``round``, ``group``, ``pool_share``, ``query_share_cum``.
    rounds : DataFrame, one row per round
        Columns ``round``, ``n_labeled``.
    r : int
        The last round shown.
    colors : dict of str to str
        Group -> colour; its order is the legend's.
    style : Style
    ghost : DataFrame, optional
        The ``groups`` frame of a ``random`` run, drawn in grey.

    Returns
    -------
    Chart
        Per group: a dotted pool-share line, the ghost's line if any, and the
        query-share line over rounds ``1..r`` (round 0 asks nothing).
    """
    traces: list[dict] = []
    g = _cols(groups, r, "round", "group", "pool_share", "query_share_cum")
    gx = _n_labeled(g["round"], rounds)
    gh = _cols(ghost, r, "round", "group", "query_share_cum") if ghost is not None else None
    xr = budget_range(rounds)
    for i, name in enumerate(colors):
        mine = g["group"] == name
        if not mine.any():
            continue
        color = colors[name]
        share = float(g["pool_share"][mine][0])
        traces.append(
            line_trace(
                xr,
                [share, share],
                color=color,
                width=style.line * 0.6,
                dash="dot",
                name=f"{_t(name)}: pool share",
                legendgroup=_t(name),
                showlegend=False,
                hovertemplate=f"{_t(name)}: {share:.0%} of the pool<extra></extra>",
            )
        )
        if gh is not None:
            gm = (gh["group"] == name) & (gh["round"] > 0)
            traces.append(
                line_trace(
                    _n_labeled(gh["round"][gm], rounds),
                    gh["query_share_cum"][gm],
                    color=GHOST,
                    width=style.line * 0.8,
                    dash=DASHES[i % len(DASHES)],
                    name=f"random: {_t(name)}",
                    legendgroup="ghost",
                    hovertemplate=f"random, {_t(name)}: %{{y:.0%}}<extra></extra>",
                )
            )
        q = mine & (g["round"] > 0)
        traces.append(
            line_trace(
                gx[q],
                g["query_share_cum"][q],
                color=color,
                width=style.line,
                name=_t(name),
                mode="lines+markers",
                legendgroup=_t(name),
                marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": style.marker, "color": color},
                hovertemplate=(
                    f"{_t(name)}<br>%{{y:.0%}} of queries so far<br>pool share {share:.0%}"
                    "<br>%{x} labelled<extra></extra>"
                ),
            )
        )
    return figure(
        traces,
        style,
        title=LEDGER_TITLE,
        xaxis=axis("rows labelled", range=xr),
        yaxis=axis("share of queries so far", range=[0, 1.02], tickformat=".0%"),
    )


def composition_figure(
    groups: pd.DataFrame,
    rounds: pd.DataFrame,
    r: int,
    *,
    colors: dict[str, str],
    style: Style = SCREEN,
) -> Chart:
    """Stacked bars: how many rows of each group each round queried.

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        Columns ``round``, ``group``, ``queried``.
    rounds : DataFrame, one row per round
        Column ``round``.
    r : int
        The last round shown.
    colors : dict of str to str
        Group -> colour.
    style : Style

    Returns
    -------
    Chart
        One bar trace per group over rounds ``1..r``; the y axis fits the
        largest batch of the whole run.

    Examples
    --------
    >>> g = pd.DataFrame({"round": [0, 0, 1, 1, 2, 2], "group": ["a", "b"] * 3,
    ...                   "queried": [0, 0, 3, 1, 2, 2]})
    >>> fig = composition_figure(g, pd.DataFrame({"round": [0, 1, 2]}), 1,
    ...                          colors={"a": "#0072B2", "b": "#D55E00"})
    >>> [(t.name, list(map(int, t.y))) for t in fig.data]
    [('a', [3]), ('b', [1])]
    >>> fig.layout.yaxis.range
    (0, 4.2)
    """
    g = _cols(groups, r, "round", "group", "queried")
    last = int(rounds["round"].to_numpy().max())
    traces = []
    for i, name in enumerate(colors):
        mine = (g["group"] == name) & (g["round"] > 0)
        traces.append(
            {
                "type": "bar",
                "x": g["round"][mine],
                "y": g["queried"][mine],
                "name": _t(name),
                "legendgroup": _t(name),
                "marker": {
                    "color": colors[name],
                    "pattern": {"shape": PATTERNS[i % len(PATTERNS)]},
                },
                "hovertemplate": f"{_t(name)}: %{{y}} in round %{{x}}<extra></extra>",
            }
        )
    per_round = np.bincount(
        groups["round"].to_numpy(), weights=groups["queried"].to_numpy().astype(float)
    )
    batch = float(per_round.max()) or 1.0
    return figure(
        traces,
        style,
        title=COMPOSITION_TITLE,
        xaxis=axis("round", range=[0.5, max(last, 1) + 0.5]),
        yaxis=axis("rows queried", range=[0, batch * 1.05]),
        barmode="stack",
        bargap=0.1,
        legend=dict(FIGURE_LEGEND, traceorder="normal", font={"size": style.font}),
    )


def accuracy_figure(
    groups: pd.DataFrame,
    rounds: pd.DataFrame,
    r: int,
    *,
    colors: dict[str, str],
    style: Style = SCREEN,
) -> Chart:
    """Per-group test accuracy against the truth (solid) and the recorded labels (dashed).

    Parameters
    ----------
    groups : DataFrame, one row per (round, group)
        Columns ``round``, ``group``, ``accuracy``, ``accuracy_observed``.
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
        Two lines per group (truth, recorded) over rounds ``0..r``.
    """
    g = _cols(groups, r, "round", "group", "accuracy", "accuracy_observed")
    gx = _n_labeled(g["round"], rounds)
    traces = []
    for i, name in enumerate(colors):
        mine = g["group"] == name
        for col, dash, label in (
            ("accuracy", "solid", "vs truth"),
            ("accuracy_observed", "dash", "vs recorded labels"),
        ):
            traces.append(
                line_trace(
                    gx[mine],
                    g[col][mine],
                    color=colors[name],
                    width=style.line,
                    dash=dash,
                    name=f"{_t(name)} {label}",
                    legendgroup=_t(name),
                    mode="lines+markers" if dash == "solid" else "lines",
                    marker={"symbol": SYMBOLS[i % len(SYMBOLS)], "size": style.marker},
                    hovertemplate=f"{_t(name)}, {label}: %{{y:.1%}}<br>%{{x}} labelled<extra></extra>",
                )
            )
    return figure(
        traces,
        style,
        title=ACCURACY_TITLE,
        xaxis=axis("rows labelled", range=budget_range(rounds)),
        yaxis=axis("test accuracy", range=[0, 1.02], tickformat=".0%"),
    )


def fairness_figure(rounds: pd.DataFrame, r: int, *, style: Style = SCREEN) -> Chart:
    """Worst-group accuracy and the three gaps (measured against the truth).

    Parameters
    ----------
    rounds : DataFrame, one row per round
        Columns ``round``, ``n_labeled`` and those of ``FAIRNESS_SERIES``.
    r : int
        The last round shown.
    style : Style

    Returns
    -------
    Chart
        One line per measure over rounds ``0..r``; undefined values leave gaps.
    """
    part = _cols(rounds, r, "n_labeled", *(col for col, *_ in FAIRNESS_SERIES))
    traces = [
        line_trace(
            part["n_labeled"],
            part[col],
            color=color,
            width=style.line,
            dash=dash,
            name=label,
            hovertemplate=f"{label}: %{{y:.2f}}<br>%{{x}} labelled<extra></extra>",
        )
        for col, label, color, dash in FAIRNESS_SERIES
    ]
    return figure(
        traces,
        style,
        title=FAIRNESS_TITLE,
        xaxis=axis("rows labelled", range=budget_range(rounds)),
        yaxis=axis("value (0 to 1)", range=[0, 1.02]),
    )
