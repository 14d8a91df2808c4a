"""Pure functions from tidy record frames (and a ``RunTrace``) to plotly figures.

No streamlit here, so every builder is tested as a plain function. Figures use
``plotly.graph_objects`` (much cheaper than ``plotly.express`` per call) and
fixed axis ranges, so stepping through rounds never makes the axes jump.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.safe import plotly_escape as _t  # every data string in a figure passes it

#: Okabe & Ito (2008) colour-blind-safe palette, then Tol's "safe" colours.
PALETTE = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#882255",
    "#44AA99",
    "#999933",
    "#661100",
    "#6699CC",
)
GHOST = "#9A9A9A"
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
STRATEGY_DASHES = ("solid", "dash", "dot", "dashdot")
MAX_MAP_POINTS = 20_000
#: While Play runs, the map redraws every tick for every viewer: keep it light.
PLAY_MAP_POINTS = 4_000


@dataclass(frozen=True)
class Style:
    """Sizes for screens (default) or projectors (``presenter()``)."""

    font: int = 14
    line: float = 2.5
    marker: float = 6.0
    height: int = 420

    @classmethod
    def presenter(cls) -> Style:
        return cls(font=22, line=5.0, marker=10.0, height=560)


def group_colors(groups: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Fixed group -> colour map: the i-th group (largest first) gets the i-th colour."""
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}


def axis(title: str, **extra: object) -> dict:
    """A plain axis: light grid, no zero line, readable title."""
    out = {
        "title": {"text": title},
        "showgrid": True,
        "gridcolor": "#e3e3e3",
        "zeroline": False,
        "linecolor": "#888",
        "showline": True,
        "automargin": True,
    }
    out.update(extra)
    return out


#: No plotly template: ours sets every colour and font it uses, and the default
#: template would add ~6.5 kB to every figure sent (65% of a line chart's JSON).
TEMPLATE: dict = {}
#: Legends sit under the plot, left-aligned, in a row.
FIGURE_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0.0, "xanchor": "left"}


def figure(
    traces: list[dict],
    style: Style,
    *,
    title: str,
    xaxis: dict,
    yaxis: dict,
    frames: list[dict] | None = None,
    headroom: int = 0,
    **layout: object,
) -> Chart:
    """Assemble a figure from plain dicts, written against plotly.js's schema.

    ``headroom`` pixels are added between the title and the plots (for two-line
    panel titles); the title is then pinned to the figure's top edge.
    """
    title_spec: dict = {
        "text": title,
        "x": 0.0,
        "xanchor": "left",
        "font": {"size": style.font + 4},
    }
    if headroom:
        title_spec.update(yref="container", y=1.0, yanchor="top", pad={"t": 6})
    base = {
        "template": TEMPLATE,
        "title": title_spec,
        "font": {"size": style.font, "family": "Arial, Helvetica, sans-serif", "color": "#222"},
        "height": style.height + headroom,
        "margin": {"l": 10, "r": 10, "t": 40 + style.font + headroom, "b": 10},
        "legend": dict(FIGURE_LEGEND, font={"size": style.font}),
        "hovermode": "closest",
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "xaxis": xaxis,
        "yaxis": yaxis,
    }
    base.update(layout)
    return Chart(traces, base, frames)


def copy_containers(obj: object) -> object:
    """A copy of the dicts and lists in ``obj``; arrays and scalars are shared."""
    if isinstance(obj, dict):
        return {k: copy_containers(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [copy_containers(v) for v in obj]
    return obj


#: numpy dtype -> plotly.js typed-array code (plotly.js has no 64-bit integers).
_TYPED = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}
_NOT_TYPED = frozenset({"range", "geojson", "layer", "layers"})


def _typed(a: np.ndarray) -> object:
    """A numeric array as plotly.js's typed-array spec, as plotly.py sends it."""
    if a.size == 0:
        return a.tolist()
    if a.dtype.kind in "iu" and a.dtype.itemsize == 8:
        lo, hi = int(a.min()), int(a.max())
        small = next(
            (
                t
                for t in ("int8", "int16", "int32")
                if np.iinfo(t).min <= lo and hi <= np.iinfo(t).max
            ),
            None,
        )
        if small is None:
            return a.tolist()
        a = a.astype(small)
    code = _TYPED.get(a.dtype.name)
    if code is None:
        return a.tolist()
    out = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(a)).decode("ascii")}
    if a.ndim > 1:
        out["shape"] = ", ".join(str(n) for n in a.shape)
    return out


