"""The dead-letter router against the real broker: a failed record is parked with its bytes
and its story, the source offset is committed only after the dead letter is acknowledged, a
missing dead-letter topic stops the loop with nothing lost, and 1,000 events with 5% poison
are all accounted for."""

from __future__ import annotations

from collections import Counter

import pytest

from eda_lab.clients import create_topic, group_offsets
from eda_lab.clients.consuming import consume
from eda_lab.clients.producing import EventPublisher, make_producer
from eda_lab.errors import DeadLetterFailed, NonRetryable
from eda_lab.messages.envelope import Event
from eda_lab.patterns.deadletters import DeadLetterRouter, RetryPolicy, dead_letter_topic

pytestmark = pytest.mark.integration
DLT_ONLY = RetryPolicy(delays_s=(), max_attempts=1)


def send_raw(settings, topic, items, partition=0):
    producer = make_producer(settings)
    try:
        for key, value, headers in items:
            producer.send(topic, key=key, value=value, headers=headers, partition=partition)
        producer.flush(10)
    finally:
        producer.close(timeout=5)


def test_a_failed_record_is_parked_with_its_bytes_and_where_and_why_it_failed(settings, ns):
    source = ns.topic("orders")
    create_topic(source, partitions=1, settings=settings)
    good = Event("OrderPlaced", {"orderId": "ord-1", "amount": -5})
    send_raw(settings, source, [
        (b"ord-1", good.to_json(), [*good.headers(), ("trace", b"\xff\xfe")]),
        (b"\xc3\x28-bad-key", b"{not json", [])])  # neither the key nor the value is readable

    def bill(event, record):
        raise NonRetryable(f"amount {event.data['amount']} is negative")

    with DeadLetterRouter(source, group=ns.group("billing"), handler=bill, policy=DLT_ONLY,
                          settings=settings) as router:
        router.create_topics()
        report = router.loop().run(idle_s=1, timeout_s=30)

    assert (report.seen, report.malformed, report.stopped) == (2, 1, "idle")
    assert group_offsets(ns.group("billing"), settings) == {(source, 0): 2}
    rejected, malformed = consume(dead_letter_topic(source), settings=settings, max_events=2,
                                  timeout_s=15)
    assert (rejected.raw_key, rejected.value) == (b"ord-1", good.to_json())
    assert (malformed.raw_key, malformed.value) == (b"\xc3\x28-bad-key", b"{not json")
    assert dict(rejected.raw_headers)["trace"] == b"\xff\xfe"  # its own headers, as they were
    h = rejected.headers
    assert (h["eda-dlt-original-topic"], h["eda-dlt-original-partition"],
            h["eda-dlt-original-offset"], h["eda-dlt-original-consumer-group"]) == (
        source, "0", "0", ns.group("billing"))
    assert int(h["eda-dlt-original-timestamp"]) > 0 and h["eda-attempt"] == "1"
    assert h["eda-dlt-exception-fqcn"] == "eda_lab.errors.NonRetryable"
    assert h["eda-dlt-exception-message"] == "amount -5 is negative"
    assert "in bill" in h["eda-dlt-exception-stacktrace"]
    assert h["event-type"] == "OrderPlaced"
    assert malformed.headers["eda-dlt-exception-fqcn"] == "eda_lab.errors.MalformedEvent"
    assert malformed.headers["eda-dlt-original-offset"] == "1"


