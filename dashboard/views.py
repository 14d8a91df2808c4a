"""Drawing blocks for one revealed round of a run: headline, charts, batch cards."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from components.records import QUERY_COLUMNS, safe_csv
from components.trace import RunTrace
from dashboard import captions as C
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
from dashboard.figures import Chart, Style
from dashboard.pool_charts import MAX_MAP_POINTS, PLAY_MAP_POINTS
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
    """Draw ``fig`` with the app's toolbar; ``alt`` describes it for screen readers."""
    st.plotly_chart(fig, theme=None, key=key, config=plotly_config(key, export=export), alt=alt)


def round_text(trace: RunTrace, r: int) -> dict:
    """Every number and sentence shown for round ``r`` that reads only the records.

    The headline's metrics, and the captions of Explore's charts drawn from
    the record frames alone (keyed by chart). Plain strings in plain
    containers, so ``FIGURES`` can share them like the figures: they are the
    same for everyone watching this run at this round.
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
            "help": "The lowest accuracy among the groups, graded against the truth.",
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
    return _per_run(trace, "key", lambda t: t.config.to_json())


def _text(trace: RunTrace, r: int) -> dict:
    return FIGURES.get_or_build((_run_key(trace), "text", r), lambda: round_text(trace, r))


def headline(trace: RunTrace, r: int) -> None:
    """Labelled so far, accuracy, worst-group accuracy, and each group's query share."""
    # One wrapping row, not columns: fewer elements to resend every round.
    cols = st.container(horizontal=True, gap="medium")
    for m in _text(trace, r)["metrics"]:
        cols.metric(**m)


def _cells(row: list[ChartEntry], style: Style) -> list:
    """Where each chart of a row goes: full width alone, else half a row each."""
    if style.projector or row[0].wide:
        return [st.container() for _ in row]
    return list(st.columns(2))[: len(row)]


def _draw(entry: ChartEntry, fig: Chart, caption: str, *, key: str) -> None:
    show(fig, key=key, alt=entry.alt, export=entry.export)
    (st.markdown if entry.caption_kind == "text" else st.caption)(caption)


def charts(trace: RunTrace, r: int, style: Style) -> None:
    """Explore's charts (``chart_list.explore_charts``) with their captions, at round ``r``.

    Figures come from the process-wide ``FIGURES`` cache: the same run at the
    same round looks the same for everyone (see ``dashboard.cache``).
    """
    limit = PLAY_MAP_POINTS if st.session_state.get(S.PLAYING) else MAX_MAP_POINTS
    view = RoundView(trace, r, style=style, limit=limit)
    run = _run_key(trace)
    text = _text(trace, r)
    for row in rows(explore_charts(), style):
        for entry, cell in zip(row, _cells(row, style), strict=True):
            key = (run, *figure_key(entry, view))
            spec = FIGURES.get_or_build(key, lambda e=entry: e.build(view).to_dict())
            with cell:
                _draw(
                    entry,
                    Chart.sent(spec),
                    text.get(entry.key) or entry.caption(view),
                    key=entry.key,
                )
    with st.expander(f"The numbers behind these charts (round {r})"):
        table, starts = _per_run(trace, "numbers", _numbers_table)
        st.dataframe(_slice(table, starts, r), hide_index=True, key="numbers_table")


def classroom(trace: RunTrace, style: Style, speed: str) -> None:
    """The whole run as one animated figure (``dashboard.replay``), shared via ``FIGURES``."""
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
    """Compare's charts of several strategies (``chart_list.compare_charts``)."""
    comparison = Comparison(runs, style=style)
    for row in rows(compare_charts("strategies"), style):
        for entry, cell in zip(row, _cells(row, style), strict=True):
            with cell:
                _draw(entry, entry.build(comparison), entry.caption(comparison), key=entry.key)


def compare_against_random(trace: RunTrace, ghost: RunTrace, style: Style) -> None:
    """Compare's one-run charts for ``trace`` at its last round, with ``ghost`` (random) in grey."""
    view = RoundView(trace, trace.last_round, style=style, ghost=ghost)
    for entry in compare_charts("round"):
        _draw(entry, entry.build(view), entry.caption(view), key=f"cmp_{entry.key}")


def _upscale(img: np.ndarray, k: int = 8) -> np.ndarray:
    img = np.asarray(img, dtype=np.float64)
    img = img / img.max() if img.max() > 0 else img
    return np.kron(1.0 - img, np.ones((k, k)))


def _per_run(trace: RunTrace, name: str, build):  # noqa: ANN001, ANN202
    """Data derived from this session's run, built once and sliced every tick.

    Kept in the session's own state (never shared), next to the run it came
    from; a new run replaces it.
    """
    slot = st.session_state.get(f"views.{name}")
    if slot is None or slot[0] is not trace:
        slot = (trace, build(trace))
        st.session_state[f"views.{name}"] = slot
    return slot[1]


