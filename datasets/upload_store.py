"""The server's store of uploaded CSV files, addressed by content hash only.

The web app never reads a path it was given. An upload is saved as
``<sha256>.csv`` in a private folder, and a run (and its link) names it by that
hash. Reading checks that the hash is well formed, that the file is a regular
file inside the store (no link followed), that it is young enough, and that its
bytes still hash to the name. Every way of failing gives the same message, so
a visitor learns nothing about what exists on the server.

Bounds: at most ``per_owner`` files per owner (a browser session; saving one
more deletes that owner's oldest) and ``max_files`` in all (a full store refuses
new files rather than deleting other people's). Files older than ``max_age``
seconds are gone.

Where it lives: ``$WGL_UPLOAD_DIR``, else ``<tmp>/who-gets-labeled-uploads-<uid>``.
A folder that already exists must be a real folder owned by this user that no
one else can write, or the store refuses to use it.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path

from datasets.private_folder import UnsafeFolderError, default_folder, make_private
from specs import UserInputError

ENV_DIR = "WGL_UPLOAD_DIR"
MAX_FILES = 200
PER_OWNER = 5
MAX_AGE_SECONDS = 24 * 3600
#: Largest upload kept, as the upload reader's cap.
MAX_BYTES = 10 * 1024 * 1024

_SHA = re.compile(r"[0-9a-f]{64}")

MSG_SHA = "dataset 'upload': sha256={value!r} is not a file hash; allowed: 64 hex digits (0-9, a-f)"
MSG_GONE = (
    "dataset 'upload': no upload with sha256={sha} on this server (uploads are kept "
    "for {hours} hours); allowed: a file uploaded on the Your data page; upload it again"
)
MSG_FULL = (
    "upload: the server's upload store holds {n} files, its limit; allowed: try again "
    "when older uploads expire (after {hours} hours), or ask the host to raise it"
)
MSG_TOO_BIG = "upload: the file is {size:.1f} MB; allowed: at most {limit} MB"


class UnsafeStoreError(UnsafeFolderError):
    """The store's folder could be tampered with by another user: a host problem."""


def _default_root() -> Path:
    return default_folder(ENV_DIR, "uploads")


def check_sha(value: object) -> str:
    """A well-formed content hash (lower case), or ``ValueError``.

    >>> check_sha("AB" * 32) == "ab" * 32
    True
    >>> check_sha("../etc/passwd")
    Traceback (most recent call last):
    specs.UserInputError: dataset 'upload': sha256='../etc/passwd' is not a file hash; allowed: 64 hex digits (0-9, a-f)
    """
    text = str(value).strip().lower()
    if not _SHA.fullmatch(text):
        raise UserInputError(MSG_SHA.format(value=str(value)[:80]))
    return text


