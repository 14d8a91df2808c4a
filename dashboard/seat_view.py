"""Drawing the annotator's seat: the batch as cards, the charts, and "How did I do?".

The data comes from ``components.seat`` (items, answers, the report) and
``components.why`` (the "Why this row?" sentence); the charts are the chart
list's own entries, fed the seat's record frames through ``SeatRun``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from components.config import RunConfig
from components.seat import SIMULATED, Seat, SeatItem
from components.seat_report import report_sentences, seat_report
from components.why import sentence
from components.why_text import short_label
from dashboard import captions as C
from dashboard import seat_state as SS
from dashboard.chart_list import RECORD_NEEDS, RoundView, explore_charts
from dashboard.figure_fit import fit
from dashboard.figures import Style
from dashboard.safe import md_escape
from dashboard.views import show
from specs import UserInputError

#: The chart list's entries the seat draws, by key (record charts only).
SEAT_CHARTS = ("ledger", "accuracy")
YES, NO = "yes", "no"
ANSWERS = (YES, NO, SIMULATED)
VALUE = {YES: 1, NO: 0, SIMULATED: SIMULATED}
ANSWER_SIMULATED = "Show me the simulated annotator's answer and use it"


@dataclass(frozen=True)
class SeatRun:
    """What a record chart reads from a run (``RECORD_NEEDS``), taken from a seat."""

    config: RunConfig
    groups: tuple[str, ...]
    frames: dict[str, pd.DataFrame]

    @classmethod
    def of(cls, seat: Seat) -> SeatRun:
        return cls(seat.config, seat.groups, seat.frames())


def answer_key(round_: int, position: int) -> str:
    """The widget key of one row's answer in one round."""
    return f"{SS.PENDING}{round_}.{position}"


def _answer_words(positive_label: str) -> dict[str, str]:
    """The three answers as Markdown (a radio renders its options as Markdown)."""
    pos = md_escape(short_label(positive_label), limit=120)
    if pos in ("1", "positive"):  # no words for the label: say its number
        return {YES: "Yes (label 1)", NO: "No (label 0)", SIMULATED: ANSWER_SIMULATED}
    return {
        YES: f"Yes: {pos}",
        NO: f"No: not {pos}",
        SIMULATED: ANSWER_SIMULATED,
    }


def _upscale(img: tuple, k: int = 10) -> np.ndarray:
    return np.kron(1.0 - np.asarray(img, dtype=np.float64), np.ones((k, k)))


def _content(item: SeatItem) -> None:
    if item.kind == "image" and item.image is not None:
        st.image(_upscale(item.image), width=120, clamp=True)
    elif item.kind == "text" and item.text is not None:
        st.markdown(f"“{md_escape(item.text, limit=600)}”")  # full contrast, not a grey quote
    else:
        cells = [f"**{md_escape(k, limit=60)}** {md_escape(v, limit=80)}" for k, v in item.fields]
        st.markdown(" · ".join(cells))


def card(seat: Seat, item: SeatItem, words: dict[str, str]) -> None:
    """One question: the row, the answer, the simulated answer on request, and why."""
    key = answer_key(seat.round, item.position)
    with st.container(border=True):
        st.markdown(f"**Question {item.order}** · group **{md_escape(item.group)}**")
        _content(item)
        st.radio(
            "Your label",
            ANSWERS,
            index=None,
            format_func=lambda a: words[a],
            key=key,
        )
        if st.session_state.get(key) == SIMULATED:
            said = words[YES if seat.simulated_answer(item.position) == 1 else NO]
            st.markdown(f"The simulated annotator says **{said}**; it will be used.")
        with st.expander("Why this row?"):
            st.markdown(md_escape(sentence(seat.why(item.position)), limit=1200))


def _unanswered(round_: int, positions: list[int]) -> list[int]:
    ss = st.session_state
    return [k + 1 for k, p in enumerate(positions) if ss.get(answer_key(round_, p)) is None]


