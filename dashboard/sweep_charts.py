"""The Sweeps page's figures, from ``components.sweep_summary`` frames, in the app's style.

Every number drawn is a summary row: the mean over seeds and its bootstrap 95%
interval (``low``..``high``), with ``n_seeds``. Lines are means, bands the
intervals. ``random`` is the grey ghost; the other strategies take Compare's
colours, dashes and open symbols, so none rests on colour alone. Strategy and
condition text passes ``plotly_escape``. No streamlit here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.sweep_summary import CELL, condition_labels, final_rows, pareto_front
from dashboard.figures import (
    GHOST,
    PALETTE,
    STRATEGY_DASHES,
    STRATEGY_PALETTE,
    Chart,
    Style,
    axis,
    figure,
    line_trace,
)
from dashboard.safe import plotly_escape as _t

#: Metrics the page offers, their words, and whether higher is better.
METRICS = {
    "worst_group_accuracy": ("worst-group accuracy (truth)", True),
    "accuracy": ("accuracy (truth)", True),
    "eo_difference": ("equalized odds gap (truth)", False),
    "dp_difference": ("demographic parity gap (truth)", False),
    "accuracy_gap": ("accuracy by recorded labels minus by truth", False),
}
#: The Pareto view's y axis: worst-group accuracy or a fairness gap; x is accuracy.
PARETO_Y = ("worst_group_accuracy", "eo_difference", "dp_difference")
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "pentagon", "hexagon")
FRONT = "Pareto front"


def metric_name(metric: str) -> str:
    return METRICS.get(metric, (metric.replace("_", " "), True))[0]


def strategy_colors(strategies: list[str]) -> dict[str, str]:
    """``random`` grey; the others Compare's strategy colours, then the palette.

    >>> strategy_colors(["random", "bald"])
    {'random': '#9A9A9A', 'bald': '#332288'}
    """
    colors = [*STRATEGY_PALETTE, *PALETTE]
    out, k = {}, 0
    for s in strategies:
        if s == "random":
            out[s] = GHOST
        else:
            out[s] = colors[k % len(colors)]
            k += 1
    return out


def labelled(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` with its ``condition`` (the varying fields other than the strategy)."""
    return summary.assign(condition=condition_labels(summary))


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band_traces(
    d: pd.DataFrame, x: str, color: str, name: str, style: Style, dash: str, hover: str
) -> list[dict]:
    """The interval band (no legend) and the mean line of rows ``d``, ordered by ``x``."""
    xs = d[x].to_numpy(dtype=float)
    band = {
        "type": "scatter",
        "mode": "lines",
        "x": np.concatenate([xs, xs[::-1]]),
        "y": np.concatenate([d["high"].to_numpy(float), d["low"].to_numpy(float)[::-1]]),
        "fill": "toself",
        "fillcolor": _rgba(color, 0.2),
        "line": {"width": 0},
        "hoverinfo": "skip",
        "showlegend": False,
        "legendgroup": name,
    }
    line = line_trace(
        xs,
        d["mean"],
        color=color,
        width=style.line,
        dash=dash,
        name=name,
        legendgroup=name,
        customdata=np.stack(
            [d["low"].to_numpy(float), d["high"].to_numpy(float), d["n_seeds"].to_numpy(float)],
            axis=1,
        ),
        hovertemplate=(
            f"{name}<br>{hover} %{{x}}: %{{y:.3f}} "
            "[%{customdata[0]:.3f}, %{customdata[1]:.3f}], %{customdata[2]} seeds<extra></extra>"
        ),
    )
    return [band, line]


def _by_strategy(d: pd.DataFrame, x: str, style: Style, hover: str) -> list[dict]:
    strategies = list(dict.fromkeys(d["strategy"]))
    colors = strategy_colors(strategies)
    traces: list[dict] = []
    for k, s in enumerate(strategies):
        part = d[d["strategy"] == s].sort_values(x)
        dash = STRATEGY_DASHES[k % len(STRATEGY_DASHES)]
        traces += _band_traces(part, x, colors[s], _t(s), style, dash, hover)
    return traces


