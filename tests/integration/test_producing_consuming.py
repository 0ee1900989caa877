"""Publishing and consuming events on the real broker."""

from __future__ import annotations

import json
import time
import warnings
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from eda_lab.clients import create_topic
from eda_lab.clients.consuming import EventConsumer, consume
from eda_lab.clients.partitioning import partition_for
from eda_lab.clients.producing import Delivery, EventPublisher, make_producer, publish
from eda_lab.clients.records import Received
from eda_lab.errors import BrokerUnreachable, MalformedEvent, SettingsError, TopicNotFound
from eda_lab.messages.envelope import Event
from eda_lab.settings import Settings
from tests.helpers import orders, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def make_topic(settings, ns):
    """Create a topic in the test's namespace (the ns fixture deletes it); returns its full name."""
    def make(name: str = "orders", partitions: int = 1) -> str:
        topic = ns.topic(name)
        create_topic(topic, partitions=partitions, settings=settings)
        return topic

    return make


def test_publish_then_consume_round_trip(settings, make_topic):
    topic = make_topic()
    sent = [Event("OrderPlaced", {"orderId": f"ord-{i}", "total": 9.5 * i}, source="orders")
            for i in range(3)]
    with EventPublisher(settings) as publisher:
        deliveries = [publisher.publish(topic, e, key=f"ord-{i}") for i, e in enumerate(sent)]
    assert deliveries == [Delivery(topic, 0, i, f"ord-{i}") for i in range(3)]
    got = consume(topic, max_events=3, settings=settings)
    assert [r.event for r in got] == sent
    assert [(r.key, r.offset, r.partition) for r in got] == [(f"ord-{i}", i, 0) for i in range(3)]
    assert got[0].headers == {"content-type": "application/json", "event-type": "OrderPlaced",
                              "source": "orders", "correlation-id": sent[0].correlation_id}
    assert got[0].where == f"{topic}/0@0" and got[0].timestamp_ms > 0


def test_one_shot_publish_and_null_key(settings, make_topic):
    topic = make_topic(partitions=3)
    delivery = publish(topic, Event("Ping", {}), key=None, settings=settings)
    assert delivery.key is None and 0 <= delivery.partition < 3 and delivery.offset == 0
    [received] = consume(topic, settings=settings, idle_s=1)
    assert received.key is None and received.event.event_type == "Ping"


def test_same_key_same_partition_as_the_default_partitioner(settings, make_topic):
    topic = make_topic(partitions=6)
    keys = [f"customer-{i}" for i in range(8)]
    with EventPublisher(settings) as publisher:
        deliveries = publisher.publish_many(topic, orders(64, keys))
    by_key = defaultdict(set)
    for d in deliveries:
        by_key[d.key].add(d.partition)
    assert all(by_key[k] == {partition_for(k, 6)} for k in keys)
    assert len({p for ps in by_key.values() for p in ps}) > 1  # the keys really spread out


def test_order_is_kept_within_each_partition(settings, make_topic):
    topic = make_topic(partitions=3)
    keys = ["a", "b", "c", "d", "e"]
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, orders(100, keys))
    got = consume(topic, max_events=100, settings=settings)
    assert len(got) == 100
    for key in keys:
        seqs = [r.event.data["seq"] for r in got if r.key == key]
        assert seqs == sorted(seqs) and len(seqs) == 20
    for partition in range(3):
        offsets = [r.offset for r in got if r.partition == partition]
        assert offsets == list(range(len(offsets)))


def test_two_groups_each_see_every_event(settings, ns, make_topic):
    topic = make_topic(partitions=2)
    events = orders(10, ["x", "y", "z"])
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, events)
    sent = [e.event_id for _, e in events]
    billing = consume(topic, group=ns.group("billing"), settings=settings, idle_s=1)
    shipping = consume(topic, group=ns.group("shipping"), settings=settings, idle_s=1)
    assert sorted(r.event.event_id for r in billing) == sorted(sent)
    assert sorted(r.event.event_id for r in shipping) == sorted(sent)


