"""The loop controls: Step, Play/Pause with speed, Run to end, Reset, and a round slider.

The run is computed once; the player reveals it round by round. Play is an
``st.fragment(run_every=...)``, so only the loop area reruns while it plays.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

import streamlit as st

from dashboard import state as S

SPEEDS = {"slow": 1.5, "normal": 0.8, "fast": 0.35}
SLIDER = "player.slider"
LAST_TICK = "player.last_tick"


def _set_round(r: int, last: int) -> None:
    r = max(0, min(int(r), last))
    st.session_state[S.ROUND] = r
    st.session_state[SLIDER] = r


def restart() -> None:
    """Back to round 0, paused: for a new run (other data or another group)."""
    st.session_state[S.ROUND] = 0
    st.session_state[SLIDER] = 0
    st.session_state[S.PLAYING] = False


def _step(last: int) -> None:
    _set_round(st.session_state.get(S.ROUND, 0) + 1, last)
    st.session_state[S.PLAYING] = False


def _play_or_pause(last: int, play: bool) -> None:
    """Set, not toggle: the button passes what its label promised when drawn,
    so a click that reaches the server twice leaves the same state.
    """
    if bool(st.session_state.get(S.PLAYING, False)) == play:
        return
    if play and st.session_state.get(S.ROUND, 0) >= last:
        _set_round(0, last)
    st.session_state[S.PLAYING] = play
    st.session_state[LAST_TICK] = time.monotonic()


def _to_end(last: int) -> None:
    _set_round(last, last)
    st.session_state[S.PLAYING] = False


def _reset(last: int) -> None:
    _set_round(0, last)
    st.session_state[S.PLAYING] = False


def _scrub(last: int) -> None:
    # The slider is not drawn while playing, yet the browser may still send its
    # last value, and Streamlit then calls this: only a real move pauses.
    if st.session_state.get(S.PLAYING) or st.session_state[SLIDER] == st.session_state.get(S.ROUND):
        return
    _set_round(st.session_state[SLIDER], last)
    st.session_state[S.PLAYING] = False


def player(last: int, body: Callable[[int], None]) -> None:
    """Draw the controls and ``body(round)``; while playing, advance on a timer.

    Parameters
    ----------
    last : int
        The run's last round.
    body : callable
        ``body(r)`` draws round ``r``; it reruns inside the player's fragment.
    """
    st.session_state.setdefault(S.ROUND, 0)
    st.session_state.setdefault(S.PLAYING, False)
    st.session_state.setdefault(S.SPEED, "normal")
    if st.session_state[S.ROUND] > last:
        _set_round(last, last)
    playing = bool(st.session_state[S.PLAYING])
    speed = st.session_state[S.SPEED]
    interval = SPEEDS.get(speed, 0.8)

    @st.fragment(run_every=interval if playing else None)
    def loop_area() -> None:
        # The timer is fixed when the fragment is declared, i.e. on a full run. A
        # click inside the fragment (Play, Pause, a new speed) reruns only the
        # fragment, so when the wanted timer differs from the declared one, redo
        # the whole page to declare the fragment again with the right timer.
        now_playing = bool(st.session_state.get(S.PLAYING))
        if now_playing != playing or (
            now_playing and st.session_state.get(S.SPEED, speed) != speed
        ):
            st.rerun(scope="app")
        if now_playing:
            now = time.monotonic()
            if now - st.session_state.get(LAST_TICK, 0.0) >= interval * 0.9:
                st.session_state[LAST_TICK] = now
                if st.session_state[S.ROUND] >= last:
                    st.session_state[S.PLAYING] = False
                    st.rerun(scope="app")
                _set_round(st.session_state[S.ROUND] + 1, last)
        r = int(st.session_state[S.ROUND])
        # One row container, not columns: fewer elements to resend every tick.
        row = st.container(horizontal=True, vertical_alignment="center")
        row.button(
            "Step",
            icon=":material/skip_next:",
            key="btn_step",
            on_click=_step,
            args=(last,),
            disabled=r >= last,
            shortcut="Right",
            help="Label one more batch (keyboard: →).",
            width="stretch",
        )
        # Two buttons with their own keys, not one relabelled: a click that reaches
        # the server again after the page has changed finds no widget to trigger.
        row.button(
            "Pause" if now_playing else "Play",
            icon=":material/pause:" if now_playing else ":material/play_arrow:",
            key="btn_pause" if now_playing else "btn_play",
            on_click=_play_or_pause,
            args=(last, not now_playing),
            shortcut="Space",
            type="primary",
            help="Step automatically (keyboard: space).",
            width="stretch",
        )
        row.button(
            "Run to end",
            icon=":material/last_page:",
            key="btn_end",
            on_click=_to_end,
            args=(last,),
            disabled=r >= last,
            help="Jump to the last round.",
            width="stretch",
        )
        row.button(
            "Reset",
            icon=":material/first_page:",
            key="btn_reset",
            on_click=_reset,
            args=(last,),
            help="Back to round 0, the seed set.",
            width="stretch",
        )
        row.segmented_control(
            "Speed",
            list(SPEEDS),
            key=S.SPEED,
            label_visibility="collapsed",
            help="How fast Play steps.",
        )
        st.session_state.setdefault(SLIDER, r)
        if now_playing:
            # No slider while playing: the browser may send a tick queued before
            # the last round arrived, carrying the slider's old value, which
            # would read as the user scrubbing back (and stop the play).
            st.progress(r / max(last, 1), text=f"Round {r} of {last}")
        elif last > 0:
            st.slider(
                "Round",
                0,
                last,
                key=SLIDER,
                on_change=_scrub,
                args=(last,),
                help="Scrub back and forth through finished rounds.",
            )
        t0 = time.perf_counter()
        body(r)
        if os.environ.get("WGL_TIMING"):
            print(f"TIMING body {1000 * (time.perf_counter() - t0):.1f} ms", flush=True)

    loop_area()
