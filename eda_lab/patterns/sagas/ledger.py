"""The services' own state in SQLite: orders, payments, stock and reservations, shipments.

One file holds every service's table so a test or a notebook can check the invariant with one
query; each service reads and writes only its own tables, as if each had a database of its own.
Every operation reads the order's row, asks the pure decision in :mod:`.decisions`, and writes
the change in the same ``BEGIN IMMEDIATE`` transaction, so two deliveries of one event can never
both charge, and a crash leaves either all of a step or none of it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Mapping

from ..eventsourcing.sqlite_schema import write
from . import decisions
from .decisions import Decision

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (order_id TEXT PRIMARY KEY, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS payments (order_id TEXT PRIMARY KEY, amount INTEGER NOT NULL,
    status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stock (sku TEXT PRIMARY KEY, units INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reservations (order_id TEXT PRIMARY KEY, sku TEXT NOT NULL,
    quantity INTEGER NOT NULL, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS shipments (order_id TEXT PRIMARY KEY, status TEXT NOT NULL);
"""

# Charged and never shipped nor refunded: what a saga exists to prevent.
CHARGED_NOT_SHIPPED = """SELECT p.order_id FROM payments p LEFT JOIN shipments s USING (order_id)
    WHERE p.status = 'charged' AND s.order_id IS NULL ORDER BY p.order_id"""


class Ledger:
    """The services' tables in one SQLite file (WAL mode); every method is idempotent.

    >>> ledger = Ledger(":memory:", stock={"sku-1": 1})
    >>> ledger.charge("o-1", 30, declined=False), ledger.charge("o-1", 30, declined=False)
    (True, True)
    >>> ledger.reserve("o-1", "sku-1", 2), ledger.refund("o-1"), ledger.status("payments", "o-1")
    (False, True, 'refunded')
    """

    def __init__(self, path: str, stock: Mapping[str, int] | None = None,
                 busy_timeout_s: float = 10.0) -> None:
        self.path = path
        self._db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None,
                                   check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.Lock()  # one connection shared by the services' threads
        with write(self._db, self._lock) as db:
            for statement in filter(str.strip, SCHEMA.split(";")):
                db.execute(statement)
            # Stock is set once, when the table is new: a restarted service keeps what is left.
            db.executemany("INSERT OR IGNORE INTO stock VALUES (?, ?)", (stock or {}).items())

    def _step(self, table: str, order_id: str, decide, insert: tuple = ()) -> Decision:
        with write(self._db, self._lock) as db:
            row = db.execute(f"SELECT status FROM {table} WHERE order_id = ?", (order_id,))
            current = (row.fetchone() or (None,))[0]
            decision = decide(db, current)
            if decision.new_status is not None and current is None:
                holes = ", ".join("?" * (2 + len(insert)))
                db.execute(f"INSERT INTO {table} VALUES ({holes})",
                           (order_id, *insert, decision.new_status))
            elif decision.new_status is not None:
                db.execute(f"UPDATE {table} SET status = ? WHERE order_id = ?",
                           (decision.new_status, order_id))
            return decision

    def order(self, order_id: str, event_type: str) -> bool:
        """The order service's step for one event (see :func:`.decisions.order_status`)."""
        return self._step("orders", order_id,
                          lambda db, cur: decisions.order_status(cur, event_type)).ok

    def charge(self, order_id: str, amount: int, declined: bool) -> bool:
        """Charge ``amount`` once; True if the order is (still) charged."""
        return self._step("payments", order_id, lambda db, cur: decisions.charge(cur, declined),
                          (amount,)).ok

    def refund(self, order_id: str) -> bool:
        """Refund once (or void an order never charged); always True."""
        return self._step("payments", order_id, lambda db, cur: decisions.refund(cur), (0,)).ok

    def reserve(self, order_id: str, sku: str, quantity: int) -> bool:
        """Take ``quantity`` units of ``sku`` once if they are there."""
        def decide(db: sqlite3.Connection, current: str | None) -> Decision:
            units = (db.execute("SELECT units FROM stock WHERE sku = ?", (sku,)).fetchone()
                     or (0,))[0]
            decision = decisions.reserve(current, units, quantity)
            if decision.new_status == "reserved":
                db.execute("UPDATE stock SET units = units - ? WHERE sku = ?", (quantity, sku))
            return decision
        return self._step("reservations", order_id, decide, (sku, quantity)).ok

    def release(self, order_id: str) -> bool:
        """Put a reservation's units back once (or void an order never reserved)."""
        def decide(db: sqlite3.Connection, current: str | None) -> Decision:
            decision = decisions.release(current)
            if decision.new_status == "released":
                db.execute("UPDATE stock SET units = units + (SELECT quantity FROM reservations "
                           "WHERE order_id = ?) WHERE sku = (SELECT sku FROM reservations "
                           "WHERE order_id = ?)", (order_id, order_id))
            return decision
        return self._step("reservations", order_id, decide, ("", 0)).ok

    def ship(self, order_id: str) -> bool:
        """Ship once."""
        return self._step("shipments", order_id, lambda db, cur: decisions.ship(cur)).ok

    def status(self, table: str, order_id: str) -> str | None:
        """What ``table`` records for the order (None: nothing)."""
        with self._lock:
            row = self._db.execute(f"SELECT status FROM {table} WHERE order_id = ?", (order_id,))
            return (row.fetchone() or (None,))[0]

    def statuses(self, table: str) -> dict[str, str]:
        """Every order's status in ``table``."""
        with self._lock:
            return dict(self._db.execute(f"SELECT order_id, status FROM {table}"))

    def rows(self, table: str) -> list[tuple]:
        """Every row of one of the services' tables, ordered by its key (for checks and pictures)."""
        if table not in ("orders", "payments", "stock", "reservations", "shipments"):
            raise ValueError(f"no table {table!r} in the ledger")
        with self._lock:
            return self._db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()

    def units(self, sku: str) -> int:
        """Units of ``sku`` left in stock."""
        with self._lock:
            row = self._db.execute("SELECT units FROM stock WHERE sku = ?", (sku,)).fetchone()
        return row[0] if row else 0

    def charged_not_shipped(self) -> list[str]:
        """Orders charged but neither shipped nor refunded: must be empty once sagas settle."""
        with self._lock:
            return [r[0] for r in self._db.execute(CHARGED_NOT_SHIPPED)]

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._db.close()
