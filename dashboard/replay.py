"""The whole run as ONE animated figure, played by plotly.js in the browser.

Play on the Explore page reruns a Streamlit fragment every tick: every tick
rebuilds and resends six charts, so each student who presses Play costs the
server about one core-tenth per tick, and a classroom of 30 saturates it
(``benchmarks/classroom.py``). Here the server builds one figure once, holding
every round as a plotly *frame*; plotly's own Play button and slider then
animate it with no request to the server at all. The design follows the
"precompute the trajectory and animate it client-side" advice in
shared/STREAMLIT-NOTES.md: the simulated annotator makes the run deterministic,
so nothing is lost by computing it ahead.

Four panels, sharing the group colours, symbols and dashes of the other charts:
the query ledger, per-group accuracy against truth (solid) and recorded labels
(dashed), the pool map with the queried rows, and each round's batch by group.
No streamlit here: tested as a plain function.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import charts as ch
from dashboard.safe import plotly_escape as _t

#: Frame durations (ms) for plotly's Play, matching the Explore page's speeds.
SPEED_MS = {"slow": 1500, "normal": 800, "fast": 350}
#: Background points of the map (drawn once; the queried rows are all drawn).
BACKGROUND_POINTS = 3_000


def _panels(presenter: bool) -> list[tuple[list[float], list[float]]]:
    """(x domain, y domain) of the four panels: a 2x2 grid, or one column on projectors."""
    if presenter:
        rows = ([0.81, 1.0], [0.54, 0.73], [0.27, 0.46], [0.0, 0.19])
        return [([0.0, 1.0], y) for y in rows]
    left, right, top, bottom = [0.0, 0.46], [0.56, 1.0], [0.60, 1.0], [0.0, 0.40]
    return [(left, top), (right, top), (left, bottom), (right, bottom)]


def _by_group(frame: pd.DataFrame, groups: tuple[str, ...], column: str) -> np.ndarray:
    """(n_groups, n_rounds) array of ``column``, rounds in order."""
    wide = frame.pivot(index="group", columns="round", values=column)
    return wide.reindex(list(groups)).to_numpy(dtype=float)


def _moving_part(trace: dict) -> dict:
    """What a frame must carry: the map's marker sizes, or a line's or bar's x and y."""
    if trace.get("xaxis") == "x3":
        return {"marker": {"size": trace["marker"]["size"]}}
    return {"x": trace["x"], "y": trace["y"]}


