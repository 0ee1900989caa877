"""The ``order_summaries`` read model: one row per order, its status and money, for queries.

Its ``apply`` is deliberately *not* idempotent on its own (``paid = paid + amount``,
``events = events + 1``): the checkpoint the :class:`~eda_lab.patterns.ReadModel` writes in
the same transaction is what keeps a redelivered event from counting twice.
"""

from __future__ import annotations

import sqlite3

from ..clients.records import Received
from ..messages.envelope import Event
from .read_models import Projection

_STATUS = {"OrderPlaced": "placed", "OrderPaid": "paid", "OrderShipped": "shipped",
           "OrderCancelled": "cancelled"}


def apply_order_event(db: sqlite3.Connection, table: str, event: Event, record: Received) -> None:
    """Change ``table`` for one order event; other event types leave it alone.

    The order id is ``data["orderId"]``, or the record key (the order's stream id).

    Example::

        apply_order_event(db, "order_summaries", Event("OrderPaid", {"orderId": "o-1",
                          "amount": 5}), record)
    """
    status = _STATUS.get(event.event_type)
    order_id = event.data.get("orderId") or record.key
    if status is None or not order_id:
        return
    amount = float(event.data.get("amount") or 0)
    total = amount if status == "placed" else 0.0
    paid = amount if status == "paid" else 0.0
    db.execute(
        f"INSERT INTO {table} (order_id, status, total, paid, events, last_event_id, updated_at)"
        " VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (order_id) DO UPDATE SET"
        " status = excluded.status, total = total + excluded.total, paid = paid + excluded.paid,"
        " events = events + 1, last_event_id = excluded.last_event_id,"
        " updated_at = excluded.updated_at",
        (order_id, status, total, paid, event.event_id, event.timestamp))


ORDER_SUMMARIES = Projection(
    table="order_summaries",
    columns=("order_id TEXT PRIMARY KEY, status TEXT NOT NULL, total REAL NOT NULL, "
             "paid REAL NOT NULL, events INTEGER NOT NULL, last_event_id TEXT NOT NULL, "
             "updated_at TEXT NOT NULL"),
    order_by="order_id",
    apply=apply_order_event,
)
