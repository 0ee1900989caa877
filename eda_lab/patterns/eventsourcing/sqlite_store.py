"""The event store in one SQLite file: events, their outbox rows and snapshots, three tables.

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

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone

from ...errors import ConcurrencyConflict
from ...messages import Event
from .codec import decode, encode
from .store import ANY, AppendResult, ExpectedVersion, OutboxMessage, Recorded, Snapshot
from .upcasting import Upcasters, check_chain, upcast_event, upcast_snapshot

_SCHEMA = """
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
_ROW = "SELECT stream_id, version, position, payload FROM events"


class SQLiteEventStore:
    """An event store in a SQLite file (WAL mode); passes the contract in :mod:`.store`.

    Example::

        store = SQLiteEventStore("bank.db")
        store.append("account-1", [Event("AccountOpened", {"initialBalance": 100})], NO_STREAM)
        [r.event.event_type for r in store.read_stream("account-1")]   # ['AccountOpened']

    Parameters: ``path`` (a file, or ``":memory:"``); ``upcasters`` ({(type, version): step});
    ``synchronous`` (``"FULL"`` survives a power cut, ``"NORMAL"`` only a process crash);
    ``busy_timeout_s`` (how long a writer waits for another's lock). One store object is one
    connection; give each thread or process its own for real parallel writers.
    """

    def __init__(self, path: str, *, upcasters: Upcasters | None = None,
                 synchronous: str = "FULL", busy_timeout_s: float = 10.0) -> None:
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be 'FULL' or 'NORMAL', got {synchronous!r}")
        self.path = path
        self.upcasters = dict(upcasters or {})
        check_chain(self.upcasters)
        self._lock = threading.Lock()  # one connection, usable from a notebook's widget thread
        self._db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        with self._write() as db:
            for statement in filter(str.strip, _SCHEMA.split(";")):
                db.execute(statement)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def append(self, stream_id: str, events: Sequence[Event],
               expected_version: ExpectedVersion) -> AppendResult:
        """Append ``events`` at the end of ``stream_id`` if it is at ``expected_version``."""
        if not events:
            raise ValueError("append needs at least one event")
        if expected_version is not ANY and (type(expected_version) is not int
                                            or expected_version < 0):
            raise ValueError(f"expected_version must be a version (0 = NO_STREAM) or ANY, "
                             f"got {expected_version!r}")
        with self._write() as db:
            done = self._appended_before(db, stream_id, events)
            if done:
                return done
            actual = self._version(db, stream_id)
            if expected_version is not ANY and expected_version != actual:
                raise ConcurrencyConflict(stream_id, expected_version or None, actual or None)
            rows = [(stream_id, actual + i, e.event_id, e.event_type, e.timestamp, encode(e))
                    for i, e in enumerate(events, start=1)]
            try:
                db.executemany("INSERT INTO events (stream_id, version, event_id, event_type, "
                               "timestamp, payload) VALUES (?, ?, ?, ?, ?, ?)", rows)
            except sqlite3.IntegrityError as exc:  # the version was checked: an event id repeats
                raise ValueError(f"stream {stream_id!r}: some of these event ids are already "
                                 "stored (or repeat in the batch); an idempotent retry must send "
                                 "exactly the batch it sent before") from exc
            db.execute("INSERT INTO outbox (position) SELECT position FROM events "
                       "WHERE stream_id = ? AND version > ? ORDER BY version", (stream_id, actual))
            return AppendResult(stream_id, actual + len(events),
                                self._position(db, stream_id, actual + len(events)))

    def _appended_before(self, db: sqlite3.Connection, stream_id: str,
                         events: Sequence[Event]) -> AppendResult | None:
        """The original result if this exact batch is already stored (an idempotent retry)."""
        first = db.execute("SELECT stream_id, version FROM events WHERE event_id = ?",
                           (events[0].event_id,)).fetchone()
        if first is None:
            return None
        last = first[1] + len(events) - 1
        stored = [r[0] for r in db.execute(
            "SELECT event_id FROM events WHERE stream_id = ? AND version BETWEEN ? AND ? "
            "ORDER BY version", (first[0], first[1], last))]
        if first[0] != stream_id or stored != [e.event_id for e in events]:
            raise ValueError(f"event {events[0].event_id} is already stored in {first[0]!r} at "
                             f"version {first[1]}, but not as this batch of {len(events)} for "
                             f"{stream_id!r}; a retry must send exactly the batch it sent before")
        return AppendResult(stream_id, last, self._position(db, stream_id, last))

    @staticmethod
    def _version(db: sqlite3.Connection, stream_id: str) -> int:
        row = db.execute("SELECT max(version) FROM events WHERE stream_id = ?", (stream_id,))
        return row.fetchone()[0] or 0

    @staticmethod
    def _position(db: sqlite3.Connection, stream_id: str, version: int) -> int:
        return db.execute("SELECT position FROM events WHERE stream_id = ? AND version = ?",
                          (stream_id, version)).fetchone()[0]

    def _recorded(self, rows: Iterable[tuple]) -> list[Recorded]:
        ups = self.upcasters
        return [Recorded(s, v, p, upcast_event(ups, decode(payload, f"{s}@{v}")))
                for s, v, p, payload in rows]

    def read_stream(self, stream_id: str, from_version: int = 1,
                    to_version: int | None = None) -> list[Recorded]:
        """The events of one stream from ``from_version`` to ``to_version`` (both included)."""
        with self._lock:
            rows = self._db.execute(f"{_ROW} WHERE stream_id = ? AND version BETWEEN ? AND ? "
                                    "ORDER BY version", (stream_id, from_version,
                                                         to_version or 2**62)).fetchall()
        return self._recorded(rows)

    def read_all(self, from_position: int = 1, limit: int | None = None) -> list[Recorded]:
        """Every stream's events from ``from_position`` (included), at most ``limit`` of them."""
        with self._lock:
            rows = self._db.execute(f"{_ROW} WHERE position >= ? ORDER BY position LIMIT ?",
                                    (from_position, -1 if limit is None else limit)).fetchall()
        return self._recorded(rows)

    def stream_version(self, stream_id: str) -> int:
        """The stream's current version: 0 (NO_STREAM) when it has no events."""
        with self._lock:
            return self._version(self._db, stream_id)

    def last_position(self) -> int:
        """The global position of the newest event, 0 when the store is empty."""
        with self._lock:
            return self._db.execute("SELECT max(position) FROM events").fetchone()[0] or 0

    def pending_outbox(self, limit: int = 100) -> list[OutboxMessage]:
        """Outbox rows not yet marked sent, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT o.id, e.position, e.stream_id, e.event_id, e.event_type, e.payload "
                "FROM outbox o JOIN events e USING (position) WHERE o.sent_at IS NULL "
                "ORDER BY o.id LIMIT ?", (limit,)).fetchall()
        return [OutboxMessage(*row[:5], bytes(row[5])) for row in rows]

    def mark_sent(self, ids: Iterable[int]) -> int:
        """Mark outbox rows as published; returns how many were pending (marking twice is fine)."""
        now = datetime.now(timezone.utc).isoformat()
        with self._write() as db:
            before = db.total_changes
            db.executemany("UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                           [(now, i) for i in ids])
            return db.total_changes - before

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` unless a snapshot of a later version is already saved."""
        with self._write() as db:
            db.execute("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?) ON CONFLICT (stream_id) "
                       "DO UPDATE SET version = excluded.version, state = excluded.state, "
                       "snapshot_type = excluded.snapshot_type, schema_version = "
                       "excluded.schema_version WHERE excluded.version >= snapshots.version",
                       (snapshot.stream_id, snapshot.version, snapshot.snapshot_type,
                        snapshot.schema_version, json.dumps(snapshot.state)))

    def load_snapshot(self, stream_id: str) -> Snapshot | None:
        """The newest snapshot of ``stream_id``, upcast to its current schema; None if none."""
        with self._lock:
            row = self._db.execute("SELECT * FROM snapshots WHERE stream_id = ?",
                                   (stream_id,)).fetchone()
        if row is None:
            return None
        return upcast_snapshot(self.upcasters, Snapshot(row[0], row[1], row[2],
                                                        json.loads(row[4]), row[3]))

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> SQLiteEventStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
