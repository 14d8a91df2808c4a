"""Read a file from disk without trusting its path: regular files only, bounded in size.

Used for every path a user names: the ``csv`` dataset's file and the CLI's
``--csv`` (through :func:`datasets.upload_read.read_file`) and ``--config``.
A named pipe, a device, a socket or a folder is refused before it is opened,
so reading never blocks; at most the limit plus one byte is read, so a file
whose size the system does not report is bounded too.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from specs import UserInputError

#: The most bytes read by default: 10 MB, as the app's ``server.maxUploadSize``.
MAX_BYTES = 10 * 1024 * 1024

MSG_READ = "{path!r}: cannot be read ({reason}); allowed: a regular file of at most {limit}"

#: Why :func:`read_bounded` refused a path, in words, by ``FileRefused.kind``.
REASON_FOLDER = "a folder, not a file"
REASON_DEVICE = "a device, not a regular file"
REASON_FIFO = "a named pipe, not a regular file"
REASON_SOCKET = "a socket, not a regular file"
REASON_SPECIAL = "not a regular file"
REASON_TOO_BIG = "larger than the limit of {limit}{size}"

RefusalKind = Literal["missing", "os", "folder", "device", "fifo", "socket", "other", "too_big"]


class FileRefused(UserInputError):
    """A path :func:`read_bounded` would not read, and why.

    Attributes
    ----------
    path : str
        The path as given.
    kind : str
        ``"missing"``, ``"os"`` (another error the system reported), ``"folder"``,
        ``"device"``, ``"fifo"``, ``"socket"``, ``"other"`` (not a regular file)
        or ``"too_big"``.
    reason : str
        The kind in words, for a message's ``({reason})``.
    size : int or None
        With ``"too_big"``: the file's size in bytes, if the system knew it.
    """

    def __init__(
        self, path: str, kind: RefusalKind, reason: str, *, limit: int, size: int | None = None
    ) -> None:
        super().__init__(MSG_READ.format(path=path, reason=reason, limit=_size_text(limit)))
        self.path, self.kind, self.reason, self.size = path, kind, reason, size


def _size_text(n_bytes: int) -> str:
    """A byte count in words: whole MB or KB when exact, else bytes.

    >>> _size_text(10 * 2**20), _size_text(65_536), _size_text(1000)
    ('10 MB', '64 KB', '1,000 bytes')
    """
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if n_bytes >= scale and n_bytes % scale == 0:
            return f"{n_bytes // scale:,} {unit}"
    return f"{n_bytes:,} bytes"


_NOT_REGULAR: tuple[tuple[RefusalKind, str, Callable[[int], bool]], ...] = (
    ("folder", REASON_FOLDER, stat.S_ISDIR),
    ("device", REASON_DEVICE, lambda mode: stat.S_ISCHR(mode) or stat.S_ISBLK(mode)),
    ("fifo", REASON_FIFO, stat.S_ISFIFO),
    ("socket", REASON_SOCKET, stat.S_ISSOCK),
)
# Never blocks on a pipe swapped in after the type check, never takes a terminal.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)


def _check_regular(path: str, mode: int, limit: int) -> None:
    if stat.S_ISREG(mode):
        return
    for kind, reason, test in _NOT_REGULAR:
        if test(mode):
            raise FileRefused(path, kind, reason, limit=limit)
    raise FileRefused(path, "other", REASON_SPECIAL, limit=limit)


def _os_refusal(path: str, exc: OSError, limit: int) -> FileRefused:
    kind: RefusalKind = "missing" if exc.errno == errno.ENOENT else "os"
    return FileRefused(path, kind, exc.strerror or type(exc).__name__, limit=limit)


def _too_big(path: str, limit: int, size: int | None) -> FileRefused:
    shown = "" if size is None else f" ({size:,} bytes)"
    reason = REASON_TOO_BIG.format(limit=_size_text(limit), size=shown)
    return FileRefused(path, "too_big", reason, limit=limit, size=size)


def read_bounded(path: str | os.PathLike[str], *, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, read without blocking.

    The path's type is checked before it is opened, so a named pipe or a
    device is never opened, and again on the open descriptor, in case the path
    changed in between. At most ``limit + 1`` bytes are read, so a file whose
    size the system does not report (as in ``/proc``) is bounded too.

    Parameters
    ----------
    path : str or path-like
        The file; ``~`` is expanded.
    limit : int
        The most bytes accepted.

    Returns
    -------
    data : bytes of length at most ``limit``

    Raises
    ------
    FileRefused
        A ``ValueError`` saying why: missing, a folder, a device, a named pipe,
        a socket, larger than ``limit``, or an error the system reported.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "a.csv").write_bytes(b"x,y\\n1,2\\n")
    ...     read_bounded(Path(folder) / "a.csv")
    ...     try:
    ...         read_bounded(folder)
    ...     except FileRefused as exc:
    ...         exc.kind, exc.reason
    b'x,y\\n1,2\\n'
    ('folder', 'a folder, not a file')
    """
    shown = str(path)
    p = Path(path).expanduser()
    try:
        _check_regular(shown, os.stat(p).st_mode, limit)
        fd = os.open(p, _OPEN_FLAGS)
    except OSError as exc:
        raise _os_refusal(shown, exc, limit) from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        _check_regular(shown, info.st_mode, limit)
        if info.st_size > limit:
            raise _too_big(shown, limit, info.st_size)
        try:
            data = fh.read(limit + 1)
        except OSError as exc:
            raise _os_refusal(shown, exc, limit) from None
    if len(data) > limit:
        raise _too_big(shown, limit, None)
    return data
