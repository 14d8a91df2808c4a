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
    "group_colors",
    "line_trace",
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
