"""A sweep's figures (plotly) and its self-contained HTML report.

Each builder takes :func:`components.sweep_summary.summarize` frames and
returns a ``plotly`` figure: learning curves with bands, the ledger (each
group's query share minus its pool share, with bands), a heatmap of strategy x
condition with each cell's interval and seed count, and accuracy against
worst-group accuracy with the Pareto front marked. The report inlines
plotly.js, so it opens offline and loads nothing from elsewhere.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.sweep_summary import (
    CELL,
    Sweep,
    condition_labels,
    final_rows,
    pareto_front,
)

#: Okabe & Ito (2008), *Color universal design*: distinguishable with colour-blindness.
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)
#: Most conditions (subplots) and groups a figure draws; the rest are named in the title.
MAX_PANELS = 12
MAX_GROUPS = 4
NAMES = {
    "accuracy": "accuracy",
    "worst_group_accuracy": "worst-group accuracy",
    "dp_difference": "demographic parity gap",
    "eo_difference": "equalized odds gap",
    "accuracy_gap": "accuracy vs recorded labels minus vs truth",
    "worst_group_accuracy_gap": "worst-group accuracy, recorded minus truth",
    "query_minus_pool": "query share minus pool share",
    "tpr": "true positive rate",
    "fpr": "false positive rate",
}
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "pentagon", "hexagon")
PLOT_CONFIG = {"displaylogo": False, "responsive": True}


def _esc(text: object) -> str:
    return html.escape(str(text))


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _colors(strategies: list[str]) -> dict[str, str]:
    return {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(strategies)}


def _labelled(summary: pd.DataFrame) -> pd.DataFrame:
    return summary.assign(condition=condition_labels(summary))


def _panels(conditions: list[str]) -> tuple[list[str], str]:
    shown = conditions[:MAX_PANELS]
    left = len(conditions) - len(shown)
    return shown, (f" (first {len(shown)} of {len(conditions)} conditions)" if left else "")


def _band(fig: go.Figure, d: pd.DataFrame, x: str, color: str, name: str, **where: int) -> None:
    """Mean line and a shaded interval band of rows ``d`` (one strategy, ordered by x)."""
    xs = d[x].tolist()
    fig.add_trace(
        go.Scatter(
            x=xs + xs[::-1],
            y=d["high"].tolist() + d["low"].tolist()[::-1],
            fill="toself",
            fillcolor=_rgba(color, 0.18),
            line={"width": 0},
            hoverinfo="skip",
            showlegend=False,
            legendgroup=name,
        ),
        **where,
    )
    fig.add_trace(
        go.Scatter(
            x=xs,
            y=d["mean"],
            mode="lines+markers",
            marker={"size": 4},
            line={"color": color},
            name=_esc(name),
            legendgroup=name,
            customdata=np.stack([d["low"], d["high"], d["n_seeds"]], axis=1),
            hovertemplate=(
                f"{_esc(name)}<br>{x} %{{x}}: %{{y:.3f}} "
                "[%{customdata[0]:.3f}, %{customdata[1]:.3f}], %{customdata[2]} seeds<extra></extra>"
            ),
        ),
        **where,
    )


def curves_figure(curves: pd.DataFrame, metric: str) -> go.Figure:
    """``metric`` against labels so far, a line per strategy with its 95% band, a panel per condition."""
    d = _labelled(curves[(curves["metric"] == metric) & (curves["group"] == "")])
    conditions, note = _panels(list(dict.fromkeys(d["condition"])))
    colors = _colors(list(dict.fromkeys(d["strategy"])))
    cols = min(3, len(conditions))
    rows = -(-len(conditions) // cols)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=[_esc(c) for c in conditions], shared_yaxes=True
    )
    seen: set[str] = set()
    for i, cond in enumerate(conditions):
        for strategy, color in colors.items():
            part = d[(d["condition"] == cond) & (d["strategy"] == strategy)].sort_values(
                "n_labeled"
            )
            if part.empty:
                continue
            _band(fig, part, "n_labeled", color, strategy, row=i // cols + 1, col=i % cols + 1)
            fig.data[-1].showlegend = strategy not in seen
            seen.add(strategy)
    fig.update_layout(
        title=f"{NAMES.get(metric, metric)} against labels, mean and 95% interval over seeds{note}",
        height=300 * rows + 120,
    )
    fig.update_xaxes(title_text="labelled rows")
    return fig


def ledger_figure(curves: pd.DataFrame) -> go.Figure:
    """Each group's query share minus its pool share by round: below 0, the group is asked less."""
    d = _labelled(curves[curves["metric"] == "query_minus_pool"].dropna(subset=["mean"]))
    groups = list(dict.fromkeys(d["group"]))[:MAX_GROUPS]
    every = list(dict.fromkeys(d["condition"]))
    conditions = every[:MAX_GROUPS]
    note = (
        f" (first {len(conditions)} of {len(every)} conditions)"
        if len(every) > len(conditions)
        else ""
    )
    colors = _colors(list(dict.fromkeys(d["strategy"])))
    titles = [f"{_esc(g)} — {_esc(c)}" for g in groups for c in conditions]
    fig = make_subplots(
        rows=max(1, len(groups)), cols=max(1, len(conditions)), subplot_titles=titles
    )
    seen: set[str] = set()
    for gi, group in enumerate(groups):
        for ci, cond in enumerate(conditions):
            for strategy, color in colors.items():
                part = d[
                    (d["group"] == group) & (d["condition"] == cond) & (d["strategy"] == strategy)
                ].sort_values("round")
                if part.empty:
                    continue
                _band(fig, part, "round", color, strategy, row=gi + 1, col=ci + 1)
                fig.data[-1].showlegend = strategy not in seen
                seen.add(strategy)
            fig.add_hline(y=0, line={"dash": "dot", "color": "grey"}, row=gi + 1, col=ci + 1)
    fig.update_layout(
        title="Who gets labelled: query share minus pool share, 95% interval over seeds" + note,
        height=260 * max(1, len(groups)) + 120,
    )
    fig.update_xaxes(title_text="round")
    return fig


