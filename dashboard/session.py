"""Per-session glue shared by pages: URL loading, presenter mode, getting the run."""

from __future__ import annotations

import logging

import streamlit as st

from components.config import RunConfig
from components.trace import RunTrace
from dashboard import charts as ch
from dashboard import controls
from dashboard import state as S
from dashboard.cache import TRACES
from dashboard.player import SLIDER as PLAYER_SLIDER
from dashboard.safe import md_escape
from specs import UserInputError

_log = logging.getLogger(__name__)

KEEP = "keep."

PRESENTER_CSS = """
<style>
[data-testid="stMainBlockContainer"] p, [data-testid="stMainBlockContainer"] li,
[data-testid="stMainBlockContainer"] [data-testid="stCaptionContainer"] { font-size: 1.35rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"] p { font-size: 2.8rem !important; }
[data-testid="stMainBlockContainer"] [data-testid="stMetricLabel"] p { font-size: 1.25rem !important; }
[data-testid="stMainBlockContainer"] button p { font-size: 1.3rem; }
[data-testid="stMainBlockContainer"] [data-testid="stTable"] :is(td, th) { font-size: 1.2rem; }
</style>
"""


KEPT = ("w.", "ui.")  # settings and view toggles that follow the user from page to page


def enter_page(page: str) -> None:
    """Call once per run, before the page draws: carry the settings across pages.

    Streamlit gives a widget on another page another id (the page is part of it),
    so a key that still holds the last page's value would be drawn with its
    default there. So every full run ends by keeping the settings aside
    (:func:`keep_settings`), and a page change writes them back, which the new
    page's widgets then read. The values the page-changing run arrives with are
    not trusted: after a fragment rerun the browser may send the old page's
    widgets stale.
    """
    ss = st.session_state
    moved = ss.get(S.PAGE) != page
    ss[S.PAGE] = page
    for key in [k for k in ss if str(k).startswith(KEEP)]:
        real = key[len(KEEP) :]
        if moved or real not in ss:
            ss[real] = ss[key]


def keep_settings() -> None:
    """Call when a full run ends (also when it stops early): keep the settings aside."""
    ss = st.session_state
    for key in [k for k in ss if str(k).startswith(KEPT)]:
        ss[KEEP + key] = ss[key]


MSG_BUG = (
    "Internal error ({kind}): a bug in the app, not in your settings. "
    "Please report it with the link in the address bar."
)


def error_text(exc: BaseException) -> str:
    """Bad input says what to change; anything else is a bug, said as one (and logged)."""
    if isinstance(exc, UserInputError):
        return str(exc)
    _log.error("internal error", exc_info=exc)
    return MSG_BUG.format(kind=type(exc).__name__)


def show_error(exc: BaseException) -> None:
    """``st.error`` with :func:`error_text`, escaped (it may quote a group or column name)."""
    st.error(md_escape(error_text(exc), limit=600))


def session_id() -> str:
    """This browser session's id (owner of its uploads)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else "no-session"


def load_url_once() -> None:
    """On a session's first run, load the config from the URL (or the defaults)."""
    if st.session_state.get(S.URL_LOADED):
        return
    st.session_state[S.URL_LOADED] = True
    notes: list[str] = []
    try:
        cfg = S.config_from_query(st.query_params.to_dict() | _lists(), notes)
    except Exception as exc:  # noqa: BLE001 -- a link is untrusted; a bug is said as one
        notes.append(
            f"The link's settings were not usable ({error_text(exc)}); showing the defaults."
        )
        cfg = None
    try:
        controls.load_widgets_from(cfg or S.DEFAULT_CONFIG)
    except Exception as exc:  # noqa: BLE001
        notes.append(
            f"The link's settings were not usable ({error_text(exc)}); showing the defaults."
        )
        cfg = None
        controls.load_widgets_from(S.DEFAULT_CONFIG)
    params = st.query_params.to_dict()
    view = S.view_from_query(params, (cfg or S.DEFAULT_CONFIG).rounds, notes)
    view |= S.compare_from_query(params, notes)
    if S.ROUND in view:
        st.session_state[PLAYER_SLIDER] = view[S.ROUND]
    for key, value in view.items():
        st.session_state[key] = value
    if notes:
        st.session_state[S.URL_WARNING] = notes


def _lists() -> dict[str, list[str]]:
    out = {}
    scen = st.query_params.get_all("scenario")
    if scen:
        out["scenario"] = scen
    return out


def presenter_toggle() -> ch.Style:
    """Draw the presenter-mode toggle (a link may turn it on) and return the chart style."""
    load_url_once()
    st.sidebar.toggle(
        "Presenter mode",
        key=S.PRESENTER,
        help="Large fonts and thick lines, for projectors.",
    )
    if st.session_state.get(S.PRESENTER):
        st.markdown(PRESENTER_CSS, unsafe_allow_html=True)  # static CSS, no data
        return ch.Style.presenter()
    return ch.Style()


def settings(*, with_strategy: bool = True) -> RunConfig | None:
    """The sidebar's config, resolved; on bad input an error and the last good one."""
    load_url_once()
    msgs = st.session_state.pop(S.URL_WARNING, None) or []
    for msg in [msgs] if isinstance(msgs, str) else msgs:
        st.warning(md_escape(msg, limit=600))
    try:
        cfg = controls.sidebar(with_strategy=with_strategy).resolve()
    except Exception as exc:  # noqa: BLE001
        show_error(exc)
        cfg = st.session_state.get(S.LAST_GOOD)
        if cfg is not None:
            st.info("Showing the last run that worked. Fix the setting above to run again.")
    return cfg


def waiting_text(ahead: int) -> str:
    """What a visitor reads while the server runs other people's simulations."""
    who = "1 simulation is" if ahead == 1 else f"{ahead} simulations are"
    return f"Waiting for the server: {who} ahead of yours…"


def get_trace(cfg: RunConfig) -> RunTrace | None:
    """This session's copy of the run for ``cfg``, computed once per config."""
    key = cfg.to_json()
    if st.session_state.get(S.TRACE_KEY) == key:
        return st.session_state[S.TRACE]
    bar = st.progress(0.0, text="Simulating…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Simulating round {done} of {total}…")

    def on_wait(ahead: int) -> None:
        bar.progress(0.0, text=waiting_text(ahead))

    try:
        trace = TRACES.get_or_compute(cfg, progress=progress, on_wait=on_wait)
    except Exception as exc:  # noqa: BLE001
        bar.empty()
        show_error(exc)
        if S.TRACE in st.session_state:
            st.info("Showing the last run that worked. Fix the setting above to run again.")
            return st.session_state[S.TRACE]
        return None
    bar.empty()
    st.session_state[S.TRACE] = trace
    st.session_state[S.TRACE_KEY] = key
    st.session_state[S.LAST_GOOD] = cfg
    return trace