def _by_round(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` in round order, and where each round starts (``starts[r]:starts[r+1]``)."""
    order = np.argsort(frame["round"].to_numpy(), kind="stable")
    frame = frame.iloc[order].reset_index(drop=True)
    rounds = frame["round"].to_numpy()
    last = int(rounds.max()) if len(rounds) else 0
    return frame, np.searchsorted(rounds, np.arange(last + 2))


def _slice(table: pa.Table, starts: np.ndarray, r: int) -> pa.Table:
    if r + 1 >= len(starts):
        return table.slice(0, 0)
    return table.slice(int(starts[r]), int(starts[r + 1] - starts[r]))


def _numbers_table(trace: RunTrace) -> tuple[pa.Table, np.ndarray]:
    groups, starts = _by_round(trace.frames["groups"])
    shown = groups.drop(columns=["round"]).round(3)
    return pa.Table.from_pandas(shown, preserve_index=False), starts


def _cards_table(trace: RunTrace) -> tuple[pd.DataFrame, pa.Table, np.ndarray]:
    """Every labelled row as the cards show it (as text), in round order."""
    q, starts = _by_round(trace.frames["queries"])
    meta = q[["group", "label_true", "label_observed", "score"]].rename(
        columns={"label_true": "true label", "label_observed": "recorded label"}
    )
    meta["score"] = meta["score"].round(3)  # four digits fit the column; the zip has them all
    ds = load(trace.config.dataset)
    table = meta
    if isinstance(ds.raw, pd.DataFrame) and ds.modality == "tabular":
        rows = ds.raw.iloc[q["index"].to_numpy()].reset_index(drop=True)
        rows = rows.drop(columns=[c for c in rows.columns if c in meta.columns])
        table = pd.concat([meta, rows], axis=1).astype(str)
    return q, pa.Table.from_pandas(table, preserve_index=False), starts


def label_meaning(positive_label: str) -> str:
    """' (1 = earns over $50K a year, 0 = not)', or nothing when the data set has no words for it."""
    if str(positive_label).strip() in ("", "1", "positive"):
        return ""
    return f" (1 = {md_escape(positive_label, limit=120)}, 0 = not)"


def batch_cards(trace: RunTrace, r: int) -> None:
    """The rows labelled in round ``r`` as a person would see them."""
    q, table, starts = _per_run(trace, "cards", _cards_table)
    lo, hi = (int(starts[r]), int(starts[r + 1])) if r + 1 < len(starts) else (0, 0)
    batch = q.iloc[lo:hi]
    title = "The seed set (round 0)" if r == 0 else f"Round {r}: the rows just labelled"
    ds = load(trace.config.dataset)
    # Title and key in one element: every element is resent on every Play tick.
    st.markdown(
        f"### {title}\n\n**true label** = what really holds{label_meaning(ds.positive_label)}; "
        "**recorded label** = what the (simulated) annotator returned, after any label or "
        "annotator bias."
    )
    if batch.empty:
        st.info("Nothing was labelled in this round.")
        return
    if ds.modality == "image" and ds.raw is not None:
        show_n = batch.head(10)
        cols = st.columns(min(len(show_n), 10))
        for col, (_, row) in zip(cols, show_n.iterrows(), strict=False):
            with col:
                st.image(_upscale(ds.raw[int(row["index"])]), width=64, clamp=True)
                st.caption(
                    f"{md_escape(row['group'])}\ntrue {int(row['label_true'])} / rec. {int(row['label_observed'])}"
                )
        if len(batch) > 10:
            st.caption(f"…and {len(batch) - 10} more (see the table).")
    elif ds.modality == "text" and isinstance(ds.raw, pd.DataFrame):
        text_col = "text" if "text" in ds.raw.columns else ds.raw.columns[0]
        for _, row in batch.head(10).iterrows():
            sentence = str(ds.raw.iloc[int(row["index"])][text_col])
            st.text(
                f"[{row['group']}] true {int(row['label_true'])}, recorded "
                f"{int(row['label_observed'])}: {sentence}"
            )
    st.dataframe(_slice(table, starts, r), hide_index=True, key="batch_table")


def records_zip(trace: RunTrace) -> bytes:
    """The run's records (the CLI's schema) as CSVs, with the config, in a zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", trace.config.to_json() + "\n")
        zf.writestr("rounds.csv", safe_csv(trace.frames["rounds"]))
        zf.writestr("groups.csv", safe_csv(trace.frames["groups"]))
        zf.writestr("queries.csv", safe_csv(trace.frames["queries"][list(QUERY_COLUMNS)]))
    return buf.getvalue()


def downloads(trace: RunTrace) -> None:
    """Run records as a zip of CSVs, and the config as JSON.

    The zip is made only when someone clicks (a callable ``data``), not on
    every page run.
    """
    a, b = st.columns(2)
    a.download_button(
        "Download records (CSV, zip)",
        lambda: records_zip(trace),
        file_name="run.zip",
        mime="application/zip",
        key="dl_zip",
        on_click="ignore",
    )
    b.download_button(
        "Download config (JSON)",
        trace.config.to_json(),
        file_name="config.json",
        mime="application/json",
        key="dl_json",
        on_click="ignore",
    )
    st.caption(
        "Replay on the command line: `python -m components run --config config.json`. "
        "Each chart has a camera button (top right) that saves it as PNG."
    )
