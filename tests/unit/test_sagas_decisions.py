"""The saga services' pure decisions, their SQLite ledger and the failure knobs, without a broker."""

from __future__ import annotations

import pytest

from eda_lab.messages.envelope import Event
from eda_lab.namespace import Namespace
from eda_lab.patterns.sagas import (
    CrashOnce,
    Decision,
    FailureKnobs,
    Ledger,
    ServiceCrashed,
    charge,
    follow,
    order_placed,
    order_status,
    refund,
    release,
    reserve,
    service_handler,
    ship,
)

NS = Namespace("test", "sagas")


@pytest.mark.parametrize("current, declined, expected", [
    (None, False, Decision("charged", True)),
    (None, True, Decision("declined", False)),
    ("charged", True, Decision(None, True)),       # a redelivery is answered as before
    ("declined", False, Decision(None, False)),
    ("refunded", False, Decision(None, False)),    # never charged again after the undo
    ("voided", False, Decision(None, False)),      # the refund overtook the charge
])
def test_charge(current, declined, expected):
    assert charge(current, declined) == expected


def test_compensations_undo_once_and_void_what_never_happened():
    assert [refund(s) for s in (None, "charged", "refunded", "declined")] == [
        Decision("voided", True), Decision("refunded", True), Decision(None, True),
        Decision(None, True)]
    assert [release(s) for s in (None, "reserved", "released", "unavailable")] == [
        Decision("voided", True), Decision("released", True), Decision(None, True),
        Decision(None, True)]


def test_reserve_and_ship():
    assert reserve(None, in_stock=2, quantity=2) == Decision("reserved", True)
    assert reserve(None, in_stock=1, quantity=2) == Decision("unavailable", False)
    assert reserve("reserved", in_stock=0, quantity=2) == Decision(None, True)
    assert reserve("voided", in_stock=9, quantity=2) == Decision(None, False)
    assert (ship(None), ship("shipped")) == (Decision("shipped", True), Decision(None, True))


def test_an_order_ends_once_and_never_comes_back():
    assert order_status(None, "OrderPlaced") == Decision("pending", True)
    assert order_status(None, "PaymentFailed") == Decision("cancelled", True)  # came first
    assert order_status("pending", "OrderShipped") == Decision("shipped", True)
    assert order_status("shipped", "PaymentRefunded") == Decision(None, True)
    assert order_status("pending", "Unrelated") == Decision(None, False)


def test_the_ledger_applies_each_step_once():
    ledger = Ledger(":memory:", stock={"sku-1": 3})
    assert [ledger.reserve("o-1", "sku-1", 2) for _ in range(3)] == [True, True, True]
    assert ledger.units("sku-1") == 1
    assert ledger.reserve("o-2", "sku-1", 2) is False
    assert [ledger.release("o-1") for _ in range(2)] == [True, True]
    assert ledger.units("sku-1") == 3  # put back once
    assert ledger.refund("o-3") and ledger.charge("o-3", 5, declined=False) is False
    assert ledger.status("payments", "o-3") == "voided"
    ledger.charge("o-4", 5, declined=False)
    assert ledger.charged_not_shipped() == ["o-4"]
    ledger.ship("o-4")
    assert ledger.charged_not_shipped() == []


def test_stock_is_set_once_so_a_restarted_service_keeps_what_is_left(tmp_path):
    path = str(tmp_path / "shop.db")
    Ledger(path, stock={"sku-1": 3}).reserve("o-1", "sku-1", 2)
    assert Ledger(path, stock={"sku-1": 3}).units("sku-1") == 1


def test_knobs_draw_per_order_and_seed():
    knobs = FailureKnobs(decline_rate=0.3, ignore_rate=0.3, seed=1)
    orders = [f"o-{n}" for n in range(1000)]
    declined = [knobs.declines(o) for o in orders]
    assert declined == [FailureKnobs(decline_rate=0.3, seed=1).declines(o) for o in orders]
    assert 250 < sum(declined) < 350
    assert declined != [FailureKnobs(decline_rate=0.3, seed=2).declines(o) for o in orders]
    assert not any(FailureKnobs().declines(o) or FailureKnobs().ignores(o) for o in orders)
    with pytest.raises(ValueError, match="decline_rate"):
        FailureKnobs(decline_rate=1.5)


def test_crash_once():
    crash = CrashOnce("inventory", {"inventory": 2, "payment": 1})
    crash.tick()
    with pytest.raises(ServiceCrashed, match="inventory crashed after handling 2"):
        crash.tick()
    crash.tick()
    CrashOnce("shipping", {"inventory": 1}).tick()  # no knob for it: never crashes


def test_a_service_that_crashed_answers_the_redelivery_with_the_same_event():
    ledger = Ledger(":memory:", stock={"sku-1": 5})
    knobs = FailureKnobs(crash_after={"payment": 1})
    handle = service_handler("payment", ledger, knobs, NS)
    placed = order_placed("o-1", amount=7)
    with pytest.raises(ServiceCrashed):
        handle(placed, None)  # charged, then crashed before publishing
    send = handle(placed, None)  # the redelivery
    assert ledger.rows("payments") == [("o-1", 7, "charged")]  # not charged twice
    assert (send.topic, send.key, send.message.event_type) == (
        "test.sagas.payments", "o-1", "PaymentProcessed")
    assert send.message.event_id == handle(placed, None).message.event_id
    assert (send.message.causation_id, send.message.correlation_id) == (placed.event_id, "o-1")


def test_services_ignore_events_that_are_not_theirs():
    ledger = Ledger(":memory:")
    handle = service_handler("shipping", ledger, FailureKnobs(), NS)
    assert handle(Event("PaymentProcessed", {"orderId": "o-1"}), None) is None
    assert ledger.rows("shipments") == []


def test_the_exercise_checks_accept_the_solutions_and_say_what_is_wrong(capsys):
    from eda_lab.patterns.sagas.exercises import (
        check_compensation,
        check_idempotent_step,
        ship_naive,
    )

    check_compensation(None)
    check_compensation(lambda current: Decision("refunded", True))  # forgets the redelivery
    check_compensation(refund)
    check_idempotent_step(None)
    check_idempotent_step(ship_naive)

    def ship_once(db, order_id):
        with db:
            if db.execute("SELECT 1 FROM parcels WHERE order_id = ?", (order_id,)).fetchone() is None:
                db.execute("INSERT INTO parcels VALUES (?)", (order_id,))
        return True

    check_idempotent_step(ship_once)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("❌ the refund undoes the charge once: not answered yet")
    assert lines[1].startswith("❌ the refund undoes the charge once: expected Decision(new_status="
                               "None, ok=True), got Decision(new_status='refunded', ok=True). "
                               "Look at: status 'refunded'")
    assert lines[2] == "✅ the refund undoes the charge once"
    assert lines[3].startswith("❌ one parcel per order")
    assert lines[4] == ("❌ one parcel per order, however often the event comes: expected "
                        "{'o-1': 1, 'o-2': 1}, got {'o-1': 3, 'o-2': 1}. Look at: the redelivered o-1")
    assert lines[5] == "✅ one parcel per order, however often the event comes"


def test_a_caused_event_carries_its_causation_id_in_a_header_too():
    placed = order_placed("o-1")
    paid = follow(placed, "PaymentProcessed", placed.data, "payment-service")
    assert ("causation-id", placed.event_id.encode()) in paid.headers()
    assert ("correlation-id", b"o-1") in paid.headers()
    assert "causation-id" not in dict(placed.headers())  # the first event has no cause