class UploadStore:
    """Content-addressed, bounded, private storage of uploaded files.

    Parameters
    ----------
    root : Path, optional
        The folder; by default ``$WGL_UPLOAD_DIR`` or a per-user temporary one.
    max_files, per_owner, max_age : int, int, float
        The bounds described in the module docstring.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = UploadStore(pathlib.Path(tempfile.mkdtemp()) / "up")
    >>> sha = store.save(b"a,b\\n1,2\\n", owner="s1")
    >>> store.read(sha)
    b'a,b\\n1,2\\n'
    >>> store.read("0" * 64)
    Traceback (most recent call last):
    specs.UserInputError: dataset 'upload': no upload with sha256=0000000000000000000000000000000000000000000000000000000000000000 on this server (uploads are kept for 24 hours); allowed: a file uploaded on the Your data page; upload it again
    """

    def __init__(
        self,
        root: Path | None = None,
        *,
        max_files: int = MAX_FILES,
        per_owner: int = PER_OWNER,
        max_age: float = MAX_AGE_SECONDS,
    ) -> None:
        self.root = Path(root) if root is not None else _default_root()
        self.max_files = max_files
        self.per_owner = per_owner
        self.max_age = max_age
        self._owners: dict[str, OrderedDict[str, None]] = {}
        self._lock = threading.Lock()

    # -- the folder -----------------------------------------------------------
    def ensure(self) -> Path:
        """Create the folder (mode 0700), or check that an existing one is private."""
        return make_private(self.root, what="upload store", env=ENV_DIR, error=UnsafeStoreError)

    def _path(self, sha: str) -> Path:
        return self.root / f"{sha}.csv"

    def _files(self) -> list[tuple[float, Path]]:
        out = []
        for p in self.root.glob("*.csv"):
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                out.append((st.st_mtime, p))
        return sorted(out)

    def prune(self) -> int:
        """Delete expired files; return how many remain."""
        now = time.time()
        kept = 0
        for mtime, p in self._files():
            if now - mtime > self.max_age:
                p.unlink(missing_ok=True)
            else:
                kept += 1
        return kept

    # -- writing --------------------------------------------------------------
    def save(self, data: bytes, *, owner: str) -> str:
        """Store ``data`` once under its hash and return the hash.

        Raises
        ------
        ValueError
            When the file is over ``MAX_BYTES`` or the store is full.
        """
        if len(data) > MAX_BYTES:
            raise UserInputError(
                MSG_TOO_BIG.format(size=len(data) / 2**20, limit=MAX_BYTES // 2**20)
            )
        sha = hashlib.sha256(data).hexdigest()
        with self._lock:
            self.ensure()
            path = self._path(sha)
            if path.exists():
                os.utime(path)  # a fresh upload of the same file renews it
            else:
                if self.prune() >= self.max_files:
                    hours = int(self.max_age // 3600)
                    raise UserInputError(MSG_FULL.format(n=self.max_files, hours=hours))
                fd, tmp = tempfile.mkstemp(prefix=".part-", dir=self.root)
                try:
                    with os.fdopen(fd, "wb") as f:
                        f.write(data)
                    os.chmod(tmp, 0o600)
                    os.replace(tmp, path)
                except BaseException:
                    Path(tmp).unlink(missing_ok=True)
                    raise
            mine = self._owners.setdefault(owner, OrderedDict())
            mine[sha] = None
            mine.move_to_end(sha)
            while len(mine) > self.per_owner:
                old, _ = mine.popitem(last=False)
                if not any(old in o for o in self._owners.values()):
                    self._path(old).unlink(missing_ok=True)
        return sha

    def forget_owner(self, owner: str) -> None:
        """Drop an owner's bookkeeping (its files stay until they expire)."""
        with self._lock:
            self._owners.pop(owner, None)

    # -- reading --------------------------------------------------------------
    def read(self, sha: object) -> bytes:
        """The bytes stored under ``sha``, checked against it.

        Raises
        ------
        ValueError
            ``MSG_SHA`` for a malformed hash; ``MSG_GONE`` for everything else
            (missing, expired, not a regular file, changed), the same text in
            every case.
        """
        sha = check_sha(sha)
        gone = UserInputError(MSG_GONE.format(sha=sha, hours=int(self.max_age // 3600)))
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self._path(sha), flags)
        except OSError:
            raise gone from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
                raise gone
            if time.time() - st.st_mtime > self.max_age:
                raise gone
            with os.fdopen(fd, "rb", closefd=False) as f:
                data = f.read(MAX_BYTES + 1)
        finally:
            os.close(fd)
        if len(data) > MAX_BYTES or hashlib.sha256(data).hexdigest() != sha:
            raise gone
        return data


_STORES: dict[Path, UploadStore] = {}
_STORES_LOCK = threading.Lock()


def default_store() -> UploadStore:
    """The process's store at the configured place (``$WGL_UPLOAD_DIR`` read each call)."""
    root = _default_root()
    with _STORES_LOCK:
        return _STORES.setdefault(root, UploadStore(root))
