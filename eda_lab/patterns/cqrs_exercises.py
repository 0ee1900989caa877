"""The check for lesson 06's exercise: make a projection count each event once.

The projector's checkpoint already skips a record redelivered at the same offset. An outbox
relay that crashed after publishing and before marking its rows sent publishes them again, at
*new* offsets, with the *same* event ids: only the projection itself can recognise those.
The check feeds the learner's ``apply`` such a history through a real :class:`ReadModel`
(in memory), then rebuilds the view into its shadow table, and compares both with the truth.
"""

from __future__ import annotations

import sqlite3

from ..clients.records import Received
from ..exercises import described, not_answered, verdict
from ..messages import Event
from .read_models import Apply, Projection, ReadModel

PAYMENT_COLUMNS = "order_id TEXT PRIMARY KEY, paid INTEGER NOT NULL, payments INTEGER NOT NULL"


def apply_payment(db: sqlite3.Connection, table: str, event: Event, record: Received) -> None:
    """Add an ``OrderPaid`` to its order's row: *not* idempotent (``paid = paid + amount``)."""
    if event.event_type != "OrderPaid":
        return
    db.execute(f"INSERT INTO {table} (order_id, paid, payments) VALUES (?, ?, 1) "
               "ON CONFLICT (order_id) DO UPDATE SET paid = paid + excluded.paid, "
               "payments = payments + 1", (event.data["orderId"], event.data["amount"]))


def payments_projection(apply: Apply, table: str = "order_payments") -> Projection:
    """The ``order_payments`` view with ``apply`` as its change function."""
    return Projection(table, PAYMENT_COLUMNS, "order_id", apply)


def _history() -> tuple[list[tuple[Event, Received]], list[tuple[Event, Received]]]:
    paid = [Event("OrderPaid", {"orderId": f"ord-{n}", "amount": 100 * n}, event_id=f"paid-{n}")
            for n in (1, 2, 3)]
    placed = Event("OrderPlaced", {"orderId": "ord-4", "total": 50}, event_id="placed-4")

    def at(offset: int, event: Event) -> tuple[Event, Received]:
        return event, Received("orders", 0, offset, f"order-{event.data['orderId']}", 0, {}, None)

    first = [at(0, paid[0]), at(1, placed), at(2, paid[1])]
    # The relay restarted: paid-1 and paid-2 again at new offsets, then a new one.
    second = [at(3, paid[0]), at(4, paid[1]), at(5, paid[2])]
    return first, second


EXPECTED = [{"order_id": "ord-1", "paid": 100, "payments": 1},
            {"order_id": "ord-2", "paid": 200, "payments": 1},
            {"order_id": "ord-3", "paid": 300, "payments": 1}]


def check_idempotent_projection(apply: Apply | None,
                                name: str = "each payment counted once") -> None:
    """Project a history with republished duplicates, then rebuild it, and compare the rows."""
    if apply is None:
        not_answered(name, "remember each event id in a table, in the "
                     "same transaction, and skip one already there")
        return
    model = ReadModel(":memory:", payments_projection(apply))
    try:
        first, second = _history()
        for label, run in (("live", _live), ("rebuild", _rebuild)):
            try:
                rows = run(model, first, second)
            except Exception as exc:  # the learner's error is the answer being checked
                verdict(name, False, EXPECTED, described(exc),
                        f"the {label} projection")
                return
            if rows != EXPECTED:
                look = ("the events were published twice by a restarted relay, at new offsets "
                        "but with the same event ids" if label == "live" else
                        "the rebuild writes into another table (the `table` argument): remember "
                        "the ids per table, or the rebuild skips what the live view saw")
                verdict(name, False, EXPECTED, rows, look)
                return
        verdict(name, True)
    finally:
        model.close()


def _live(model: ReadModel, first: list, second: list) -> list:
    model.apply_batch(first)
    model.apply_batch(second)
    return model.rows()


def _rebuild(model: ReadModel, first: list, second: list) -> list:
    model.begin_rebuild()
    model.apply_batch(first + second, shadow=True)
    return model.rows(shadow=True)
