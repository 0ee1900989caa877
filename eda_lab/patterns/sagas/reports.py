"""Sagas as tables for pictures and checks: one order's swimlane, saga transitions, outcomes.

pandas is imported inside each function, so the services and the orchestrator never load it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...clients.records import Received
from ...errors import MalformedEvent
from .ledger import Ledger
from .orchestration import COMPENSATED, COMPENSATING, COMPLETED, RUNNING
from .saga_store import SagaStore

if TYPE_CHECKING:
    import pandas as pd


def _message(record: Received) -> tuple[str, str, str | None, str, Any]:
    """(id, type, causation id, source, data) of an event or a command record."""
    try:
        e = record.event
        return e.event_id, e.event_type, e.causation_id, e.source, e.data
    except MalformedEvent:  # a command topic
        c = record.command
        return c.command_id, c.command_type, c.causation_id, c.source, c.data


def swimlane(records: Iterable[Received], order_id: str) -> pd.DataFrame:
    """One order's messages in the order they were sent, one row each (of copies, the first):
    ``step``, ``ms`` since the first, the ``service`` that sent it, ``topic``, ``message``
    type, ``id`` and ``caused_by`` (both shortened to 8 characters).

    A message is sent after the one that caused it was read, so its timestamp is never earlier;
    within one millisecond, a cause comes before its effects.

    Example: ``swimlane(consume(*(ns.topic(t) for t in TOPICS)), "order-03")``.
    """
    import pandas as pd

    rows: dict[str, dict[str, Any]] = {}
    for r in records:
        mid, kind, cause, source, data = _message(r)
        if data.get("orderId") == order_id and (mid not in rows
                                                or r.timestamp_ms < rows[mid]["t"]):
            rows[mid] = {"t": r.timestamp_ms, "service": source, "topic": r.topic.rsplit(".")[-1],
                         "message": kind, "id": mid, "cause": cause}
    depth: dict[str, int] = {}

    def depth_of(mid: str) -> int:  # how many causes back to the start
        if mid not in depth:
            cause = rows[mid]["cause"]
            depth[mid] = 0 if cause not in rows else depth_of(cause) + 1
        return depth[mid]

    ordered = sorted(rows, key=lambda m: (rows[m]["t"], depth_of(m)))
    start = min((rows[m]["t"] for m in ordered), default=0)
    return pd.DataFrame([{"step": n, "ms": rows[m]["t"] - start, "service": rows[m]["service"],
                          "topic": rows[m]["topic"], "message": rows[m]["message"],
                          "id": m[:8], "caused_by": (rows[m]["cause"] or "")[:8]}
                         for n, m in enumerate(ordered)],
                        columns=["step", "ms", "service", "topic", "message", "id", "caused_by"])


_FROM = ("new", RUNNING, COMPENSATING)
_TO = (RUNNING, COMPLETED, COMPENSATING, COMPENSATED)


def saga_transitions(store: SagaStore) -> pd.DataFrame:
    """How many sagas went from each state to the next (``from``, ``to``, ``note``, ``sagas``),
    from the store's log; ``new`` is before the start, ignored messages are left out."""
    import pandas as pd

    last: dict[str, str] = {}
    counts: dict[tuple[str, str, str], int] = {}
    for saga_id, _, status, note in store.log():
        if note.startswith("ignored"):
            continue
        key = (last.get(saga_id, "new"), status, note.split(" after ")[0])
        counts[key] = counts.get(key, 0) + 1
        last[saga_id] = status
    # In the saga's own order (forward, then compensating), not in the order sagas got there.
    order = sorted(counts, key=lambda k: (_FROM.index(k[0]), _TO.index(k[1]), k[2]))
    return pd.DataFrame([(*k, counts[k]) for k in order], columns=["from", "to", "note", "sagas"])


def outcome_of(payment: str | None, reservation: str | None, shipment: str | None) -> str:
    """Why an order ended as it did, from what the services recorded.

    >>> outcome_of("refunded", "unavailable", None)
    'out of stock (refunded)'
    """
    if shipment == "shipped":
        return "shipped"
    if payment == "declined":
        return "payment declined"
    if reservation == "unavailable":
        return "out of stock (refunded)" if payment == "refunded" else "out of stock"
    if reservation in ("voided", "released"):
        return "no answer in time (refunded)" if payment == "refunded" else "no answer in time"
    return "in flight"


def outcomes(ledger: Ledger) -> pd.DataFrame:
    """One row per order: ``payment``, ``reservation``, ``shipment`` and the ``outcome``.

    ``outcomes(ledger)["outcome"].value_counts()`` is the batch's summary.
    """
    import pandas as pd

    payments, reservations = ledger.statuses("payments"), ledger.statuses("reservations")
    shipments = ledger.statuses("shipments")
    orders = sorted(set(payments) | set(reservations) | set(shipments))
    return pd.DataFrame([{"order": o, "payment": payments.get(o),
                          "reservation": reservations.get(o), "shipment": shipments.get(o),
                          "outcome": outcome_of(payments.get(o), reservations.get(o),
                                                shipments.get(o))} for o in orders],
                        columns=["order", "payment", "reservation", "shipment", "outcome"])
