"""The builders and captions behind ``dashboard.chart_list``'s entries: thin adapters
from a ``RoundView`` (one run, one round) or a ``Comparison`` (strategies over seeds)
to the figure functions and caption functions.

No streamlit here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from dashboard import pool_captions as PC
from dashboard import rate_captions as RC
from dashboard.chart_entry import Comparison, RoundView
from dashboard.compare_charts import compare_lines_figure, strategy_lines_figure
from dashboard.figures import Chart
from dashboard.label_map_charts import trace_label_map_figure
from dashboard.pool_charts import (
    map_drawn,
    map_sample,
    scores_figure,
    trace_map_figure,
)
from dashboard.rate_charts import rates_figure, uncertainty_figure
from dashboard.run_charts import (
    accuracy_figure,
    composition_figure,
    fairness_figure,
    ledger_figure,
)

COMPARE_LEDGER_TITLE = "Who gets labelled, per strategy"
COMPARE_ACCURACY_TITLE = "Accuracy per group against the truth"
COMPARE_OBSERVED_TITLE = "Accuracy per group against the recorded (possibly biased) labels"
COMPARE_WORST_TITLE = "Worst-group accuracy"
COMPARE_DP_TITLE = "Demographic parity gap"


# ------------------------------------------------------------- round charts


def ledger(v: RoundView) -> Chart:
    return ledger_figure(v.frame("groups"), v.frame("rounds"), v.r, colors=v.colors, style=v.style)


def composition(v: RoundView) -> Chart:
    return composition_figure(
        v.frame("groups"), v.frame("rounds"), v.r, colors=v.colors, style=v.style
    )


def accuracy(v: RoundView) -> Chart:
    return accuracy_figure(
        v.frame("groups"), v.frame("rounds"), v.r, colors=v.colors, style=v.style
    )


def fairness(v: RoundView) -> Chart:
    return fairness_figure(v.frame("rounds"), v.r, style=v.style)


def rates(v: RoundView) -> Chart:
    return rates_figure(v.frame("groups"), v.r, colors=v.colors, style=v.style)


def uncertainty(v: RoundView) -> Chart:
    return uncertainty_figure(
        v.frame("groups"), v.frame("rounds"), v.r, colors=v.colors, style=v.style
    )


def pool_map(v: RoundView) -> Chart:
    ghost = v.ghost.query_round if v.ghost is not None else None
    return trace_map_figure(
        v.trace, v.r, style=v.style, ghost_round=ghost, limit=v.limit, animated=v.animated
    )


def pool_map_caption(v: RoundView) -> str:
    t = v.trace
    if v.ghost is not None:
        return PC.ghost_map_caption(t.config.strategy.name, t.config.seed)
    drawn = map_drawn(len(t.xy), t.query_round, limit=v.limit)
    return PC.map_caption(t.grid is not None, len(t.xy), drawn)


def label_map(v: RoundView) -> Chart:
    return trace_label_map_figure(v.trace, v.r, style=v.style, limit=v.limit)


def label_map_caption(v: RoundView) -> str:
    t = v.trace
    rows = map_sample(len(t.xy), t.query_round, limit=v.limit)
    differ = int((t.y_pool[rows] != t.y_pool_obs[rows]).sum())
    return RC.label_map_caption(len(t.xy), len(rows), differ)


def scores(v: RoundView) -> Chart:
    t = v.trace
    when = t.query_round[t.score_rows]
    return scores_figure(
        t.scores[v.r],
        t.g_pool[t.score_rows],
        ~((when >= 0) & (when <= v.r)),
        groups=t.groups,
        colors=v.colors,
        style=v.style,
        score_name=PC.score_label(t.config.strategy.name),
    )


def scores_caption(v: RoundView) -> str:
    t = v.trace
    return PC.scores_caption(
        PC.score_label(t.config.strategy.name), bool(np.isfinite(t.scores[v.r]).any())
    )


# -------------------------------------------------------- strategies charts


def compare_groups(column: str, title: str, y_title: str) -> Callable[[Comparison], Chart]:
    def build(c: Comparison) -> Chart:
        return compare_lines_figure(
            c.groups, column, colors=c.colors, style=c.style, title=title, y_title=y_title
        )

    return build


def compare_rounds(column: str, title: str, y_title: str) -> Callable[[Comparison], Chart]:
    def build(c: Comparison) -> Chart:
        return strategy_lines_figure(c.rounds, column, style=c.style, title=title, y_title=y_title)

    return build


def compare_ledger(c: Comparison) -> Chart:
    return compare_lines_figure(
        c.groups,
        "query_share_cum",
        colors=c.colors,
        style=c.style,
        title=f"{COMPARE_LEDGER_TITLE} — {c.seeds_note}",
        y_title="share of queries so far",
        reference="pool_share",
    )


def fixed(text: str) -> Callable[[Any], str]:
    return lambda _view: text
