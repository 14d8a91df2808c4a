"""Figure plumbing shared by every chart: styles, palette, layout helpers.

Figures are plain dicts written against plotly.js's schema and wrapped in a
thin ``Chart`` (``dashboard.figure_spec``), so no builder pays for plotly's
object model. Axis ranges are fixed by the builders, so stepping through
rounds never makes the axes jump. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dashboard.figure_spec import Chart, _decoded, _encoded, copy_containers

__all__ = [
    "DASHES",
    "FIGURE_LEGEND",
    "GHOST",
    "PALETTE",
    "PATTERNS",
    "SCREEN",
    "STRATEGY_DASHES",
    "STRATEGY_PALETTE",
    "SYMBOLS",
    "TEMPLATE",
    "Chart",
    "Style",
    "_decoded",
    "_encoded",
    "axis",
    "copy_containers",
    "figure",
    "fit",
    "legend_px",
    "legend_row_px",
    "legend_rows",
    "group_colors",
    "line_trace",
    "wrap_title",
]

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
#: Strategies on Compare: Tol's "muted" indigo, green, rose and sand, colour-blind
#: safe and none of them a group colour above (``random`` keeps the grey ghost).
STRATEGY_PALETTE = ("#332288", "#117733", "#CC6677", "#DDCC77")
#: The ``random`` baseline, drawn as a grey ghost on every chart.
GHOST = "#9A9A9A"
#: Per-group marker symbols, line dashes and bar patterns: meaning never rests on colour.
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "hexagon")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
PATTERNS = ("", "/", ".", "x", "-", "|", "+", "\\")
STRATEGY_DASHES = ("solid", "dash", "dot", "dashdot")


@dataclass(frozen=True)
class Style:
    """Sizes for screens (default) or projectors (``presenter()``).

    Attributes
    ----------
    font : int
        Base font size in pixels; titles are a few pixels larger.
    line : float
        Line width in pixels.
    marker : float
        Marker size in pixels.
    height : int
        Figure height in pixels.

    Examples
    --------
    >>> Style().font < Style.presenter().font
    True
    """

    font: int = 14
    line: float = 2.5
    marker: float = 6.0
    height: int = 420

    @classmethod
    def presenter(cls) -> Style:
        """Large fonts and thick lines for projectors."""
        return cls(font=22, line=5.0, marker=10.0, height=560)

    @property
    def projector(self) -> bool:
        """True for the presenter sizes: pages then draw one chart per row."""
        return self.font >= Style.presenter().font


#: The screen sizes, as a default argument.
SCREEN = Style()


def group_colors(groups: tuple[str, ...] | list[str]) -> dict[str, str]:
    """A fixed group -> colour map: the i-th group (largest first) gets the i-th colour.

    Parameters
    ----------
    groups : sequence of str, length n_groups
        Group names in the run's order.

    Returns
    -------
    dict of str to str
        Group name to hex colour, in the order of ``groups``.

    Examples
    --------
    >>> group_colors(("Male", "Female"))
    {'Male': '#0072B2', 'Female': '#D55E00'}
    """
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(groups)}


def axis(title: str, **extra: object) -> dict:
    """A plain axis: light grid, no zero line, readable title.

    Parameters
    ----------
    title : str
        The axis title (our own text, never visitor text).
    **extra
        Further plotly.js axis properties (``range``, ``tickformat``, ``domain`` ...).

    Returns
    -------
    dict
        A plotly.js axis spec.

    Examples
    --------
    >>> axis("round", range=[0, 3])["range"]
    [0, 3]
    """
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


#: No plotly template: the figures set every colour and font they use, and the
#: default template would add several kB to every figure sent.
TEMPLATE: dict = {}
#: Legends sit under the plot, left-aligned, in a row.
FIGURE_LEGEND = {"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0.0, "xanchor": "left"}


def line_trace(
    x: object,
    y: object,
    *,
    color: str,
    width: float,
    dash: str = "solid",
    name: str,
    **kw: object,
) -> dict:
    """A scatter trace drawn as a line.

    Parameters
    ----------
    x, y : array-like, shape (n_points,)
        The points; ``y`` is sent as floats.
    color, width, dash : line colour, width in pixels and dash style.
    name : str
        Trace name, already escaped if it holds visitor text.
    **kw
        Further trace properties; ``mode`` defaults to ``"lines"``.

    Returns
    -------
    dict
        A plotly.js scatter trace.

    Examples
    --------
    >>> t = line_trace([0, 1], [0.5, 0.5], color="#000", width=2.0, name="a")
    >>> t["mode"], t["y"].dtype.name
    ('lines', 'float64')
    """
    return {
        "type": "scatter",
        "x": np.asarray(x),
        "y": np.asarray(y, dtype=float),
        "mode": kw.pop("mode", "lines"),
        "line": {"color": color, "width": width, "dash": dash},
        "name": name,
        **kw,
    }


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

    Parameters
    ----------
    traces : list of dict
        The traces, in drawing order.
    style : Style
        Sizes.
    title : str
        The figure's title (plotly markup allowed; visitor text must be escaped).
    xaxis, yaxis : dict
        The first axes (see ``axis``).
    frames : list of dict, optional
        Animation frames.
    headroom : int
        Pixels added between the title and the plots (for two-line panel
        titles); the title is then pinned to the figure's top edge.
    **layout
        Further layout properties; they override the defaults.

    Returns
    -------
    Chart

    Examples
    --------
    >>> fig = figure([], Style(), title="t", xaxis=axis("x"), yaxis=axis("y"))
    >>> fig.to_dict()["layout"]["title"]["text"], fig.to_dict()["layout"]["height"]
    ('t', 420)
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


#: Width in CSS pixels of a chart's drawing area on a 1280x720 projector with
#: the sidebar open: half a row (Explore's two columns) or the whole row.
CHART_PX = {"half": 400, "full": 800}


def _breaks(text: str) -> list[int]:
    """Indices of the spaces outside plotly markup tags (``<b>``, ``<span ...>``)."""
    out, depth = [], 0
    for i, c in enumerate(text):
        depth += (c == "<") - (c == ">")
        if c == " " and depth <= 0:
            out.append(i)
    return out


def _visible(text: str) -> int:
    """Characters a reader sees: tags dropped, an entity (``&amp;``) counted once."""
    import re

    return len(re.sub(r"&[#\w]+;", "x", re.sub(r"<[^>]*>", "", text)))


def wrap_title(title: str, width: int) -> tuple[str, int]:
    """``title`` broken into balanced lines of at most about ``width`` characters.

    Breaks fall on the spaces (outside markup tags) nearest each equal share of
    the text; a title with ``<br>`` already is kept as it is.

    Returns
    -------
    (str, int)
        The text with ``<br>`` breaks, and its number of lines.

    Examples
    --------
    >>> wrap_title("Each round's batch, by group", 40)
    ("Each round's batch, by group", 1)
    >>> wrap_title("Accuracy: vs truth (solid), vs recorded labels (dashed)", 40)
    ('Accuracy: vs truth (solid),<br>vs recorded labels (dashed)', 2)
    >>> wrap_title("a b<br>c", 1)
    ('a b<br>c', 2)
    """
    if "<br>" in title:
        return title, title.count("<br>") + 1
    spaces = _breaks(title)
    length = _visible(title)
    if length <= width or not spaces:
        return title, 1
    n = min(-(-length // width), len(spaces) + 1)
    cuts: list[int] = []
    for k in range(1, n):
        free = [i for i in spaces if not cuts or i > cuts[-1]]
        if not free:
            break
        cuts.append(min(free, key=lambda i: abs(i - k * len(title) / n)))
    parts = [title[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(title)], strict=True)]
    return "<br>".join(parts), len(parts)


def title_chars(style: Style, width: str = "half") -> int:
    """How many title characters fit on one line of a ``width`` ("half"/"full") chart.

    Examples
    --------
    >>> title_chars(Style(), "half") < title_chars(Style(), "full")
    True
    """
    return int(CHART_PX[width] / (0.56 * (style.font + 4)))


def _legend_blocks(traces: list[dict]) -> list[list[str]]:
    """The legend's entries as plotly lays them out: one block per legend group
    (its entries stacked), a trace with no group a block of its own."""
    blocks: dict[object, list[str]] = {}
    for k, t in enumerate(traces):
        if t.get("showlegend") is False or not t.get("name"):
            continue
        names = blocks.setdefault(t.get("legendgroup") or ("", k), [])
        if str(t["name"]) not in names:
            names.append(str(t["name"]))
    return list(blocks.values())


def legend_px(blocks: list[list[str]], style: Style, width: str = "half") -> int:
    """Height in pixels of a horizontal legend of ``blocks`` (an overestimate).

    Blocks flow left to right and wrap; a block's entries stack, with a gap
    between stacked rows of blocks, as plotly draws grouped legends.

    Examples
    --------
    >>> legend_px([["Male"], ["Female"]], Style()) == legend_row_px(Style())
    True
    >>> legend_px([["a vs truth", "a vs labels"], ["b vs truth", "b vs labels"]], Style())
    64
    >>> legend_px([["Male vs truth", "Male vs recorded labels"], ["Female vs truth"]], Style())
    101
    """
    row = legend_row_px(style)
    grouped = any(len(b) > 1 for b in blocks)
    total, line, used = 0, 0, 0.0
    for block in blocks:
        w = max(40 + 0.62 * style.font * _visible(n) + 10 for n in block)
        h = row * len(block) + (10 if grouped else 0)
        if used and used + w > CHART_PX[width]:
            total, line, used = total + line, 0, 0.0
        used += w
        line = max(line, h)
    return total + line


def legend_rows(names: list[str], style: Style, width: str = "half") -> int:
    """Rows a horizontal legend of ``names`` takes on a ``width`` chart (an overestimate).

    Examples
    --------
    >>> legend_rows(["Male", "Female"], Style())
    1
    >>> legend_rows([f"group {k}" for k in range(12)], Style(), "half") > 2
    True
    """
    rows, used = 1, 0.0
    for name in names:
        w = 40 + 0.62 * style.font * _visible(name) + 10
        if used and used + w > CHART_PX[width]:
            rows, used = rows + 1, 0.0
        used += w
    return rows


def legend_row_px(style: Style) -> int:
    """Height in pixels of one row of a horizontal legend."""
    return round(1.5 * style.font + 6)


def fit(chart: Chart, style: Style, *, width: str = "half") -> Chart:
    """``chart`` laid out for its width class: a wrapped title, a legend clear of the plot.

    The title breaks over as many lines as ``width`` needs (``title_chars``)
    and is pinned to the top with room under it; the legend moves to the
    figure's bottom edge, under the x axis's title, in rows estimated from its
    entries' lengths, with the figure made taller by the same amount, so it
    never sits on a plot, an axis title or the title. A legend taller than
    half the style's height (many groups, two entries each) scrolls instead.

    Parameters
    ----------
    chart : Chart
        A figure from ``figure`` (encoded or not).
    style : Style
    width : {"half", "full"}
        How wide the page draws it.

    Returns
    -------
    Chart
        A new Chart sharing the traces; ``chart`` is left as it is.

    Examples
    --------
    >>> long = "Who gets labelled: share of queries vs pool share (dotted), by group"
    >>> c = fit(figure([], Style(), title=long, xaxis=axis("x"), yaxis=axis("y")), Style())
    >>> c.title.count("<br>"), c.spec["layout"]["height"] > 420
    (1, True)
    """
    spec = chart.spec
    layout = dict(spec["layout"])
    margin = dict(layout.get("margin", {}))
    height = int(layout.get("height", style.height))
    title = dict(layout.get("title") or {})
    text = title.get("text") or ""
    if text:
        text, lines = wrap_title(text, title_chars(style, width))
        if lines > 1:
            size = int((title.get("font") or {}).get("size", style.font + 4))
            # plotly.js lifts a top-anchored title of several lines by about
            # (size - 5) px: a pad of one line more keeps its first line in.
            title.update(text=text, yref="container", y=1.0, yanchor="top", pad={"t": 6 + size})
            extra = (lines - 1) * round(1.25 * size) + size
            margin["t"] = int(margin.get("t", 0)) + extra
            height += extra
        layout["title"] = title
    blocks = _legend_blocks(spec["data"])
    legend = layout.get("legend") or {}
    if (
        sum(map(len, blocks)) > 1
        and layout.get("showlegend") is not False
        and legend.get("orientation") == "h"
        and float(legend.get("y", 1.0)) < 0
    ):
        need = legend_px(blocks, style, width)
        cap = style.height // 2  # taller than that, the legend scrolls (plotly's scrollbar)
        rows_px = min(need, cap) + 6
        axis_px = 3 * style.font + 16  # tick labels and the x axis title
        layout["legend"] = dict(
            legend, yref="container", y=0.0, yanchor="bottom", x=0.0, xanchor="left"
        )
        if need > cap:
            layout["legend"]["maxheight"] = rows_px
        bottom = max(int(margin.get("b", 0)), axis_px + rows_px)
        height += bottom - int(margin.get("b", 0)) - int(0.12 * style.height)
        margin["b"] = bottom
    layout["margin"] = margin
    layout["height"] = height
    out = Chart(spec["data"], layout, spec.get("frames"))
    out._ready = chart._ready
    return out
