"""Redrive against the real broker: the dead letters as a DataFrame, a filtered set of them
republished to the source with the attempt raised, handled once; redriving twice is harmless."""

from __future__ import annotations

import pytest

from eda_lab.clients import create_topic
from eda_lab.clients.consuming import consume
from eda_lab.clients.producing import EventPublisher, make_producer
from eda_lab.errors import NonRetryable
from eda_lab.messages.envelope import Event
from eda_lab.patterns import SqliteIdempotencyStore
from eda_lab.patterns.deadletters import (
    DeadLetterRouter,
    RetryPolicy,
    attempt_of,
    dead_letters,
    redrive,
    select_dead_letters,
)

pytestmark = pytest.mark.integration


def test_a_filtered_set_of_dead_letters_is_redriven_once_and_handled_once(settings, ns,
                                                                           tmp_path):
    source = ns.topic("orders")
    create_topic(source, partitions=2, settings=settings)
    amounts = [10, -1, 20, -2, 30]  # the negative ones are refused until the rule is fixed
    with EventPublisher(settings) as publisher:
        publisher.publish_many(source, [(f"ord-{i}", Event("OrderPlaced", {"amount": a}))
                                        for i, a in enumerate(amounts)])
    producer = make_producer(settings)
    producer.send(source, key=b"ord-x", value=b"<xml/>", partition=0).get(timeout=10)
    producer.close(timeout=5)
    rule, handled = {"refunds allowed": False}, []

    def bill(event, record):
        if event.data["amount"] < 0 and not rule["refunds allowed"]:
            raise NonRetryable(f"negative amount {event.data['amount']}")
        handled.append((event.data["amount"], attempt_of(record)))

    store = SqliteIdempotencyStore(tmp_path / "billing.db", consumer="billing")
    router = DeadLetterRouter(source, group=ns.group("billing"), handler=bill, idempotency=store,
                              policy=RetryPolicy(delays_s=(), max_attempts=1), settings=settings)
    router.create_topics(partitions=2)
    router.loop().run(idle_s=1, timeout_s=30)

    df = dead_letters(source, settings)
    assert len(df) == 3
    assert sorted(df["errorClass"]) == ["eda_lab.errors.MalformedEvent",
                                        "eda_lab.errors.NonRetryable"] + ["eda_lab.errors.NonRetryable"]
    assert set(df["originalTopic"]) == {source} and set(df["attempt"]) == {1}
    assert sorted(df["originalOffset"].tolist()) == sorted(df["header.eda-dlt-original-offset"]
                                                           .astype(int).tolist())
    chosen = select_dead_letters(df, error="NonRetryable", message="negative", since="10min")
    assert len(chosen) == 2 and select_dead_letters(df, until="10min").empty

    rule["refunds allowed"] = True
    first = redrive(chosen, source, settings)
    second = redrive(chosen, source, settings)  # a second click: nothing new is published
    assert (len(first.published), first.skipped) == (2, [])
    assert (second.published, len(second.skipped)) == ([], 2)
    router.loop().run(idle_s=1, timeout_s=30)
    router.close()

    assert sorted(handled) == [(-2, 2), (-1, 2), (10, 1), (20, 1), (30, 1)]  # each once
    copies = [r for r in consume(source, settings=settings, idle_s=1, timeout_s=15)
              if "eda-redrive-of" in r.headers]
    assert len(copies) == 2
    assert {r.headers["eda-redrive-of"].split("/")[0] for r in copies} == {f"{source}.DLT"}
    assert all("eda-dlt-exception-fqcn" not in r.headers and r.headers["eda-attempt"] == "2"
               for r in copies)