def heatmap_figure(summary: pd.DataFrame, metric: str) -> go.Figure:
    """Strategy x condition at each cell's last budget: the mean, its interval and seed count."""
    d = _labelled(final_rows(summary))
    d = d[(d["metric"] == metric) & (d["group"] == "")]
    strategies = list(dict.fromkeys(d["strategy"]))
    conditions = list(dict.fromkeys(d["condition"]))
    z = np.full((len(strategies), len(conditions)), np.nan)
    text = [["" for _ in conditions] for _ in strategies]
    for row in d.itertuples(index=False):
        i, j = strategies.index(row.strategy), conditions.index(row.condition)
        z[i, j] = row.mean
        text[i][j] = f"{row.mean:.3f}<br>[{row.low:.3f}, {row.high:.3f}]<br>n={row.n_seeds}"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[_esc(c) for c in conditions],
            y=[_esc(s) for s in strategies],
            text=text,
            texttemplate="%{text}",
            colorscale="Viridis",
            colorbar={"title": {"text": _esc(NAMES.get(metric, metric))}},
            hovertemplate="%{y} under %{x}<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        title=f"{NAMES.get(metric, metric)} at the last budget: mean [95% interval], seeds",
        height=140 + 70 * len(strategies),
        xaxis={"title": "condition"},
        yaxis={"title": "strategy"},
    )
    return fig


