"""Checks for the exercises of lessons 04 (write an upcaster) and 05 (write an evolve function).

Each check runs the learner's function on small fixed histories, never raises, and prints
``✅ name``, or ``❌ name``, what it expected beside what it got, and what to look at.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...exercises import described, not_answered, verdict
from ...messages import Event
from .sqlite_store import SQLiteEventStore
from .store import NO_STREAM

# --- 05: the evolve function of a shopping cart ----------------------------------------------


@dataclass(frozen=True)
class Cart:
    """A shopping cart's state: ``items`` maps a product code (sku) to its quantity."""

    cart_id: str = ""
    items: dict[str, int] = field(default_factory=dict)
    checked_out: bool = False


def _cart_events() -> dict[str, list[Event]]:
    def e(kind: str, **data: Any) -> Event:
        return Event(kind, {"cartId": "cart-1", **data}, event_id=f"{kind}-{len(str(data))}")
    opened = e("CartOpened")
    return {
        "open, add two products": [opened, e("ItemAdded", sku="tea", quantity=2),
                                   e("ItemAdded", sku="mug", quantity=1)],
        "the same product added twice": [opened, e("ItemAdded", sku="tea", quantity=2),
                                         e("ItemAdded", sku="tea", quantity=3)],
        "add, remove, check out": [opened, e("ItemAdded", sku="tea", quantity=2),
                                   e("ItemAdded", sku="mug", quantity=1),
                                   e("ItemRemoved", sku="tea"), e("CartCheckedOut")],
        "an event type from a newer producer": [opened, e("ItemAdded", sku="mug", quantity=1),
                                                e("CouponApplied", code="SPRING")],
    }


def _evolve_cart(state: Cart, event: Event) -> Cart:
    """The model answer the check compares with (the notebook shows its own)."""
    data = event.data
    if event.event_type == "CartOpened":
        return Cart(cart_id=data["cartId"])
    if event.event_type == "ItemAdded":
        items = {**state.items, data["sku"]: state.items.get(data["sku"], 0) + data["quantity"]}
        return Cart(state.cart_id, items, state.checked_out)
    if event.event_type == "ItemRemoved":
        return Cart(state.cart_id, {k: q for k, q in state.items.items() if k != data["sku"]},
                    state.checked_out)
    if event.event_type == "CartCheckedOut":
        return Cart(state.cart_id, dict(state.items), True)
    return state


def check_evolve_cart(evolve: Callable[[Cart, Event], Cart] | None,
                      name: str = "evolve_cart") -> None:
    """Fold ``evolve`` over fixed cart histories and compare every state with the expected one."""
    if evolve is None:
        not_answered(name, "one `if` per event type, each returning a "
                     "new Cart")
        return
    for title, events in _cart_events().items():
        want, got = Cart(), Cart()
        for n, event in enumerate(events, start=1):
            where = f"history '{title}', event {n} ({event.event_type} {event.data})"
            before, given = copy.deepcopy(got), got
            want = _evolve_cart(want, event)
            try:
                got = evolve(given, event)
            except Exception as exc:  # the learner's error is the answer being checked
                verdict(name, False, repr(want), described(exc),
                        f"{where}; an event type evolve does not know must leave the state "
                        "unchanged, not raise")
                return
            if given != before:
                verdict(name, False, f"the state it was given left as it was: {before!r}",
                        f"it became {given!r}", f"{where}: build a new dict and a new Cart "
                        "(time travel and snapshots keep the old states)")
                return
            if got != want:
                verdict(name, False, repr(want), repr(got), where)
                return
    verdict(name, True)


# --- 04: an upcaster from OrderPlaced v1 to v2 -----------------------------------------------

_V1_TOTALS = (59.98, 0.29, 10.0, 1234.5)


def _v1_order(n: int, total: float) -> Event:
    return Event("OrderPlaced", {"orderId": f"ord-{n}", "userId": f"user-{n}", "total": total,
                                 "items": [{"productId": "prod-1", "quantity": n}]},
                 version=1, event_id=f"v1-order-{n}")


def _expected_v2(event: Event) -> dict[str, Any]:
    data = event.data
    return {"orderId": data["orderId"], "items": data["items"], "customerId": data["userId"],
            "totalCents": round(data["total"] * 100), "currency": "EUR"}


def check_upcaster(upcaster: Callable[[dict[str, Any]], dict[str, Any]] | None,
                   name: str = "OrderPlaced v1 -> v2") -> None:
    """Store v1 orders in a fresh store that has ``upcaster`` for ("OrderPlaced", 1), read them."""
    if upcaster is None:
        not_answered(name, "a function from the v1 data dict to the "
                     "v2 data dict")
        return
    store = SQLiteEventStore(":memory:", upcasters={("OrderPlaced", 1): upcaster})
    try:
        for n, total in enumerate(_V1_TOTALS, start=1):
            store.append(f"order-{n}", [_v1_order(n, total)], NO_STREAM)
        for n, total in enumerate(_V1_TOTALS, start=1):
            stored = _v1_order(n, total)
            try:
                [read] = store.read_stream(f"order-{n}")
            except Exception as exc:  # the learner's error is the answer being checked
                verdict(name, False, repr(_expected_v2(stored)), described(exc),
                        f"the v1 data {stored.data}")
                return
            want = _expected_v2(stored)
            if read.event.data != want:
                look = f"the v1 data {stored.data}"
                if read.event.data.get("totalCents") != want["totalCents"]:
                    look += (f"; {total} * 100 is {total * 100!r} in floating point: round it, "
                             "int() cuts it")
                verdict(name, False, repr(want), repr(read.event.data), look)
                return
        verdict(name, True)
    finally:
        store.close()
