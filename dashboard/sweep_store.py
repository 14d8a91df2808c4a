"""The server's sweeps: a private folder of sweep folders, named by a short safe name only.

The app never reads a path a visitor gives it. A sweep is named in a link or a
form by a name of at most 64 characters ``a-z``, ``0-9`` and ``-`` (no ``/``,
no ``.``), and is looked for only as a real folder (never a link) directly
inside the sweeps root. Every way a name can fail gives one line naming the
field, the value and what is allowed.

Where the root lives: ``$WGL_SWEEP_DIR``, else ``<tmp>/who-gets-labeled-sweeps-<uid>``.
A root that already exists must be a real folder owned by this user that no
one else can write, or the page refuses to use it. Sweeps land there from the
command line (``python -m components sweep --out $WGL_SWEEP_DIR/<name>``) or
from the Sweeps page.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from components.sweep import PLAN
from datasets.private_folder import UnsafeFolderError, default_folder, make_private
from specs import UserInputError

ENV_DIR = "WGL_SWEEP_DIR"
NAME = re.compile(r"[a-z0-9-]{1,64}")
#: Most sweeps a page lists (newest first).
MAX_LISTED = 200

MSG_NAME = (
    "sweep: {value!r} is not a sweep name; allowed: 1 to 64 characters a-z, 0-9 and - "
    "(no '/', no '.'), naming a sweep listed on this page"
)
MSG_MISSING = "sweep: no sweep named {name!r} on this server; allowed: {allowed}"


class UnsafeSweepRoot(UnsafeFolderError):
    """The sweeps root could be tampered with by another user: a host problem."""


def root() -> Path:
    """The sweeps root: ``$WGL_SWEEP_DIR`` or a per-user temporary folder (not created)."""
    return default_folder(ENV_DIR, "sweeps")


def ensure_root() -> Path:
    """Create the root (mode 0700) or check that an existing one is private; return it."""
    return make_private(root(), what="sweeps folder", env=ENV_DIR, error=UnsafeSweepRoot)


def check_name(value: object) -> str:
    """A well-formed sweep name, or one line saying what is allowed.

    >>> check_name("bald-vs-bias-2")
    'bald-vs-bias-2'
    >>> check_name("../../etc")
    Traceback (most recent call last):
    specs.UserInputError: sweep: '../../etc' is not a sweep name; allowed: 1 to 64 characters \
a-z, 0-9 and - (no '/', no '.'), naming a sweep listed on this page
    """
    text = str(value)
    if not NAME.fullmatch(text):
        raise UserInputError(MSG_NAME.format(value=text[:80]))
    return text


@dataclass(frozen=True)
class StoredSweep:
    """A sweep folder in the root: its name, its folder, and whether its tables exist."""

    name: str
    folder: Path
    has_tables: bool
    modified: float


def _entry(base: Path, name: str) -> StoredSweep | None:
    folder = base / name
    try:
        info = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or not (folder / PLAN).is_file():
        return None
    tables = all((folder / f"{k}.parquet").is_file() for k in ("rounds", "groups"))
    return StoredSweep(name, folder, tables, info.st_mtime)


def list_sweeps() -> list[StoredSweep]:
    """The sweeps in the root (folders with a valid name and a plan), newest first."""
    base = ensure_root()
    found = []
    for child in os.listdir(base):
        if NAME.fullmatch(child):
            entry = _entry(base, child)
            if entry is not None:
                found.append(entry)
    found.sort(key=lambda s: (-s.modified, s.name))
    return found[:MAX_LISTED]


def find(value: object) -> StoredSweep:
    """The sweep named ``value``, checked: a bad or unknown name is one line."""
    name = check_name(value)
    entry = _entry(ensure_root(), name)
    if entry is None:
        names = [s.name for s in list_sweeps()][:10]
        allowed = ", ".join(names) if names else "none yet: run one on this page"
        raise UserInputError(MSG_MISSING.format(name=name, allowed=allowed))
    return entry


def folder_for(value: object) -> Path:
    """The folder a new sweep named ``value`` goes to (inside the root; may exist)."""
    return ensure_root() / check_name(value)
