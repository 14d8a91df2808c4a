"""Fitting a finished figure to the width it is drawn at: wrapped titles, legends below.

Explore draws charts at half or full width, classroom mode in panels; titles
wrap at word boundaries (never inside markup) and legends move under the x
axis with room for their rows.
"""

from __future__ import annotations

from dashboard.figure_spec import Chart
from dashboard.figures import Style

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


#: Colour of the stamp line under a chart's title (the run in words and the round).
STAMP_COLOUR = "#4d4d4d"


def stamp_lines(stamp: str, style: Style, width: str = "half") -> list[str]:
    """``stamp`` (plain text) wrapped for a ``width`` chart in the stamp's smaller font, escaped.

    Examples
    --------
    >>> stamp_lines("Round 3 · Two groups (2D) · Least confidence", Style(), "full")
    ['Round 3 · Two groups (2D) · Least confidence']
    >>> len(stamp_lines("word " * 40, Style(), "half")) > 1
    True
    """
    from dashboard.safe import plotly_escape

    size = stamp_size(style)
    text, _ = wrap_title(plotly_escape(stamp.strip()), int(CHART_PX[width] / (0.56 * size)))
    return text.split("<br>") if text else []


def stamp_size(style: Style) -> int:
    """Font size of the stamp line: small print for the exported PNG, not for the room.

    >>> stamp_size(Style()) <= 13
    True
    """
    return max(11, min(13, style.font - 1))


def fit(chart: Chart, style: Style, *, width: str = "half", stamp: str = "") -> Chart:
    """``chart`` laid out for its width class: a wrapped title, a legend clear of the plot.

    The title breaks over as many lines as ``width`` needs (``title_chars``)
    and is pinned to the top with room under it; the legend moves to the
    figure's bottom edge, under the x axis's title, in rows estimated from its
    entries' lengths, with the figure made taller by the same amount, so it
    never sits on a plot, an axis title or the title. A legend taller than
    half the style's height (many groups, two entries each) scrolls instead.
    A ``stamp`` (the run in words and the round) goes under the title in a
    smaller grey font, so an exported PNG says what it shows on its own.

    Parameters
    ----------
    chart : Chart
        A figure from ``figure`` (encoded or not).
    style : Style
    width : {"half", "full"}
        How wide the page draws it.
    stamp : str
        Plain text for the line under the title; none when empty.

    Returns
    -------
    Chart
        A new Chart sharing the traces; ``chart`` is left as it is.

    Examples
    --------
    >>> from dashboard.figures import axis, figure
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
        extra_lines = stamp_lines(stamp, style, width) if stamp else []
        for line in extra_lines:
            text += f'<br><span style="font-size:{stamp_size(style)}px;color:{STAMP_COLOUR}">{line}</span>'
        lines += len(extra_lines)
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
