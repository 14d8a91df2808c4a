"""Every chart the app draws, declared once: the list Explore, classroom mode,
Compare and the PNG exports all read.

A chart is a builder, a title, a caption and an alt text. Its entry says what
it reads from a run and where it appears. Adding a chart is one builder, one
caption and one ``ChartEntry`` in ``CHARTS``; the pages pick it up from here.

Two kinds of builder:

- ``"round"`` charts draw one run at one round from a ``RoundView``. Explore
  draws them round by round; classroom mode calls the same builder for every
  round and animates the results (``dashboard.replay``); Compare may draw one
  for a chosen strategy against random's ghost.
- ``"strategies"`` charts draw several strategies over several seeds from a
  ``Comparison``, on Compare.

No streamlit here: builders and captions are plain functions. The types are
in ``dashboard.chart_entry``.
"""

from __future__ import annotations

from collections.abc import Sequence

from dashboard import captions as C
from dashboard import chart_builders as B
from dashboard import rate_captions as RC
from dashboard.chart_builders import (
    COMPARE_ACCURACY_TITLE,
    COMPARE_DP_TITLE,
    COMPARE_LEDGER_TITLE,
    COMPARE_OBSERVED_TITLE,
    COMPARE_WORST_TITLE,
)
from dashboard.chart_entry import (
    NEEDS,
    RECORD_NEEDS,
    ChartEntry,
    Comparison,
    RoundView,
    Scope,
)
from dashboard.figures import Style
from dashboard.label_map_charts import LABEL_MAP_TITLE
from dashboard.pool_charts import (
    MAP_TITLE,
    SCORES_TITLE,
)
from dashboard.rate_charts import RATES_TITLE, UNCERTAINTY_TITLE
from dashboard.run_charts import (
    ACCURACY_TITLE,
    COMPOSITION_TITLE,
    FAIRNESS_TITLE,
    LEDGER_TITLE,
)

__all__ = [
    "CHARTS",
    "NEEDS",
    "RECORD_NEEDS",
    "ChartEntry",
    "Comparison",
    "RoundView",
    "classroom_panels",
    "compare_charts",
    "explore_charts",
    "figure_key",
    "rows",
]

_RECORDS_OVER_SEEDS = frozenset({"config", "groups", "frames.groups", "frames.rounds"})


CHARTS: tuple[ChartEntry, ...] = (
    ChartEntry(
        key="ledger",
        title=LEDGER_TITLE,
        build=B.ledger,
        caption=lambda v: C.ledger_caption(v.frame("groups"), v.r),
        alt="Line chart: each group's share of queries so far against its share of the pool.",
        needs=RECORD_NEEDS,
        explore=True,
        classroom=1,
        caption_kind="text",
    ),
    ChartEntry(
        key="composition",
        title=COMPOSITION_TITLE,
        build=B.composition,
        caption=lambda v: C.composition_caption(v.frame("groups"), v.r),
        alt="Stacked bar chart: rows queried per round, by group.",
        needs=RECORD_NEEDS,
        explore=True,
        classroom=4,
    ),
    ChartEntry(
        key="accuracy",
        title=ACCURACY_TITLE,
        build=B.accuracy,
        caption=lambda v: C.accuracy_caption(v.frame("groups"), v.r),
        alt="Line chart: per-group accuracy against truth and against recorded labels.",
        needs=RECORD_NEEDS,
        explore=True,
        classroom=2,
        caption_kind="text",
    ),
    ChartEntry(
        key="fairness",
        title=FAIRNESS_TITLE,
        build=B.fairness,
        caption=lambda v: C.fairness_caption(v.frame("rounds"), v.r),
        alt="Line chart: worst-group accuracy and three fairness gaps over the budget.",
        needs=frozenset({"frames.rounds"}),
        explore=True,
    ),
    ChartEntry(
        key="rates",
        title=RATES_TITLE,
        build=B.rates,
        caption=lambda v: RC.rates_caption(v.frame("groups"), v.r),
        alt=(
            "Markers with 95% interval bars: each group's TPR, FPR, selection rate and PPV "
            "against the truth, side by side, with hollow markers for the recorded labels."
        ),
        needs=RECORD_NEEDS,
        explore=True,
        caption_kind="text",
    ),
    ChartEntry(
        key="uncertainty",
        title=UNCERTAINTY_TITLE,
        build=B.uncertainty,
        caption=lambda v: RC.uncertainty_caption(v.frame("groups"), v.r),
        alt="Line chart: each group's uncertainty bias on the unlabelled pool, with a zero line.",
        needs=RECORD_NEEDS,
        explore=True,
    ),
    ChartEntry(
        key="map",
        title=MAP_TITLE,
        build=B.pool_map,
        caption=B.pool_map_caption,
        alt="Scatter map of the pool with labelled rows highlighted.",
        needs=frozenset({"config", "groups", "xy", "g_pool", "query_round", "grid"}),
        explore=True,
        classroom=3,
        compare=True,
    ),
    ChartEntry(
        key="label_map",
        title=LABEL_MAP_TITLE,
        build=B.label_map,
        caption=B.label_map_caption,
        alt=(
            "Scatter map of the pool coloured by true label, with crosses on rows whose "
            "recorded label differs from the truth."
        ),
        needs=frozenset({"groups", "xy", "g_pool", "y_pool", "y_pool_obs", "query_round", "grid"}),
        explore=True,
    ),
    ChartEntry(
        key="scores",
        title=SCORES_TITLE,
        build=B.scores,
        caption=B.scores_caption,
        alt="Histogram per group of the strategy's scores among unlabelled rows.",
        needs=frozenset({"config", "groups", "g_pool", "query_round", "scores", "score_rows"}),
        explore=True,
    ),
    ChartEntry(
        key="cmp_ledger",
        title=COMPARE_LEDGER_TITLE,
        build=B.compare_ledger,
        caption=B.fixed(C.COMPARE_LEDGER),
        alt="Per-strategy panels: each group's share of queries against its pool share.",
        needs=_RECORDS_OVER_SEEDS,
        scope="strategies",
        compare=True,
        wide=True,
    ),
    ChartEntry(
        key="cmp_acc",
        title=COMPARE_ACCURACY_TITLE,
        build=B.compare_groups("accuracy", COMPARE_ACCURACY_TITLE, "test accuracy"),
        caption=B.fixed(C.COMPARE_ACCURACY),
        alt="Per-strategy panels: per-group accuracy against the truth.",
        needs=_RECORDS_OVER_SEEDS,
        scope="strategies",
        compare=True,
        wide=True,
    ),
    ChartEntry(
        key="cmp_acc_obs",
        title=COMPARE_OBSERVED_TITLE,
        build=B.compare_groups("accuracy_observed", COMPARE_OBSERVED_TITLE, "accuracy vs recorded"),
        caption=B.fixed(C.COMPARE_ACCURACY_OBSERVED),
        alt="Per-strategy panels: per-group accuracy against recorded labels.",
        needs=_RECORDS_OVER_SEEDS,
        scope="strategies",
        compare=True,
        wide=True,
    ),
    ChartEntry(
        key="cmp_worst",
        title=COMPARE_WORST_TITLE,
        build=B.compare_rounds("worst_group_accuracy", COMPARE_WORST_TITLE, "accuracy"),
        caption=B.fixed(C.COMPARE_WORST),
        alt="Worst-group accuracy per strategy.",
        needs=frozenset({"config", "frames.rounds"}),
        scope="strategies",
        compare=True,
    ),
    ChartEntry(
        key="cmp_dp",
        title=COMPARE_DP_TITLE,
        build=B.compare_rounds("dp_difference", COMPARE_DP_TITLE, "gap"),
        caption=B.fixed(C.COMPARE_DP),
        alt="Demographic parity gap per strategy.",
        needs=frozenset({"config", "frames.rounds"}),
        scope="strategies",
        compare=True,
    ),
)


