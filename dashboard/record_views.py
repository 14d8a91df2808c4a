"""The run's records on screen: the numbers behind the charts, each batch as
cards, and the downloads.

Tables are built once per run (kept in the session's own state) and sliced
per round.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from components.records import QUERY_COLUMNS, safe_csv
from components.trace import RunTrace
from dashboard.safe import md_escape
from datasets.base import load


def _upscale(img: np.ndarray, k: int = 8) -> np.ndarray:
    img = np.asarray(img, dtype=np.float64)
    img = img / img.max() if img.max() > 0 else img
    return np.kron(1.0 - img, np.ones((k, k)))


def per_run(trace: RunTrace, name: str, build: Callable[[RunTrace], Any]) -> Any:
    """Data derived from this session's run, built once and sliced every round.

    Kept in the session's own state (never shared), next to the run it came
    from; a new run replaces it.

    Parameters
    ----------
    trace : RunTrace
        The session's run.
    name : str
        What is kept.
    build : callable
        ``build(trace)`` makes it, once per run.

    Returns
    -------
    object
        What ``build`` returned for this run.
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


def numbers(trace: RunTrace, r: int) -> None:
    """The groups record of round ``r`` as a table, in an expander.

    Parameters
    ----------
    trace : RunTrace
    r : int
        The round shown.
    """
    with st.expander(f"The numbers behind these charts (round {r})"):
        table, starts = per_run(trace, "numbers", _numbers_table)
        st.dataframe(_slice(table, starts, r), hide_index=True, key="numbers_table")


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
    """What label 1 means, for the batch's key; nothing when the data set has no words for it.

    Examples
    --------
    >>> label_meaning("earns over 50K a year")
    ' (1 = earns over 50K a year, 0 = not)'
    >>> label_meaning("1")
    ''
    """
    if str(positive_label).strip() in ("", "1", "positive"):
        return ""
    return f" (1 = {md_escape(positive_label, limit=120)}, 0 = not)"


def batch_cards(trace: RunTrace, r: int) -> None:
    """The rows labelled in round ``r`` as a person would see them.

    Parameters
    ----------
    trace : RunTrace
    r : int
        The round whose batch is shown (0: the seed set).
    """
    q, table, starts = per_run(trace, "cards", _cards_table)
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
    why_picker(trace, r, batch)


WHY_TEXT = "views.why_text"


def _explain(trace: RunTrace, r: int, key: str) -> None:
    """Callback: the sentence for the row chosen in ``key`` (replays the run to round ``r``)."""
    from components.why import sentence, why_at

    position = st.session_state.get(key)
    if position is None:
        return
    try:
        text = sentence(why_at(trace.config, r, int(position)))
    except Exception as exc:  # noqa: BLE001 -- said in one line, never a traceback
        from dashboard.session import error_text

        text = error_text(exc)
    st.session_state[WHY_TEXT] = (trace.config.to_json(), r, int(position), text)


def why_picker(trace: RunTrace, r: int, batch: pd.DataFrame) -> None:
    """ "Why this row?" for one row of round ``r``'s batch, computed only when asked.

    Parameters
    ----------
    trace : RunTrace
    r : int
        The round shown.
    batch : DataFrame
        That round's rows of the ``queries`` frame (with ``position``).
    """
    if batch.empty or "position" not in batch.columns:
        return
    positions = batch["position"].astype(int).tolist()
    groups = dict(zip(positions, batch["group"].astype(str), strict=True))
    order = {p: k + 1 for k, p in enumerate(positions)}
    key = f"why.pick.{r}"
    with st.expander("Why this row?"):
        a, b = st.columns([3, 1], vertical_alignment="bottom")
        a.selectbox(
            "Row of this batch",
            positions,
            format_func=lambda p: f"{order[p]}. {groups[p]} (pool row {p})",
            key=key,
        )
        b.button("Explain", key=f"why.go.{r}", on_click=_explain, args=(trace, r, key))
        kept = st.session_state.get(WHY_TEXT)
        if kept is not None and kept[:3] == (trace.config.to_json(), r, st.session_state.get(key)):
            st.markdown(md_escape(kept[3], limit=1200))
        else:
            st.caption(
                "Pick a row and press Explain: the score that chose it, its rank in the pool "
                "and its nearest labelled rows, in one sentence."
            )


def records_zip(trace: RunTrace) -> bytes:
    """The run's records (the CLI's schema) as CSVs, with the config, in a zip."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("config.json", trace.config.to_json() + "\n")
        zf.writestr("rounds.csv", safe_csv(trace.frames["rounds"]))
        zf.writestr("groups.csv", safe_csv(trace.frames["groups"]))
        zf.writestr("queries.csv", safe_csv(trace.frames["queries"][list(QUERY_COLUMNS)]))
    return buf.getvalue()


def replay_link(trace: RunTrace, r: int) -> str | None:
    """The link that reopens this run at round ``r`` on this server, or None off a server."""
    from urllib.parse import urlencode, urlsplit

    from dashboard import state as S

    url = urlsplit(st.context.url or "")
    if url.scheme not in ("http", "https") or not url.netloc:
        return None
    query = S.config_to_query(trace.config) | S.view_to_query(r, False)
    return f"{url.scheme}://{url.netloc}/?{urlencode(query, doseq=True)}"


def brief_button(trace: RunTrace, r: int, *, key: str = "dl_brief") -> None:
    """One click: the stakeholder brief of this run at round ``r`` (one self-contained HTML page).

    Built only when clicked (``components.brief.brief_html``).
    """
    from components.brief import brief_html

    def build() -> str:
        return brief_html(
            trace.config,
            trace.frames,
            round=r,
            replay_url=replay_link(trace, r),
            dataset=load(trace.config.dataset),
        )

    st.download_button(
        "Brief for stakeholders (one page, HTML)",
        build,
        file_name=f"who-gets-labeled-brief-round-{r}.html",
        mime="text/html",
        key=key,
        on_click="ignore",
        icon=":material/description:",
        help=(
            "A one-page summary of this run at this round for a decision-maker: who was asked, "
            "who the model fails against the truth beside what the recorded labels show, the "
            "gaps with intervals, what was assumed, and how to replay it. Prints to one or two "
            "pages; fetches nothing from the network."
        ),
    )


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
