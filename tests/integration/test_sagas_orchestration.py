"""The orchestrated saga on the real broker: saga state and commands in one SQLite transaction,
relayed by the outbox; timeouts, compensation in reverse order, late replies and duplicate starts;
and an orchestrator SIGKILLed mid-run whose successor brings every saga to an end.

Run as a script, this file is the orchestrator process that the kill test kills.
"""

from __future__ import annotations

import dataclasses
import sys

import pytest

from eda_lab.clients import EventPublisher
from eda_lab.namespace import Namespace
from eda_lab.patterns.sagas import (
    COMPENSATED,
    COMPLETED,
    ORCHESTRATION_TOPICS,
    FailureKnobs,
    Ledger,
    Orchestrator,
    SagaStore,
    create_saga_topics,
    follow,
    order_placed,
    participants,
    saga_transitions,
)
from tests.helpers import kill_when_it_says, wait_for

pytestmark = pytest.mark.integration


def publish(settings, ns, events):
    with EventPublisher(settings) as publisher:
        publisher.publish_many(ns.topic("orders"), [(e.data["orderId"], e) for e in events])


def all_ended(store, ids):
    status = store.statuses()
    return all(status.get(i) in (COMPLETED, COMPENSATED) for i in ids)


def check_invariant(store, ledger, knobs, ids, stock):
    sagas = store.statuses()
    assert sorted(sagas) == sorted(ids)  # one saga per order, duplicates started none
    assert ledger.charged_not_shipped() == []
    shipments, payments = ledger.statuses("shipments"), ledger.statuses("payments")
    for order, status in sagas.items():
        if status == COMPLETED:
            assert (payments[order], shipments[order]) == ("charged", "shipped")
        else:
            assert order not in shipments
            assert payments[order] in ("declined", "refunded", "voided")
    shipped = [o for o, s in sagas.items() if s == COMPLETED]
    assert ledger.units("sku-1") == stock - len(shipped)
    return sagas


def test_timeouts_compensate_in_reverse_order_and_late_replies_are_ignored(settings, ns, tmp_path):
    create_saga_topics(ns, ORCHESTRATION_TOPICS, settings=settings)
    knobs = FailureKnobs(decline_rate=0.25, stock={"sku-1": 4}, ignore_rate=0.25, seed=3)
    ledger = Ledger(str(tmp_path / "shop.db"), knobs.stock)
    store = SagaStore(str(tmp_path / "sagas.db"))
    placed = [order_placed(f"order-{n}") for n in range(12)]
    ids = [e.data["orderId"] for e in placed]
    services = participants(ns, ledger, knobs, settings).start(timeout_s=120)
    # 3 s: long enough that on a busy machine only the ignored reservations time out
    orchestrator = Orchestrator(ns, store, step_timeout_s=3.0, settings=settings).start(120)
    try:  # a participant still joining would miss the deadlines: only the knob may do that
        services.settle(lambda: services.joined and orchestrator.loop.joined, 30, "all joined")
        resent = dataclasses.replace(placed[0], event_id="placed-again")  # a producer's retry
        publish(settings, ns, [*placed, placed[0], resent])  # the first order three times
        services.settle(lambda: all_ended(store, ids), 60, "every saga ended")
        ignored = [o for o in ids if knobs.ignores(o) and not knobs.declines(o)]
        assert ignored, "the seed should make the inventory ignore some paid orders"
        notes = [note for _, _, _, note in store.log(ignored[0])]
        assert notes == ["started", "ChargePayment done",
                         "gave up on ReserveStock after its timeout",  # then undo, latest first
                         "ReleaseStock done", "RefundPayment done"]
        # A reply after the end (the participant woke up): logged, ignored.
        late = follow(placed[ids.index(ignored[0])], "StockReserved",
                      {"orderId": ignored[0], "sagaId": ignored[0], "command": "ReserveStock",
                       "ok": True}, "inventory-service")
        with EventPublisher(settings) as publisher:
            publisher.publish(ns.topic("saga-replies"), late, key=ignored[0])
        wait_for(lambda: store.log(ignored[0])[-1][3] == "ignored: the saga is compensated",
                 "the late reply to be logged as ignored")
        assert store.load(ignored[0]).status == COMPENSATED
        first = [note for _, _, _, note in store.log("order-0")]
        assert first.count("started") == 1  # the copy is skipped by id, the retry by order id
        assert "ignored: this order has a saga already" in first
    finally:
        orchestrator.stop()
        services.stop()
    check_invariant(store, ledger, knobs, ids, stock=4)
    steps = saga_transitions(store).set_index(["from", "to", "note"])["sagas"]
    assert steps["new", "running", "started"] == 12
    assert steps["running", "compensating", "gave up on ReserveStock"] == len(ignored)


def test_an_orchestrator_killed_mid_run_is_restarted_and_every_saga_ends(settings, ns, tmp_path):
    create_saga_topics(ns, ORCHESTRATION_TOPICS, settings=settings)
    knobs = FailureKnobs(decline_rate=0.2, stock={"sku-1": 30}, ignore_rate=0.1,
                         crash_after={"payment": 15}, seed=42)
    ledger = Ledger(str(tmp_path / "shop.db"), knobs.stock)
    db = str(tmp_path / "sagas.db")
    placed = [order_placed(f"order-{n:02}") for n in range(50)]
    ids = [e.data["orderId"] for e in placed]
    services = participants(ns, ledger, knobs, settings).start(timeout_s=180)
    try:
        services.settle(lambda: services.joined, 30, "the participants joined")
        publish(settings, ns, placed[:25])
        kill_when_it_says(__file__, db, ns.prefix, ns.lesson, says="mid-run", settings=settings)
        store = SagaStore(db)
        assert not all_ended(store, ids[:25])  # killed with sagas in flight
        publish(settings, ns, [*placed[25:], *placed[:5]])  # the rest, and five again
        orchestrator = Orchestrator(ns, store, step_timeout_s=1.0, settings=settings).start(150)
        try:
            services.settle(lambda: all_ended(store, ids), 120, "every saga ended after a restart")
        finally:
            orchestrator.stop()
    finally:
        services.stop()
    sagas = check_invariant(store, ledger, knobs, ids, stock=30)
    assert services.crashes == ["payment"]
    assert {COMPLETED, COMPENSATED} == set(sagas.values())


def main(db: str, prefix: str, lesson: str) -> None:
    """The child: run the orchestrator until a few sagas are under way, say so, then hang."""
    store = SagaStore(db)
    orchestrator = Orchestrator(Namespace(prefix, lesson), store, step_timeout_s=1.0).start(120)
    wait_for(lambda: len(store.statuses()) >= 5, "five sagas started", timeout_s=60)
    print("mid-run", flush=True)
    sys.stdin.read()  # killed here, with sagas in flight
    orchestrator.stop()


if __name__ == "__main__":
    main(*sys.argv[1:4])
