"""The checks of lessons 04 and 05: each model answer passes, each typical mistake gets its message."""

from __future__ import annotations

import dataclasses

import pytest

from eda_lab.patterns.eventsourcing.exercises import Cart, check_evolve_cart, check_upcaster


def evolve_right(state: Cart, event) -> Cart:
    data = event.data
    if event.event_type == "CartOpened":
        return Cart(cart_id=data["cartId"])
    if event.event_type == "ItemAdded":
        items = dict(state.items)
        items[data["sku"]] = items.get(data["sku"], 0) + data["quantity"]
        return dataclasses.replace(state, items=items)
    if event.event_type == "ItemRemoved":
        items = {sku: q for sku, q in state.items.items() if sku != data["sku"]}
        return dataclasses.replace(state, items=items)
    if event.event_type == "CartCheckedOut":
        return dataclasses.replace(state, checked_out=True)
    return state


def evolve_overwrites(state: Cart, event) -> Cart:
    if event.event_type == "ItemAdded":
        return dataclasses.replace(state, items={**state.items,
                                                 event.data["sku"]: event.data["quantity"]})
    return evolve_right(state, event)


def evolve_in_place(state: Cart, event) -> Cart:
    if event.event_type == "ItemAdded":
        state.items[event.data["sku"]] = state.items.get(event.data["sku"], 0) + event.data["quantity"]
        return dataclasses.replace(state)
    return evolve_right(state, event)


def evolve_strict(state: Cart, event) -> Cart:
    if event.event_type not in {"CartOpened", "ItemAdded", "ItemRemoved", "CartCheckedOut"}:
        raise ValueError(f"unknown event {event.event_type}")
    return evolve_right(state, event)


def test_the_solution_passes(capsys: pytest.CaptureFixture[str]) -> None:
    check_evolve_cart(evolve_right)
    assert capsys.readouterr().out == "✅ evolve_cart\n"


@pytest.mark.parametrize(("answer", "says"), [
    (None, "not answered yet"),
    (evolve_overwrites, "'the same product added twice', event 3"),
    (evolve_in_place, "it became"),
    (evolve_strict, "must leave the state unchanged, not raise"),
])
def test_typical_mistakes_are_named(answer, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    check_evolve_cart(answer)
    out = capsys.readouterr().out
    assert out.startswith("❌ evolve_cart"), out
    assert says in out, out


def upcast_right(data: dict) -> dict:
    v2 = {k: v for k, v in data.items() if k not in ("userId", "total")}
    return {**v2, "customerId": data["userId"], "totalCents": round(data["total"] * 100),
            "currency": "EUR"}


def upcast_truncates(data: dict) -> dict:
    return {**upcast_right(data), "totalCents": int(data["total"] * 100)}


def upcast_keeps_old_names(data: dict) -> dict:
    return {**data, "totalCents": round(data["total"] * 100), "currency": "EUR"}


def test_the_upcaster_solution_passes(capsys: pytest.CaptureFixture[str]) -> None:
    check_upcaster(upcast_right)
    assert capsys.readouterr().out == "✅ OrderPlaced v1 -> v2\n"


@pytest.mark.parametrize(("answer", "says"), [
    (None, "not answered yet"),
    (upcast_truncates, "int() cuts it"),
    (upcast_keeps_old_names, "'userId': 'user-1'"),
    (lambda data: data["customer"], "KeyError"),
])
def test_typical_upcaster_mistakes_are_named(answer, says: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    check_upcaster(answer)
    out = capsys.readouterr().out
    assert out.startswith("❌ OrderPlaced v1 -> v2"), out
    assert says in out, out