def _encoded(obj: object, key: str = "") -> object:
    """A copy of ``obj`` ready to send: numeric arrays become typed arrays.

    Does what plotly's ``convert_to_base64`` does, without its per-value
    dataframe-library checks (half of a chart's sending time here).
    """
    if isinstance(obj, dict):
        return {k: _encoded(v, k) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_encoded(v) for v in obj]
    if isinstance(obj, pd.Series | pd.Index):
        obj = obj.to_numpy()
    if isinstance(obj, np.ndarray):
        return obj.tolist() if key in _NOT_TYPED else _typed(obj)
    return obj


def _decoded(obj: object) -> object:
    """The inverse of ``_encoded``: typed arrays back to numpy (for checking)."""
    if isinstance(obj, dict):
        if "bdata" in obj and obj.keys() <= {"dtype", "bdata", "shape"}:
            dtype = next(name for name, code in _TYPED.items() if code == obj["dtype"])
            a = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=dtype)
            if "shape" in obj:
                a = a.reshape(tuple(int(n) for n in obj["shape"].split(",")))
            return a
        return {k: _decoded(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_decoded(v) for v in obj]
    return obj


class Chart(go.Figure):
    """A finished figure kept as plain dicts, sent without plotly's object model.

    Every Play tick draws six figures for every viewer. ``go.Figure`` costs
    1-4 ms per figure even unvalidated (property objects, template copies), and
    Streamlit's ``to_dict()`` walks and copies it again; with frames, plotly
    validates each one (about 1 s for a 30-round run). Streamlit only needs
    ``to_dict()`` from a ``BaseFigure``, so that is all this provides on the hot
    path. ``data``, ``layout`` and ``frames`` build a fully *validated*
    ``go.Figure`` on first use, so tests check every dict against plotly's schema.
    """

    def __init__(  # noqa: D107 -- go.Figure.__init__ is skipped on purpose
        self, traces: list[dict], layout: dict, frames: list[dict] | None = None
    ) -> None:
        self._spec = {"data": traces, "layout": layout}
        if frames is not None:
            self._spec["frames"] = frames
        self._checked: go.Figure | None = None
        self._ready = False  # True: the spec is already encoded (see ``sent``)

    def to_dict(self) -> dict:
        if self._ready:
            return copy_containers(self._spec)
        return _encoded(self._spec)

    @classmethod
    def sent(cls, encoded: dict) -> Chart:
        """A Chart from an earlier ``to_dict()`` (e.g. one shared by a cache).

        ``to_dict()`` hands out fresh containers each time, so whoever
        receives it cannot change ``encoded``.
        """
        chart = cls(encoded["data"], encoded["layout"], encoded.get("frames"))
        chart._ready = True
        return chart

    def to_plotly_json(self) -> dict:
        return self.to_dict()

    def __repr__(self) -> str:
        title = self._spec["layout"].get("title", {}).get("text", "")
        return f"Chart({title!r}, {len(self._spec['data'])} traces)"

    def checked(self) -> Chart:
        """The same figure through plotly's validation (raises on a schema error)."""
        if self._checked is None:
            self._checked = go.Figure(_decoded(self._spec))
        return self._checked

    @property
    def data(self):  # noqa: ANN201 -- plotly's tuple of traces
        return self.checked().data

    @property
    def layout(self):  # noqa: ANN201
        return self.checked().layout

    @property
    def frames(self):  # noqa: ANN201
        return self.checked().frames


def _cols(frame: pd.DataFrame, r: int, *names: str) -> dict[str, np.ndarray]:
    """Numpy columns of a small record frame, rows up to round ``r``.

    A Play tick draws these charts for every viewer; a pandas boolean filter
    costs ~0.5 ms each on these tiny frames (dozens per tick), a numpy mask a
    few microseconds.
    """
    keep = frame["round"].to_numpy() <= r
    out = {}
    for name in names:
        col = frame[name]
        arr = col.to_numpy(dtype=object) if name == "group" else col.to_numpy()
        out[name] = arr[keep]
    return out


def _budget_range(rounds: pd.DataFrame) -> list[float]:
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


def _line(x, y, *, color: str, width: float, dash: str = "solid", name: str, **kw: object) -> dict:
    return {
        "type": "scatter",
        "x": np.asarray(x),
        "y": np.asarray(y, dtype=float),
        "mode": kw.pop("mode", "lines"),
        "line": {"color": color, "width": width, "dash": dash},
        "name": name,
        **kw,
    }


def ledger_figure(
    groups: pd.DataFrame,
    rounds: pd.DataFrame,
    r: int,
    *,
    colors: dict[str, str],
    style: Style = Style(),
    ghost: pd.DataFrame | None = None,
) -> Chart:
    """Each group's cumulative share of queries (solid) against its pool share (dotted).

    ``ghost``: the same frame from a ``random`` run, drawn in grey.
    """
    traces: list[dict] = []
    g = _cols(groups, r, "round", "group", "pool_share", "query_share_cum")
    gx = _n_labeled(g["round"], rounds)
    gh = _cols(ghost, r, "round", "group", "query_share_cum") if ghost is not None else None
    xr = _budget_range(rounds)
    for i, name in enumerate(colors):
        mine = g["group"] == name
        if not mine.any():
            continue
        color = colors[name]
        share = float(g["pool_share"][mine][0])
        traces.append(
            _line(
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
                _line(
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
            _line(
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
        title="Who gets labelled: share of queries vs pool share (dotted)",
        xaxis=axis("rows labelled", range=xr),
        yaxis=axis("share of queries so far", range=[0, 1.02], tickformat=".0%"),
    )


PATTERNS = ("", "/", ".", "x", "-", "|", "+", "\\")


def composition_figure(
    groups: pd.DataFrame,
    rounds: pd.DataFrame,
    r: int,
    *,
    colors: dict[str, str],
    style: Style = Style(),
) -> Chart:
    """Stacked bars: how many rows of each group each round queried."""
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
        title="Each round's batch, by group",
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
    style: Style = Style(),
) -> Chart:
    """Per-group test accuracy against the truth (solid) and the recorded labels (dashed)."""
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
                _line(
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
        title="Accuracy: vs truth (solid), vs recorded labels (dashed)",
        xaxis=axis("rows labelled", range=_budget_range(rounds)),
        yaxis=axis("test accuracy", range=[0, 1.02], tickformat=".0%"),
    )


FAIRNESS_SERIES = (
    ("worst_group_accuracy", "worst-group accuracy", "#000000", "solid"),
    ("dp_difference", "demographic parity gap", "#0072B2", "dash"),
    ("eo_difference", "equalized odds gap", "#D55E00", "dot"),
    ("pp_difference", "predictive parity gap", "#009E73", "dashdot"),
)


def fairness_figure(rounds: pd.DataFrame, r: int, *, style: Style = Style()) -> Chart:
    """Worst-group accuracy and the three gaps (measured against the truth)."""
    part = _cols(rounds, r, "n_labeled", *(col for col, *_ in FAIRNESS_SERIES))
    traces = [
        _line(
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
        title="Fairness gaps (lower = fairer), worst-group accuracy",
        xaxis=axis("rows labelled", range=_budget_range(rounds)),
        yaxis=axis("value (0 to 1)", range=[0, 1.02]),
    )


def map_drawn(n_pool: int, query_round: np.ndarray, *, limit: int = MAX_MAP_POINTS) -> int:
    """How many rows ``map_sample`` draws, without drawing the sample."""
    return min(n_pool, max(limit, int((query_round >= 0).sum())))


def map_sample(n_pool: int, query_round: np.ndarray, *, limit: int = MAX_MAP_POINTS) -> np.ndarray:
    """Rows to draw: every labelled row, plus a fixed sample of the rest up to ``limit``."""
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
    style: Style = Style(),
    grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ghost_round: np.ndarray | None = None,
    axis_titles: tuple[str, str] = ("x1", "x2"),
    limit: int = MAX_MAP_POINTS,
) -> Chart:
    """The pool in 2D: not-yet-queried rows faded, queried rows solid with their round.

    ``grid`` = (xs, ys, proba (ny, nx)) draws the model's decision boundary.
    ``ghost_round`` marks what ``random`` would have queried, in grey.
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
    for code, name in enumerate(groups):
        sel = rows[(g_pool[rows] == code) & ((qr < 0) | (qr > r))]
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
    for code, name in enumerate(groups):
        sel = np.flatnonzero((g_pool == code) & (query_round >= 0) & (query_round <= r))
        latest = (query_round[sel] == r) & (r > 0)
        traces.append(
            {
                "type": "scattergl",
                "x": xy[sel, 0],
                "y": xy[sel, 1],
                "mode": "markers",
                "marker": {
                    "color": colors[name],
                    "size": np.where(latest, style.marker * 2.2, style.marker * 1.3),
                    "symbol": SYMBOLS[code % len(SYMBOLS)],
                    "line": {"color": "#111", "width": np.where(latest, 2.0, 0.6)},
                },
                "text": query_round[sel],
                "name": f"{_t(name)}: labelled",
                "legendgroup": _t(name),
                "hovertemplate": f"{_t(name)}<br>labelled in round %{{text}} (0 = seed set)<extra></extra>",
            }
        )
    return figure(
        traces,
        style,
        title="The pool: labelled rows solid, big = this round",
        xaxis=axis(axis_titles[0]),
        yaxis=axis(axis_titles[1]),
    )


def scores_figure(
    scores: np.ndarray,
    g_rows: np.ndarray,
    unlabeled: np.ndarray,
    *,
    groups: tuple[str, ...],
    colors: dict[str, str],
    style: Style = Style(),
    bins: int = 30,
    score_name: str = "score",
) -> Chart:
    """Distribution of the strategy's score per group among unlabelled rows.

    Each group's histogram is normalised to its own size (share of the
    group's rows per bin), so small groups stay visible.
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
            trace = _line(
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
        title="Why these rows: strategy score, unlabelled rows",
        xaxis=axis(score_name),
        yaxis=axis("share of the group's rows", tickformat=".0%", rangemode="tozero"),
    )


def _band(agg: pd.DataFrame, color: str, *, opacity: float, **extra: object) -> list[dict]:
    """A min..max band over seeds (nothing when every seed agrees)."""
    if not (agg["min"] != agg["max"]).any():
        return []
    x = agg["n_labeled"].to_numpy()
    return [
        {
            "type": "scatter",
            "x": np.concatenate([x, x[::-1]]),
            "y": np.concatenate([agg["max"].to_numpy(), agg["min"].to_numpy()[::-1]]),
            "fill": "toself",
            "fillcolor": color,
            "opacity": opacity,
            "line": {"width": 0},
            "hoverinfo": "skip",
            "showlegend": False,
            **extra,
        }
    ]


def trace_map_figure(
    trace: object,
    r: int,
    *,
    style: Style = Style(),
    ghost_round: np.ndarray | None = None,
    limit: int = MAX_MAP_POINTS,
) -> Chart:
    """``map_figure`` for a ``RunTrace`` at round ``r`` (boundary on 2D data)."""
    two_d = trace.grid is not None
    grid = (trace.grid[0], trace.grid[1], trace.grid[2][r]) if two_d else None
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
    )


def compare_lines_figure(
    frames: dict[str, pd.DataFrame],
    column: str,
    *,
    colors: dict[str, str],
    style: Style = Style(),
    title: str,
    y_title: str,
    reference: str | None = None,
    percent: bool = True,
) -> Chart:
    """One panel per strategy; a line (mean over seeds, band = min..max) per group.

    ``frames`` maps a strategy label to a groups frame with ``n_labeled`` (and
    several seeds, if any). ``reference`` draws a dotted per-group line (e.g.
    ``pool_share``). A panel labelled ``random`` also appears in every other
    panel as a grey ghost.
    """
    names = list(frames)
    n = len(names)
    gap = 0.03
    width = (1.0 - gap * (n - 1)) / n
    layout: dict = {"annotations": []}
    traces: list[dict] = []
    ghost = frames.get("random")
    for k, label in enumerate(names):
        xa, ya = ("x", "y") if k == 0 else (f"x{k + 1}", f"y{k + 1}")
        lo = k * (width + gap)
        layout[f"xaxis{'' if k == 0 else k + 1}"] = axis("rows labelled", domain=[lo, lo + width])
        yax = axis(
            y_title if k == 0 else "",
            range=[0, 1.02],
            tickformat=".0%" if percent else None,
            matches="y" if k else None,
            showticklabels=k == 0,
        )
        layout[f"yaxis{'' if k == 0 else k + 1}"] = yax
        layout["annotations"].append(
            {
                "text": f"<b>{panel_title(label, n)}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": lo + width / 2,
                "y": 1.0,
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": style.font + 2},
            }
        )
        frame = frames[label]
        for i, name in enumerate(colors):
            part = frame[frame["group"] == name]
            if column == "query_share_cum":
                part = part[part["round"] > 0]
            if part.empty:
                continue
            agg = part.groupby("n_labeled")[column].agg(["mean", "min", "max"]).reset_index()
            c = colors[name]
            common = {"xaxis": xa, "yaxis": ya, "legendgroup": _t(name)}
            if ghost is not None and label != "random":
                gp = ghost[ghost["group"] == name]
                if column == "query_share_cum":
                    gp = gp[gp["round"] > 0]
                gm = gp.groupby("n_labeled")[column].mean().reset_index()
                traces.append(
                    _line(
                        gm["n_labeled"],
                        gm[column],
                        color=GHOST,
                        width=style.line * 0.8,
                        dash=DASHES[i % len(DASHES)],
                        name=f"random: {_t(name)}",
                        showlegend=k == 1,
                        xaxis=xa,
                        yaxis=ya,
                        legendgroup="ghost",
                        hovertemplate=f"random, {_t(name)}: %{{y:.2f}}<extra></extra>",
                    )
                )
            traces += _band(agg, c, opacity=0.18, **common)
            if reference is not None:
                ref = float(part[reference].mean())
                traces.append(
                    _line(
                        [agg["n_labeled"].min(), agg["n_labeled"].max()],
                        [ref, ref],
                        color=c,
                        width=style.line * 0.6,
                        dash="dot",
                        name=f"{_t(name)}: {reference}",
                        showlegend=False,
                        hoverinfo="skip",
                        **common,
                    )
                )
            traces.append(
                _line(
                    agg["n_labeled"],
                    agg["mean"],
                    color=c,
                    width=style.line,
                    name=_t(name),
                    showlegend=k == 0,
                    hovertemplate=f"{_t(label)}, {_t(name)}: %{{y:.2f}}<br>%{{x}} labelled<extra></extra>",
                    **common,
                )
            )
    xaxis = layout.pop("xaxis")
    yaxis = layout.pop("yaxis")
    two_lines = any("<br>" in a["text"] for a in layout["annotations"])
    return figure(
        traces,
        style,
        title=title,
        xaxis=xaxis,
        yaxis=yaxis,
        headroom=style.font + 6 if two_lines else 0,  # the title must not sit on them
        **layout,
    )


def panel_title(label: str, panels: int) -> str:
    """A facet's title; with three or more panels a long name breaks at its middle
    underscore ("least_confidence" and "fair_uncertainty" ran into each other on
    a 1280-pixel projector in presenter mode)."""
    text = _t(label)
    cuts = [i for i, c in enumerate(text) if c == "_"]
    if panels < 3 or len(text) <= 12 or not cuts:
        return text
    cut = min(cuts, key=lambda i: abs(i - len(text) / 2))
    return text[: cut + 1] + "<br>" + text[cut + 1 :]


STRATEGY_COLORS = ("#000000", "#4D4D4D", "#2F4F4F", "#6B6B6B")
# Open markers: filled ones mean groups on the other charts; shape tells the
# strategies apart where their greys and dashes do not (a projector washes greys out).
STRATEGY_SYMBOLS = ("circle-open", "square-open", "diamond-open", "triangle-up-open")


def strategy_lines_figure(
    frames: dict[str, pd.DataFrame],
    column: str,
    *,
    style: Style = Style(),
    title: str,
    y_title: str,
) -> Chart:
    """One line per strategy (mean over seeds, band = min..max); ``random`` is grey."""
    traces: list[dict] = []
    others = [label for label in frames if label != "random"]
    for k, (label, frame) in enumerate(frames.items()):
        agg = frame.groupby("n_labeled")[column].agg(["mean", "min", "max"]).reset_index()
        j = others.index(label) if label in others else -1
        color = GHOST if j < 0 else STRATEGY_COLORS[j % len(STRATEGY_COLORS)]
        traces += _band(agg, color, opacity=0.15, legendgroup=_t(label))
        traces.append(
            _line(
                agg["n_labeled"],
                agg["mean"],
                color=color,
                width=style.line,
                dash=STRATEGY_DASHES[k % len(STRATEGY_DASHES)],
                name=_t(label),
                legendgroup=_t(label),
                mode="lines+markers",
                marker={
                    "symbol": STRATEGY_SYMBOLS[k % len(STRATEGY_SYMBOLS)],
                    "size": style.marker,
                    "color": color,
                    "line": {"width": max(1.5, style.line / 2), "color": color},
                },
                hovertemplate=f"{_t(label)}: %{{y:.3f}}<br>%{{x}} labelled<extra></extra>",
            )
        )
    return figure(
        traces,
        style,
        title=title,
        xaxis=axis("rows labelled"),
        yaxis=axis(y_title, range=[0, 1.02]),
    )
