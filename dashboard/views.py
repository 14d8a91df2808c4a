"""Page glue: the drawing blocks the pages call (headline, charts, batch cards,
classroom figure, Compare's charts, downloads).

Which charts are drawn, and how, comes from ``dashboard.chart_list``; this
module lays them out, caches the built figures across sessions (``FIGURES``)
and draws them with Streamlit.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from components.run_words import run_stamp
from components.trace import RunTrace
from dashboard import captions as C
from dashboard import headline as H
from dashboard import state as S
from dashboard.cache import FIGURES
from dashboard.chart_list import (
    RECORD_NEEDS,
    ChartEntry,
    Comparison,
    RoundView,
    classroom_panels,
    compare_charts,
    explore_charts,
    figure_key,
    rows,
)
from dashboard.figure_fit import fit
from dashboard.figures import Chart, Style
from dashboard.pool_charts import MAX_MAP_POINTS, PLAY_MAP_POINTS
from dashboard.record_views import numbers, per_run
from dashboard.replay import replay_figure
from dashboard.safe import md_escape
from datasets.base import load

PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2, "filename": "who-gets-labeled"},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}


def plotly_config(key: str, *, export: bool = True) -> dict:
    """The chart toolbar: a camera button saving ``<key>.png`` when ``export``.

    Parameters
    ----------
    key : str
        The chart's key, used as the PNG's file name.
    export : bool
        Keep the camera button.

    Returns
    -------
    dict
        A plotly.js config.

    Examples
    --------
    >>> plotly_config("ledger")["toImageButtonOptions"]["filename"]
    'ledger'
    >>> "toImage" in plotly_config("ledger", export=False)["modeBarButtonsToRemove"]
    True
    """
    cfg = dict(PLOTLY_CONFIG)
    cfg["toImageButtonOptions"] = dict(cfg["toImageButtonOptions"], filename=key)
    if not export:
        cfg["modeBarButtonsToRemove"] = [*cfg["modeBarButtonsToRemove"], "toImage"]
    return cfg


def show(fig: Chart, *, key: str, alt: str, export: bool = True) -> None:
    """Draw ``fig`` with the app's toolbar.

    Parameters
    ----------
    fig : Chart
    key : str
        Widget key and PNG file name.
    alt : str
        What the chart shows, for screen readers.
    export : bool
        Offer the camera button.
    """
    st.plotly_chart(fig, theme=None, key=key, config=plotly_config(key, export=export), alt=alt)


def round_text(trace: RunTrace, r: int) -> dict:
    """Every number and sentence shown for round ``r`` that reads only the records.

    Plain strings in plain containers, so ``FIGURES`` can share them like the
    figures: they are the same for everyone watching this run at this round.

    Parameters
    ----------
    trace : RunTrace
    r : int
        The round shown.

    Returns
    -------
    dict
        ``"metrics"``: the headline's ``st.metric`` arguments, one dict per
        metric; and, keyed by chart, the captions of Explore's charts drawn
        from the record frames alone (``needs <= RECORD_NEEDS``).
    """
    rounds, groups = trace.frames["rounds"], trace.frames["groups"]
    row = C.round_row(rounds, r)
    first = C.round_row(rounds, 0)
    now = C.at_round(groups, r)
    prev = C.at_round(groups, r - 1) if r > 1 else None
    metrics = [
        {
            "label": "Labelled so far",
            "value": f"{int(row['n_labeled']):,}",
            "help": "Seed set plus every query so far.",
        },
        {
            "label": "Accuracy (truth)",
            "value": f"{row['accuracy']:.1%}",
            "delta": f"{row['accuracy'] - first['accuracy']:+.1%} since seed set" if r else None,
            "help": f"Against the recorded labels: {row['accuracy_observed']:.1%}",
        },
        {
            "label": "Worst-group accuracy",
            "value": f"{row['worst_group_accuracy']:.1%}",
            "delta": (
                f"{row['worst_group_accuracy'] - first['worst_group_accuracy']:+.1%} since seed set"
                if r
                else None
            ),
            "help": (
                "The lowest accuracy among the groups, graded against the truth. Accuracy "
                "can hide who the errors fall on: the lines above split them into positives "
                "missed and negatives wrongly flagged."
            ),
        },
    ]
    for g in trace.groups:
        q = now[g]["query_share_cum"]
        p = now[g]["pool_share"]
        delta = None
        if prev is not None and not np.isnan(q):
            d = q - prev[g]["query_share_cum"]
            delta = f"{d:+.1%} this round" if abs(d) >= 0.0005 else None
        metrics.append(
            {
                "label": md_escape(g),
                "value": "—" if np.isnan(q) else f"{q:.0%} / {p:.0%}",
                "delta": delta,
                "delta_color": "off",
                "help": (
                    f"{md_escape(g)}: share of all queries so far / share of the pool. "
                    "The arrow shows how the query share moved this round."
                ),
            }
        )
    view = RoundView(trace, r)
    captions = {e.key: e.caption(view) for e in explore_charts() if e.needs <= RECORD_NEEDS}
    return {"metrics": metrics, **captions}


def _run_key(trace: RunTrace) -> str:
    """This run's identity for the shared caches: its config (made once per run)."""
    return per_run(trace, "key", lambda t: t.config.to_json())


def _text(trace: RunTrace, r: int) -> dict:
    return FIGURES.get_or_build((_run_key(trace), "text", r), lambda: round_text(trace, r))


