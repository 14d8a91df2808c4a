"""The seat's link: which run is labelled and the answers so far, so a reload loses nothing.

The URL holds ``preset``, the answers as text (``answers=10s1.0ss1``, see
``components.seat.codes_of``) and, for Explore's settings, the run's config
in Explore's own URL form. A session keeps the config and the answers in its
state; a new session (a reload, a shared link) rebuilds the seat from the URL.
"""

from __future__ import annotations

import streamlit as st

from components.config import RunConfig
from components.seat import codes_of
from dashboard import seat_state as SS
from dashboard import state as S
from dashboard.session import error_text

IN_USE = "seat.in_use"  # the preset whose run is being labelled


def _note(text: str) -> None:
    st.session_state[SS.MESSAGE] = text


def _explore_config() -> RunConfig:
    """Explore's config: this session's, else the link's, else the default."""
    ss = st.session_state
    if ss.get(S.LAST_GOOD) is not None:
        return ss[S.LAST_GOOD]
    params = st.query_params.to_dict()
    scenarios = st.query_params.get_all("scenario")
    if scenarios:
        params["scenario"] = scenarios
    try:
        cfg = S.config_from_query(params)
        return (cfg or S.DEFAULT_CONFIG).resolve()
    except Exception as exc:  # noqa: BLE001 -- a link is untrusted; a bug is said as one
        _note(f"The link's settings were not usable ({error_text(exc)}); using the defaults.")
        return S.DEFAULT_CONFIG


def start() -> None:
    """Start the chosen preset's run afresh (a callback, and a session's first run)."""
    ss = st.session_state
    name = ss.get(SS.PRESET, SS.EXPLORE)
    cfg = SS.preset_config(name, _explore_config() if name == SS.EXPLORE else S.DEFAULT_CONFIG)
    ss[SS.CONFIG] = cfg.to_json()
    ss[IN_USE] = name
    ss[SS.HISTORY] = []


def load_once() -> None:
    """On a session's first run: the preset, the run and the answers from the link."""
    ss = st.session_state
    if SS.CONFIG in ss:
        return
    raw = st.query_params.get("preset")
    ss[SS.PRESET] = SS.EXPLORE
    if raw is not None:
        if raw in SS.PRESETS:
            ss[SS.PRESET] = raw
        else:
            _note(SS.MSG_PRESET.format(value=str(raw)[:40], allowed=", ".join(SS.PRESETS)))
    start()
    codes = st.query_params.get("answers")
    if codes:
        try:
            ss[SS.HISTORY] = SS.SEATS.from_codes(ss[SS.CONFIG], codes)
        except Exception as exc:  # noqa: BLE001 -- said in one line; the run starts afresh
            _note(error_text(exc))


def write(config: RunConfig) -> None:
    """Put the run in use and the answers so far in the URL."""
    ss = st.session_state
    query: dict[str, str | list[str]] = {"preset": ss.get(IN_USE, SS.EXPLORE)}
    if query["preset"] == SS.EXPLORE:
        query |= S.config_to_query(config)
    history = ss.get(SS.HISTORY, [])
    if history:
        query["answers"] = codes_of(history)
    if ss.get(S.PRESENTER):
        query["presenter"] = "1"
    st.query_params.from_dict(query)
