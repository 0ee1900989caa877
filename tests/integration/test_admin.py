"""Topics, offsets, groups and namespace reset against the real broker."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from eda_lab import clients as admin
from eda_lab.clients import _kafka
from eda_lab.clients.cluster import admin_client
from eda_lab.errors import (
    GroupNotEmpty,
    GroupNotFound,
    InvalidTopic,
    TopicAlreadyExists,
    TopicNotFound,
    WaitTimeout,
)
from tests.helpers import produce_raw, wait_for

pytestmark = pytest.mark.integration


def consume_all(settings, topic, expected, timeout_s=15.0):
    """Read ``expected`` records from the start of every partition of ``topic``."""
    consumer = KafkaConsumer(**settings.client_kwargs(), enable_auto_commit=False)
    try:
        tps = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        got = []

        def read_all() -> bool:
            for records in consumer.poll(timeout_ms=200).values():
                got.extend(records)
            return len(got) >= expected

        wait_for(read_all, f"{expected} records on {topic}", timeout_s=timeout_s, interval_s=0)
        return got
    finally:
        consumer.close()


def joined_consumer(settings, topic, group):
    """A subscribed consumer that has joined ``group`` and got its partitions."""
    consumer = KafkaConsumer(**settings.client_kwargs(), group_id=group,
                             auto_offset_reset="earliest", enable_auto_commit=False)
    try:
        # kafka-python's group leader assigns only partitions it has metadata for, and may not
        # rejoin when the metadata arrives later: know the topic before joining.
        wait_for(lambda: consumer.partitions_for_topic(topic), f"metadata of {topic}",
                 interval_s=0.1)
        consumer.subscribe([topic])

        def joined():
            consumer.poll(timeout_ms=200)
            return consumer.assignment()

        wait_for(joined, f"the consumer to join {group}", interval_s=0)
    except BaseException:
        consumer.close()
        raise
    return consumer


def test_create_describe_and_list(settings, ns):
    name = ns.topic("orders")
    info = admin.create_topic(name, partitions=3, configs={"retention.ms": "3600000"},
                              settings=settings)
    assert info.name == name
    assert [p.partition for p in info.partitions] == [0, 1, 2]
    assert all(p.leader >= 0 and p.replicas and p.isr for p in info.partitions)
    assert info.configs == {"retention.ms": "3600000"}
    assert admin.describe_topic(name, settings) == info
    assert admin.list_topics(ns.root, settings) == [name]
    assert not [t for t in admin.list_topics(settings=settings) if t.startswith("__")]


def test_create_existing_topic_of_the_same_shape_returns_it(settings, ns):
    name = ns.topic("orders")
    first = admin.create_topic(name, partitions=2, settings=settings)
    assert admin.create_topic(name, partitions=2, settings=settings) == first
    with pytest.raises(TopicAlreadyExists, match="already exists.*recreate_topic") as caught:
        admin.create_topic(name, partitions=2, settings=settings, exist_ok=False)
    assert caught.value.topic == name


def test_create_existing_topic_of_another_shape_names_both(settings, ns):
    name = ns.topic("orders")
    admin.create_topic(name, partitions=3, settings=settings)
    with pytest.raises(TopicAlreadyExists) as caught:
        admin.create_topic(name, partitions=6, settings=settings)
    message = str(caught.value)
    assert "with 3 partitions, not the 6 partitions asked for" in message
    assert f"recreate_topic({name!r}" in message and f"delete_topic({name!r})" in message
    assert (caught.value.has, caught.value.asked) == ("3 partitions", "6 partitions")
    assert len(admin.describe_topic(name, settings).partitions) == 3  # left as it was


@pytest.mark.parametrize(("short", "partitions", "says"), [
    ("has spaces", 1, "contains ' '"),
    ("x" * 250, 1, "more than 249"),
    ("a/b", 1, "contains '/'"),
    ("ok-name", 0, "at least 1 partition, not 0"),
])
def test_invalid_topics_say_what_is_valid(settings, ns, short, partitions, says):
    name = ns.topic(short)
    with pytest.raises(InvalidTopic, match=says) as caught:
        admin.create_topic(name, partitions=partitions, settings=settings)
    assert isinstance(caught.value, ValueError)  # a learner may catch either
    with pytest.raises(InvalidTopic, match=says):
        admin.recreate_topic(name, partitions=partitions, settings=settings)
    assert admin.list_topics(ns.root, settings) == []


def test_more_replicas_than_brokers_is_an_invalid_topic(settings, ns):
    with pytest.raises(InvalidTopic, match=r"replication factor of 99 cannot be reached "
                                           r"because only \d+ broker\(s\)") as caught:
        admin.create_topic(ns.topic("orders"), replication_factor=99, settings=settings)
    assert "from 1 to the number of brokers" in str(caught.value)
    assert "CreateTopicsRequest" not in str(caught.value)  # the broker's words, not the request


@pytest.mark.parametrize("name", [".", "..", ""])
def test_reserved_and_empty_topic_names(settings, name):
    with pytest.raises(InvalidTopic, match="1 to 249 characters from a-z A-Z 0-9"):
        admin.create_topic(name, settings=settings)


def test_missing_topic_errors(settings, ns):
    name = ns.topic("nothing")
    with pytest.raises(TopicNotFound):
        admin.describe_topic(name, settings)
    with pytest.raises(TopicNotFound):
        admin.end_offsets(name, settings)
    with pytest.raises(TopicNotFound):
        admin.group_lag(ns.group("g"), name, settings)
    with pytest.raises(TopicNotFound):
        admin.delete_topic(name, settings, missing_ok=False)
    admin.delete_topic(name, settings)  # missing_ok=True by default


def test_delete_then_recreate_at_once_with_other_partition_count(settings, ns):
    name = ns.topic("orders")
    for partitions in (1, 4, 2):
        admin.create_topic(name, partitions=partitions, settings=settings, exist_ok=False)
        produce_raw(settings, name, [b"p%d-%d" % (partitions, i) for i in range(6)])
        got = consume_all(settings, name, expected=6)
        assert sorted(r.value for r in got) == sorted(b"p%d-%d" % (partitions, i) for i in range(6))
        assert {r.partition for r in got} <= set(range(partitions))
        assert sum(admin.end_offsets(name, settings).values()) == 6
        admin.delete_topic(name, settings)
        assert name not in admin.list_topics(ns.root, settings)


def test_recreate_topic_is_fresh_and_empty(settings, ns):
    name = ns.topic("orders")
    admin.create_topic(name, partitions=1, settings=settings)
    produce_raw(settings, name, [b"old"] * 5)
    info = admin.recreate_topic(name, partitions=3, settings=settings)
    assert len(info.partitions) == 3
    assert admin.end_offsets(name, settings) == {0: 0, 1: 0, 2: 0}


def test_begin_and_end_offsets(settings, ns):
    name = ns.topic("orders")
    admin.create_topic(name, partitions=2, settings=settings)
    produce_raw(settings, name, [b"x"] * 7, partition=1)
    assert admin.end_offsets(name, settings) == {0: 0, 1: 7}
    with admin_client(settings) as client:
        client.delete_records({TopicPartition(name, 1): 3})
    assert admin.begin_offsets(name, settings) == {0: 0, 1: 3}


def test_group_offsets_and_lag(settings, ns):
    name, group = ns.topic("orders"), ns.group("billing")
    admin.create_topic(name, partitions=3, settings=settings)
    produce_raw(settings, name, [b"a"] * 10, partition=0)
    produce_raw(settings, name, [b"b"] * 4, partition=1)
    produce_raw(settings, name, [b"c"] * 6, partition=2)
    with admin_client(settings) as client:
        client.delete_records({TopicPartition(name, 2): 2})  # so "never committed" != end
    assert admin.group_offsets(group, settings) == {}

    consumer = KafkaConsumer(**settings.client_kwargs(), group_id=group, enable_auto_commit=False)
    try:
        consumer.assign([TopicPartition(name, 0), TopicPartition(name, 1)])
        consumer.commit({TopicPartition(name, 0): OffsetAndMetadata(7, "", -1),
                         TopicPartition(name, 1): OffsetAndMetadata(4, "", -1)})
    finally:
        consumer.close()

    assert admin.group_offsets(group, settings) == {(name, 0): 7, (name, 1): 4}
    lag = admin.group_lag(group, name, settings)
    assert lag == [
        admin.PartitionLag(name, 0, committed=7, end=10, lag=3),
        admin.PartitionLag(name, 1, committed=4, end=4, lag=0),
        admin.PartitionLag(name, 2, committed=None, end=6, lag=4),
    ]


def test_list_and_delete_groups(settings, ns):
    name, group = ns.topic("orders"), ns.group("billing")
    admin.create_topic(name, settings=settings)
    produce_raw(settings, name, [b"x"])
    consumer = joined_consumer(settings, name, group)
    try:
        assert admin.list_groups(ns.root, settings) == [group]
        assert admin.group_states(ns.root, settings)[group] not in ("Empty", "Dead")
        described = admin.describe_group(group, settings)
        assert described["group_state"] == "Stable" and len(described["members"]) == 1
        with pytest.raises(GroupNotEmpty, match="active members"):
            admin.delete_group(group, settings)
    finally:
        consumer.close()
    admin.delete_group(group, settings)
    assert admin.list_groups(ns.root, settings) == []
    admin.delete_group(group, settings)  # already gone: fine with missing_ok
    with pytest.raises(GroupNotFound, match="does not exist") as caught:
        admin.delete_group(group, settings, missing_ok=False)
    assert caught.value.group == group
    with pytest.raises(GroupNotFound):
        admin.describe_group(group, settings)
    assert admin.describe_group(group, settings, missing_ok=True)["members"] == []


def test_reset_namespace(settings, ns):
    for short in ("orders", "payments"):
        admin.create_topic(ns.topic(short), partitions=2, settings=settings)
    produce_raw(settings, ns.topic("orders"), [b"x"] * 3)
    joined_consumer(settings, ns.topic("orders"), ns.group("billing")).close()
    admin.create_topic("other-" + ns.root + "kept", settings=settings)
    try:
        assert admin.reset_namespace(ns, settings) == 3
        assert admin.list_topics(ns.root, settings) == []
        assert admin.list_groups(ns.root, settings) == []
        assert admin.reset_namespace(ns, settings) == 0
        assert "other-" + ns.root + "kept" in admin.list_topics(settings=settings)
    finally:
        admin.delete_topic("other-" + ns.root + "kept", settings)


def test_reset_namespace_refuses_while_a_consumer_is_active(settings, ns):
    name, group = ns.topic("orders"), ns.group("billing")
    admin.create_topic(name, settings=settings)
    consumer = joined_consumer(settings, name, group)
    try:
        with pytest.raises(WaitTimeout, match="active members.*billing is Stable.*Close those consumers"):
            admin.reset_namespace(ns, settings, timeout_s=1.0)
        assert admin.list_topics(ns.root, settings) == [name]  # nothing deleted
    finally:
        consumer.close()
    assert admin.reset_namespace(ns, settings) == 2


def test_every_admin_client_is_closed(settings, ns, monkeypatch):
    opened, real = [], _kafka.admin_client

    def spy(*args, **kwargs):
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(_kafka, "admin_client", spy)
    name = ns.topic("orders")
    admin.create_topic(name, settings=settings)
    admin.describe_topic(name, settings)
    admin.end_offsets(name, settings)
    admin.group_lag(ns.group("g"), name, settings)
    with pytest.raises(TopicNotFound):
        admin.describe_topic(ns.topic("missing"), settings)
    admin.reset_namespace(ns, settings)
    assert len(opened) == 6
    assert all(client._closed for client in opened)