def replay_figure(trace, *, style: ch.Style | None = None, speed: str = "normal") -> ch.Chart:
    """Every round of ``trace`` as frames of one four-panel figure."""
    style = style or ch.Style()
    groups = trace.groups
    colors = ch.group_colors(groups)
    rounds = trace.frames["rounds"].sort_values("round")
    g = trace.frames["groups"]
    x_lab = rounds["n_labeled"].to_numpy(dtype=float)
    last = int(rounds["round"].max())
    share = _by_group(g, groups, "query_share_cum")
    pool = _by_group(g, groups, "pool_share")[:, 0]
    acc = _by_group(g, groups, "accuracy")
    acc_obs = _by_group(g, groups, "accuracy_observed")
    batch = _by_group(g, groups, "queried")
    xr = [float(x_lab.min()), float(x_lab.max())]
    pad = max(1.0, (xr[1] - xr[0]) * 0.02)
    xr = [xr[0] - pad, xr[1] + pad]

    # Static traces (never in a frame): pool-share references and the map's background.
    static: list[dict] = []
    for i, name in enumerate(groups):
        static.append(
            ch._line(
                xr,
                [pool[i], pool[i]],
                color=colors[name],
                width=style.line * 0.6,
                dash="dot",
                name=f"{_t(name)}: pool share",
                showlegend=False,
                hovertemplate=f"{_t(name)}: {pool[i]:.0%} of the pool<extra></extra>",
                xaxis="x",
                yaxis="y",
            )
        )
    xy = trace.xy
    keep = ch.map_sample(len(xy), trace.query_round, limit=BACKGROUND_POINTS)
    keep = keep[trace.query_round[keep] < 0]
    for i, name in enumerate(groups):
        rows = keep[trace.g_pool[keep] == i]
        static.append(
            {
                "type": "scattergl",
                "x": xy[rows, 0],
                "y": xy[rows, 1],
                "mode": "markers",
                "marker": {
                    "color": colors[name],
                    "size": style.marker * 0.6,
                    "opacity": 0.18,
                    "symbol": ch.SYMBOLS[i % len(ch.SYMBOLS)],
                },
                "name": f"{_t(name)}: not labelled",
                "showlegend": False,
                "hoverinfo": "skip",
                "xaxis": "x3",
                "yaxis": "y3",
            }
        )

    # Animated traces: rebuilt for every round r.
    queried = np.flatnonzero(trace.query_round >= 0)
    q_round = trace.query_round[queried]
    q_group = trace.g_pool[queried]
    qx, qy = xy[queried, 0], xy[queried, 1]
    big, small = style.marker * 1.9, style.marker * 1.1

    def animated(r: int) -> list[dict]:
        out: list[dict] = []
        upto = slice(1, r + 1)  # round 0 is the seed set: no queries yet
        for i, name in enumerate(groups):
            out.append(
                ch._line(
                    x_lab[upto],
                    share[i, upto],
                    color=colors[name],
                    width=style.line,
                    name=_t(name),
                    mode="lines+markers",
                    legendgroup=_t(name),
                    showlegend=False,  # the accuracy line carries it: it has a round 0
                    marker={"symbol": ch.SYMBOLS[i % len(ch.SYMBOLS)], "size": style.marker},
                    hovertemplate=f"{_t(name)}: %{{y:.0%}} of queries so far<extra></extra>",
                    xaxis="x",
                    yaxis="y",
                )
            )
        for i, name in enumerate(groups):
            for values, dash, what in ((acc, "solid", "truth"), (acc_obs, "dash", "recorded")):
                out.append(
                    ch._line(
                        x_lab[: r + 1],
                        values[i, : r + 1],
                        color=colors[name],
                        width=style.line,
                        dash=dash,
                        name=_t(name) if dash == "solid" else f"{_t(name)} vs {what}",
                        legendgroup=_t(name),
                        showlegend=dash == "solid",
                        mode="lines+markers" if dash == "solid" else "lines",
                        marker={"symbol": ch.SYMBOLS[i % len(ch.SYMBOLS)], "size": style.marker},
                        hovertemplate=f"{_t(name)}, vs {what} labels: %{{y:.1%}}<extra></extra>",
                        xaxis="x2",
                        yaxis="y2",
                    )
                )
        # Every queried row is in the trace from the start; a frame only sets the
        # sizes: 0 until the row's round, large in it, small after.
        for i, name in enumerate(groups):
            mine = q_group == i
            rr = q_round[mine]
            size = np.where(rr > r, 0.0, np.where(rr == r, big, small)).astype(np.float32)
            out.append(
                {
                    "type": "scatter",
                    "x": qx[mine],
                    "y": qy[mine],
                    "customdata": rr,
                    "mode": "markers",
                    "marker": {
                        "color": colors[name],
                        "symbol": ch.SYMBOLS[i % len(ch.SYMBOLS)],
                        "size": size,
                        "line": {"color": "#222", "width": 1},
                    },
                    "name": f"{_t(name)}: labelled",
                    "legendgroup": _t(name),
                    "showlegend": False,
                    "hovertemplate": f"{_t(name)}, labelled in round %{{customdata}}"
                    "<extra></extra>",
                    "xaxis": "x3",
                    "yaxis": "y3",
                }
            )
        for i, name in enumerate(groups):
            out.append(
                {
                    "type": "bar",
                    "x": x_lab[upto],
                    "y": batch[i, upto],
                    "marker": {
                        "color": colors[name],
                        "pattern": {"shape": ch.PATTERNS[i % len(ch.PATTERNS)]},
                    },
                    "name": _t(name),
                    "legendgroup": _t(name),
                    "showlegend": False,
                    "hovertemplate": f"{_t(name)}: %{{y}} rows<extra></extra>",
                    "xaxis": "x4",
                    "yaxis": "y4",
                }
            )
        return out

    moving = list(range(len(static), len(static) + len(animated(0))))
    # plotly.js merges a frame's traces into the drawn ones: send only what moves.
    frames = [
        {"name": str(r), "data": [_moving_part(t) for t in animated(r)], "traces": moving}
        for r in range(last + 1)
    ]
    presenter = style.font >= ch.Style.presenter().font
    (x1, y1), (x2, y2), (x3, y3), (x4, y4) = _panels(presenter)
    height = int(style.height * (3.8 if presenter else 2.1))
    gap = 5 * style.font + 10  # px from the plots down to Play/slider: clear of axis titles
    bottom = gap + 90
    below = -gap / (height - bottom - 30 - 3 * style.font)
    duration = SPEED_MS.get(speed, SPEED_MS["normal"])
    play = {
        "label": "▶ Play",
        "method": "animate",
        "args": [
            None,
            {
                "frame": {"duration": duration, "redraw": True},
                "transition": {"duration": 0},
                "fromcurrent": True,
                "mode": "immediate",
            },
        ],
    }
    pause = {
        "label": "❚❚ Pause",
        "method": "animate",
        "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}],
    }
    slider = {
        "active": 0,
        "x": 0.36 if presenter else 0.2,
        "len": 0.64 if presenter else 0.8,
        "y": below,
        "yanchor": "top",
        "currentvalue": {"prefix": "Round ", "font": {"size": style.font + 2}},
        "font": {"size": style.font},
        "pad": {"t": 10},
        "steps": [
            {
                "label": str(r),
                "method": "animate",
                "args": [
                    [str(r)],
                    {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"},
                ],
            }
            for r in range(last + 1)
        ],
    }
    bmax = float(np.nanmax(batch[:, 1:].sum(axis=0))) if last else 1.0
    two_d = trace.grid is not None
    titles = (
        ("Who gets labelled: share of queries (pool share dotted)", x1, y1),
        ("Accuracy: vs truth (solid), vs recorded labels (dashed)", x2, y2),
        ("The pool: labelled rows, the newest batch large", x3, y3),
        ("Each round's batch, by group", x4, y4),
    )
    annotations = [
        {
            "text": f"<b>{t}</b>",
            "xref": "paper",
            "yref": "paper",
            "x": dx[0],
            "y": dy[1] + 0.01,
            "xanchor": "left",
            "yanchor": "bottom",
            "showarrow": False,
            "font": {"size": style.font + 1},
        }
        for t, dx, dy in titles
    ]
    layout = {
        "xaxis2": ch.axis("rows labelled", range=xr, domain=x2, anchor="y2"),
        "yaxis2": ch.axis(
            "test accuracy", range=[0, 1.02], tickformat=".0%", domain=y2, anchor="x2"
        ),
        "xaxis3": ch.axis("x1" if two_d else "PCA 1", domain=x3, anchor="y3"),
        "yaxis3": ch.axis("x2" if two_d else "PCA 2", domain=y3, anchor="x3"),
        "xaxis4": ch.axis("rows labelled", range=xr, domain=x4, anchor="y4"),
        "yaxis4": ch.axis("rows queried", range=[0, bmax * 1.05], domain=y4, anchor="x4"),
        "barmode": "stack",
        "annotations": annotations,
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "x": 0.0,
                "y": below,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": 10, "r": 10},
                "showactive": False,
                "font": {"size": style.font},
                "buttons": [play, pause],
            }
        ],
        "sliders": [slider],
        "legend": {
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1.07,
            "yanchor": "bottom",
            "font": {"size": style.font},
        },
        "margin": {"l": 10, "r": 10, "t": 30 + 3 * style.font, "b": bottom},
        "height": height,
    }
    fig = ch.figure(
        static + animated(0),
        style,
        title="",
        xaxis=ch.axis("rows labelled", range=xr, domain=x1, anchor="y"),
        yaxis=ch.axis(
            "share of queries so far", range=[0, 1.02], tickformat=".0%", domain=y1, anchor="x"
        ),
        frames=frames,
        **layout,
    )
    return fig
