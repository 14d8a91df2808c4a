"""Several strategies side by side: per-group panels and one line per strategy.

Every frame here holds several runs (strategies x seeds), each with
``n_labeled``; lines are the mean over seeds, bands the min..max. ``random``
is the grey ghost. Strategy and group names pass ``plotly_escape``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.figures import (
    DASHES,
    GHOST,
    SCREEN,
    STRATEGY_DASHES,
    STRATEGY_PALETTE,
    Chart,
    Style,
    axis,
    figure,
    line_trace,
)
from dashboard.safe import plotly_escape as _t

#: Colours of the strategies other than ``random`` (grey): none is a group colour.
STRATEGY_COLORS = STRATEGY_PALETTE
#: Open markers: filled ones mean groups on the other charts; shape and dash tell
#: the strategies apart, so none rests on colour alone.
STRATEGY_SYMBOLS = ("circle-open", "square-open", "diamond-open", "triangle-up-open")


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


def compare_lines_figure(
    frames: dict[str, pd.DataFrame],
    column: str,
    *,
    colors: dict[str, str],
    style: Style = SCREEN,
    title: str,
    y_title: str,
    reference: str | None = None,
    percent: bool = True,
) -> Chart:
    """One panel per strategy; a line (mean over seeds, band = min..max) per group.

    Parameters
    ----------
    frames : dict of str to DataFrame
        Strategy label -> its ``groups`` frames over seeds, one row per
        (seed, round, group), with ``n_labeled``, ``group`` and ``column``.
    column : str
        The measure drawn, on a 0..1 scale.
    colors : dict of str to str
        Group -> colour.
    style : Style
    title, y_title : str
        The figure's and the first panel's y axis title.
    reference : str, optional
        A column drawn as a dotted per-group line (e.g. ``pool_share``).
    percent : bool
        Ticks as percentages.

    Returns
    -------
    Chart
        Panels side by side; a panel labelled ``random`` also appears in
        every other panel as a grey ghost. With three or more panels, long
        strategy names break over two lines and the title moves above them.
    """
    names = list(frames)
    n = len(names)
    gap = 0.03
    width = (1.0 - gap * (n - 1)) / n
    layout: dict = {"annotations": []}
    traces: list[dict] = []
    ghost = frames.get("random")
    others = [label for label in names if label != "random"]
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
                "font": {"size": style.font + 2, "color": strategy_color(label, others)},
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
                    line_trace(
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
                    line_trace(
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
                line_trace(
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


def strategy_color(label: str, others: list[str]) -> str:
    """``random``'s grey, else the strategy's own colour by its place in ``others``.

    Examples
    --------
    >>> strategy_color("random", ["margin"]) == GHOST
    True
    >>> strategy_color("margin", ["margin"]) == STRATEGY_COLORS[0]
    True
    """
    if label not in others:
        return GHOST
    return STRATEGY_COLORS[others.index(label) % len(STRATEGY_COLORS)]


def panel_title(label: str, panels: int) -> str:
    """A facet's title: the escaped label, broken at its middle underscore when
    three or more panels share the width and the name is long.

    Parameters
    ----------
    label : str
        The strategy's label (visitor text is escaped).
    panels : int
        How many panels share the figure's width.

    Returns
    -------
    str
        plotly markup.

    Examples
    --------
    >>> panel_title("least_confidence", 3)
    'least_<br>confidence'
    >>> panel_title("least_confidence", 2)
    'least_confidence'
    """
    text = _t(label)
    cuts = [i for i, c in enumerate(text) if c == "_"]
    if panels < 3 or len(text) <= 12 or not cuts:
        return text
    cut = min(cuts, key=lambda i: abs(i - len(text) / 2))
    return text[: cut + 1] + "<br>" + text[cut + 1 :]


def strategy_lines_figure(
    frames: dict[str, pd.DataFrame],
    column: str,
    *,
    style: Style = SCREEN,
    title: str,
    y_title: str,
) -> Chart:
    """One line per strategy (mean over seeds, band = min..max); ``random`` is grey.

    Parameters
    ----------
    frames : dict of str to DataFrame
        Strategy label -> its ``rounds`` frames over seeds, one row per
        (seed, round), with ``n_labeled`` and ``column``.
    column : str
        The measure drawn, on a 0..1 scale.
    style : Style
    title, y_title : str

    Returns
    -------
    Chart
        Strategies other than ``random`` differ in colour (``STRATEGY_COLORS``),
        dash and open marker shape, so none rests on colour alone.
    """
    traces: list[dict] = []
    others = [label for label in frames if label != "random"]
    for k, (label, frame) in enumerate(frames.items()):
        agg = frame.groupby("n_labeled")[column].agg(["mean", "min", "max"]).reset_index()
        color = strategy_color(label, others)
        traces += _band(agg, color, opacity=0.15, legendgroup=_t(label))
        traces.append(
            line_trace(
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