def _on_submit(config_json: str, round_: int, positions: list[int]) -> None:
    ss = st.session_state
    missing = _unanswered(round_, positions)
    if missing:
        shown = ", ".join(str(k) for k in missing)
        ss[SS.MESSAGE] = (
            f"answers: {len(missing)} of {len(positions)} questions have no answer "
            f"(question {shown}); allowed: yes, no or the simulated annotator's answer for each"
        )
        return
    labels = {p: VALUE[ss[answer_key(round_, p)]] for p in positions}
    history = list(ss.get(SS.HISTORY, []))
    try:
        checked = SS.SEATS.submit(config_json, history, labels)
    except UserInputError as exc:
        ss[SS.MESSAGE] = str(exc)
        return
    ss[SS.HISTORY] = [*history, checked]


def _fill_simulated(round_: int, positions: list[int]) -> None:
    ss = st.session_state
    for p in positions:
        if ss.get(answer_key(round_, p)) is None:
            ss[answer_key(round_, p)] = SIMULATED


def batch(seat: Seat, config_json: str, style: Style) -> None:
    """The model's next batch as cards, then Submit."""
    items = seat.batch()
    words = _answer_words(seat.sim.dataset.positive_label)
    n = len(items)
    st.subheader(f"Round {seat.round + 1} of {seat.config.rounds}: the model asks you {n} rows")
    st.caption(
        "Label each row, or ask for the simulated annotator's answer (it then counts as "
        "theirs, not yours). The model chose these rows; open 'Why this row?' to see why."
    )
    per_row = 1 if style.projector else 2
    for start in range(0, n, per_row):
        cols = st.columns(per_row)
        for col, item in zip(cols, items[start : start + per_row], strict=False):
            with col:
                card(seat, item, words)
    positions = [it.position for it in items]
    left, right = st.columns(2)
    left.button(
        f"Submit these {n} labels",
        type="primary",
        key="seat.submit",
        on_click=_on_submit,
        args=(config_json, seat.round, positions),
        icon=":material/send:",
    )
    right.button(
        "Let the simulated annotator answer the rest",
        key="seat.fill",
        on_click=_fill_simulated,
        args=(seat.round, positions),
    )


def charts(seat: Seat, style: Style) -> None:
    """The ledger and accuracy charts (the chart list's entries) from the seat's records."""
    view = RoundView(SeatRun.of(seat), seat.round, style=style)  # type: ignore[arg-type]
    entries = [e for e in explore_charts() if e.key in SEAT_CHARTS and e.needs <= RECORD_NEEDS]
    cells = [st.container()] * len(entries) if style.projector else st.columns(len(entries))
    for entry, cell in zip(entries, cells, strict=True):
        with cell:
            fig = fit(entry.build(view), style, width="full" if style.projector else "half")
            show(fig, key=f"seat_{entry.key}", alt=entry.alt)
            head, _, _rest = entry.caption(view).partition(C.REST)
            st.caption(head)


def report(seat: Seat) -> None:
    """How did I do? Per group, in words, then the same numbers as a table."""
    rep = seat_report(seat)
    for text in report_sentences(rep):
        st.markdown(md_escape(text, limit=1200))
    if not rep.budget:
        return
    table = pd.DataFrame(
        {
            "group": [g.group for g in rep.groups],
            "shown to you": [g.shown for g in rep.groups],
            "random: expected": [round(g.expected_random, 1) for g in rep.groups],
            "random: 95% range": [f"{g.random_low} to {g.random_high}" for g in rep.groups],
            "random run, same seed set": [g.random_run for g in rep.groups],
            "you labelled": [g.labelled for g in rep.groups],
            "agreed with truth": [g.agree_truth for g in rep.groups],
            "positives you missed": [g.missed_positives for g in rep.groups],
            "false positives": [g.false_positives for g in rep.groups],
            "simulated annotator agreed": [g.simulated_agree_truth for g in rep.groups],
            "handed over": [g.revealed for g in rep.groups],
        }
    )
    st.dataframe(table, hide_index=True, key="seat.report_table")
