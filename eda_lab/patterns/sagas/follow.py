"""Messages that follow other messages, with ids derived from their cause.

A service that records its work and then crashes before publishing will, on the redelivery,
publish its answer again. If that answer got a fresh random id, consumers downstream could not
tell the copy from a new event; derived from the cause's id and the new type, the copy has the
*same* id and any consumer that de-duplicates by ``eventId`` drops it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ...messages.envelope import Command, Event

_IDS = uuid.UUID("6b1d0f3e-5a52-4c1e-9b57-2f3d1c0a9e11")  # any fixed namespace will do


def derived_id(*parts: object) -> str:
    """A UUID that depends only on ``parts`` (uuid5).

    >>> derived_id("evt-1", "PaymentProcessed") == derived_id("evt-1", "PaymentProcessed")
    True
    """
    return str(uuid.uuid5(_IDS, "/".join(map(str, parts))))


def _cause_id(cause: Event | Command) -> str:
    return cause.event_id if isinstance(cause, Event) else cause.command_id


def follow(cause: Event | Command, event_type: str, data: Mapping[str, Any],
           source: str) -> Event:
    """The event ``cause`` led to: same correlation id, causation id = the cause's id, and an
    id derived from both, so publishing it twice publishes one event.

    >>> placed = Event("OrderPlaced", {"orderId": "o-1"}, correlation_id="o-1")
    >>> paid = follow(placed, "PaymentProcessed", placed.data, "payment-service")
    >>> paid.correlation_id, paid.causation_id == placed.event_id
    ('o-1', True)
    >>> paid.event_id == follow(placed, "PaymentProcessed", placed.data, "other").event_id
    True
    """
    cause_id = _cause_id(cause)
    return Event(event_type, data, event_id=derived_id(cause_id, event_type), source=source,
                 correlation_id=cause.correlation_id, causation_id=cause_id)


def order_placed(order_id: str, amount: int = 30, sku: str = "sku-1", quantity: int = 1,
                 source: str = "order-service") -> Event:
    """The event that starts a saga; its correlation id is the order id, so every event and
    command of the saga can be found by it."""
    return Event("OrderPlaced", {"orderId": order_id, "amount": amount, "sku": sku,
                                 "quantity": quantity}, source=source, correlation_id=order_id)