def test_without_its_dead_letter_topic_the_loop_stops_and_the_record_stays_uncommitted(
        settings, ns):
    source = ns.topic("orders")
    create_topic(source, partitions=1, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(source, [(f"ord-{i}", Event("OrderPlaced", {"n": i}))
                                        for i in range(5)])
    handled = []

    def bill(event, record):
        if event.data["n"] == 2:
            raise NonRetryable("poison")
        handled.append(event.data["n"])

    router = DeadLetterRouter(source, group=ns.group("billing"), handler=bill, policy=DLT_ONLY,
                              settings=settings)  # no create_topics(): orders.DLT is missing
    loop = router.loop()
    with pytest.raises(DeadLetterFailed, match="orders.DLT"):
        loop.run(idle_s=2, timeout_s=30)
    router.close()

    assert loop.report.stopped == "error" and handled == [0, 1]
    assert group_offsets(ns.group("billing"), settings) == {(source, 0): 2}  # the poison's own


def test_bad_bytes_without_a_dead_letter_topic_stop_the_loop_too(settings, ns):
    source = ns.topic("orders")
    create_topic(source, partitions=1, settings=settings)
    good = Event("OrderPlaced", {"n": 0})
    send_raw(settings, source, [(b"k", good.to_json(), good.headers()), (b"k", b"\x00", []),
                                (b"k", good.to_json(), good.headers())])
    router = DeadLetterRouter(source, group=ns.group("billing"), handler=lambda e, r: None,
                              policy=DLT_ONLY, settings=settings)
    loop = router.loop()
    with pytest.raises(DeadLetterFailed, match=r"orders/0@1"):
        loop.run(idle_s=2, timeout_s=30)
    router.close()
    assert group_offsets(ns.group("billing"), settings) == {(source, 0): 1}


def test_conservation_1000_events_with_5_percent_poison(settings, ns):
    source = ns.topic("orders")
    create_topic(source, partitions=3, settings=settings)
    events = [(f"ord-{i % 37}", Event("OrderPlaced", {"n": i})) for i in range(1000)]
    poison = {i for i in range(1000) if i % 20 == 7}  # 50 of them
    with EventPublisher(settings) as publisher:
        publisher.publish_many(source, [(k, e) for k, e in events if e.data["n"] % 40 != 7])
    # Half the poison is bad bytes (never an event), half is rejected by the handler.
    send_raw(settings, source, [(f"ord-{i}".encode(), b"\x00garbage", [])
                                for i in sorted(poison) if i % 40 == 7], partition=1)
    processed = Counter()

    def handle(event, record):
        if event.data["n"] in poison:
            raise NonRetryable("poison")
        processed[event.event_id] += 1

    with DeadLetterRouter(source, group=ns.group("billing"), handler=handle,
                          policy=DLT_ONLY, settings=settings) as router:
        router.create_topics(partitions=3)
        report = router.loop(batch_size=100).run(idle_s=2, timeout_s=60)

    dead = consume(dead_letter_topic(source), settings=settings, idle_s=2, timeout_s=30)
    assert len(processed) + len(dead) == 1000 == report.seen
    assert max(processed.values()) == 1  # nothing processed twice
    assert len(dead) == len(poison) == router.parked[dead_letter_topic(source)]
    dead_ids = {r.event.event_id for r in dead if r.value != b"\x00garbage"}
    assert not dead_ids & set(processed)  # nothing both processed and dead
    assert sum(group_offsets(ns.group("billing"), settings).values()) == 1000


def test_conservation_through_the_retry_tiers_too(settings, ns, tmp_path):
    from eda_lab.patterns import SqliteIdempotencyStore
    from eda_lab.patterns.deadletters import attempt_of
    from tests.helpers import wait_for

    source = ns.topic("orders")
    create_topic(source, partitions=3, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(source, [(f"ord-{i % 37}", Event("OrderPlaced", {"n": i}))
                                        for i in range(1000)])
    poison = {i for i in range(1000) if i % 20 == 3}        # 50: never good
    flaky = {i for i in range(1000) if i % 20 == 11}        # 50: good on the second try
    hopeless = {i for i in range(1000) if i % 100 == 17}    # 10: time out on every try
    processed, tries = Counter(), Counter()

    def handle(event, record):
        n = event.data["n"]
        tries[n] += 1
        if n in poison:
            raise NonRetryable("poison")
        if n in hopeless or (n in flaky and attempt_of(record) == 1):
            raise TimeoutError("inventory slow")
        processed[n] += 1

    store = SqliteIdempotencyStore(tmp_path / "seen.db", consumer="billing")
    router = DeadLetterRouter(source, group=ns.group("billing"), handler=handle,
                              idempotency=store, settings=settings,
                              policy=RetryPolicy(delays_s=(0.2, 0.4)))
    router.create_topics(partitions=3)
    with router.running(timeout_s=90, batch_size=100):
        wait_for(lambda: len(processed) + router.parked[dead_letter_topic(source)] >= 1000,
                 "every event processed or dead", 60)

    dead = consume(dead_letter_topic(source), settings=settings, idle_s=2, timeout_s=30)
    dead_ns = {r.event.data["n"] for r in dead}
    assert len(processed) + len(dead) == 1000 and max(processed.values()) == 1
    assert dead_ns == poison | hopeless and not dead_ns & set(processed)
    assert all(tries[n] == 2 for n in flaky) and all(tries[n] == 3 for n in hopeless)
    assert {r.headers["eda-attempt"] for r in dead if r.event.data["n"] in hopeless} == {"3"}
    assert store.count() == 1000 - len(dead_ns)
