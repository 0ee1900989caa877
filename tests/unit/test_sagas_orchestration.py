"""The orchestrator's pure state machine and its SQLite store (state, outbox, log), no broker."""

from __future__ import annotations

import dataclasses

import pytest

from eda_lab.messages.envelope import Event
from eda_lab.namespace import Namespace
from eda_lab.patterns.sagas import (
    COMPENSATED,
    COMPENSATING,
    COMPLETED,
    FailureKnobs,
    Ledger,
    SagaStore,
    command_id,
    on_deadline,
    on_reply,
    participant_handler,
    start_saga,
)
from eda_lab.patterns.sagas.orchestrator import Orchestrator

T = 5.0


def replay(*replies, now=1.0):
    """A saga started at 0 after ``replies`` of (command, ok): the last transition."""
    t = start_saga("o-1", {"orderId": "o-1"}, 0, T)
    for command, ok in replies:
        t = on_reply(t.state, command, ok, now, T)
    return t


def test_the_happy_path_sends_each_step_then_completes():
    sent = [start_saga("o-1", {}, 0, T).commands]
    t = start_saga("o-1", {}, 0, T)
    for command in ("ChargePayment", "ReserveStock", "ShipOrder"):
        t = on_reply(t.state, command, True, 1, T)
        sent.append(t.commands)
    assert sent == [("ChargePayment",), ("ReserveStock",), ("ShipOrder",), ()]
    assert (t.state.status, t.state.awaiting) == (COMPLETED, None)


def test_a_declined_payment_has_nothing_to_undo():
    t = replay(("ChargePayment", False))
    assert (t.state.status, t.commands) == (COMPENSATED, ())


def test_a_failed_step_undoes_the_earlier_ones_latest_first():
    t = replay(("ChargePayment", True), ("ReserveStock", False))
    assert (t.state.status, t.commands, t.note) == (COMPENSATING, ("RefundPayment",),
                                                    "ReserveStock failed")
    assert on_reply(t.state, "RefundPayment", True, 2, T).state.status == COMPENSATED


def test_a_step_given_up_on_is_undone_too_as_it_may_have_happened():
    t = replay(("ChargePayment", True), ("ReserveStock", True))
    assert on_deadline(t.state, now=0.5 + T, timeout_s=T).note == "not due"
    s = replay(("ChargePayment", True)).state
    t = on_deadline(s, now=1 + T, timeout_s=T)
    assert t.commands == ("ReleaseStock",)
    t = on_reply(t.state, "ReleaseStock", True, 7, T)
    assert (t.commands, t.state.status) == (("RefundPayment",), COMPENSATING)
    assert on_reply(t.state, "RefundPayment", True, 8, T).state.status == COMPENSATED


def test_an_undo_or_a_step_past_the_pivot_is_sent_again_as_a_new_attempt():
    comp = replay(("ChargePayment", True), ("ReserveStock", False)).state
    again = on_deadline(comp, now=1 + T, timeout_s=T)
    assert (again.commands, again.state.attempt, again.state.deadline) == (
        ("RefundPayment",), 2, 1 + 2 * T)
    ship = replay(("ChargePayment", True), ("ReserveStock", True)).state
    retried = on_deadline(ship, now=1 + T, timeout_s=T)
    assert (retried.commands, retried.state.status) == (("ShipOrder",), "running")


def test_late_and_duplicate_replies_change_nothing():
    done = replay(("ChargePayment", False)).state
    late = on_reply(done, "ChargePayment", True, 9, T)
    assert (late.state, late.commands, late.note) == (done, (), "ignored: the saga is compensated")
    waiting = replay(("ChargePayment", True)).state
    dup = on_reply(waiting, "ChargePayment", True, 2, T)
    assert (dup.state, dup.commands) == (waiting, ())
    assert on_deadline(done, now=99, timeout_s=T).commands == ()


def test_the_store_saves_state_and_commands_together_or_not_at_all():
    store = SagaStore(":memory:")

    def broken(state):
        raise RuntimeError("the orchestrator died mid-decision")

    with pytest.raises(RuntimeError):
        store.apply("o-1", broken, "evt-1", "o-1")
    assert (store.statuses(), store.pending_outbox(), store.log()) == ({}, [], [])
    assert store.apply("o-1", lambda s: start_saga("o-1", {"orderId": "o-1"}, 0, T),
                       "evt-1", "o-1", "evt-1") == "started"
    assert store.apply("o-1", lambda s: 1 / 0, "evt-1", "o-1") == "duplicate"
    (row,) = store.pending_outbox()
    command = row.event
    assert (row.stream_id, command.command_type, command.command_id) == (
        "o-1", "ChargePayment", command_id("o-1", "ChargePayment", 1))
    assert (command.correlation_id, command.causation_id, command.data["sagaId"]) == (
        "o-1", "evt-1", "o-1")
    assert store.mark_sent([row.id]) == 1 and store.mark_sent([row.id]) == 0
    assert store.pending_outbox() == []
    assert [s.saga_id for s in store.due(now=T)] == ["o-1"] and store.due(now=T - 1) == []


def test_the_orchestrator_handles_starts_replies_and_deadlines_in_its_store():
    store = SagaStore(":memory:")
    orchestrator = Orchestrator(Namespace("test", "sagas"), store, step_timeout_s=0.0)
    placed = Event("OrderPlaced", {"orderId": "o-1", "amount": 3}, correlation_id="o-1")
    orchestrator.handle(placed)
    orchestrator.handle(Event("OrderPlaced", placed.data, correlation_id="o-1"))  # re-sent
    assert orchestrator.check_deadlines() == 1  # ChargePayment not answered in time
    kinds = [r.event.command_type for r in store.pending_outbox()]
    assert kinds == ["ChargePayment", "RefundPayment"]  # it may have charged: refund to be safe
    assert [n for *_, n in store.log("o-1")] == [
        "started", "ignored: this order has a saga already",
        "gave up on ChargePayment after its timeout"]
    (refund,) = [r.event for r in store.pending_outbox() if r.event.command_type == "RefundPayment"]
    assert refund.causation_id == command_id("o-1", "ChargePayment", 1)


def test_a_participant_replies_to_its_own_commands_once_in_effect():
    ledger = Ledger(":memory:", stock={"sku-1": 1})
    ns = Namespace("test", "sagas")
    store = SagaStore(":memory:")
    store.apply("o-1", lambda s: start_saga("o-1", {"orderId": "o-1", "amount": 3}, 0, T),
                "evt-1", "o-1", "evt-1")
    charge = store.pending_outbox()[0].event
    pay = participant_handler("payment", ledger, FailureKnobs(), ns)
    first, second = pay(charge), pay(charge)
    assert dataclasses.replace(second.message, timestamp=first.message.timestamp) == first.message
    assert (first.topic, first.message.event_type, first.message.data["ok"]) == (
        "test.sagas.saga-replies", "PaymentCharged", True)
    assert ledger.rows("payments") == [("o-1", 3, "charged")]
    assert participant_handler("shipping", ledger, FailureKnobs(), ns)(charge) is None
