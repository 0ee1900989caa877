"""The handler loop against the real broker: output appears, a failing handler leaves its
record uncommitted for the next run, a redelivered event is not handled twice, it stops."""

from __future__ import annotations

import pytest

from eda_lab.clients import create_topic, group_offsets
from eda_lab.clients.consuming import consume
from eda_lab.clients.producing import EventPublisher
from eda_lab.messages.envelope import Event
from eda_lab.patterns import HandlerLoop, Send, SqliteIdempotencyStore
from eda_lab.waiting import wait_until
from tests.helpers import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def topics(settings, ns):
    names = ns.topic("orders"), ns.topic("payments")
    for name in names:
        create_topic(name, partitions=2, settings=settings)
    return names


def publish(settings, topic, events):
    with EventPublisher(settings) as publisher:
        return publisher.publish_many(topic, [(e.data["orderId"], e) for e in events])


def orders(n):
    return [Event("OrderPlaced", {"orderId": f"ord-{i}", "amount": i}) for i in range(n)]


def bill_to(payments):
    def bill(event, record):
        return [Send(payments, event.caused("PaymentRequested", event.data), key=record.key)]
    return bill


def test_handler_output_appears_on_the_output_topic_and_offsets_are_committed(settings, ns,
                                                                               topics):
    source, payments = topics
    placed = orders(6)
    publish(settings, source, placed)
    loop = HandlerLoop(source, group=ns.group("billing"), handler=bill_to(payments),
                       settings=settings)

    report = loop.run(max_events=6, timeout_s=30)

    assert (report.seen, report.handled, report.sent, report.stopped) == (6, 6, 6, "max_events")
    out = consume(payments, max_events=6, settings=settings, timeout_s=15)
    assert sorted(r.event.causation_id for r in out) == sorted(e.event_id for e in placed)
    assert all(r.key == r.event.data["orderId"] for r in out)
    committed = group_offsets(ns.group("billing"), settings)
    assert sum(committed.values()) == 6 and report.committed == committed


def test_a_handler_that_raises_midway_leaves_its_record_for_the_next_run(settings, ns, topics):
    payments = topics[1]
    source = ns.topic("one")
    create_topic(source, partitions=1, settings=settings)
    placed = orders(5)
    publish(settings, source, placed)
    calls = []

    def flaky(event, record):
        calls.append(record.offset)
        if record.offset == 2 and calls.count(2) == 1:
            raise RuntimeError("payment service down")
        return bill_to(payments)(event, record)

    loop = HandlerLoop(source, group=ns.group("billing"), handler=flaky, settings=settings)
    with pytest.raises(RuntimeError, match="payment service down"):
        loop.run(timeout_s=30)
    assert loop.report.stopped == "error"
    assert group_offsets(ns.group("billing"), settings) == {(source, 0): 2}

    report = loop.run(idle_s=1, timeout_s=30)  # the restart: redelivery starts at the failure

    assert calls == [0, 1, 2, 2, 3, 4]
    assert report.handled == 3 and report.stopped == "idle"
    assert group_offsets(ns.group("billing"), settings) == {(source, 0): 5}
    out = consume(payments, settings=settings, idle_s=1, timeout_s=15)
    assert sorted(r.event.data["orderId"] for r in out) == sorted(e.data["orderId"] for e in placed)


def test_with_an_idempotency_store_a_redelivered_event_is_handled_once(settings, ns, topics,
                                                                        tmp_path):
    source, payments = topics
    placed = orders(4)
    publish(settings, source, placed)
    publish(settings, source, placed[:2])  # the same events again: a producer's retry, a relay
    store = SqliteIdempotencyStore(tmp_path / "billing.db", consumer="billing")
    handled = []

    def bill(event, record):
        handled.append(event.event_id)

    first = HandlerLoop(source, group=ns.group("billing"), handler=bill, idempotency=store,
                        settings=settings).run(idle_s=1, timeout_s=30)
    # Another group re-reads everything from the start: a full redelivery to the same store.
    again = HandlerLoop(source, group=ns.group("billing-replay"), handler=bill,
                        idempotency=store, settings=settings).run(idle_s=1, timeout_s=30)

    assert sorted(handled) == sorted(e.event_id for e in placed)
    assert (first.seen, first.handled, first.duplicates) == (6, 4, 2)
    assert (again.seen, again.handled, again.duplicates) == (6, 0, 6)
    assert store.count() == 4


def test_in_a_thread_it_stops_on_request_and_reports(settings, ns, topics):
    source, payments = topics
    loop = HandlerLoop(source, group=ns.group("billing"), handler=bill_to(payments),
                       settings=settings).start(timeout_s=60)
    wait_until(lambda: loop.joined, 20, lambda: AssertionError("join"))
    publish(settings, source, orders(3))
    wait_until(lambda: loop.report.handled >= 3, 20, lambda: AssertionError(loop.report))
    loop.stop()
    report = loop.join(timeout_s=15)
    assert report.stopped == "stopped" and report.handled == 3 and not loop.running


def test_without_a_group_it_reads_everything_and_commits_nothing(settings, ns, topics):
    source, payments = topics
    publish(settings, source, orders(4))
    report = HandlerLoop(source, group=None, handler=lambda e, r: None,
                         settings=settings).run(idle_s=0.5, timeout_s=20)
    assert (report.handled, report.committed, report.stopped) == (4, {}, "idle")


def test_start_from_seeks_to_an_offset_kept_outside_kafka(settings, ns):
    create_topic(ns.topic("one"), partitions=1, settings=settings)
    publish(settings, ns.topic("one"), orders(5))
    got = []
    HandlerLoop(ns.topic("one"), group=ns.group("view"), handler=lambda e, r: got.append(r.offset),
                start_from=lambda topic, partition: 3, settings=settings,
                ).run(idle_s=1, timeout_s=30)
    assert got == [3, 4]


def test_the_publish_form_lists_a_malformed_record_and_keeps_listening(settings, ns, topics):
    from eda_lab.clients.producing import make_producer
    from eda_lab.widgets.publish_form import PublishForm

    source, _ = topics
    producer = make_producer(settings)
    producer.send(source, b"not json", key=b"k", partition=0).get(timeout=10)
    producer.close()
    form = PublishForm(source, settings=settings, duration_s=30)
    form.start()
    try:
        form.key.value = "ord-5"
        form.publish()
        rows = form.wait_for_rows(2, timeout_s=20)
    finally:
        form.stop()
    assert sorted(r["eventType"] for r in rows) == ["(malformed)", "OrderPlaced"]
    assert form.status.value == "<i>stopped</i>"


def test_a_loop_waiting_for_records_leaves_the_garbage_collector_on(settings, ns, topics):
    # The loop holds the collector while records are in hand, not while it waits: a service
    # left running in a notebook must not switch collection off for the whole kernel.
    import gc
    import time

    loop = HandlerLoop(topics[0], group=ns.group("idle"), settings=settings,
                       handler=lambda event, record: None).start(timeout_s=60)
    try:
        wait_for(lambda: loop.joined, "the loop joined its group", 20)
        publish(settings, topics[0], orders(3))
        wait_for(lambda: loop.report.handled == 3, "the three events handled", 20)
        samples = []
        for _ in range(50):
            samples.append(gc.isenabled())
            time.sleep(0.02)  # sampling what an idle loop does, not waiting for Kafka
        assert samples.count(True) >= 45, f"the collector was off in {samples.count(False)} of 50"
    finally:
        loop.stop()
