"""The SQLite event store's file: three tables (events, outbox, snapshots) and how it is opened.

Schema (the outbox relay reads ``outbox`` through :meth:`SQLiteEventStore.pending_outbox`)::

    events     position   INTEGER PRIMARY KEY AUTOINCREMENT   global, in commit order
               stream_id  TEXT, version INTEGER               UNIQUE (stream_id, version)
               event_id   TEXT UNIQUE, event_type TEXT, timestamp TEXT
               payload    BLOB     the wire JSON, byte for byte what goes to Kafka
    outbox     id         INTEGER PRIMARY KEY AUTOINCREMENT
               position   INTEGER UNIQUE REFERENCES events    the event to publish
               sent_at    TEXT     NULL until mark_sent
    snapshots  stream_id  TEXT PRIMARY KEY, version INTEGER, snapshot_type TEXT,
               schema_version INTEGER, state TEXT (JSON)

Each append runs in ``BEGIN IMMEDIATE``: SQLite's one write lock is taken up front, so writers
queue (each waiting up to ``busy_timeout_s``) and positions follow commit order.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT, stream_id TEXT NOT NULL, version INTEGER NOT NULL,
    event_id TEXT NOT NULL UNIQUE, event_type TEXT NOT NULL, timestamp TEXT NOT NULL,
    payload BLOB NOT NULL, UNIQUE (stream_id, version));
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    position INTEGER NOT NULL UNIQUE REFERENCES events (position), sent_at TEXT);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (id) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS snapshots (
    stream_id TEXT PRIMARY KEY, version INTEGER NOT NULL, snapshot_type TEXT NOT NULL,
    schema_version INTEGER NOT NULL, state TEXT NOT NULL);
"""


def connect(path: str, synchronous: str = "FULL", busy_timeout_s: float = 10.0) -> sqlite3.Connection:
    """Open (and if new, create) an event store file in WAL mode.

    >>> db = connect(":memory:")
    >>> db.execute("SELECT count(*) FROM events").fetchone()
    (0,)
    """
    if synchronous not in ("FULL", "NORMAL"):
        raise ValueError(f"synchronous must be 'FULL' or 'NORMAL', got {synchronous!r}")
    # Autocommit mode: every transaction below is opened and closed explicitly.
    db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None,
                         check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    db.execute(f"PRAGMA synchronous={synchronous}")
    with write(db, threading.Lock()):
        for statement in filter(str.strip, SCHEMA.split(";")):
            db.execute(statement)
    return db


@contextmanager
def write(db: sqlite3.Connection, lock: threading.Lock) -> Iterator[sqlite3.Connection]:
    """One write transaction: SQLite's write lock taken at the start, so writers queue."""
    with lock:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
