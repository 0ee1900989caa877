"""The orchestrator's SQLite file: each saga's state, and the commands it sends, in one transaction.

This is the transactional outbox of :mod:`eda_lab.patterns.eventsourcing` applied to a saga: a
reply is handled by reading the saga, deciding (:mod:`.orchestration`), and writing the new state,
the commands and the reply's id in one ``BEGIN IMMEDIATE`` transaction. An
:class:`~eda_lab.patterns.OutboxRelay` publishes the commands; so a crash anywhere loses no
command and never sends one for a state that was not saved. The tables are in
:mod:`.saga_schema`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone

from ...messages.envelope import Command
from ..eventsourcing.sqlite_schema import write
from .orchestration import TERMINAL, SagaState, Transition
from .saga_schema import CommandRow, command_id, connect

SOURCE = "order-orchestrator"
Decide = Callable[[SagaState | None], Transition | None]


class SagaStore:
    """Sagas, their outbox and their log in one SQLite file.

    >>> from eda_lab.patterns.sagas import orchestration as o
    >>> store = SagaStore(":memory:")
    >>> store.apply("o-1", lambda s: o.start_saga("o-1", {"orderId": "o-1"}, 0, 5), "evt-1", "o-1")
    'started'
    >>> store.apply("o-1", lambda s: None, "evt-1", "o-1")     # the same start again
    'duplicate'
    >>> [row.event.command_type for row in store.pending_outbox()]
    ['ChargePayment']
    """

    def __init__(self, path: str, busy_timeout_s: float = 10.0) -> None:
        self.path = str(path)
        self._db = connect(self.path, busy_timeout_s)
        self._lock = threading.Lock()  # one connection: the loop's and the relay's threads

    def apply(self, saga_id: str, decide: Decide, message_id: str | None,
              correlation_id: str, cause_id: str | None = None) -> str:
        """Load the saga, ``decide``, save state, commands, log and ``message_id`` at once.

        Returns the transition's note, ``duplicate`` for a message already applied, or
        ``nothing`` when ``decide`` returns None.
        """
        now = time.time()
        with write(self._db, self._lock) as db:
            if message_id is not None and db.execute(
                    "SELECT 1 FROM saga_handled WHERE message_id = ?", (message_id,)).fetchone():
                return "duplicate"
            transition = decide(self._load(db, saga_id))
            if message_id is not None:
                db.execute("INSERT INTO saga_handled VALUES (?)", (message_id,))
            if transition is None:
                return "nothing"
            s = transition.state
            db.execute("INSERT INTO sagas VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (saga_id) "
                       "DO UPDATE SET status = excluded.status, step = excluded.step, awaiting = "
                       "excluded.awaiting, deadline = excluded.deadline, attempt = "
                       "excluded.attempt, updated_at = excluded.updated_at",
                       (s.saga_id, s.status, s.step, s.awaiting, s.deadline, s.attempt,
                        json.dumps(dict(s.data)), now, now))
            for name in transition.commands:
                cid = command_id(saga_id, name, s.attempt)
                command = Command(name, {**s.data, "sagaId": saga_id}, command_id=cid,
                                  source=SOURCE, correlation_id=correlation_id,
                                  causation_id=cause_id)
                db.execute("INSERT OR IGNORE INTO saga_outbox (saga_id, command_id, payload) "
                           "VALUES (?, ?, ?)", (saga_id, cid, command.to_json()))
            db.execute("INSERT INTO saga_log (saga_id, at, status, note) VALUES (?, ?, ?, ?)",
                       (saga_id, now, s.status, transition.note))
            return transition.note

    @staticmethod
    def _load(db: sqlite3.Connection, saga_id: str) -> SagaState | None:
        row = db.execute("SELECT saga_id, data, status, step, awaiting, deadline, attempt FROM "
                         "sagas WHERE saga_id = ?", (saga_id,)).fetchone()
        if row is None:
            return None
        return SagaState(row[0], json.loads(row[1]), *row[2:])

    def load(self, saga_id: str) -> SagaState | None:
        """One saga's state (None: no such saga)."""
        with self._lock:
            return self._load(self._db, saga_id)

    def due(self, now: float | None = None) -> list[SagaState]:
        """Unfinished sagas whose deadline has passed."""
        with self._lock:
            ids = [r[0] for r in self._db.execute(
                f"SELECT saga_id FROM sagas WHERE deadline <= ? AND status NOT IN {TERMINAL}",
                (time.time() if now is None else now,))]
            return [self._load(self._db, i) for i in ids]

    def statuses(self) -> dict[str, str]:
        """Every saga's status."""
        with self._lock:
            return dict(self._db.execute("SELECT saga_id, status FROM sagas"))

    def log(self, saga_id: str | None = None) -> list[tuple[str, float, str, str]]:
        """The transitions (saga, time, status, note), oldest first, of one saga or all."""
        with self._lock:
            where, args = ("WHERE saga_id = ?", (saga_id,)) if saga_id else ("", ())
            return self._db.execute(f"SELECT saga_id, at, status, note FROM saga_log {where} "
                                    "ORDER BY id", args).fetchall()

    def pending_outbox(self, limit: int = 100) -> list[CommandRow]:
        """Commands not yet marked sent, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT id, id, saga_id, payload FROM saga_outbox WHERE "
                                    "sent_at IS NULL ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [CommandRow(r[0], r[1], r[2], bytes(r[3])) for r in rows]

    def mark_sent(self, ids: Iterable[int]) -> int:
        """Mark commands published; returns how many were pending (marking twice is fine)."""
        now = datetime.now(timezone.utc).isoformat()
        with write(self._db, self._lock) as db:
            before = db.total_changes
            db.executemany("UPDATE saga_outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                           [(now, i) for i in ids])
            return db.total_changes - before

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._db.close()
