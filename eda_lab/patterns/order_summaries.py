"""The ``order_summaries`` read model: one row per order, its status and money, for queries.

Its ``apply`` is deliberately *not* idempotent on its own (``paid = paid + amount``,
``events = events + 1``): what the :class:`~eda_lab.patterns.ReadModel` writes in the same
transaction keeps an event from counting twice, the checkpoint when Kafka redelivers it at its
offset, the applied event ids when a restarted outbox relay publishes it again at a new one.
"""

from __future__ import annotations

from ..clients.records import Received
from ..messages.envelope import Event
from .read_models import Projection, RowUpsert

_STATUS = {"OrderPlaced": "placed", "OrderPaid": "paid", "OrderShipped": "shipped",
           "OrderCancelled": "cancelled"}

_UPSERT = (
    "INSERT INTO {} (order_id, customer_id, status, total, paid, events, last_event_id, "
    "updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (order_id) DO UPDATE SET "
    "customer_id = COALESCE(excluded.customer_id, customer_id), status = excluded.status, "
    "total = total + excluded.total, paid = paid + excluded.paid, events = events + 1, "
    "last_event_id = excluded.last_event_id, updated_at = excluded.updated_at")


def order_row(event: Event, record: Received) -> tuple | None:
    """The upsert's parameters for one order event; None for other event types.

    The order id is ``data["orderId"]``, or the record key (the order's stream id).
    """
    status = _STATUS.get(event.event_type)
    data = event.data
    order_id = data.get("orderId") or record.key
    if status is None or not order_id:
        return None
    # The Order aggregate's events (eventsourcing/order.py); "amount" on OrderPlaced is the
    # hand-written events' name for the total.
    total = float(data.get("total", data.get("amount", 0)) or 0) if status == "placed" else 0.0
    paid = {"paid": float(data.get("amount") or 0),
            "cancelled": -float(data.get("refund") or 0)}.get(status, 0.0)
    return (order_id, data.get("customerId"), status, total, paid, event.event_id, event.timestamp)


# Change the ``order_summaries`` table for one order event (other types leave it alone), e.g.
# ``apply_order_event(db, "order_summaries", Event("OrderPaid", {...}), record)``; a read model
# gives it whole batches (``apply_order_event.many``).
apply_order_event = RowUpsert(_UPSERT, order_row)


ORDER_SUMMARIES = Projection(
    table="order_summaries",
    columns=("order_id TEXT PRIMARY KEY, customer_id TEXT, status TEXT NOT NULL, "
             "total REAL NOT NULL, "
             "paid REAL NOT NULL, events INTEGER NOT NULL, last_event_id TEXT NOT NULL, "
             "updated_at TEXT NOT NULL"),
    order_by="order_id",
    apply=apply_order_event,
)
