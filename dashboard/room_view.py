"""The teacher's screen of a class labelling room: open it, show the code, run the rounds.

Everything shown is read from the room store (``components.rooms``) on
each run: a teacher whose browser closed reopens their link (the secret
teacher token is in its query) and finds the room as the class left it.
The charts are the app's own, drawn from the room's records
(``dashboard.room_charts``).
"""

from __future__ import annotations

import html
import io
import zipfile
from typing import Any

import streamlit as st

from components.config import RunConfig
from dashboard import room_common as R
from dashboard import room_results
from dashboard import state as S
from dashboard.safe import md_escape
from specs import UserInputError

TOKEN = "room.teacher"
NOTE = "room.note"
SOURCE = "room.source"
BATCH = "room.batch"
ROUNDS = "room.rounds"
NAMES = "room.names"
SEEN = "room.seen"  # (closed rounds, open round) the page last drew
CODE_CSS = """
<style>
.wgl-code { font-size: 4.5rem; font-weight: 800; letter-spacing: 0.25em; line-height: 1.1;
            font-family: ui-monospace, monospace; }
</style>
"""


def teacher_token() -> str | None:
    """The teacher's token: from the link (a reopened tab) or from this session."""
    token = st.query_params.get(R.TEACHER_Q) or st.session_state.get(TOKEN)
    if token:
        st.session_state[TOKEN] = token
        st.query_params[R.TEACHER_Q] = token
    return token or None


# ------------------------------------------------------------------ opening a room


def _sources() -> dict[str, str]:
    out = {k: label for k, (label, _) in R.PRESETS.items()}
    if st.session_state.get(S.LAST_GOOD) is not None:
        out["explore"] = "My Explore settings (the run I last drew on Explore)"
    return out


def _config() -> RunConfig:
    source = st.session_state.get(SOURCE) or "census"
    batch, rounds = int(st.session_state[BATCH]), int(st.session_state[ROUNDS])
    if source == "explore":
        cfg = st.session_state.get(S.LAST_GOOD)
        if cfg is None:
            raise UserInputError("room source: no Explore run yet; allowed: a preset")
        return cfg.with_changes(batch_size=batch, rounds=rounds)
    return R.preset_config(source, batch_size=batch, rounds=rounds)


def _open_room() -> None:
    try:
        with st.spinner("Preparing the data and the first model…"):
            room = R.store().create_room(_config(), show_names=bool(st.session_state.get(NAMES)))
    except Exception as exc:  # noqa: BLE001 -- said on the page by the next run
        st.session_state[NOTE] = ("error", exc)
        return
    st.session_state[TOKEN] = room.teacher_token
    st.query_params[R.TEACHER_Q] = room.teacher_token


def open_form() -> None:
    """The form that opens a room: what the class labels, how much, names on or off."""
    _note()
    st.markdown(
        "Open a room, show its code on the projector, and let the class label the items "
        "the model asks about, on their phones. Each round the model's batch is split among "
        "the students present; when every item is labelled, or when you close the round, "
        "the model learns from the class's labels."
    )
    sources = _sources()
    st.radio(
        "What the class labels",
        list(sources),
        format_func=lambda k: sources[k],
        key=SOURCE,
    )
    st.caption(R.PRESET_WHY)
    a, b = st.columns(2)
    a.number_input(
        "Items per round (the model's batch)",
        min_value=1,
        max_value=100,
        value=30,
        step=1,
        key=BATCH,
        help="Split among the students present: with 30 items and 15 students, 2 each.",
    )
    b.number_input("Rounds", min_value=1, max_value=20, value=4, step=1, key=ROUNDS)
    st.toggle(
        "Show students' names on my screen",
        key=NAMES,
        help="Off: you see counts and agreement only, never who labelled what.",
    )
    st.button("Open the room", type="primary", key="room.open", on_click=_open_room)


# ------------------------------------------------------------------ the room


def _note() -> None:
    note = st.session_state.pop(NOTE, None)
    if note is None:
        return
    kind, value = note
    if kind == "error":
        R.call(_raise, value)
    else:
        st.success(md_escape(value, limit=400))


def _raise(exc: BaseException) -> None:
    raise exc


def _act(what: str) -> None:
    token = st.session_state.get(TOKEN)
    store = R.store()
    try:
        if what == "open":
            out = store.open_round(token)
            n = len(out["assigned"])
            msg = f"Round {out['round']} is open: {out['batch']} items split among {n} students."
        else:
            out = store.close_round(token)
            msg = (
                f"Round {out['round']} closed: the model refitted on {out['class_labels']} "
                f"labels from the class"
                + (
                    f" and {out['simulated']} from the simulated annotator for the items "
                    "nobody answered"
                    if out["simulated"]
                    else ""
                )
                + f". Test accuracy now {out['accuracy']:.0%}."
            )
    except Exception as exc:  # noqa: BLE001 -- said on the page by the next run
        st.session_state[NOTE] = ("error", exc)
        return
    st.session_state[NOTE] = ("ok", msg)


def _names(on: bool) -> None:
    try:
        R.store().set_show_names(st.session_state.get(TOKEN), on)
    except Exception as exc:  # noqa: BLE001
        st.session_state[NOTE] = ("error", exc)


