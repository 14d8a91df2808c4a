"""The classroom rooms' database: its tables and its engine (SQLAlchemy Core).

SQLite in a file is the default: no server to start, one file the host can
back up. Where it lives: ``$WGL_ROOMS_URL`` (any SQLAlchemy URL, e.g.
``postgresql+psycopg://user@host/db`` for a school's shared server), else
``sqlite:///<tmp>/who-gets-labeled-rooms-<uid>/rooms.sqlite``, in a folder
that must be private to this user, as the upload store's.

On SQLite every connection runs in WAL mode (readers never wait for the
writer) with a busy timeout, and a write transaction starts with
``BEGIN IMMEDIATE``: it takes the write lock before it reads, so two
processes never both read, then both try to upgrade and fail. Queries are
built with SQLAlchemy Core; user text only ever travels as bound parameters.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import make_url

from datasets.private_folder import UnsafeFolderError, default_folder, make_private

ENV_URL = "WGL_ROOMS_URL"
#: Seconds a connection waits for another writer before giving up.
BUSY_TIMEOUT_SECONDS = 60.0

metadata = MetaData()

#: One classroom room. Tokens are kept only as SHA-256 hashes.
rooms = Table(
    "rooms",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(12), nullable=False, unique=True),
    Column("teacher_hash", String(64), nullable=False, unique=True),
    Column("teacher_name", String(80)),
    Column("config_json", Text, nullable=False),
    Column("groups_json", Text, nullable=False),  # group names, in the run's order
    Column("pool_counts_json", Text, nullable=False),  # pool rows per group
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("show_names", Boolean, nullable=False, default=False),
    Column("max_students", Integer, nullable=False),
    sqlite_autoincrement=True,  # an id is never reused after a purge
)

#: A student in a room; ``seat`` is the join order (1, 2, ...) and names the pseudonym.
students = Table(
    "students",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), nullable=False),
    Column("seat", Integer, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(80), nullable=False),
    Column("joined_at", Float, nullable=False),
    UniqueConstraint("room_id", "seat"),
    UniqueConstraint("room_id", "name"),
    sqlite_autoincrement=True,
)

#: A round of the run: opened with the strategy's batch, closed when refitted.
rounds = Table(
    "rounds",
    metadata,
    Column(
        "room_id",
        Integer,
        ForeignKey("rooms.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("number", Integer, primary_key=True),
    Column("status", String(8), nullable=False),  # "open" or "closed"
    Column("opened_at", Float, nullable=False),
    Column("closed_at", Float),
    Column("closed_by", String(12)),  # "teacher" or "complete"
)

#: One queried pool position of a round: who it is assigned to, and its answer.
#: The primary key holds each position once per round, so no label is stored twice.
items = Table(
    "items",
    metadata,
    Column("room_id", Integer, ForeignKey("rooms.id", ondelete="CASCADE"), primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("slot", Integer, nullable=False),  # order in the strategy's batch
    Column("row", Integer, nullable=False),  # the data set's row
    Column("group_code", Integer, nullable=False),
    Column("truth", Integer, nullable=False),
    Column("simulated", Integer, nullable=False),  # the simulated annotator's answer
    Column("student_id", Integer, ForeignKey("students.id", ondelete="CASCADE")),
    Column("label", Integer),
    Column("source", String(12)),  # "class" or "simulated"
    Column("labelled_at", Float),
)

TABLES = (items, rounds, students, rooms)  # children first: the order to delete in


def default_url() -> str:
    """``$WGL_ROOMS_URL``, else a SQLite file in a private per-user folder (created)."""
    env = os.environ.get(ENV_URL, "").strip()
    if env:
        return env
    folder = make_private(
        default_folder(None, "rooms"), what="rooms database", env=ENV_URL, error=UnsafeStoreError
    )
    return f"sqlite:///{folder / 'rooms.sqlite'}"


class UnsafeStoreError(UnsafeFolderError):
    """The database's folder could be tampered with by another user: a host problem."""


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and immediate write locks.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.sqlite"
    >>> engine = make_engine(f"sqlite:///{path}")
    >>> with engine.connect() as conn:
    ...     conn.exec_driver_sql("PRAGMA journal_mode").scalar()
    'wal'
    >>> engine.dispose()
    """
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(u, pool_pre_ping=True)
    if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
        Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(u, connect_args={"timeout": BUSY_TIMEOUT_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # the "begin" hook below starts transactions
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("wgl_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Database:
    """The engine and the two kinds of transaction the store uses.

    ``read()`` is a plain transaction (a consistent snapshot); ``write()``
    takes the write lock first on SQLite. Tables are created on first use.
    """

    _create_lock = threading.Lock()

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._writer = self.engine.execution_options(wgl_write=True)
        self._ready = False
        # SQLite has one writer at a time. Writers of this process queue here and
        # are handed the lock at once; SQLite's own busy handler (across
        # processes) retries by sleeping, which stretches a burst of submissions.
        self._write_lock = threading.Lock() if self.is_sqlite else None

    def _ensure(self) -> None:
        if self._ready:
            return
        with Database._create_lock, self._writer.begin() as conn:
            metadata.create_all(conn, checkfirst=True)
        self._ready = True

    @contextmanager
    def read(self) -> Iterator[Connection]:
        self._ensure()
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        self._ensure()
        if self._write_lock is None:
            with self._writer.begin() as conn:
                yield conn
            return
        with self._write_lock, self._writer.begin() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()
