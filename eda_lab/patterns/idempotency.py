"""Remembering which messages were handled, so a redelivered one is not handled twice.

At-least-once delivery means a handler can see the same event again (after a crash between
producing its results and committing the offset). A consumer whose effects are not naturally
idempotent keeps the ids it has handled and skips those it has seen: that is the hook
:class:`~eda_lab.patterns.HandlerLoop` calls, written as a two-method protocol so a later
pattern can keep the ids in its own database, in the same transaction as its effects.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable


@runtime_checkable
class IdempotencyStore(Protocol):
    """What the loop needs to skip duplicates: ``seen(id)`` and ``remember(ids)``."""

    def seen(self, message_id: str) -> bool:
        """Whether a message with this id was handled (and remembered) before."""
        ...

    def remember(self, message_ids: Iterable[str]) -> None:
        """Record these ids as handled; called only once their results are acknowledged."""
        ...


class SqliteIdempotencyStore:
    """Handled message ids in a SQLite table, one set per ``consumer`` name.

    >>> store = SqliteIdempotencyStore(":memory:", consumer="billing")   # or a file name
    >>> store.seen("evt-1")
    False
    >>> store.remember(["evt-1"])
    >>> store.seen("evt-1")
    True

    The file may be shared by several consumers (each has its own ``consumer`` name) and by
    several processes: SQLite locks the file, and ``remember`` ignores ids already there.
    """

    TABLE = "handled_messages"

    def __init__(self, path: str | Path, consumer: str, timeout_s: float = 10.0) -> None:
        self.path, self.consumer = str(path), consumer
        # The loop may run in a thread other than the one that built the store; one lock
        # serialises the connection instead of one connection per thread.
        self._db = sqlite3.connect(self.path, timeout=timeout_s, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {self.TABLE} (consumer TEXT NOT NULL, "
                             "message_id TEXT NOT NULL, PRIMARY KEY (consumer, message_id))")

    def seen(self, message_id: str) -> bool:
        """Whether ``message_id`` was remembered for this consumer."""
        with self._lock:
            row = self._db.execute(f"SELECT 1 FROM {self.TABLE} WHERE consumer = ? AND "
                                   "message_id = ?", (self.consumer, message_id)).fetchone()
        return row is not None

    def remember(self, message_ids: Iterable[str]) -> None:
        """Record ids as handled, in one transaction; ids already there are kept once."""
        rows = [(self.consumer, i) for i in message_ids]
        with self._lock, self._db:
            self._db.executemany(f"INSERT OR IGNORE INTO {self.TABLE} VALUES (?, ?)", rows)

    def count(self) -> int:
        """How many ids this consumer has remembered."""
        with self._lock:
            (n,) = self._db.execute(f"SELECT COUNT(*) FROM {self.TABLE} WHERE consumer = ?",
                                    (self.consumer,)).fetchone()
        return int(n)

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def __repr__(self) -> str:
        return f"SqliteIdempotencyStore({self.path!r}, consumer={self.consumer!r})"