def test_two_members_of_one_group_share_the_partitions(settings, ns, make_topic):
    topic = make_topic(partitions=4)
    group = ns.group("billing")
    # Ten keys per partition, so every member has something to read.
    keys = [k for p in range(4) for k in
            [f"k{i}" for i in range(200) if partition_for(f"k{i}", 4) == p][:10]]
    members = [EventConsumer(topic, group=group, settings=settings, name=name,
                             heartbeat_interval_ms=500) for name in ("alice", "bob")]
    with ThreadPoolExecutor(2) as pool:
        reads = [pool.submit(m.read, idle_s=2.0, timeout_s=30.0) for m in members]
        wait_for(lambda: all(m.assignment() for m in members)
                 and len(members[0].assignment() | members[1].assignment()) == 4
                 and not members[0].assignment() & members[1].assignment(),
                 "both members to share the 4 partitions", timeout_s=15)
        with EventPublisher(settings) as publisher:
            publisher.publish_many(topic, [(k, Event("OrderPlaced", {"key": k})) for k in keys])
        results = [r.result() for r in reads]
    assignments = [m.assignment() for m in members]
    for member in members:
        member.close()
    for got, assigned in zip(results, assignments, strict=True):
        assert got and {(r.topic, r.partition) for r in got} <= assigned
    assert sorted(r.key for got in results for r in got) == sorted(keys)  # all, no duplicates
    for member, assigned in zip(members, assignments, strict=True):
        last = [s for s in member.rebalances if s.kind == "assigned"][-1]
        assert set(last.partitions) == assigned and last.consumer == member.name
        assert member.rebalances[-1].kind == "revoked"  # close() gave the partitions back


def test_manual_commit_lets_a_new_member_resume(settings, ns, make_topic):
    topic = make_topic()
    group = ns.group("billing")
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, orders(10, ["k"]))
    with EventConsumer(topic, group=group, auto_commit=False, settings=settings) as first:
        got = first.read(max_events=4)
        first.commit()
        assert first.position(topic, 0) == 4
    with EventConsumer(topic, group=group, auto_commit=False, settings=settings) as second:
        rest = second.read(max_events=3)
        second.commit(upto=rest[1])  # processed only two of the three
    assert [r.offset for r in got] == [0, 1, 2, 3] and [r.offset for r in rest] == [4, 5, 6]
    resumed = consume(topic, group=group, settings=settings, idle_s=1)
    assert [r.offset for r in resumed] == [6, 7, 8, 9]
    assert [r.event.data["seq"] for r in resumed] == [6, 7, 8, 9]


def test_without_a_commit_a_new_member_starts_over(settings, ns, make_topic):
    topic = make_topic()
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, orders(3, ["k"]))
    with EventConsumer(topic, group=ns.group("g"), auto_commit=False, settings=settings) as c:
        assert len(c.read(max_events=3)) == 3
    again = consume(topic, group=ns.group("g"), settings=settings, idle_s=1)
    assert [r.offset for r in again] == [0, 1, 2]


def test_read_stops_when_idle_and_at_the_timeout(settings, make_topic):
    topic = make_topic()
    with EventConsumer(topic, settings=settings) as consumer:
        started = time.monotonic()
        assert consumer.read(idle_s=1.0, timeout_s=20) == []
        idle_took = time.monotonic() - started
        started = time.monotonic()
        assert consumer.read(idle_s=30, timeout_s=1.0) == []
        timeout_took = time.monotonic() - started
    assert 1.0 <= idle_took < 3.0 and 1.0 <= timeout_took < 3.0


