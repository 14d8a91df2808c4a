"""What the two class-labelling pages share: the room store, refusals, links, the QR code.

The store is ``components.rooms.RoomStore`` on the database its own setting
names (``$WGL_ROOMS_URL``, else its default SQLite file): one store object
per server process and database, shared by every session. That is how the
store is meant to be used: it is safe for concurrent requests (its own
locks, one transaction per request) and keeps the rebuilt model of a room
in memory, so a student's submission and the teacher's refresh find it.
Every call a page makes goes through :func:`call`, which turns a refusal
into one message on the page.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import segno
import streamlit as st

from components.config import RunConfig
from components.room_db import default_url
from components.rooms import RoomStore
from dashboard.session import show_error

T = TypeVar("T")

#: URL query keys: the teacher's secret, the room code and a student's secret.
TEACHER_Q = "teacher"
ROOM_Q = "room"
TOKEN_Q = "token"
#: Seconds between a student's polls for a new round (a cheap read).
POLL_SECONDS = 3.0
#: Seconds between the teacher's polls while a round is open: the class's
#: refitted charts appear within this much of the last submission.
TEACHER_POLL_SECONDS = 0.5

#: Rooms a teacher may open without going through Explore first. Each is a run
#: that people can label by reading one item at a time.
PRESETS: dict[str, tuple[str, dict[str, Any]]] = {
    "census": (
        "People's census records: earns over $50K a year? (Adult, groups by sex and race)",
        {
            "dataset": "adult:group=sex+race",
            "strategy": "least_confidence",
            "model": "logistic",
            "initial_size": 20,
        },
    ),
    "jobs": (
        "One-sentence job applications: qualified? (groups by the name's gender)",
        {
            "dataset": "job_text:style_gap=0.5",
            "strategy": "least_confidence",
            "model": "logistic",
            "initial_size": 20,
        },
    ),
}
PRESET_WHY = (
    "**Census records** is the default: ten groups by sex and race, several of them small, "
    "so within a few batches the model leaves some groups out entirely, which is what the "
    "class discusses at the end; each record is a person's own data, which students judge "
    "quickly. **Job applications** are one sentence each, the fastest to read on a phone. "
    "**My Explore settings** takes the data, bias, strategy and model you last ran on Explore."
)


@st.cache_resource(max_entries=4, show_spinner=False)
def _store(url: str) -> RoomStore:
    return RoomStore(url)


def store() -> RoomStore:
    """The process's room store on the configured database."""
    return _store(default_url())


def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
    """``fn(*args)``, or None after showing its refusal as one message (never a traceback)."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 -- a refusal is said; a bug is said as one
        show_error(exc)
        return None


def preset_config(key: str, *, batch_size: int, rounds: int) -> RunConfig:
    """The preset ``key``'s run with the teacher's batch size and number of rounds.

    >>> preset_config("jobs", batch_size=12, rounds=3).dataset.name
    'job_text'
    """
    return RunConfig.from_dict({**PRESETS[key][1], "batch_size": batch_size, "rounds": rounds})


def base_url() -> str:
    """This server's address as the teacher's browser reached it (``http://host:port``)."""
    url = urlsplit(st.context.url or "")
    if url.scheme in ("http", "https") and url.netloc:
        return f"{url.scheme}://{url.netloc}"
    return "http://localhost:8501"


def join_link(code: str) -> str:
    """The link students open: the Join page with the room code filled in."""
    return f"{base_url()}/join?{urlencode({ROOM_Q: code})}"


def on_loopback() -> bool:
    """Whether the teacher reached the server as localhost, which phones cannot use."""
    host = (urlsplit(base_url()).hostname or "").lower()
    return host in ("localhost", "127.0.0.1", "::1") or host.startswith("127.")


@lru_cache(maxsize=64)
def qr_svg(text: str) -> str:
    """``text`` as a QR code in SVG (drawn here, nothing fetched).

    >>> qr_svg("http://example.org/join?room=ABC234").startswith("<svg")
    True
    """
    qr = segno.make(text, error="m")
    buf = io.BytesIO()
    qr.save(buf, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False)
    return buf.getvalue().decode("utf-8")
