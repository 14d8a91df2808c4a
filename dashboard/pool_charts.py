"""The pool's rows at round ``r`` as figures: the 2D map, the same map by true label,
and the strategy's scores.

Big pools are drawn with WebGL and downsampled (every labelled row, plus a
fixed sample of the rest). Group names pass ``plotly_escape``.
"""

from __future__ import annotations

import numpy as np

from dashboard.figures import (
    DASHES,
    GHOST,
    SCREEN,
    SYMBOLS,
    Chart,
    Style,
    axis,
    figure,
    group_colors,
    line_trace,
)
from dashboard.safe import plotly_escape as _t

MAP_TITLE = "The pool: labelled rows solid, big = this round"
SCORES_TITLE = "Why these rows: strategy score, unlabelled rows"
#: Rows drawn on a paused map, and while Play redraws it every round.
MAX_MAP_POINTS = 20_000
PLAY_MAP_POINTS = 4_000


def map_drawn(n_pool: int, query_round: np.ndarray, *, limit: int = MAX_MAP_POINTS) -> int:
    """How many rows ``map_sample`` draws, without drawing the sample.

    Parameters
    ----------
    n_pool : int
        Rows in the pool.
    query_round : ndarray of int, shape (n_pool,)
        The round each row was labelled in, -1 for never.
    limit : int
        As for ``map_sample``.

    Returns
    -------
    int

    Examples
    --------
    >>> map_drawn(10, np.array([0, 1] + [-1] * 8), limit=4)
    4
    """
    return min(n_pool, max(limit, int((query_round >= 0).sum())))


def map_sample(n_pool: int, query_round: np.ndarray, *, limit: int = MAX_MAP_POINTS) -> np.ndarray:
    """Rows to draw: every labelled row, plus a fixed sample of the rest up to ``limit``.

    Parameters
    ----------
    n_pool : int
        Rows in the pool.
    query_round : ndarray, shape (n_pool,)
        The round each row was labelled in, -1 for never.
    limit : int
        At most this many rows, unless more than that were labelled.

    Returns
    -------
    ndarray of int, shape (map_drawn(...),)
        Sorted pool positions; the same for every round of a run.

    Examples
    --------
    >>> map_sample(6, np.array([-1, 2, -1, -1, 0, -1]), limit=3)
    array([1, 4, 5])
    """
    if n_pool <= limit:
        return np.arange(n_pool)
    labelled = np.flatnonzero(query_round >= 0)
    rest = np.flatnonzero(query_round < 0)
    rng = np.random.default_rng(0)
    k = max(0, limit - len(labelled))
    pick = rng.choice(rest, size=min(k, len(rest)), replace=False)
    return np.sort(np.concatenate([labelled, pick]))


