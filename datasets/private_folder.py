"""Private folders on the server: the upload store, the rooms database and the sweeps.

Each lives in ``$<ENV>`` or a per-user folder under the system's temporary
folder, created with mode 0700. An existing folder is used only if it is a real
folder (not a link), owned by this user and writable by no one else: another
user who could write there could swap a file under the app.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

MSG_UNSAFE = (
    "{what}: {path} {problem}; allowed: a folder owned by this user that no one "
    "else can write; remove it or set {env} to another folder"
)


class UnsafeFolderError(RuntimeError):
    """A private folder could be tampered with by another user: a host problem."""


def default_folder(env: str | None, stem: str) -> Path:
    """``$env`` if set, else ``<tmp>/who-gets-labeled-<stem>-<uid>`` (not created).

    >>> default_folder(None, "sweeps").name.startswith("who-gets-labeled-sweeps-")
    True
    """
    value = os.environ.get(env, "").strip() if env else ""
    if value:
        return Path(value).expanduser()
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"who-gets-labeled-{stem}-{uid}"


def folder_problem(path: Path) -> str:
    """What makes ``path`` unsafe as a private folder, or "" (creating it, mode 0700, if absent).

    >>> import tempfile, pathlib
    >>> folder_problem(pathlib.Path(tempfile.mkdtemp()) / "new")
    ''
    """
    try:
        os.mkdir(path, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return "is a symbolic link"
    if not stat.S_ISDIR(info.st_mode):
        return "is not a folder"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return "belongs to another user"
    if info.st_mode & 0o022:
        return "can be written by other users"
    return ""


def make_private(
    path: Path, *, what: str, env: str, error: type[Exception] = UnsafeFolderError
) -> Path:
    """``path``, created or checked by :func:`folder_problem`; else ``error`` with one line."""
    problem = folder_problem(path)
    if problem:
        raise error(MSG_UNSAFE.format(what=what, path=path, problem=problem, env=env))
    return path