def outcome_text(trace: RunTrace, r: int) -> dict[str, str]:
    """The headline's outcome sentences at round ``r`` (``headline.outcome_headline``).

    Shared through ``FIGURES`` like the other round text.
    """

    def build() -> dict[str, str]:
        words = per_run(trace, "positive_label", lambda t: load(t.config.dataset).positive_label)
        return H.outcome_headline(
            trace.frames["groups"], r, positive_label=words, strategy=trace.config.strategy.name
        )

    return FIGURES.get_or_build((_run_key(trace), "outcome", r), build)


def headline(trace: RunTrace, r: int) -> None:
    """Who the model recognises and wrongly flags per group (truth, then recorded
    labels), who was asked less than their share and why, then labelled so
    far, accuracy, worst-group accuracy and each group's query share.

    Parameters
    ----------
    trace : RunTrace
    r : int
        The round shown.
    """
    text = _text(trace, r)
    outcome = outcome_text(trace, r)
    st.markdown(outcome["truth"], help=outcome["intervals"])
    st.caption(outcome["observed"])
    if outcome["against"]:
        st.caption(outcome["against"])
    # One wrapping row, not columns: fewer elements to resend every round.
    cols = st.container(horizontal=True, gap="medium")
    for m in text["metrics"]:
        cols.metric(**m)


def _cells(row: list[ChartEntry], style: Style) -> list:
    """Where each chart of a row goes: full width alone, else half a row each."""
    if style.projector or row[0].wide:
        return [st.container() for _ in row]
    return list(st.columns(2))[: len(row)]


def _width(entry: ChartEntry, style: Style) -> str:
    """The width class a chart is drawn at (see ``_cells``): "full" or "half"."""
    return "full" if style.projector or entry.wide else "half"


def draw_entry(entry: ChartEntry, fig: Chart, caption: str, *, key: str) -> None:
    """A chart-list chart with its caption; a caption's every-group detail goes one click away."""
    show(fig, key=key, alt=entry.alt, export=entry.export)
    head, _, rest = caption.partition(C.REST)
    (st.markdown if entry.caption_kind == "text" else st.caption)(head)
    if rest:
        with st.expander("Every group"):
            st.markdown(rest)


def explore_figure(entry: ChartEntry, view: RoundView, style: Style, stamp: str) -> dict:
    """One Explore chart as plotly JSON: fitted to its width, the run and round under its title.

    The title, the stamp and the legend are in the figure itself, so the camera
    button's PNG stands alone on a handout.
    """
    return fit(entry.build(view), style, width=_width(entry, style), stamp=stamp).to_dict()


def charts(trace: RunTrace, r: int, style: Style) -> None:
    """Explore's charts (``chart_list.explore_charts``) with their captions, at round ``r``.

    Figures come from the process-wide ``FIGURES`` cache, keyed by the run,
    ``chart_list.figure_key`` (chart, round, style, map limit): the same run
    at the same round looks the same for everyone (see ``dashboard.cache``).

    Parameters
    ----------
    trace : RunTrace
    r : int
        The round shown.
    style : Style
        Sizes; presenter sizes draw one chart per row.
    """
    limit = PLAY_MAP_POINTS if st.session_state.get(S.PLAYING) else MAX_MAP_POINTS
    view = RoundView(trace, r, style=style, limit=limit)
    run = _run_key(trace)
    text = _text(trace, r)
    stamp = run_stamp(trace.config, r)
    for row in rows(explore_charts(), style):
        for entry, cell in zip(row, _cells(row, style), strict=True):
            key = (run, *figure_key(entry, view))
            spec = FIGURES.get_or_build(
                key,
                lambda e=entry: explore_figure(e, view, style, stamp),
            )
            with cell:
                draw_entry(
                    entry,
                    Chart.sent(spec),
                    text.get(entry.key) or entry.caption(view),
                    key=entry.key,
                )
    numbers(trace, r)


def classroom(trace: RunTrace, style: Style, speed: str) -> None:
    """The whole run as one animated figure (``dashboard.replay``), shared via ``FIGURES``.

    Parameters
    ----------
    trace : RunTrace
    style : Style
    speed : {"slow", "normal", "fast"}
        Play's pace.
    """
    key = (_run_key(trace), "replay", style, speed)
    spec = FIGURES.get_or_build(
        key, lambda: replay_figure(trace, style=style, speed=speed).to_dict()
    )
    show(
        Chart.sent(spec),
        key="replay",
        alt="Animated chart of every round: " + "; ".join(e.alt for e in classroom_panels()),
    )


def compare(runs: dict[str, list[RunTrace]], style: Style) -> None:
    """Compare's charts of several strategies (``chart_list.compare_charts("strategies")``).

    Parameters
    ----------
    runs : dict of str to list of RunTrace
        Strategy label -> one run per seed.
    style : Style
    """
    comparison = Comparison(runs, style=style)
    for row in rows(compare_charts("strategies"), style):
        for entry, cell in zip(row, _cells(row, style), strict=True):
            with cell:
                fig = fit(entry.build(comparison), style, width=_width(entry, style))
                draw_entry(entry, fig, entry.caption(comparison), key=entry.key)


def compare_against_random(trace: RunTrace, ghost: RunTrace, style: Style) -> None:
    """Compare's one-run charts (``chart_list.compare_charts("round")``) at the last round.

    Parameters
    ----------
    trace : RunTrace
        The chosen strategy's run.
    ghost : RunTrace
        ``random`` from the same seed set, drawn in grey.
    style : Style
    """
    view = RoundView(trace, trace.last_round, style=style, ghost=ghost)
    for entry in compare_charts("round"):
        fig = fit(entry.build(view), style, width="full")
        draw_entry(entry, fig, entry.caption(view), key=f"cmp_{entry.key}")
