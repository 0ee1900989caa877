"""The live widgets against the real broker: group view snapshot and live loop, publish form."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from kafka.errors import KafkaError

from eda_lab import clients as admin
from eda_lab.clients import create_topic
from eda_lab.clients.consuming import EventConsumer, consume
from eda_lab.errors import WaitTimeout
from eda_lab.widgets.group_view import LiveGroupView
from eda_lab.widgets.publish_form import PublishForm, publish_form
from tests.helpers import publish_orders, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def topic(settings, ns):
    name = ns.topic("orders")
    admin.create_topic(name, partitions=3, settings=settings)
    return name  # the ns fixture deletes it


@pytest.fixture
def group_of_two(settings, ns, topic):
    """alice and bob in one group, having read and committed the first 6 events."""
    publish_orders(settings, topic, [f"ord-{i}" for i in range(6)])
    group = ns.group("billing")
    members = [EventConsumer(topic, group=group, settings=settings, name=name, auto_commit=False,
                             heartbeat_interval_ms=500) for name in ("alice", "bob")]
    settled = threading.Event()

    def keep_polling(member):
        # Each member polls in its own thread until the group has settled: a member that is
        # not polling cannot rejoin, and the rebalance would wait for it.
        while not settled.is_set():
            member.read(idle_s=0.3, timeout_s=0.5)
            if member.assignment():
                with contextlib.suppress(KafkaError):  # a rebalance is going on: poll more
                    member.commit()

    def done():
        owned = [m.assignment() for m in members]
        return (all(owned) and not owned[0] & owned[1] and len(owned[0] | owned[1]) == 3
                and sum(p.lag for p in admin.group_lag(group, topic, settings)) == 0)

    with ThreadPoolExecutor(2) as pool:
        loops = [pool.submit(keep_polling, m) for m in members]
        try:
            wait_for(done, "both members to join and commit all 6 events", timeout_s=60,
                     interval_s=0.2)
        finally:
            settled.set()
            for loop in loops:
                loop.result()
    try:
        yield group
    finally:
        for member in members:
            member.close()


def test_snapshot_shows_members_partitions_and_lag(settings, ns, topic, group_of_two):
    behind = publish_orders(settings, topic, [f"new-{i}" for i in range(5)])
    ends = admin.end_offsets(topic, settings)

    snap = LiveGroupView(group_of_two, topic, settings=settings).snapshot()

    # kafka-python's default range assignor orders members by id, which starts with the client id
    assert snap.members == {"alice": (0, 1), "bob": (2,)}
    assert snap.state == "Stable"
    waiting = Counter(d.partition for d in behind)
    assert [(p.partition, p.end, p.lag) for p in snap.lag] == [
        (p, ends[p], waiting[p]) for p in range(3)]
    assert [p.committed for p in snap.lag] == [ends[p] - waiting[p] for p in range(3)]
    assert snap.total_lag == 5
    assert snap.summary(ns.short).splitlines()[:3] == [
        "group billing on orders: Stable, 2 member(s), total lag 5", "  alice: p0 p1", "  bob: p2"]


def test_live_view_refreshes_until_stopped(settings, topic, group_of_two):
    view = LiveGroupView(group_of_two, topic, settings=settings, refresh_s=0.2, duration_s=30)
    assert view.show() is view.widget
    wait_for(lambda: view.latest is not None and view.image.value, "a first refresh")
    assert bytes(view.image.value).startswith(b"\x89PNG")
    assert "alice: p0 p1" in view.summary.value
    assert view.status.value.startswith("live: Stable")
    view.stop_button.click()
    assert not view.running
    assert view.status.value == "<i>stopped</i>"


def test_live_view_stops_by_itself_at_its_duration(settings, topic):
    view = LiveGroupView("nobody", topic, settings=settings, refresh_s=0.1, duration_s=0.5)
    view.start()
    wait_for(lambda: not view.running, "the view to stop at its duration", timeout_s=10)
    assert view.status.value == "<i>stopped</i>"
    assert view.latest.members == {} and view.latest.total_lag == 0


def test_publish_button_puts_the_event_on_the_topic(settings, topic):
    form = PublishForm(topic, settings=settings)
    form.event_type.value, form.key.value, form.amount.value = "OrderPaid", "ord-42", 12.5
    try:
        form.publish_button.click()
        assert form.sent.value.startswith("sent OrderPaid to partition")
    finally:
        form.stop()

    (record,) = consume(topic, max_events=1, settings=settings, timeout_s=15)
    assert record.key == "ord-42"
    assert record.event.event_type == "OrderPaid"
    assert record.event.data == {"orderId": "ord-42", "amount": 12.5}


def test_publish_form_view_lists_events_as_they_arrive(settings, topic):
    form = PublishForm(topic, settings=settings, duration_s=30)
    form.start()
    try:
        wait_for(lambda: form.status.value == "listening", "the live consumer")
        form.key.value = "ord-7"
        delivery = form.publish()
        wait_for(lambda: form.rows, "the published event to show up")
        assert form.rows == [{"partition": delivery.partition, "offset": 0, "key": "ord-7",
                              "eventType": "OrderPlaced", "data": "orderId=ord-7, amount=10.0"}]
        assert "<td>ord-7</td>" in form.table.value
    finally:
        form.stop()
    assert not form.running
    assert form.status.value == "<i>stopped</i>"


def test_publish_form_live_view_waits_for_published_events(settings, ns):
    topic = ns.topic("form-wait")
    create_topic(topic, partitions=2, settings=settings)
    form = publish_form(topic, settings, duration_s=60)
    try:
        form.key.value = "ord-9"
        delivery = form.publish()
        rows = form.wait_for_rows(1, timeout_s=20)
        assert (rows[0]["partition"], rows[0]["offset"], rows[0]["key"]) == (
            delivery.partition, delivery.offset, "ord-9")
        assert form._repr_mimebundle_()["text/plain"] == "PublishForm, live for up to 60 s"
        with pytest.raises(WaitTimeout):
            form.wait_for_rows(2, timeout_s=1)
    finally:
        form.stop()