def test_read_stops_after_max_events(settings, make_topic):
    topic = make_topic()
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, orders(10, ["k"]))
    with EventConsumer(topic, settings=settings) as consumer:
        started = time.monotonic()
        got = consumer.read(max_events=3, idle_s=30, timeout_s=30)
        assert time.monotonic() - started < 5
        assert [r.offset for r in got] == [0, 1, 2] and consumer.position(topic, 0) == 3
        assert consumer.assignment() == {(topic, 0)}
        assert [r.offset for r in consumer.read(max_events=2)] == [3, 4]


def test_from_beginning_false_reads_only_new_events(settings, ns, make_topic):
    topic = make_topic()
    publish(topic, Event("Old", {}), key="k", settings=settings)
    with EventConsumer(topic, from_beginning=False, settings=settings) as consumer:
        assert consumer.position(topic, 0) == 1  # resolved now, before the new event
        publish(topic, Event("New", {}), key="k", settings=settings)
        assert [r.event.event_type for r in consumer.read(idle_s=1)] == ["New"]


def test_keyboard_interrupt_returns_what_was_read(settings, make_topic):
    topic = make_topic()
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, orders(6, ["k"]))
    with EventConsumer(topic, settings=settings, max_poll_records=2) as consumer:
        real_poll = consumer.consumer.poll
        seen = []

        def poll_then_interrupt(*args, **kwargs):
            if seen:
                raise KeyboardInterrupt
            batch = real_poll(*args, **kwargs)
            seen.extend(batch)
            return batch

        consumer.consumer.poll = poll_then_interrupt
        got = consumer.read(timeout_s=20)
        consumer.consumer.poll = real_poll
        assert [r.offset for r in got] == [0, 1]
        assert [r.offset for r in consumer.read(idle_s=1)] == [2, 3, 4, 5]  # still usable


def test_missing_topic_is_reported_quickly(settings, ns):
    missing = ns.topic("never-created")
    started = time.monotonic()
    with EventPublisher(settings) as publisher, pytest.raises(TopicNotFound) as caught:
        publisher.publish(missing, Event("A", {}), key="k")
    assert caught.value.topic == missing and "create_topic" in str(caught.value)
    with pytest.raises(TopicNotFound):
        publish(missing, Event("A", {}), key="k", settings=settings)
    with pytest.raises(TopicNotFound):
        EventConsumer(missing, settings=settings)
    with pytest.raises(TopicNotFound):
        consume(missing, group=ns.group("g"), settings=settings)
    assert time.monotonic() - started < 10  # kafka-python alone would block 60 s on the first


def test_unreachable_broker_is_reported(ns):
    nowhere = Settings(bootstrap="127.0.0.1:1")
    with pytest.raises(BrokerUnreachable):
        EventPublisher(nowhere, bootstrap_timeout_ms=1000)
    with pytest.raises(BrokerUnreachable):
        EventConsumer(ns.topic("orders"), settings=nowhere, timeout_s=1.0)


def test_options_kafka_python_refuses_are_settings_errors(settings, make_topic):
    topic = make_topic()
    with pytest.raises(SettingsError, match="KafkaProducer has no option no_such_option"):
        EventPublisher(settings, no_such_option=1)
    with pytest.raises(SettingsError, match="KafkaConsumer has no option lingerms"):
        EventConsumer(topic, settings=settings, lingerms=1)


def test_closing_after_every_ack_is_quiet_and_safe_twice(settings, make_topic):
    topic = make_topic()
    with warnings.catch_warnings():
        # A warning about unacknowledged records fails the test.
        warnings.simplefilter("error", RuntimeWarning)
        publisher = EventPublisher(settings)
        assert len(publisher.publish_many(topic, orders(20, ["k"]))) == 20
        started = time.monotonic()
        publisher.close()
        publisher.close()
        assert time.monotonic() - started < 2
        consumer = EventConsumer(topic, settings=settings)
        consumer.close()
        consumer.close()
    assert len(consume(topic, settings=settings, max_events=20)) == 20


