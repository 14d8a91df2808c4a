"""Drawing You vs the model: the pick map and its controls, then the race side by side.

The data comes from ``components.race`` through ``dashboard.race_state``
(the race cache and the picking helpers); the comparison charts are the chart
list's own entries (map, ledger, accuracy) drawn on each run's ``RunTrace``.
State changes only in callbacks.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import streamlit as st

from components.race import RUNS, Race, found_sentence
from components.run_words import strategy_words
from dashboard import captions as C
from dashboard import race_state as RS
from dashboard.chart_list import RoundView, explore_charts
from dashboard.figure_fit import fit
from dashboard.figures import Style
from dashboard.race_charts import RUN_NAMES, column_chart, pick_map, summary
from dashboard.safe import md_escape
from dashboard.views import plotly_config, show
from specs import UserInputError

#: The chart list's entries the race draws for each run, by key, and their tab names.
RACE_CHARTS = (
    ("map", "Maps: who got labelled"),
    ("ledger", "Who got asked"),
    ("accuracy", "Accuracy per group"),
)
#: The pick map's toolbar keeps box and lasso selection, which the app's other charts hide.
PICK_CONFIG = {
    **plotly_config("race_pick", export=False),
    "modeBarButtonsToRemove": [
        b
        for b in plotly_config("race_pick", export=False)["modeBarButtonsToRemove"]
        if b not in ("select2d", "lasso2d")
    ],
}
ADD = "race.add"  # the "add to my picks" checkbox
PICK_ALT = (
    "Scatter map of the pool: labelled points solid, the points picked for this batch "
    "ringed in black; drag a box or a lasso to pick. The form below picks without a mouse."
)


def _set_picked(new: list[int]) -> None:
    ss = st.session_state
    if ss.get(ADD):
        new = sorted(set(ss.get(RS.PICKED, [])) | set(new))
    ss[RS.PICKED] = new


def _on_select(key: str, positions: np.ndarray, curve: int) -> None:
    state = st.session_state.get(key)
    selection = state.get("selection", {}) if state else {}
    _set_picked(RS.from_selection(selection, positions, curve))


def _on_box(race: Race) -> None:
    ss = st.session_state
    try:
        picked = RS.in_rectangle(
            race.xy,
            RS.unlabelled(race),
            (float(ss[RS.BOX + "x0"]), float(ss[RS.BOX + "x1"])),
            (float(ss[RS.BOX + "y0"]), float(ss[RS.BOX + "y1"])),
        )
    except UserInputError as exc:
        ss[RS.MESSAGE] = str(exc)
        return
    _set_picked(picked)


def _on_ids() -> None:
    ss = st.session_state
    try:
        _set_picked(RS.parse_ids(str(ss.get(RS.IDS, ""))[:2000]))
    except UserInputError as exc:
        ss[RS.MESSAGE] = str(exc)


def _on_trim(race: Race) -> None:
    ss = st.session_state
    ss[RS.PICKED] = RS.nearest_middle(race.xy, ss.get(RS.PICKED, []), race.batch_size)


def _on_clear() -> None:
    st.session_state[RS.PICKED] = []


def _on_submit(config_json: str) -> None:
    ss = st.session_state
    batches = list(ss.get(RS.BATCHES, []))
    try:
        batch = RS.RACES.submit(config_json, batches, list(ss.get(RS.PICKED, [])))
    except UserInputError as exc:
        ss[RS.MESSAGE] = str(exc)
        return
    ss[RS.BATCHES] = [*batches, batch]
    ss[RS.PICKED] = []


def status_text(k: int, n: int) -> str:
    """How many points are picked against the batch size, and what to do next.

    >>> status_text(12, 10)
    'Picked **12** of 10: 2 too many. Keep the 10 nearest the middle, or pick again.'
    >>> status_text(10, 10)
    'Picked **10** of 10: ready to submit.'
    """
    if k == n:
        return f"Picked **{k}** of {n}: ready to submit."
    if k < n:
        return f"Picked **{k}** of {n}: pick {n - k} more."
    return (
        f"Picked **{k}** of {n}: {k - n} too many. Keep the {n} nearest the middle, or pick again."
    )


def picker(race: Race, config_json: str, style: Style, message: str | None = None) -> None:
    """The pick map, the count against the batch, and the buttons; a keyboard form below.

    ``message`` (one line, from the last refused action) is shown by the buttons.
    """
    ss = st.session_state
    n = race.batch_size
    picked = [p for p in ss.get(RS.PICKED, []) if 0 <= p < race.n_pool]
    st.subheader(f"Round {race.round + 1} of {race.config.rounds}: pick {n} points to label")
    fig, positions, curve = pick_map(race, picked, style=style)
    key = f"race.map.{race.round}"
    st.plotly_chart(
        fit(fig, style, width="full"),
        theme=None,
        key=key,
        on_select=partial(_on_select, key, positions, curve),
        selection_mode=("box", "lasso"),
        config=PICK_CONFIG,
        alt=PICK_ALT,
    )
    with st.container(horizontal=True, vertical_alignment="center"):
        st.markdown(status_text(len(picked), n))
        st.button(
            f"Submit my {n} points",
            key="race.submit",
            type="primary",
            on_click=_on_submit,
            args=(config_json,),
        )
        if len(picked) > n:
            st.button(
                f"Keep the {n} nearest the middle",
                key="race.trim",
                on_click=_on_trim,
                args=(race,),
            )
        st.button("Clear my picks", key="race.clear", on_click=_on_clear)
        st.checkbox("Add to my picks", key=ADD, help="A new box or lasso adds to the picks.")
    if message:
        st.error(md_escape(message, limit=400))
    with st.expander("Pick without a mouse: a rectangle, or point numbers"):
        lo, hi = race.xy.min(axis=0), race.xy.max(axis=0)
        with st.form("race.box_form", border=False):
            cols = st.columns(4)
            for col, (name, label, value) in zip(
                cols,
                (
                    ("x0", "x1 from", lo[0]),
                    ("x1", "x1 to", hi[0]),
                    ("y0", "x2 from", lo[1]),
                    ("y1", "x2 to", hi[1]),
                ),
                strict=True,
            ):
                col.number_input(label, value=round(float(value), 1), step=0.5, key=RS.BOX + name)
            st.form_submit_button(
                "Pick the unlabelled points in this rectangle", on_click=_on_box, args=(race,)
            )
        st.text_input(
            "Point numbers (hover a point on the map to see its number)",
            key=RS.IDS,
            placeholder="e.g. 12, 40, 77",
        )
        st.button("Pick these point numbers", key="race.ids_go", on_click=_on_ids)


def _found(race: Race) -> None:
    if race.far_group is None:
        return
    found = {run: race.standing(run).found for run in RUNS}
    st.markdown(
        "**"
        + md_escape(
            found_sentence(
                found,
                far=race.far_group,
                rounds=race.round,
                model=strategy_words(race.config.strategy),
            )
        )
        + "**"
    )


def results(race: Race, style: Style) -> None:
    """The three runs side by side: who found the far cluster, the numbers, the charts."""
    st.subheader(f"The race after {race.round} round(s): you, the model and random")
    st.caption(
        f"All three started from the same {race.config.initial_size} labelled points and "
        f"labelled {race.batch_size} more per round. The model is "
        f"{strategy_words(race.config.strategy)}; random picks at random."
    )
    _found(race)
    st.dataframe(summary(race), hide_index=True, key="race.summary")
    entries = {e.key: e for e in explore_charts()}
    traces = {run: race.trace(run) for run in RUNS}
    tabs = st.tabs([title for _, title in RACE_CHARTS])
    for (key, _), tab in zip(RACE_CHARTS, tabs, strict=True):
        entry = entries[key]
        with tab:
            st.markdown(f"**{md_escape(entry.title)}**")
            cols = st.columns(len(RUNS))
            for run, col in zip(RUNS, cols, strict=True):
                view = RoundView(traces[run], race.round, style=style)
                with col:
                    st.markdown(f"**{RUN_NAMES[run]}**")
                    show(
                        column_chart(entry.build(view), style),
                        key=f"race_{key}_{run}",
                        alt=f"{RUN_NAMES[run]}: {entry.alt}",
                    )
            head, _, _rest = entry.caption(RoundView(traces["you"], race.round)).partition(C.REST)
            st.caption(f"Your run: {head}")