def pareto_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Accuracy and worst-group accuracy per cell at its last budget, with ``front`` marked."""
    d = _labelled(final_rows(summary))
    d = d[d["group"] == ""]
    keys = ["strategy", "condition", "round"]
    wide = d[d["metric"].isin(["accuracy", "worst_group_accuracy"])].pivot_table(
        index=keys, columns="metric", values=["mean", "low", "high", "n_seeds"], sort=False
    )
    wide.columns = [f"{metric}_{stat}" for stat, metric in wide.columns]
    wide = wide.reset_index()
    wide["front"] = pareto_front(
        wide["accuracy_mean"].to_numpy(), wide["worst_group_accuracy_mean"].to_numpy()
    )
    return wide


def pareto_figure(summary: pd.DataFrame) -> go.Figure:
    """Accuracy against worst-group accuracy, one point per strategy and condition, front marked."""
    wide = pareto_table(summary)
    colors = _colors(list(dict.fromkeys(wide["strategy"])))
    conditions = list(dict.fromkeys(wide["condition"]))
    symbol = {c: SYMBOLS[i % len(SYMBOLS)] for i, c in enumerate(conditions)}
    fig = go.Figure()
    for strategy, color in colors.items():
        part = wide[wide["strategy"] == strategy]
        fig.add_trace(
            go.Scatter(
                x=part["accuracy_mean"],
                y=part["worst_group_accuracy_mean"],
                mode="markers",
                name=_esc(strategy),
                marker={
                    "color": color,
                    "size": np.where(part["front"], 14, 9),
                    "symbol": [symbol[c] for c in part["condition"]],
                    "line": {"color": "black", "width": np.where(part["front"], 2, 0)},
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": part["accuracy_high"] - part["accuracy_mean"],
                    "arrayminus": part["accuracy_mean"] - part["accuracy_low"],
                    "color": _rgba(color, 0.5),
                },
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": part["worst_group_accuracy_high"] - part["worst_group_accuracy_mean"],
                    "arrayminus": part["worst_group_accuracy_mean"]
                    - part["worst_group_accuracy_low"],
                    "color": _rgba(color, 0.5),
                },
                text=[_esc(c) for c in part["condition"]],
                customdata=part[["accuracy_n_seeds"]].to_numpy(),
                hovertemplate=(
                    f"{_esc(strategy)}, %{{text}}<br>accuracy %{{x:.3f}}, "
                    "worst-group %{y:.3f}, %{customdata[0]} seeds<extra></extra>"
                ),
            )
        )
    front = wide[wide["front"]].sort_values("accuracy_mean")
    fig.add_trace(
        go.Scatter(
            x=front["accuracy_mean"],
            y=front["worst_group_accuracy_mean"],
            mode="lines",
            line={"color": "grey", "dash": "dash"},
            name="Pareto front (outlined)",
            hoverinfo="skip",
        )
    )
    for cond in conditions:  # a legend entry per condition's symbol
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": symbol[cond], "color": "grey", "size": 9},
                name=_esc(cond),
            )
        )
    fig.update_layout(
        title="Accuracy against worst-group accuracy at the last budget (bars: 95% intervals)",
        xaxis={"title": "accuracy (truth)"},
        yaxis={"title": "worst-group accuracy (truth)"},
        height=520,
    )
    return fig


def sources(summary: pd.DataFrame) -> list[str]:
    """Each strategy's and scenario's citation, from the registries."""
    from components.scenarios import SCENARIOS
    from components.strategies import STRATEGIES

    lines = []
    for name in dict.fromkeys(summary["strategy_name"]):
        lines.append(f"{name}: {STRATEGIES[name].citation}")
    for text in dict.fromkeys(summary["scenario"]):
        for name in str(text).split("+"):
            if name in SCENARIOS and name != "none":
                lines.append(f"{name}: {SCENARIOS[name].citation}")
    return list(dict.fromkeys(lines))


def write_report(sweep: Sweep, summary: pd.DataFrame, curves: pd.DataFrame, path: Path) -> Path:
    """The HTML report: counts, the figures, and sources; plotly.js inlined once."""
    figures = [
        curves_figure(curves, "accuracy"),
        curves_figure(curves, "worst_group_accuracy"),
        ledger_figure(curves),
        heatmap_figure(summary, "worst_group_accuracy"),
        heatmap_figure(summary, "accuracy"),
        heatmap_figure(summary, "eo_difference"),
        pareto_figure(summary),
    ]
    blocks = [
        fig.to_html(full_html=False, include_plotlyjs=(i == 0), config=PLOT_CONFIG)
        for i, fig in enumerate(figures)
    ]
    cells = len(summary[list(CELL)].drop_duplicates())
    head = (
        f"<p>{sweep.n_runs} finished runs of {sweep.planned or sweep.n_runs} planned, "
        f"{len(sweep.failed)} failed; {cells} strategy and condition cells. Intervals are "
        "percentile bootstrap 95% intervals of the mean over seeds; metrics are on the "
        "held-out test set against the truth unless named otherwise.</p>"
    )
    cites = "".join(f"<li>{_esc(line)}</li>" for line in sources(summary))
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Sweep report: {_esc(sweep.folder.name)}</title></head>"
        "<body style='font-family:sans-serif;max-width:1200px;margin:auto'>"
        f"<h1>Sweep report: {_esc(sweep.folder.name)}</h1>{head}"
        + "".join(blocks)
        + f"<h2>Sources</h2><ul>{cites}</ul></body></html>"
    )
    path.write_text(page, encoding="utf-8")
    return path
