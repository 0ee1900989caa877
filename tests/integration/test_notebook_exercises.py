"""The crash test of notebook 03 against the real broker: the solution survives the crash,
a loop that commits before handling loses records."""

from __future__ import annotations

import pytest

from eda_lab.clients import EventPublisher, create_topic
from eda_lab.exercises import crash_test
from eda_lab.messages import Event

pytestmark = pytest.mark.integration


def handle_then_commit(consumer, handle):
    while batch := consumer.poll(timeout_ms=500):
        for records in batch.values():
            for record in records:
                handle(record)
        consumer.commit()


def commit_then_handle(consumer, handle):
    while batch := consumer.poll(timeout_ms=500):
        consumer.commit()
        for records in batch.values():
            for record in records:
                handle(record)


def test_crash_test_tells_the_safe_loop_from_the_losing_one(settings, ns, capsys):
    topic = ns.topic("crash")
    create_topic(topic, partitions=3, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, [(f"k{n}", Event("Ping", {"n": n})) for n in range(20)])
    crash_test(handle_then_commit, topic, ns.group("safe"), settings)
    assert capsys.readouterr().out.startswith("✅ no record lost across the crash")
    crash_test(commit_then_handle, topic, ns.group("losing"), settings)
    text = capsys.readouterr().out
    assert text.startswith("❌ no record lost across the crash: expected all 20 handled")
    assert "a commit before the handler finishes" in text