def _forget() -> None:
    st.session_state.pop(TOKEN, None)
    st.query_params.pop(R.TEACHER_Q, None)


def _join_panel(code: str) -> None:
    link = R.join_link(code)
    st.markdown(CODE_CSS, unsafe_allow_html=True)  # static CSS, no data
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        st.markdown("Students: open this link or scan the code, then type your name.")
        st.markdown(f"### {md_escape(link)}")
        st.markdown("Room code")
        # The code is the store's own (letters and digits of a fixed alphabet).
        st.markdown(f'<div class="wgl-code">{html.escape(code)}</div>', unsafe_allow_html=True)
    with right:
        st.image(R.qr_svg(link), width=320, caption="Scan to join")
    if R.on_loopback():
        st.warning(
            "This page's address is this computer's own (localhost): phones cannot reach it. "
            "Start the app with `--server.address 0.0.0.0` and open it at this computer's "
            "network address, then the link and QR code work for the class."
        )


def _fresh(state: dict[str, Any]) -> tuple[int, int | None, bool]:
    """What, when it changes, redraws the whole page (the buttons and charts depend on it)."""
    return (int(state["round"]), state["open_round"], state["students"] > 0)


def _live_body(token: str) -> None:
    """Joins and the open round's progress, polled; a change of round redraws the page."""
    state = R.call(R.store().state, token)
    if state is None:
        return
    if st.session_state.get(SEEN) not in (None, _fresh(state)):
        st.session_state[SEEN] = _fresh(state)
        st.rerun(scope="app")
    a, b, c = st.columns(3)
    a.metric("Students joined", state["students"])
    shown = state["round"] + (1 if state["open_round"] else 0)
    b.metric("Round", f"{shown} of {state['rounds']}")
    if state["open_round"]:
        c.metric("Labelled this round", f"{state['open_labelled']} of {state['open_assigned']}")
        c.progress(state["open_labelled"] / max(state["open_assigned"], 1))
    else:
        c.metric("Labelled this round", "no round open")
    if state.get("students_progress"):
        st.dataframe(
            [
                {
                    "name": p["name"],
                    "labelled this round": f"{p['labelled_now']} of {p['assigned_now']}",
                    "labelled in all": p["labelled_total"],
                }
                for p in state["students_progress"]
            ],
            hide_index=True,
            key="room.roster",
        )


_live_open = st.fragment(run_every=R.TEACHER_POLL_SECONDS)(_live_body)
_live_idle = st.fragment(run_every=R.POLL_SECONDS)(_live_body)


def _live(token: str, state: dict[str, Any]) -> None:
    """Poll quickly while a round is open (answers arrive), slowly otherwise (joins)."""
    (_live_open if state["open_round"] else _live_idle)(token)


def _controls(token: str, state: dict[str, Any]) -> None:
    st.toggle(
        "Show students' names on my screen",
        value=bool(state["show_names"]),
        key="room.names_live",
        on_change=lambda: _names(bool(st.session_state["room.names_live"])),
        help="Off: counts and agreement only, never who labelled what.",
    )
    nxt = state["round"] + 1
    if state["open_round"]:
        st.button(
            f"Close round {state['open_round']}: the model learns from the class's labels",
            type="primary",
            key="room.close",
            on_click=_act,
            args=("close",),
            help="Items nobody labelled get the simulated annotator's answer, marked as such.",
        )
    elif not state["done"]:
        st.button(
            f"Open round {nxt} of {state['rounds']}",
            type="primary",
            key="room.next",
            on_click=_act,
            args=("open",),
            disabled=state["students"] == 0,
            help="The model picks its next batch and splits it among the students present.",
        )
        if state["students"] == 0:
            st.caption("Waiting for the first student to join.")


def teacher(token: str) -> None:
    """The room's screen for the teacher holding ``token``.

    While rounds remain: the code, link and QR code first, then progress, the
    round's button and the results so far. When the last round is done: who
    the class was never shown first, then the results; the code moves into
    an expander.
    """
    _note()
    state = R.call(R.store().state, token)
    if state is None:
        st.button("Open a new room", on_click=_forget, key="room.forget")
        return
    st.session_state[SEEN] = _fresh(state)
    if state["done"]:
        room_results.results(token, state)
        _live(token, state)
        _controls(token, state)
        with st.expander("Room code and join link"):
            _join_panel(state["code"])
    else:
        _join_panel(state["code"])
        _live(token, state)
        _controls(token, state)
        room_results.results(token, state)
    st.info(
        "This page's address holds your teacher key to this room. Keep it (bookmark it) to "
        "come back if the browser closes; do not share it, and present in full screen (F11) "
        "so the projector hides the address bar. Students need only the code or the join link.",
        icon=":material/key:",
    )
    st.download_button(
        "Download this room's records (CSV, zip; students as pseudonyms)",
        lambda: _records_zip(token),
        file_name=f"room-{state['code']}.zip",
        mime="application/zip",
        key="room.dl",
        on_click="ignore",
    )
    st.button("Leave this room (open another)", on_click=_forget, key="room.leave")


def _records_zip(token: str) -> bytes:
    files = R.store().records(token).files()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buf.getvalue()
