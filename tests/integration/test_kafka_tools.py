"""Kafka's own tools, run from the jars, agree with the helpers on the real broker."""

from __future__ import annotations

import pytest

from eda_lab.cli.commands import main
from eda_lab.cli.kafka_tools import describe_group, run_kafka_tool
from eda_lab.clients import EventPublisher, consume, create_topic, group_lag
from eda_lab.messages import Event

pytestmark = pytest.mark.integration


def test_consumer_groups_describe_agrees_with_group_lag(settings, ns):
    topic, group = ns.topic("orders"), ns.group("billing")
    create_topic(topic, partitions=3, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, [(f"k{n}", Event("Ping", {"n": n})) for n in range(30)])
    consume(topic, group=group, max_events=10, settings=settings)  # commits what it read
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, [(f"k{n}", Event("Ping", {"n": n})) for n in range(5)])

    kafka_rows = {int(r["PARTITION"]): r for r in describe_group(group, settings)}
    helper_rows = {row.partition: row for row in group_lag(group, topic, settings)}

    assert set(kafka_rows) == set(helper_rows) == {0, 1, 2}
    for partition, row in helper_rows.items():
        theirs = kafka_rows[partition]
        assert theirs["TOPIC"] == topic
        assert theirs["CURRENT-OFFSET"] == ("-" if row.committed is None else str(row.committed))
        assert int(theirs["LOG-END-OFFSET"]) == row.end
        assert theirs["LAG"] == ("-" if row.committed is None else str(row.lag))
    assert sum(r.lag for r in helper_rows.values()) == 25


def test_topics_describe_and_the_cli_entry_point(settings, ns, capfd):
    topic = ns.topic("described")
    create_topic(topic, partitions=2, settings=settings)
    done = run_kafka_tool("topics", "--describe", "--topic", topic, settings=settings)
    assert done.returncode == 0, done.stderr
    assert f"Topic: {topic}" in done.stdout and "PartitionCount: 2" in done.stdout

    assert main(["kafka", "topics", "--list"]) == 0
    assert topic in capfd.readouterr().out.split()