def curve_chart(curves: pd.DataFrame, metric: str, condition: str, style: Style) -> Chart:
    """``metric`` against labelled rows under ``condition``: a line and band per strategy."""
    d = labelled(curves[(curves["metric"] == metric) & (curves["group"] == "")])
    d = d[d["condition"] == condition]
    traces = _by_strategy(d, "n_labeled", style, "labelled")
    return figure(
        traces,
        style,
        title=f"{metric_name(metric).capitalize()} as labels grow: mean and 95% interval "
        f"over seeds, {_t(condition)}",
        xaxis=axis("labelled rows"),
        yaxis=axis(metric_name(metric), tickformat=".2f"),
    )


def ledger_chart(curves: pd.DataFrame, condition: str, group: str, style: Style) -> Chart:
    """``group``'s share of the queries so far (band per strategy) against its pool share (dotted)."""
    d = labelled(
        curves[(curves["group"] == group) & curves["metric"].isin(["query_share", "pool_share"])]
    )
    d = d[d["condition"] == condition]
    asked = d[d["metric"] == "query_share"]
    traces = _by_strategy(asked, "n_labeled", style, "labelled")
    pool = d[d["metric"] == "pool_share"].groupby("n_labeled", as_index=False)["mean"].mean()
    traces.append(
        line_trace(
            pool["n_labeled"],
            pool["mean"],
            color="#222222",
            width=style.line * 0.8,
            dash="dot",
            name=f"{_t(group)}'s share of the pool",
            hovertemplate="pool share %{y:.3f}<extra></extra>",
        )
    )
    return figure(
        traces,
        style,
        title=f"Who gets labelled: {_t(group)}'s share of the questions asked so far "
        f"vs its share of the pool (dotted), {_t(condition)}",
        xaxis=axis("labelled rows"),
        yaxis=axis(f"{_t(group)}'s share", tickformat=".0%", rangemode="tozero"),
    )


def cell_table(summary: pd.DataFrame, metric: str) -> pd.DataFrame:
    """One row per cell at its last budget for ``metric``: strategy, condition, CELL, stats."""
    d = labelled(final_rows(summary))
    d = d[(d["metric"] == metric) & (d["group"] == "")]
    return d.reset_index(drop=True)


def heatmap_chart(cells: pd.DataFrame, metric: str, style: Style) -> Chart:
    """Strategy x condition: each cell's mean, [95% interval] and seed count, clickable.

    An invisible marker sits on each cell (``customdata``: its row in
    ``cells``), so a click selects the cell.
    """
    strategies = list(dict.fromkeys(cells["strategy"]))
    conditions = list(dict.fromkeys(cells["condition"]))
    z = np.full((len(strategies), len(conditions)), np.nan)
    text = [["" for _ in conditions] for _ in strategies]
    for row in cells.itertuples(index=False):
        i, j = strategies.index(row.strategy), conditions.index(row.condition)
        z[i, j] = row.mean
        text[i][j] = cell_text(row.mean, row.low, row.high, row.n_seeds)
    xs = [_t(c) for c in conditions]
    ys = [tick_label(s) for s in strategies]
    size = cell_font(ys, len(conditions), style)
    (higher,) = (METRICS.get(metric, ("", True))[1],)
    heat = {
        "type": "heatmap",
        "z": z,
        "x": xs,
        "y": ys,
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": size},
        "colorscale": "Viridis",
        "reversescale": not higher,
        "colorbar": {"title": {"text": "better" if higher else "worse", "side": "top"}},
        "hoverinfo": "skip",
        "name": "",
        "showlegend": False,
    }
    hits = {
        "type": "scatter",
        "mode": "markers",
        "x": [_t(c) for c in cells["condition"]],
        "y": [tick_label(s) for s in cells["strategy"]],
        "marker": {"size": 60, "symbol": "square", "opacity": 0, "color": "#000"},
        "customdata": [[i] for i in range(len(cells))],
        "text": [
            f"{_t(s)} under {_t(c)}<br>{m:.3f} [{lo:.3f}, {hi:.3f}], {n} seeds<br>click: this cell's runs"
            for s, c, m, lo, hi, n in zip(
                cells["strategy"],
                cells["condition"],
                cells["mean"],
                cells["low"],
                cells["high"],
                cells["n_seeds"],
                strict=True,
            )
        ],
        "hovertemplate": "%{text}<extra></extra>",
        "showlegend": False,
        "name": "cells",
    }
    fig = figure(
        [heat, hits],
        style,
        title=f"{metric_name(metric).capitalize()} at the last budget: mean, [95% interval], "
        "n = seeds",
        xaxis=axis("condition", type="category", showgrid=False),
        yaxis=axis("strategy", type="category", showgrid=False, autorange="reversed"),
        height=max(style.height, 160 + round(5 * size + 10) * len(strategies)),
    )
    return fig