def explore_charts() -> list[ChartEntry]:
    """Explore's charts, in the list's order."""
    return [e for e in CHARTS if e.explore]


def classroom_panels() -> list[ChartEntry]:
    """Classroom mode's panels, in panel order.

    Examples
    --------
    >>> [e.key for e in classroom_panels()]
    ['ledger', 'accuracy', 'map', 'composition']
    """
    return sorted((e for e in CHARTS if e.classroom is not None), key=lambda e: e.classroom)


def compare_charts(scope: Scope) -> list[ChartEntry]:
    """Compare's charts of one scope, in the list's order.

    Examples
    --------
    >>> [e.key for e in compare_charts("round")]
    ['map']
    """
    return [e for e in CHARTS if e.compare and e.scope == scope]


def rows(entries: Sequence[ChartEntry], style: Style) -> list[list[ChartEntry]]:
    """How a page lays ``entries`` out: wide ones alone, others two to a row
    (one per row on projectors).

    Parameters
    ----------
    entries : sequence of ChartEntry
        In drawing order.
    style : Style
        ``style.projector`` puts one chart per row.

    Returns
    -------
    list of list of ChartEntry
        The rows, each of one or two entries.

    Examples
    --------
    >>> keys = lambda rs: [[e.key for e in row] for row in rs]
    >>> keys(rows(compare_charts("strategies"), Style()))
    [['cmp_ledger'], ['cmp_acc'], ['cmp_acc_obs'], ['cmp_worst', 'cmp_dp']]
    >>> len(rows(explore_charts(), Style.presenter())) == len(explore_charts())
    True
    """
    out: list[list[ChartEntry]] = []
    for e in entries:
        prev = out[-1] if out else []
        if len(prev) == 1 and not (prev[0].wide or e.wide or style.projector):
            prev.append(e)
        else:
            out.append([e])
    return out


def figure_key(entry: ChartEntry, view: RoundView) -> tuple:
    """What tells one built round chart from another, for the shared figure cache
    (with the run's identity in front): the chart, the round, the sizes, and the
    map's row limit for charts that draw the pool.

    Parameters
    ----------
    entry : ChartEntry
    view : RoundView

    Returns
    -------
    tuple
        ``(key, r, style, limit or 0)``; hashable.

    Examples
    --------
    >>> entry = explore_charts()[0]
    >>> figure_key(entry, RoundView(trace=None, r=3))
    ('ledger', 3, Style(font=14, line=2.5, marker=6.0, height=420), 0)
    """
    return (entry.key, view.r, view.style, view.limit if "xy" in entry.needs else 0)
