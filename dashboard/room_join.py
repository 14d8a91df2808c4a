"""A student's screen: join a room, label your own items, send them.

Made for a phone (390 px wide): one column, big touch targets, no charts.
The student's secret token sits in the link (``?room=CODE&token=...``) and
in the session, so a reload gives the same items back. A student sees
their own name, their own items and the class's counts, nothing of anyone
else. A small fragment polls the store and redraws the page when the
teacher opens or closes a round.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from components.rooms import Item
from dashboard import room_common as R
from dashboard.record_views import _upscale
from dashboard.safe import md_escape

TOKEN = "join.token"
CODE = "join.code"
NAME = "join.name"
NOTE = "join.note"
SEEN = "join.seen"
YES, NO = "Yes", "No"
PHONE_CSS = """
<style>
[data-testid="stRadio"] [role="radiogroup"] { gap: 0.75rem; }
[data-testid="stRadio"] [data-testid="stWidgetLabel"] p { font-size: 1.1rem; font-weight: 600; }
[data-testid="stRadio"] [role="radiogroup"] label {
  min-height: 3rem; min-width: 6.5rem; padding: 0.5rem 1rem; border: 2px solid #0072B2;
  border-radius: 0.6rem; align-items: center; }
[data-testid="stRadio"] [role="radiogroup"] label p { font-size: 1.25rem; font-weight: 600; }
[data-testid="stMainBlockContainer"] button { min-height: 3.2rem; }
[data-testid="stMainBlockContainer"] button p { font-size: 1.2rem; }
[data-testid="stMainBlockContainer"] input { font-size: 1.2rem; min-height: 2.8rem; }
</style>
"""


def student_token() -> str | None:
    """The student's token: from the link (a reload) or from this session."""
    token = st.query_params.get(R.TOKEN_Q) or st.session_state.get(TOKEN)
    if token:
        st.session_state[TOKEN] = token
        st.query_params[R.TOKEN_Q] = token
    return token or None


def _join() -> None:
    code, name = st.session_state.get(CODE, ""), st.session_state.get(NAME, "")
    try:
        token = R.store().join(code, name)
    except Exception as exc:  # noqa: BLE001 -- said on the page by the next run
        st.session_state[NOTE] = ("error", exc)
        return
    from components.rooms import normalise_code

    st.session_state[TOKEN] = token
    st.query_params[R.ROOM_Q] = normalise_code(code)
    st.query_params[R.TOKEN_Q] = token


def _note() -> None:
    note = st.session_state.pop(NOTE, None)
    if note is None:
        return
    kind, value = note
    if kind == "error":
        R.call(_raise, value)
    elif kind == "info":
        st.info(md_escape(value, limit=300))
    else:
        st.success(md_escape(value, limit=300))


def _raise(exc: BaseException) -> None:
    raise exc


def join_form() -> None:
    """Room code and display name; one clear message on bad input."""
    st.markdown(PHONE_CSS, unsafe_allow_html=True)  # static CSS, no data
    _note()
    if CODE not in st.session_state:
        st.session_state[CODE] = str(st.query_params.get(R.ROOM_Q, ""))[:20]
    st.markdown("Type the code on your teacher's screen and the name you want to use.")
    with st.form("join.form", border=False):
        st.text_input("Room code", key=CODE, max_chars=12, placeholder="e.g. K7QM2X")
        st.text_input(
            "Your name",
            key=NAME,
            max_chars=30,
            help="Only you see it (and your teacher, if they turn names on).",
        )
        st.form_submit_button(
            "Join", type="primary", on_click=_join, width="stretch", key="join.submit"
        )


def _forget() -> None:
    st.session_state.pop(TOKEN, None)
    st.query_params.pop(R.TOKEN_Q, None)


def _fresh(state: dict[str, Any]) -> tuple[int, int | None]:
    return (int(state["round"]), state["open_round"])


@st.fragment(run_every=R.POLL_SECONDS)
def _poll(token: str) -> None:
    """Redraw the page when the teacher opens or closes a round (a cheap read)."""
    try:
        state = R.store().student_state(token)
    except Exception:  # noqa: BLE001 -- the full page says it on its next run
        return
    if st.session_state.get(SEEN) not in (None, _fresh(state)):
        st.rerun(scope="app")


def _send(token: str, positions: list[int]) -> None:
    answers = {}
    for p in positions:
        choice = st.session_state.get(f"join.item.{p}")
        if choice is not None:
            answers[p] = 1 if choice == YES else 0
    if not answers:
        st.session_state[NOTE] = ("info", "Pick Yes or No for at least one item first.")
        return
    try:
        out = R.store().submit(token, answers)
    except Exception as exc:  # noqa: BLE001
        st.session_state[NOTE] = ("error", exc)
        return
    if out.round_closed:
        msg = "Thank you: the class finished this round and the model is learning from it."
    elif out.remaining:
        msg = f"Sent {out.stored}. You have {out.remaining} left."
    else:
        msg = f"Sent {out.stored}: all yours are done. Wait for the rest of the class."
    st.session_state[NOTE] = ("ok", msg)


def _card(item: Item, k: int, question: str) -> None:
    with st.container(border=True):
        st.markdown(f"**Item {k}**")
        if item.kind == "image" and item.image is not None:
            st.image(_upscale(np.asarray(item.image)), width=160, clamp=True)
        elif item.kind == "text" and item.text is not None:
            st.markdown(f"> {md_escape(item.text, limit=600)}")
        else:
            st.markdown(
                "  \n".join(
                    f"**{md_escape(str(name).replace('_', ' '), limit=60)}**: "
                    f"{md_escape(value, limit=80)}"
                    for name, value in item.fields
                )
            )
        key = f"join.item.{item.position}"
        if key not in st.session_state and item.label is not None:
            st.session_state[key] = YES if item.label == 1 else NO
        st.radio(question, [YES, NO], index=None, key=key, horizontal=True)


def student(token: str) -> None:
    """The joined student's page: their items this round, or what to wait for."""
    st.markdown(PHONE_CSS, unsafe_allow_html=True)  # static CSS, no data
    _note()
    state = R.call(R.store().student_state, token)
    if state is None:
        st.button("Join again", on_click=_forget, key="join.again", width="stretch")
        return
    st.session_state[SEEN] = _fresh(state)
    _poll(token)
    st.markdown(f"Hello **{md_escape(state['name'], limit=40)}** · room {state['code']}")
    if state["open_round"] is None:
        if state["done"]:
            st.success(
                "All rounds are done. Look at your teacher's screen: who did the model "
                "never ask you about?"
            )
        else:
            st.info(
                f"{state['round']} of {state['rounds']} rounds done. Wait for your teacher to "
                "open the next round: this page updates by itself."
            )
        return
    items = R.call(R.store().items_for, token)
    if items is None:
        return
    st.markdown(
        f"**Round {state['open_round']} of {state['rounds']}**: you labelled "
        f"{state['my_labelled']} of your {state['my_assigned']} items. "
        f"The class: {state['open_labelled']} of {state['open_assigned']}."
    )
    if not items:
        st.info(
            "You have no items this round (more students than items, or you joined after it "
            "opened). Wait for the next round: this page updates by itself."
        )
        return
    positive = md_escape(state["positive_label"], limit=80)
    question = f"Is this one: {positive}?"
    positions = [i.position for i in items]
    for k, item in enumerate(items, start=1):
        _card(item, k, question)
    st.button(
        "Send my labels",
        type="primary",
        key="join.send",
        on_click=_send,
        args=(token, positions),
        width="stretch",
    )
