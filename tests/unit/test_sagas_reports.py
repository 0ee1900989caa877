"""Saga tables for pictures: a swimlane from records, transitions from the log, outcomes."""

from __future__ import annotations

from eda_lab.clients.records import Received
from eda_lab.patterns.sagas import (
    FailureKnobs,
    Ledger,
    SagaStore,
    follow,
    on_reply,
    order_placed,
    outcomes,
    saga_transitions,
    start_saga,
    swimlane,
)


def record(topic, offset, message, t):
    return Received(f"test.sagas.{topic}", 0, offset, message.data["orderId"], t, {},
                    message.to_json())


def test_a_swimlane_puts_causes_first_and_drops_copies_and_other_orders():
    placed = order_placed("o-1")
    paid = follow(placed, "PaymentProcessed", placed.data, "payment-service")
    reserved = follow(paid, "InventoryReserved", placed.data, "inventory-service")
    other = order_placed("o-2")
    records = [record("inventory", 0, reserved, 1_005), record("payments", 0, paid, 1_005),
               record("orders", 0, placed, 1_000), record("orders", 1, other, 1_001),
               record("payments", 1, paid, 1_009)]  # a copy published again
    lane = swimlane(records, "o-1")
    assert list(lane["message"]) == ["OrderPlaced", "PaymentProcessed", "InventoryReserved"]
    assert list(lane["service"]) == ["order-service", "payment-service", "inventory-service"]
    assert list(lane["topic"]) == ["orders", "payments", "inventory"]
    assert list(lane["ms"]) == [0, 5, 5]
    assert list(lane["caused_by"]) == ["", placed.event_id[:8], paid.event_id[:8]]
    assert swimlane([], "o-1").empty


def test_a_swimlane_follows_time_so_a_late_reply_comes_last():
    placed = order_placed("o-1")
    reserve = follow(placed, "ReserveStock", placed.data, "orchestrator")
    release = follow(reserve, "ReleaseStock", placed.data, "orchestrator")
    late = follow(reserve, "StockReserved", placed.data, "inventory-service")  # same depth
    records = [record("commands", 0, reserve, 10), record("replies", 0, late, 90),
               record("commands", 1, release, 40), record("orders", 0, placed, 0)]
    assert list(swimlane(records, "o-1")["message"]) == [
        "OrderPlaced", "ReserveStock", "ReleaseStock", "StockReserved"]


def test_transitions_count_sagas_per_step_without_ignored_messages():
    store = SagaStore(":memory:")
    for n, ok in enumerate((True, True, False)):
        saga = f"o-{n}"
        store.apply(saga, lambda s, saga=saga: start_saga(saga, {}, 0, 5), f"p{n}", saga)
        store.apply(saga, lambda s, ok=ok: on_reply(s, "ChargePayment", ok, 1, 5), f"r{n}", saga)
        store.apply(saga, lambda s: on_reply(s, "ChargePayment", True, 1, 5), f"x{n}", saga)
    table = saga_transitions(store)
    got = {(r["from"], r["to"], r["note"]): r["sagas"] for _, r in table.iterrows()}
    assert list(got.values()) == [3, 2, 1]  # forward first, however the sagas interleaved
    assert got == {("new", "running", "started"): 3,
                   ("running", "running", "ChargePayment done"): 2,
                   ("running", "compensated", "ChargePayment failed"): 1}


def test_outcomes_say_why_each_order_ended():
    ledger = Ledger(":memory:", stock={"sku-1": 1})
    knobs = FailureKnobs()
    ledger.charge("o-1", 5, knobs.declines("o-1"))
    ledger.reserve("o-1", "sku-1", 1)
    ledger.ship("o-1")
    ledger.charge("o-2", 5, declined=True)
    ledger.charge("o-3", 5, declined=False)
    ledger.reserve("o-3", "sku-1", 1)
    ledger.refund("o-3")
    ledger.charge("o-4", 5, declined=False)
    ledger.release("o-4")
    ledger.refund("o-4")
    ledger.charge("o-5", 5, declined=False)
    table = outcomes(ledger)
    assert list(table["outcome"]) == ["shipped", "payment declined", "out of stock (refunded)",
                                      "no answer in time (refunded)", "in flight"]