def map_figure(
    xy: np.ndarray,
    g_pool: np.ndarray,
    query_round: np.ndarray,
    r: int,
    *,
    groups: tuple[str, ...],
    colors: dict[str, str],
    style: Style = SCREEN,
    grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ghost_round: np.ndarray | None = None,
    axis_titles: tuple[str, str] = ("x1", "x2"),
    limit: int = MAX_MAP_POINTS,
    animated: bool = False,
) -> Chart:
    """The pool in 2D: not-yet-queried rows faded, queried rows solid with their round.

    Parameters
    ----------
    xy : ndarray, shape (n_pool, 2)
        Each row's position.
    g_pool : ndarray of int, shape (n_pool,)
        Group codes, indexing ``groups``.
    query_round : ndarray of int, shape (n_pool,)
        The round each row was labelled in, -1 for never.
    r : int
        The round shown: rows labelled up to ``r`` are solid, those of round
        ``r`` large.
    groups : tuple of str
        Group names by code.
    colors : dict of str to str
        Group -> colour.
    style : Style
    grid : (xs (nx,), ys (ny,), proba (ny, nx)), optional
        The model's probabilities on a grid: the 0.5 contour is the decision
        boundary.
    ghost_round : ndarray of int, shape (n_pool,), optional
        ``query_round`` of a ``random`` run, drawn as grey crosses.
    axis_titles : (str, str)
    limit : int
        At most this many rows drawn (see ``map_sample``).
    animated : bool
        Keep every trace's rows the same whatever ``r``, so that animation
        frames need only change marker sizes: the faded rows are those never
        labelled, and every labelled row is drawn from the start with size 0
        until its round.

    Returns
    -------
    Chart
    """
    traces: list[dict] = []
    if grid is not None:
        xs, ys, p = grid
        traces.append(
            {
                "type": "contour",
                "x": xs,
                "y": ys,
                "z": p,
                "contours": {"start": 0.5, "end": 0.5, "size": 1, "coloring": "none"},
                "line": {"color": "#222", "width": style.line, "dash": "dash"},
                "showscale": False,
                "hoverinfo": "skip",
                "name": "decision boundary",
                "showlegend": True,
            }
        )
    rows = map_sample(len(xy), query_round, limit=limit)
    qr = query_round[rows]
    faded = (qr < 0) if animated else ((qr < 0) | (qr > r))
    for code, name in enumerate(groups):
        sel = rows[(g_pool[rows] == code) & faded]
        traces.append(
            {
                "type": "scattergl",
                "x": xy[sel, 0],
                "y": xy[sel, 1],
                "mode": "markers",
                "marker": {
                    "color": colors[name],
                    "size": max(3.0, style.marker * 0.5),
                    "opacity": 0.18,
                },
                "name": f"{_t(name)}: not queried",
                "legendgroup": _t(name),
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    if ghost_round is not None:
        gsel = np.flatnonzero((ghost_round >= 1) & (ghost_round <= r))
        traces.append(
            {
                "type": "scattergl",
                "x": xy[gsel, 0],
                "y": xy[gsel, 1],
                "mode": "markers",
                "marker": {"color": GHOST, "size": style.marker * 1.2, "symbol": "x"},
                "name": "random would have asked",
                "text": ghost_round[gsel],
                "hovertemplate": "random, round %{text}<extra></extra>",
            }
        )
    shown = query_round >= 0
    if not animated:
        shown &= query_round <= r
    for code, name in enumerate(groups):
        sel = np.flatnonzero((g_pool == code) & shown)
        when = query_round[sel]
        latest = (when == r) & (r > 0)
        size = np.where(latest, style.marker * 2.2, style.marker * 1.3)
        traces.append(
            {
                # SVG markers when animated: frames resize them in place.
                "type": "scatter" if animated else "scattergl",
                "x": xy[sel, 0],
                "y": xy[sel, 1],
                "mode": "markers",
                "marker": {
                    "color": colors[name],
                    "size": np.where(when > r, 0.0, size).astype(np.float32),
                    "symbol": SYMBOLS[code % len(SYMBOLS)],
                    "line": {
                        "color": "#111",
                        "width": np.where(latest, 2.0, 0.6).astype(np.float32),
                    },
                },
                "text": when,
                "name": f"{_t(name)}: labelled",
                "legendgroup": _t(name),
                "hovertemplate": f"{_t(name)}<br>labelled in round %{{text}} (0 = seed set)<extra></extra>",
            }
        )
    return figure(
        traces,
        style,
        title=MAP_TITLE,
        xaxis=axis(axis_titles[0]),
        yaxis=axis(axis_titles[1]),
    )


def trace_map_figure(
    trace: object,
    r: int,
    *,
    style: Style = SCREEN,
    ghost_round: np.ndarray | None = None,
    limit: int = MAX_MAP_POINTS,
    animated: bool = False,
) -> Chart:
    """``map_figure`` for a ``RunTrace`` at round ``r``.

    Parameters
    ----------
    trace : RunTrace
        Reads ``xy``, ``g_pool``, ``query_round``, ``groups`` and ``grid``.
    r : int
        The round shown.
    style, ghost_round, limit, animated
        As for ``map_figure``.

    Returns
    -------
    Chart
        The decision boundary is drawn on 2D data, except when ``animated``
        (every frame would have to carry the whole grid); other data is shown
        on its first two principal components.
    """
    two_d = trace.grid is not None
    grid = (trace.grid[0], trace.grid[1], trace.grid[2][r]) if two_d and not animated else None
    return map_figure(
        trace.xy,
        trace.g_pool,
        trace.query_round,
        r,
        groups=trace.groups,
        colors=group_colors(trace.groups),
        style=style,
        grid=grid,
        ghost_round=ghost_round,
        axis_titles=("x1", "x2") if two_d else ("PCA 1", "PCA 2"),
        limit=limit,
        animated=animated,
    )


def scores_figure(
    scores: np.ndarray,
    g_rows: np.ndarray,
    unlabeled: np.ndarray,
    *,
    groups: tuple[str, ...],
    colors: dict[str, str],
    style: Style = SCREEN,
    bins: int = 30,
    score_name: str = "score",
) -> Chart:
    """Distribution of the strategy's score per group among unlabelled rows.

    Parameters
    ----------
    scores : ndarray of float, shape (k,)
        The strategy's score of each sampled row (NaN when it has none).
    g_rows : ndarray of int, shape (k,)
        Group code of each sampled row.
    unlabeled : ndarray of bool, shape (k,)
        Rows still unlabelled at this round.
    groups : tuple of str
        Group names by code.
    colors : dict of str to str
        Group -> colour.
    style : Style
    bins : int
        Histogram bins over the scores' range.
    score_name : str
        The x axis title: what the score means.

    Returns
    -------
    Chart
        One step histogram per group, normalised to the group's own size
        (share of its rows per bin), so small groups stay visible.
    """
    traces = []
    ok = unlabeled & np.isfinite(scores)
    if ok.any():
        lo, hi = float(np.min(scores[ok])), float(np.max(scores[ok]))
        hi = hi if hi > lo else lo + 1e-9
        edges = np.linspace(lo, hi, bins + 1)
        centers = (edges[:-1] + edges[1:]) / 2
        for code, name in enumerate(groups):
            v = scores[ok & (g_rows == code)]
            if len(v) == 0:
                continue
            counts, _ = np.histogram(v, bins=edges)
            trace = line_trace(
                centers,
                counts / len(v),
                color=colors[name],
                width=style.line,
                dash=DASHES[code % len(DASHES)],
                name=f"{_t(name)} (median {np.median(v):.3g})",
                hovertemplate=f"{_t(name)}: %{{y:.0%}} of its unlabelled rows<extra></extra>",
            )
            trace["line"]["shape"] = "hvh"
            trace.update(fill="tozeroy", opacity=0.55)
            traces.append(trace)
    return figure(
        traces,
        style,
        title=SCORES_TITLE,
        xaxis=axis(score_name),
        yaxis=axis("share of the group's rows", tickformat=".0%", rangemode="tozero"),
    )
