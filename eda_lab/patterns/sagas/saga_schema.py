"""The orchestrator's SQLite tables, its pending command rows, and the ids of its commands.

Tables (:class:`.SagaStore` writes them, an :class:`~eda_lab.patterns.OutboxRelay` reads the
outbox through it)::

    sagas          saga_id PRIMARY KEY (one saga per order: a duplicate start finds it),
                   status, step, awaiting, deadline, attempt, data (JSON), started_at, updated_at
    saga_outbox    id, saga_id, command_id UNIQUE, payload (wire JSON), sent_at (NULL: pending)
    saga_handled   message_id PRIMARY KEY: replies already applied
    saga_log       id, saga_id, at, status, note: every transition, also the ignored ones
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

from ...messages.envelope import Command
from ..eventsourcing.sqlite_schema import write
from .follow import derived_id

SCHEMA = """
CREATE TABLE IF NOT EXISTS sagas (saga_id TEXT PRIMARY KEY, status TEXT NOT NULL,
    step INTEGER NOT NULL, awaiting TEXT, deadline REAL NOT NULL, attempt INTEGER NOT NULL,
    data TEXT NOT NULL, started_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS saga_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT,
    saga_id TEXT NOT NULL, command_id TEXT NOT NULL UNIQUE, payload BLOB NOT NULL, sent_at TEXT);
CREATE INDEX IF NOT EXISTS saga_outbox_pending ON saga_outbox (id) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS saga_handled (message_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS saga_log (id INTEGER PRIMARY KEY AUTOINCREMENT, saga_id TEXT NOT NULL,
    at REAL NOT NULL, status TEXT NOT NULL, note TEXT NOT NULL);
"""


def connect(path: str, busy_timeout_s: float = 10.0) -> sqlite3.Connection:
    """Open (and if new, create) a saga store file in WAL mode, in autocommit mode.

    >>> connect(":memory:").execute("SELECT count(*) FROM sagas").fetchone()
    (0,)
    """
    db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None,
                         check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")  # the relay reads while the orchestrator writes
    with write(db, threading.Lock()):
        for statement in filter(str.strip, SCHEMA.split(";")):
            db.execute(statement)
    return db


def command_id(saga_id: str, command: str, attempt: int) -> str:
    """A command's id depends on the saga, the command and the attempt: saving it twice (a
    redelivered reply) stores it once, and a new attempt is a new command."""
    return derived_id(saga_id, command, attempt)


@dataclass(frozen=True)
class CommandRow:
    """One pending command, in the shape :class:`~eda_lab.patterns.OutboxRelay` reads."""

    id: int
    position: int
    stream_id: str  # the saga id: the record key, so one saga's commands stay in order
    payload: bytes

    @property
    def event(self) -> Command:
        """The command (the relay takes its headers from it)."""
        return Command.from_json(self.payload)
