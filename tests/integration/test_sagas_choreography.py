"""The choreographed saga on the real broker: four services in their own groups, random declines,
a stock shortage and two crashed services; every order ends shipped or cancelled, and no order
is charged without being shipped or refunded."""

from __future__ import annotations

import dataclasses

import pytest

from eda_lab.clients import EventPublisher, consume
from eda_lab.patterns.sagas import (
    TOPICS,
    FailureKnobs,
    Ledger,
    choreography,
    create_saga_topics,
    order_placed,
    outcomes,
    settled,
    swimlane,
)

pytestmark = pytest.mark.integration


def run(ns, settings, tmp_path, knobs, placed, extra=()):
    create_saga_topics(ns, settings=settings)
    ledger = Ledger(str(tmp_path / "shop.db"), knobs.stock)
    services = choreography(ns, ledger, knobs, settings).start(timeout_s=120)
    try:
        with EventPublisher(settings) as publisher:
            publisher.publish_many(ns.topic("orders"),
                                   [(e.data["orderId"], e) for e in [*placed, *extra]])
        ids = [e.data["orderId"] for e in placed]
        services.settle(lambda: settled(ledger, ids), timeout_s=90, what="every order settled")
    finally:
        services.stop()
    return ledger, services


def test_every_order_is_terminal_and_none_is_charged_without_shipping(settings, ns, tmp_path):
    knobs = FailureKnobs(decline_rate=0.2, stock={"sku-1": 30},
                         crash_after={"inventory": 7, "payment": 20}, seed=11)
    placed = [order_placed(f"order-{n:02}") for n in range(50)]
    ledger, services = run(ns, settings, tmp_path, knobs, placed)

    orders = ledger.statuses("orders")
    assert set(orders.values()) <= {"shipped", "cancelled"} and len(orders) == 50
    assert ledger.charged_not_shipped() == []
    assert sorted(services.crashes) == ["inventory", "payment"]  # both crashed, were restarted
    declined = {o for o in orders if knobs.declines(o)}
    shipped = {o for o, s in orders.items() if s == "shipped"}
    assert len(shipped) == min(30, 50 - len(declined))  # one unit each until the stock runs out
    payments, shipments = ledger.statuses("payments"), ledger.statuses("shipments")
    for order, status in orders.items():
        if status == "shipped":
            assert (payments[order], shipments[order]) == ("charged", "shipped")
        else:
            assert order not in shipments
            assert payments[order] == ("declined" if order in declined else "refunded")
    reservations = ledger.statuses("reservations")
    assert sorted(o for o, s in reservations.items() if s == "reserved") == sorted(shipped)
    assert ledger.units("sku-1") == 30 - len(shipped)  # the crashed inventory did not take a unit twice
    summary = outcomes(ledger)["outcome"].value_counts().to_dict()
    assert summary == {"shipped": len(shipped), "payment declined": len(declined),
                       "out of stock (refunded)": 50 - len(shipped) - len(declined)}


def test_correlation_and_causation_flow_through_every_event(settings, ns, tmp_path):
    knobs = FailureKnobs(decline_rate=0.3, stock={"sku-1": 3}, crash_after={"shipping": 2}, seed=5)
    placed = [order_placed(f"order-{n}") for n in range(8)]
    run(ns, settings, tmp_path, knobs, placed)

    records = consume(*(ns.topic(t) for t in TOPICS), idle_s=1.0, timeout_s=20, settings=settings)
    events = {r.event.event_id: r.event for r in records}
    for r in records:
        event = r.event
        assert event.correlation_id == event.data["orderId"] == r.key
        assert r.headers["correlation-id"] == event.correlation_id
        if event.event_type != "OrderPlaced":
            cause = events[event.causation_id]  # the cause is on the topics too
            assert r.headers["causation-id"] == cause.event_id
            assert cause.data["orderId"] == event.data["orderId"]
    by_id = {}
    for r in records:  # an answer published again after a redelivery is the very same event
        by_id.setdefault(r.event.event_id, set()).add((r.event.event_type, r.event.causation_id))
    assert all(len(kinds) == 1 for kinds in by_id.values())
    ends = {r.event.data["orderId"]: r.event.event_type for r in records
            if r.event.event_type in ("OrderShipped", "OrderCancelled")}
    shipped = next(o for o, end in ends.items() if end == "OrderShipped")
    lane = swimlane(records, shipped)
    assert list(zip(lane["service"], lane["message"], strict=True)) == [
        ("order-service", "OrderPlaced"), ("payment-service", "PaymentProcessed"),
        ("inventory-service", "InventoryReserved"), ("shipping-service", "OrderShipped")]


def test_a_duplicate_or_re_sent_order_placed_changes_nothing(settings, ns, tmp_path):
    knobs = FailureKnobs(stock={"sku-1": 100})
    placed = [order_placed(f"order-{n}", amount=10 + n) for n in range(5)]
    again = [dataclasses.replace(e, event_id=f"retry-{n}") for n, e in enumerate(placed)]
    ledger, _ = run(ns, settings, tmp_path, knobs, placed, extra=[*placed, *again])

    assert set(ledger.statuses("orders").values()) == {"shipped"}
    assert ledger.rows("payments") == [(f"order-{n}", 10 + n, "charged") for n in range(5)]
    assert ledger.units("sku-1") == 95  # each order reserved once
