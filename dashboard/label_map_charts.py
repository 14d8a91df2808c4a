"""The pool map by true label: label bias made visible (crosses where the record differs).

Draws the same rows as :func:`dashboard.pool_charts.map_figure`; visitor text
passes ``plotly_escape``.
"""

from __future__ import annotations

import numpy as np

from dashboard.figures import (
    SCREEN,
    SYMBOLS,
    Chart,
    Style,
    axis,
    figure,
)
from dashboard.pool_charts import MAX_MAP_POINTS, map_sample
from dashboard.safe import plotly_escape as _t

LABEL_MAP_TITLE = "Pool map: true labels (x: recorded label differs)"
#: True label -> colour on the label map (Okabe & Ito sky blue and orange).
LABEL_COLORS = ("#56B4E9", "#E69F00")


def label_map_figure(
    xy: np.ndarray,
    g_pool: np.ndarray,
    y_pool: np.ndarray,
    y_pool_obs: np.ndarray,
    query_round: np.ndarray,
    r: int,
    *,
    groups: tuple[str, ...],
    style: Style = SCREEN,
    axis_titles: tuple[str, str] = ("x1", "x2"),
    limit: int = MAX_MAP_POINTS,
) -> Chart:
    """The pool in 2D coloured by true label, with a cross on every row whose recorded label differs.

    Draws the same rows as ``map_figure`` (``map_sample``): label bias made
    visible as crosses where the recorded label is not the truth.

    Parameters
    ----------
    xy : ndarray, shape (n_pool, 2)
        Each row's position.
    g_pool : ndarray of int, shape (n_pool,)
        Group codes, indexing ``groups``; the marker symbol.
    y_pool : ndarray of int, shape (n_pool,)
        True labels (0 or 1); the colour.
    y_pool_obs : ndarray of int, shape (n_pool,)
        Recorded labels.
    query_round : ndarray of int, shape (n_pool,)
        The round each row was labelled in, -1 for never: rows labelled up
        to ``r`` are solid, the rest faded.
    r : int
        The round shown.
    groups : tuple of str
        Group names by code.
    style : Style
    axis_titles : (str, str)
    limit : int
        At most this many rows drawn (see ``map_sample``).

    Returns
    -------
    Chart
        Per true label two traces (not yet labelled, faded; labelled), then
        one trace of crosses on the drawn rows whose recorded label differs
        from the truth.

    Examples
    --------
    >>> xy = np.arange(8, dtype=np.float32).reshape(4, 2)
    >>> fig = label_map_figure(xy, np.array([0, 0, 1, 1]), np.array([0, 1, 1, 0]),
    ...     np.array([0, 0, 1, 0]), np.array([0, -1, 1, -1]), 1, groups=("a", "b"))
    >>> [(t.name, len(t.x)) for t in fig.data][-1]
    ('recorded label differs', 1)
    """
    rows = map_sample(len(xy), query_round, limit=limit)
    qr = query_round[rows]
    labelled = (qr >= 0) & (qr <= r)
    y = y_pool[rows]
    names = np.array([_t(g) for g in groups], dtype=object)
    symbols = np.array([SYMBOLS[c % len(SYMBOLS)] for c in range(len(groups))], dtype=object)
    traces: list[dict] = []
    for label, color in enumerate(LABEL_COLORS):
        for solid in (False, True):
            sel = rows[(y == label) & (labelled == solid)]
            traces.append(
                {
                    "type": "scattergl",
                    "x": xy[sel, 0],
                    "y": xy[sel, 1],
                    "mode": "markers",
                    "marker": {
                        "color": color,
                        "size": style.marker * (1.3 if solid else 0.8),
                        "opacity": 1.0 if solid else 0.3,
                        "symbol": symbols[g_pool[sel]],
                    },
                    "text": names[g_pool[sel]],
                    "name": f"true label {label}" + ("" if solid else ": not labelled yet"),
                    "legendgroup": f"label{label}",
                    "showlegend": solid,
                    "hovertemplate": (
                        f"%{{text}}<br>true label {label}"
                        + ("" if solid else ", not labelled yet")
                        + "<extra></extra>"
                    ),
                }
            )
    differ = rows[y_pool[rows] != y_pool_obs[rows]]
    traces.append(
        {
            "type": "scattergl",
            "x": xy[differ, 0],
            "y": xy[differ, 1],
            "mode": "markers",
            "marker": {
                "color": "#111111",
                "size": style.marker * 1.4,
                "symbol": "x-thin-open",
                "line": {"width": 1.5, "color": "#111111"},
            },
            "text": names[g_pool[differ]],
            "customdata": np.column_stack([y_pool[differ], y_pool_obs[differ]]),
            "name": "recorded label differs",
            "hovertemplate": (
                "%{text}<br>true label %{customdata[0]}, recorded %{customdata[1]}<extra></extra>"
            ),
        }
    )
    return figure(
        traces,
        style,
        title=LABEL_MAP_TITLE,
        xaxis=axis(axis_titles[0]),
        yaxis=axis(axis_titles[1]),
    )


def trace_label_map_figure(
    trace: object, r: int, *, style: Style = SCREEN, limit: int = MAX_MAP_POINTS
) -> Chart:
    """``label_map_figure`` for a ``RunTrace`` at round ``r``.

    Parameters
    ----------
    trace : RunTrace
        Reads ``xy``, ``g_pool``, ``y_pool``, ``y_pool_obs``, ``query_round``,
        ``groups`` and ``grid`` (only whether there is one: the axis titles).
    r : int
        The round shown.
    style, limit
        As for ``label_map_figure``.

    Returns
    -------
    Chart
    """
    return label_map_figure(
        trace.xy,
        trace.g_pool,
        trace.y_pool,
        trace.y_pool_obs,
        trace.query_round,
        r,
        groups=trace.groups,
        style=style,
        axis_titles=("x1", "x2") if trace.grid is not None else ("PCA 1", "PCA 2"),
        limit=limit,
    )
