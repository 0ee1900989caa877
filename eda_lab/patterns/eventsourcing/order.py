"""An order's life as pure functions: place, pay, ship, cancel, with only the valid transitions.

::

    new --PlaceOrder--> placed --PayOrder--> paid --ShipOrder--> shipped
                          |                   |
                          +---CancelOrder-----+--> cancelled (a paid order is refunded)

>>> place = Command("PlaceOrder", {"orderId": "ord-1", "customerId": "c-7", "total": 2500})
>>> placed = ORDER.replay(ORDER.decide(Order(), place))
>>> placed.status
'placed'
>>> ORDER.decide(placed, Command("ShipOrder", {"orderId": "ord-1"}))
Traceback (most recent call last):
eda_lab.errors.CommandRejected: order ord-1 is placed: ShipOrder is allowed only when it is paid
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ...messages import Command, Event
from .aggregate import Aggregate, CommandRejected

SOURCE = "order-service"
# The one table of legal moves: which statuses each command may start from.
ALLOWED_FROM = {"PlaceOrder": ("new",), "PayOrder": ("placed",), "ShipOrder": ("paid",),
                "CancelOrder": ("placed", "paid")}


@dataclass(frozen=True)
class Order:
    """An order's state: ``status`` is one of new, placed, paid, shipped, cancelled."""

    order_id: str = ""
    customer_id: str = ""
    total: int = 0
    paid: int = 0
    status: str = "new"


def decide_order(state: Order, command: Command) -> list[Event]:
    """The events a command causes on this order, or :class:`CommandRejected`."""
    kind, data = command.command_type, command.data
    order_id = data["orderId"]
    if kind not in ALLOWED_FROM:
        raise CommandRejected(f"the order does not handle {kind}")
    if state.status not in ALLOWED_FROM[kind]:
        raise CommandRejected(f"order {order_id} is {state.status}: {kind} is allowed only when "
                              f"it is {' or '.join(ALLOWED_FROM[kind])}")
    if kind == "PlaceOrder":
        total = data["total"]
        if type(total) is not int or total <= 0:
            raise CommandRejected(f"PlaceOrder: total must be a whole number above 0, got {total!r}")
        event = ("OrderPlaced", {"orderId": order_id, "customerId": data["customerId"],
                                 "total": total})
    elif kind == "PayOrder":
        if data["amount"] != state.total:
            raise CommandRejected(f"order {order_id} costs {state.total}, "
                                  f"a payment of {data['amount']!r} does not settle it")
        event = ("OrderPaid", {"orderId": order_id, "amount": state.total})
    elif kind == "ShipOrder":
        event = ("OrderShipped", {"orderId": order_id})
    else:
        event = ("OrderCancelled", {"orderId": order_id, "reason": data["reason"],
                                    "refund": state.paid})
    return [command.caused(*event, source=SOURCE)]


def evolve_order(state: Order, event: Event) -> Order:
    """The order after ``event``; event types it does not know leave it unchanged."""
    data, kind = event.data, event.event_type
    if kind == "OrderPlaced":
        return Order(data["orderId"], data["customerId"], data["total"], 0, "placed")
    if kind == "OrderPaid":
        return dataclasses.replace(state, paid=state.paid + data["amount"], status="paid")
    if kind == "OrderShipped":
        return dataclasses.replace(state, status="shipped")
    if kind == "OrderCancelled":
        return dataclasses.replace(state, paid=state.paid - data.get("refund", 0),
                                   status="cancelled")
    return state


ORDER: Aggregate[Order] = Aggregate(
    name="Order", initial=Order(), decide=decide_order, evolve=evolve_order,
    commands={"PlaceOrder": ("orderId", "customerId", "total"), "PayOrder": ("orderId", "amount"),
              "ShipOrder": ("orderId",), "CancelOrder": ("orderId", "reason")})