def test_asking_about_a_partition_not_read_names_the_ones_read(settings, make_topic):
    topic = make_topic(partitions=2)
    with EventConsumer(topic, settings=settings) as consumer:
        with pytest.raises(ValueError, match=rf"{topic}/5 is not assigned.*'{topic}', 0"):
            consumer.position(topic, 5)
        with pytest.raises(ValueError, match="not assigned"):
            consumer.seek(topic, 7, 0)
        assert consumer.position(topic, 1) == 0


def test_malformed_record_names_topic_partition_and_offset(settings, make_topic):
    topic = make_topic(partitions=2)
    producer = make_producer(settings)
    good = Event("OrderPlaced", {"orderId": "o"})
    no_type = {k: v for k, v in good.to_dict().items() if k != "eventType"}
    for value in (good.to_json(), b"not json", json.dumps(no_type).encode()):
        producer.send(topic, value, partition=1).get(timeout=10)
    producer.close()
    got = consume(topic, settings=settings, max_events=3)
    assert got[0].event == good
    with pytest.raises(MalformedEvent) as not_json:
        _ = got[1].event
    with pytest.raises(MalformedEvent) as missing:
        _ = got[2].event
    assert not_json.value.where == f"{topic}/1@1" and f"{topic}/1@1" in str(not_json.value)
    assert (missing.value.where, missing.value.field) == (f"{topic}/1@2", "eventType")


def test_node_producer_source_header_fills_a_missing_source(settings, make_topic):
    topic = make_topic()
    producer = make_producer(settings)
    node_value = {"eventType": "OrderPlaced", "eventId": "550e8400-e29b-41d4-a716-446655440000",
                  "timestamp": "2026-03-30T10:00:00.000Z", "version": 1, "data": {"orderId": "o"}}
    producer.send(topic, json.dumps(node_value).encode(), key=b"o",
                  headers=[("content-type", b"application/json"), ("source", b"order-service")])
    producer.close()
    [received] = consume(topic, settings=settings, idle_s=1)
    assert isinstance(received, Received) and received.key == "o"
    assert received.event.source == "order-service"
    assert received.event.correlation_id == node_value["eventId"]


def test_close_leaves_the_group_at_once(settings, ns, make_topic):
    topic = make_topic(partitions=2)
    group = ns.group("billing")
    key_of = {p: next(f"k{i}" for i in range(100) if partition_for(f"k{i}", 2) == p) for p in (0, 1)}
    steps = []
    alice = EventConsumer(topic, group=group, settings=settings, name="alice",
                          heartbeat_interval_ms=500)
    bob = EventConsumer(topic, group=group, settings=settings, name="bob", on_rebalance=steps.append)
    with ThreadPoolExecutor(2) as pool, EventPublisher(settings) as publisher:
        # A long idle_s: whoever joins first must still be polling (and so able to rejoin)
        # when the other's arrival rebalances the group; max_events=1 ends each read.
        reads = [pool.submit(m.read, max_events=1, idle_s=25, timeout_s=30) for m in (alice, bob)]
        wait_for(lambda: len(alice.assignment()) == len(bob.assignment()) == 1,
                 "alice and bob to own one partition each", timeout_s=15)
        for p in (0, 1):
            publisher.publish(topic, Event("OrderPlaced", {"p": p}), key=key_of[p])
        assert [len(r.result()) for r in reads] == [1, 1]
        alices_partition = next(iter(alice.assignment()))[1]
        alice.close()
        started = time.monotonic()
        publisher.publish(topic, Event("OrderPlaced", {}), key=key_of[alices_partition])
        [taken_over] = bob.read(max_events=1, idle_s=15, timeout_s=30)
        took = time.monotonic() - started
    bob.close()
    assert taken_over.partition == alices_partition
    assert took < 7  # bob's session timeout is 10 s: alice must have left, not timed out
    assert [s.kind for s in steps][-2:] == ["assigned", "revoked"]
    assert steps[-2].partitions == ((topic, 0), (topic, 1)) and steps[-2].consumer == "bob"
