"""Classroom mode: the whole run as one animated figure, played by plotly.js in the browser.

Play on Explore reruns a Streamlit fragment every round for every viewer.
Here the server builds one figure once, holding every round as a plotly
*frame*; plotly's own Play button and slider then animate it with no request
to the server. The simulated annotator makes the run deterministic, so
nothing is lost by computing it ahead.

The panels are the chart list's classroom charts
(``chart_list.classroom_panels``), each built for every round by the builder
Explore uses, with ``RoundView.animated`` set. A trace that is the same in
every round is sent once; a frame carries only the parts of the other traces
that change. No streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from dashboard.chart_list import ChartEntry, RoundView, classroom_panels
from dashboard.figure_fit import legend_row_px, legend_rows, wrap_title
from dashboard.figures import Chart, Style, axis, figure
from dashboard.safe import plotly_escape as _t

#: Frame durations (ms) for plotly's Play, matching the Explore page's speeds.
SPEED_MS = {"slow": 1500, "normal": 800, "fast": 350}
#: Faded rows of the map (drawn once; the labelled rows are all drawn).
BACKGROUND_POINTS = 3_000
#: Layout keys of a panel that apply to the whole figure.
SHARED_LAYOUT = ("barmode", "bargap")

MSG_PANEL = (
    "classroom panel '{key}': round {r} has {n} traces, round 0 has {first}; "
    "an animated builder must draw the same traces every round"
)


def _domains(n: int, presenter: bool) -> list[tuple[list[float], list[float]]]:
    """(x domain, y domain) of ``n`` panels: two per row, or one per row on projectors."""
    cols = 1 if presenter else 2
    rows = math.ceil(n / cols)
    gap = 0.08 if presenter else 0.2
    height = (1.0 - gap * (rows - 1)) / rows
    xs = ([0.0, 1.0],) if presenter else ([0.0, 0.46], [0.56, 1.0])
    out = []
    for k in range(n):
        top = 1.0 - (k // cols) * (height + gap)
        out.append((list(xs[k % cols]), [round(max(top - height, 0.0), 4), round(top, 4)]))
    return out


def _same(a: object, b: object) -> bool:
    """Whether two trace values are equal (arrays element-wise, NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc"))
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a is b or a == b


def _changes(versions: Sequence[dict]) -> dict:
    """The keys whose values differ between versions of one trace, as a nested tree.

    Examples
    --------
    >>> _changes([{"x": [1], "marker": {"size": 1, "color": "r"}},
    ...           {"x": [1], "marker": {"size": 2, "color": "r"}}])
    {'marker': {'size': True}}
    """
    out: dict = {}
    for key in dict.fromkeys(k for v in versions for k in v):
        values = [v.get(key) for v in versions]
        if all(isinstance(x, dict) for x in values):
            sub = _changes(values)
            if sub:
                out[key] = sub
        elif not all(_same(values[0], x) for x in values[1:]):
            out[key] = True
    return out


def _pick(trace: dict, tree: dict) -> dict:
    """The parts of ``trace`` named by ``tree`` (see ``_changes``)."""
    return {
        k: trace.get(k) if sub is True else _pick(trace.get(k, {}), sub) for k, sub in tree.items()
    }


def _one_legend_entry_per_group(data: list[dict], groups: Sequence[str]) -> None:
    """Show each group once in the legend, on its first trace drawn before Play.

    plotly hides the legend entry of a trace with no points, so the entry
    goes on the first trace of the group that has points at round 0 and
    markers; it is named after the group.
    """
    for t in data:
        t["showlegend"] = False
    for group in groups:
        mine = [t for t in data if t.get("legendgroup") == group]
        drawn = [t for t in mine if len(t.get("x", ())) and "markers" in t.get("mode", "")]
        carrier = (drawn or mine or [None])[0]
        if carrier is not None:
            carrier.update(showlegend=True, name=group)


def _controls(style: Style, last: int, speed: str, below: float) -> dict:
    """Play/Pause buttons and the round slider, ``below`` the plots (paper units)."""
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
    presenter = style.projector
    slider = {
        "active": 0,
        "x": 0.36 if presenter else 0.25,
        "len": 0.64 if presenter else 0.75,
        "y": below,
        "yanchor": "top",
        "currentvalue": {"prefix": "Round ", "font": {"size": style.font + 2}},
        "font": {"size": style.font},
        "pad": {"t": 10},
        "steps": [
            {
                "label": str(r),
                "method": "animate",
                "args": [[str(r)], {"frame": {"duration": 0, "redraw": True}, "mode": "immediate"}],
            }
            for r in range(last + 1)
        ],
    }
    buttons = {
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
    return {"updatemenus": [buttons], "sliders": [slider]}


def replay_figure(
    trace: object,
    *,
    style: Style | None = None,
    speed: str = "normal",
    panels: Sequence[ChartEntry] | None = None,
) -> Chart:
    """Every round of ``trace`` as frames of one figure, a panel per classroom chart.

    Parameters
    ----------
    trace : RunTrace
        The finished run.
    style : Style, optional
        Sizes; presenter sizes put one panel per row.
    speed : {"slow", "normal", "fast"}
        Play's pace (see ``SPEED_MS``).
    panels : sequence of ChartEntry, optional
        The charts drawn; by default ``chart_list.classroom_panels()``.

    Returns
    -------
    Chart
        One frame per round, named ``"0" .. "<last round>"``; Play/Pause
        buttons and a round slider under the plots; one legend entry per group.
    """
    style = style or Style()
    entries = list(panels) if panels is not None else classroom_panels()
    last = int(trace.frames["rounds"]["round"].max())
    views = [
        RoundView(trace, r, style=style, limit=BACKGROUND_POINTS, animated=True)
        for r in range(last + 1)
    ]
    presenter = style.projector
    domains = _domains(len(entries), presenter)
    data: list[dict] = []
    moving: list[int] = []
    frame_data: list[list[dict]] = [[] for _ in views]
    layout: dict = {}
    titles: list[tuple[str, int, list[float], list[float]]] = []
    for k, (entry, (dx, dy)) in enumerate(zip(entries, domains, strict=False), start=1):
        specs = [entry.build(v).spec for v in views]
        n = "" if k == 1 else str(k)
        first = specs[0]
        layout[f"xaxis{n}"] = dict(first["layout"]["xaxis"], domain=dx, anchor=f"y{n}")
        layout[f"yaxis{n}"] = dict(first["layout"]["yaxis"], domain=dy, anchor=f"x{n}")
        layout.update(
            {key: first["layout"][key] for key in SHARED_LAYOUT if key in first["layout"]}
        )
        text, lines = wrap_title(entry.title, 56 if presenter else 40)
        titles.append((text, lines, dx, dy))
        for r, spec in enumerate(specs):
            if len(spec["data"]) != len(first["data"]):
                raise ValueError(
                    MSG_PANEL.format(
                        key=entry.key, r=r, n=len(spec["data"]), first=len(first["data"])
                    )
                )
        for i, base in enumerate(first["data"]):
            versions = [spec["data"][i] for spec in specs]
            changes = _changes(versions)
            data.append(dict(base, xaxis=f"x{n}", yaxis=f"y{n}"))
            if changes:
                moving.append(len(data) - 1)
                for r, version in enumerate(versions):
                    frame_data[r].append(_pick(version, changes))
    _one_legend_entry_per_group(data, [_t(g) for g in trace.groups])

    rows = math.ceil(len(entries) / (1 if presenter else 2))
    line_px = round(1.35 * (style.font + 1))
    top_lines = max((lines for _, lines, _, dy in titles if dy[1] == 1.0), default=1)
    # Titles, then the legend's rows (many groups wrap it onto several).
    more = (legend_rows([_t(g) for g in trace.groups], style, "full") - 1) * legend_row_px(style)
    top = line_px * top_lines + 2 * style.font + 20 + more
    gap = 5 * style.font + 10  # px from the plots down to Play/slider: clear of axis titles
    bottom = gap + 90
    height = (
        int(style.height * (0.95 * rows if presenter else 0.1 + rows))
        + line_px * (top_lines - 1)
        + more
    )
    plots = height - top - bottom
    annotations = [
        {
            "text": f"<b>{text}</b>",
            "xref": "paper",
            "yref": "paper",
            "x": dx[0],
            "y": dy[1] + 4 / plots,
            "xanchor": "left",
            "yanchor": "bottom",
            "align": "left",
            "showarrow": False,
            "font": {"size": style.font + 1},
        }
        for text, _, dx, dy in titles
    ]
    layout.update(_controls(style, last, speed, -gap / plots))
    layout.update(
        annotations=annotations,
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1.0 + (line_px * top_lines + 10) / plots,
            "yanchor": "bottom",
            "font": {"size": style.font},
        },
        margin={"l": 10, "r": 10, "t": top, "b": bottom},
        height=height,
    )
    xaxis = layout.pop("xaxis", axis(""))
    yaxis = layout.pop("yaxis", axis(""))
    frames = [{"name": str(r), "data": frame_data[r], "traces": moving} for r in range(last + 1)]
    return figure(data, style, title="", xaxis=xaxis, yaxis=yaxis, frames=frames, **layout)