def cell_text(mean: float, low: float, high: float, n_seeds: int) -> str:
    """A heatmap cell: the mean, its interval and its seed count, on three short lines.

    >>> cell_text(0.5261, 0.478, 0.568, 5)
    '0.526<br>[0.48, 0.57]<br>n=5'
    """
    return f"{mean:.3f}<br>[{low:.2f}, {high:.2f}]<br>n={n_seeds}"


def tick_label(strategy: str) -> str:
    """A strategy as an axis label, its parameters on a second line.

    >>> tick_label("fair_uncertainty:lam=4.0")
    'fair_uncertainty<br>lam=4.0'
    """
    return "<br>".join(_t(part) for part in strategy.split(":", 1))


def cell_font(ticks: list[str], n_columns: int, style: Style) -> int:
    """The cells' font: the style's, or smaller so the widest line (12 characters) fits a cell."""
    from dashboard.figure_fit import CHART_PX

    label = max((len(line) for t in ticks for line in t.split("<br>")), default=0)
    plot = CHART_PX["full"] - (0.6 * style.font * label + 40) - 90  # y labels, colour bar
    return int(min(style.font, max(10, plot / max(n_columns, 1) / (0.5 * 12))))


def pareto_table(summary: pd.DataFrame, y_metric: str) -> pd.DataFrame:
    """Accuracy and ``y_metric`` per cell at its last budget, ``front`` marking the non-dominated.

    Higher accuracy is better; for ``y_metric`` as :data:`METRICS` says (a gap: lower).
    """
    d = labelled(final_rows(summary))
    d = d[(d["group"] == "") & d["metric"].isin(["accuracy", y_metric])]
    keys = [c for c in CELL if c in d] + ["condition", "round"]
    stats = ["mean", "low", "high", "n_seeds"]
    x = d[d["metric"] == "accuracy"][keys + stats].rename(columns={s: f"x_{s}" for s in stats})
    y = d[d["metric"] == y_metric][keys + stats].rename(columns={s: f"y_{s}" for s in stats})
    wide = x.merge(y, on=keys, how="inner").reset_index(drop=True)
    higher = METRICS.get(y_metric, ("", True))[1]
    ys = wide["y_mean"].to_numpy(float)
    wide["front"] = pareto_front(wide["x_mean"].to_numpy(float), ys if higher else -ys)
    return wide


