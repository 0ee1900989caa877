"""Retry tiers against the real broker: a retryable failure waits on <topic>.retry-1, then
.retry-2, each record handled no earlier than its due time while its partition is paused;
attempts are capped, then the dead-letter topic, with one set of exception headers."""

from __future__ import annotations

import time

import pytest

from eda_lab.clients import create_topic, group_offsets
from eda_lab.clients.consuming import consume
from eda_lab.clients.producing import EventPublisher
from eda_lab.messages.envelope import Event
from eda_lab.patterns.deadletters import DeadLetterRouter, RetryPolicy, attempt_of
from tests.helpers import wait_for

pytestmark = pytest.mark.integration


def test_a_retryable_failure_goes_through_the_tiers_when_due_and_is_capped(settings, ns):
    source = ns.topic("orders")
    create_topic(source, partitions=1, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(source, [(f"ord-{i}", Event("OrderPlaced", {"n": i}))
                                        for i in range(5)])
    tries, done, held_seen = [], [], []

    def pay(event, record):
        n, attempt = event.data["n"], attempt_of(record)
        due = int(record.headers.get("eda-retry-due-at", 0))
        tries.append((n, attempt, record.topic, time.time() * 1000 - due))
        if n == 3 or (n == 1 and attempt < 3):  # 1 recovers on its third try, 3 never does
            raise ConnectionError(f"payment service down (try {attempt})")
        done.append(n)

    router = DeadLetterRouter(source, group=ns.group("billing"), handler=pay,
                              policy=RetryPolicy(delays_s=(1, 2)), settings=settings)
    assert router.create_topics() == [f"{source}.retry-1", f"{source}.retry-2", f"{source}.DLT"]
    main, retries = router.loop(), router.retry_loop()
    gate = retries.gate

    def watched(consumer, records):  # what the gate holds, and what Kafka's consumer pauses
        ready = gate(consumer, records)
        if gate.held:
            held_seen.append((set(gate.held), consumer.paused()))
        return ready

    retries.gate = watched
    main.start(timeout_s=60)
    retries.start(timeout_s=60)
    try:
        wait_for(lambda: router.parked[f"{source}.DLT"] == 1 and 1 in done, "the tiers", 40)
    finally:
        for loop in (main, retries):
            loop.stop()
        main.join(timeout_s=15)
        retries.join(timeout_s=15)
        router.close()

    assert sorted(done) == [0, 1, 2, 4]
    assert [(n, a, t.rsplit(".", 1)[-1]) for n, a, t, _ in tries if n in (1, 3)] == [
        (1, 1, "orders"), (3, 1, "orders"),
        (1, 2, "retry-1"), (3, 2, "retry-1"), (1, 3, "retry-2"), (3, 3, "retry-2")]
    assert all(late >= 0 for n, a, _, late in tries if a > 1)  # never before its due time
    assert held_seen and all(held == paused for held, paused in held_seen)
    assert {p for held, _ in held_seen for p in held} == {(f"{source}.retry-1", 0),
                                                         (f"{source}.retry-2", 0)}
    assert router.parked == {f"{source}.retry-1": 2, f"{source}.retry-2": 2, f"{source}.DLT": 1}
    (dead,) = consume(f"{source}.DLT", settings=settings, max_events=1, timeout_s=15)
    names = [k for k, _ in dead.raw_headers]
    assert len(names) == len(set(names))  # replaced, not appended, after three failures
    h = dead.headers
    assert (h["eda-attempt"], h["eda-dlt-original-topic"], h["eda-dlt-original-offset"]) == (
        "3", source, "3")
    assert h["eda-dlt-exception-fqcn"] == "builtins.ConnectionError"
    assert h["eda-dlt-exception-message"] == "payment service down (try 3)"
    assert "eda-retry-due-at" not in h
    assert group_offsets(ns.group("billing"), settings) == {(source, 0): 5}
    assert group_offsets(ns.group("billing") + ".retry", settings) == {
        (f"{source}.retry-1", 0): 2, (f"{source}.retry-2", 0): 2}
