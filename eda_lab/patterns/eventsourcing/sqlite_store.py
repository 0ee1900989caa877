"""The event store in one SQLite file; the tables are described in :mod:`.sqlite_schema`.

Each append is one ``BEGIN IMMEDIATE`` transaction: it checks the event ids (an idempotent retry),
then the expected version, then inserts the events and their outbox rows. SQLite has one write
lock, so writers queue behind it and positions follow commit order; the UNIQUE keys on
(stream_id, version) and event_id still stand behind every check.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timezone

from ...messages import Event
from .codec import decode, encode
from .sqlite_schema import connect, write
from .store import AppendResult, ExpectedVersion, OutboxMessage, Recorded, Snapshot, check_expected
from .upcasting import Upcasters, check_chain, upcast_event, upcast_snapshot

_ROW = "SELECT stream_id, version, position, payload FROM events"


class SQLiteEventStore:
    """An event store in a SQLite file (WAL mode); passes the contract in :mod:`.store`.

    >>> from eda_lab.patterns import eventsourcing as es
    >>> store = SQLiteEventStore(":memory:")  # or a file name: "bank.db"
    >>> store.append("account-1", [Event("AccountOpened", {"initialBalance": 100})], es.NO_STREAM)
    AppendResult(stream_id='account-1', version=1, position=1)
    >>> [(r.version, r.position, r.event.event_type) for r in store.read_stream("account-1")]
    [(1, 1, 'AccountOpened')]
    >>> store.append("account-1", [Event("MoneyDeposited", {"amount": 5})], es.NO_STREAM)
    Traceback (most recent call last):
    eda_lab.errors.ConcurrencyConflict: Stream 'account-1': expected no stream yet, but it is at version 1. Another writer appended first: load the stream again, decide again, and retry.

    Parameters: ``path`` (a file, or ``":memory:"``); ``upcasters`` ({(type, version): step});
    ``synchronous`` (``"FULL"`` survives a power cut, ``"NORMAL"`` only a process crash);
    ``busy_timeout_s`` (how long a writer waits for another's lock). One store object is one
    connection; give each thread or process its own for real parallel writers.
    """

    def __init__(self, path: str, *, upcasters: Upcasters | None = None,
                 synchronous: str = "FULL", busy_timeout_s: float = 10.0) -> None:
        self.path = path
        self.upcasters = dict(upcasters or {})
        check_chain(self.upcasters)
        self._lock = threading.Lock()  # one connection, usable from a notebook's widget thread
        self._db = connect(path, synchronous, busy_timeout_s)

    def _write(self) -> AbstractContextManager[sqlite3.Connection]:
        return write(self._db, self._lock)

    def append(self, stream_id: str, events: Sequence[Event],
               expected_version: ExpectedVersion) -> AppendResult:
        """Append ``events`` at the end of ``stream_id`` if it is at ``expected_version``."""
        if not events:
            raise ValueError("append needs at least one event")
        check_expected(stream_id, expected_version, None)
        with self._write() as db:
            done = self._appended_before(db, stream_id, events)
            if done:
                return done
            actual = self._version(db, stream_id)
            check_expected(stream_id, expected_version, actual)
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
            last = 2**62 if to_version is None else to_version
            rows = self._db.execute(f"{_ROW} WHERE stream_id = ? AND version BETWEEN ? AND ? "
                                    "ORDER BY version", (stream_id, from_version, last)).fetchall()
        return self._recorded(rows)

    def read_all(self, from_position: int = 1, limit: int | None = None) -> list[Recorded]:
        """Every stream's events from ``from_position`` (included), at most ``limit`` of them."""
        with self._lock:
            rows = self._db.execute(f"{_ROW} WHERE position >= ? ORDER BY position LIMIT ?",
                                    (from_position, -1 if limit is None else limit)).fetchall()
        return self._recorded(rows)

    def find_event(self, event_id: str) -> Recorded | None:
        """The stored event with this id, or None."""
        with self._lock:
            rows = self._db.execute(f"{_ROW} WHERE event_id = ?", (event_id,)).fetchall()
        return (self._recorded(rows) or [None])[0]

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