def pareto_chart(wide: pd.DataFrame, y_metric: str, style: Style) -> Chart:
    """Accuracy against ``y_metric``, a point per strategy and condition, the front drawn and labelled."""
    strategies = list(dict.fromkeys(wide["strategy"]))
    colors = strategy_colors(strategies)
    conditions = list(dict.fromkeys(wide["condition"]))
    symbol = {c: SYMBOLS[i % len(SYMBOLS)] for i, c in enumerate(conditions)}
    traces: list[dict] = []
    for s in strategies:
        part = wide[wide["strategy"] == s]
        on_front = part["front"].to_numpy(bool)
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "meta": "cells",
                "x": part["x_mean"].to_numpy(float),
                "y": part["y_mean"].to_numpy(float),
                "name": _t(s),
                "marker": {
                    "color": colors[s],
                    "size": np.where(on_front, style.marker * 2.2, style.marker * 1.5),
                    "symbol": [symbol[c] for c in part["condition"]],
                    "line": {"color": "#000", "width": np.where(on_front, 2.5, 0.0)},
                },
                "error_x": _bars(part, "x", colors[s]),
                "error_y": _bars(part, "y", colors[s]),
                # plain lists: a selection event hands customdata back as it was sent
                "customdata": [
                    [int(i), int(n)] for i, n in zip(part.index, part["x_n_seeds"], strict=True)
                ],
                "hovertext": [f"{_t(s)}, {_t(c)}" for c in part["condition"]],
                "hovertemplate": "%{hovertext}<br>accuracy %{x:.3f}, "
                f"{metric_name(y_metric)} %{{y:.3f}}, %{{customdata[1]}} seeds<br>"
                "click: open this run<extra></extra>",
            }
        )
    front = wide[wide["front"]].sort_values("x_mean")
    traces.append(
        line_trace(
            front["x_mean"],
            front["y_mean"],
            color="#444444",
            width=style.line * 0.7,
            dash="dash",
            name=f"{FRONT} (outlined points)",
            hoverinfo="skip",
        )
    )
    for c in conditions:  # a legend entry per condition's symbol
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [None],
                "y": [None],
                "name": _t(c),
                "marker": {"symbol": symbol[c], "color": "#777777", "size": style.marker * 1.5},
                "hoverinfo": "skip",
            }
        )
    better = "higher" if METRICS.get(y_metric, ("", True))[1] else "lower"
    return figure(
        traces,
        style,
        title=f"Accuracy vs {metric_name(y_metric)}, last budget (bars: 95% intervals)",
        xaxis=axis("accuracy (truth), higher is better", tickformat=".2f"),
        yaxis=axis(f"{metric_name(y_metric)}, {better} is better", tickformat=".2f"),
        annotations=front_labels(front, style),
        height=style.height + 40,
    )


def front_labels(front: pd.DataFrame, style: Style) -> list[dict]:
    """A label with a pointer for each front point, staggered above and below, kept inside."""
    if front.empty:
        return []
    lo, hi = float(front["x_mean"].min()), float(front["x_mean"].max())
    mid = (lo + hi) / 2
    out = []
    for k, row in enumerate(front.itertuples()):
        right_half = len(front) > 1 and row.x_mean > mid
        out.append(
            {
                "x": row.x_mean,
                "y": row.y_mean,
                "text": f"{_t(row.strategy)} · {_t(row.condition)}",
                "showarrow": True,
                "arrowhead": 0,
                "arrowwidth": 1.5,
                "ax": -24 if right_half else 24,
                "ay": (-1) ** k * (36 + 30 * (k // 2) + style.font),
                "xanchor": "right" if right_half else "left",
                "font": {"size": style.font - 2, "color": "#222"},
                "bgcolor": "rgba(255,255,255,0.85)",
                "bordercolor": "#444",
                "borderwidth": 1,
            }
        )
    return out


def _bars(part: pd.DataFrame, axis_name: str, color: str) -> dict:
    mean = part[f"{axis_name}_mean"].to_numpy(float)
    return {
        "type": "data",
        "symmetric": False,
        "array": part[f"{axis_name}_high"].to_numpy(float) - mean,
        "arrayminus": mean - part[f"{axis_name}_low"].to_numpy(float),
        "color": _rgba(color, 0.55),
        "thickness": 1.5,
    }
