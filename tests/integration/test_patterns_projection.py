"""The projector against the real broker and a real SQLite file: the view, its lag, read your
writes, a projector SIGKILLed mid-batch and resumed, and a rebuild reaching the same view.

Run as a script, this file is the child process that the kill test kills.
"""

from __future__ import annotations

import dataclasses
import sys

import pytest

from eda_lab.clients import create_topic, group_offsets
from eda_lab.clients.producing import EventPublisher
from eda_lab.errors import WaitTimeout
from eda_lab.messages.envelope import Event
from eda_lab.patterns import ORDER_SUMMARIES, Projector, ReadModel
from eda_lab.settings import Settings
from tests.helpers import kill_when_it_says

pytestmark = pytest.mark.integration
KINDS = ("OrderPlaced", "OrderPaid", "OrderShipped")


def order_events(n: int, orders: int = 40) -> list[tuple[str, Event]]:
    """``n`` events over ``orders`` orders: each order placed, then paid, then shipped..."""
    out = []
    for i in range(n):
        order = f"ord-{i % orders}"
        out.append((order, Event(KINDS[min(i // orders, 2)], {"orderId": order, "amount": 10 + i % 7})))
    return out


@pytest.fixture
def topic(settings, ns):
    name = ns.topic("orders")
    create_topic(name, partitions=3, settings=settings)
    return name


def publish(settings, topic, items):
    with EventPublisher(settings) as publisher:
        return publisher.publish_many(topic, items)


def reference_hash(settings, ns, topic, tmp_path, name="reference") -> str:
    projector = Projector(tmp_path / f"{name}.db", topic, ns.group(name), ORDER_SUMMARIES,
                          settings)
    projector.run(idle_s=1, timeout_s=60)
    return projector.model.view_hash()


def test_the_view_follows_the_topic_and_reports_its_lag(settings, ns, topic, tmp_path):
    publish(settings, topic, order_events(90, orders=30))
    projector = Projector(tmp_path / "orders.db", topic, ns.group("summaries"), ORDER_SUMMARIES,
                          settings)
    assert projector.lag() == 90

    report = projector.run(idle_s=1, timeout_s=60)

    assert report.seen == 90 and projector.lag() == 0
    rows = projector.model.rows()
    assert len(rows) == 30 and {r["status"] for r in rows} == {"shipped"}
    assert sum(r["events"] for r in rows) == 90
    publish(settings, topic, order_events(5, orders=5))
    assert projector.lag() == 5
    # Kafka's committed offsets never run ahead of the view's own checkpoint.
    assert sum(group_offsets(ns.group("summaries"), settings).values()) == 90


def test_read_your_writes_waits_for_the_position_or_says_why_not(settings, ns, topic, tmp_path):
    projector = Projector(tmp_path / "orders.db", topic, ns.group("summaries"), ORDER_SUMMARIES,
                          settings).start(timeout_s=60)
    try:
        (delivery,) = publish(settings, topic, [("ord-9", Event("OrderPlaced", {
            "orderId": "ord-9", "amount": 42}))])
        projector.wait_until_position(delivery, timeout_s=20)
        assert [(r["order_id"], r["total"]) for r in projector.model.rows()] == [("ord-9", 42.0)]
    finally:
        projector.stop()
    (later,) = publish(settings, topic, [("ord-9", Event("OrderPaid", {"orderId": "ord-9"}))])
    with pytest.raises(WaitTimeout, match="not running: call start"):
        projector.wait_until_position(later, timeout_s=0.3)


def test_a_projector_killed_mid_batch_resumes_to_an_identical_view(settings, ns, topic,
                                                                   tmp_path):
    publish(settings, topic, order_events(300))
    db, group = tmp_path / "orders.db", ns.group("summaries")
    # the child blocks, mid-transaction, after saying so
    kill_when_it_says(__file__, str(db), topic, group, "120", says="mid-batch", settings=settings)
    model = ReadModel(db, ORDER_SUMMARIES, dedupe_event_ids=True)  # as the child opened it
    applied = sum(model.checkpoints().values())
    assert 0 < applied < 120  # whole batches only: the open one was rolled back
    assert sum(r["events"] for r in model.rows()) == applied

    resumed = Projector(model, topic, group, settings=settings).run(idle_s=1, timeout_s=60)

    assert resumed.seen >= 300 - applied
    assert sum(r["events"] for r in model.rows()) == 300   # nothing counted twice
    assert model.view_hash() == reference_hash(settings, ns, topic, tmp_path)


def test_a_rebuild_reaches_the_same_view_hash_and_the_projector_carries_on(settings, ns, topic,
                                                                           tmp_path):
    publish(settings, topic, order_events(120))
    projector = Projector(tmp_path / "orders.db", topic, ns.group("summaries"), ORDER_SUMMARIES,
                          settings, batch_size=25)
    projector.run(idle_s=1, timeout_s=60)
    incremental = projector.model.view_hash()

    projector.start(timeout_s=60)
    assert projector.rebuild(timeout_s=60) == incremental
    assert projector.loop.running   # paused for the rebuild, then resumed
    (delivery,) = publish(settings, topic, [("ord-1", Event("OrderCancelled", {
        "orderId": "ord-1"}))])
    projector.wait_until_position(delivery, timeout_s=20)
    projector.stop()
    assert projector.model.view_hash() == reference_hash(settings, ns, topic, tmp_path)
    assert sum(r["events"] for r in projector.model.rows()) == 121


def test_the_view_not_kafka_says_where_projection_resumes(settings, ns, topic, tmp_path):
    # The group has committed everything, but this view is new (its file was deleted): the
    # projector seeks to the view's own checkpoint, so it projects the topic from the start.
    publish(settings, topic, order_events(60))
    group = ns.group("summaries")
    first = Projector(tmp_path / "first.db", topic, group, ORDER_SUMMARIES, settings)
    first.run(idle_s=1, timeout_s=60)
    assert sum(group_offsets(group, settings).values()) == 60

    fresh = Projector(tmp_path / "fresh.db", topic, group, ORDER_SUMMARIES, settings)
    report = fresh.run(idle_s=1, timeout_s=60)

    assert report.seen == 60 and fresh.lag() == 0
    assert fresh.model.view_hash() == first.model.view_hash()


def _child(db: str, topic: str, group: str, block_at: str) -> None:
    """Project with small batches; at the ``block_at``-th event, say so and hang mid-batch."""
    applied = 0

    def apply_then_hang(conn, table, event, record):
        nonlocal applied
        ORDER_SUMMARIES.apply(conn, table, event, record)
        applied += 1
        if applied == int(block_at):
            print("mid-batch", flush=True)
            sys.stdin.read()  # until killed (or the parent goes away and stdin closes)

    projection = dataclasses.replace(ORDER_SUMMARIES, apply=apply_then_hang)
    Projector(db, topic, group, projection, Settings.from_env(), batch_size=50).run(
        idle_s=5, timeout_s=60)


if __name__ == "__main__":
    _child(*sys.argv[1:5])
