"""The outbox relay against the real broker and a real SQLite event store: rows go out keyed
by stream id and are marked sent; a relay SIGKILLed between the acks and the mark loses
nothing, and both an idempotent consumer and a projector absorb the duplicates.

Run as a script, this file is the child process that the kill test kills.
"""

from __future__ import annotations

import sqlite3
import sys

import pytest

from eda_lab.clients import create_topic, partition_for
from eda_lab.clients.consuming import consume
from eda_lab.clients.records import Received
from eda_lab.errors import WaitTimeout
from eda_lab.messages.envelope import Event
from eda_lab.patterns import (
    ORDER_SUMMARIES,
    HandlerLoop,
    OutboxRelay,
    Projector,
    ReadModel,
    SqliteIdempotencyStore,
)
from eda_lab.patterns.eventsourcing import NO_STREAM, SQLiteEventStore
from eda_lab.settings import Settings
from tests.helpers import kill_when_it_says

pytestmark = pytest.mark.integration


@pytest.fixture
def topic(settings, ns):
    name = ns.topic("orders")
    create_topic(name, partitions=3, settings=settings)
    return name


def fill(store, streams: int, per_stream: int, orders: bool = False) -> list[str]:
    """Append ``per_stream`` events to each stream, interleaved; returns the event ids.

    ``orders``: each stream is an order placed, then paid in parts (``order_summaries`` adds
    those up, so it would show a payment counted twice); otherwise events it ignores.
    """
    ids = []
    for n in range(1, per_stream + 1):
        for s in range(streams):
            kind, money = (("OrderPlaced", {"total": 100 + s}) if n == 1 else
                           ("OrderPaid", {"amount": n})) if orders else ("OrderNoted", {})
            event = Event(kind, {"orderId": f"order-{s}", "n": n, **money})
            store.append(f"order-{s}", [event], NO_STREAM if n == 1 else n - 1)
            ids.append(event.event_id)
    return ids


def test_the_relay_publishes_keyed_by_stream_and_marks_rows_sent(settings, topic, tmp_path):
    store = SQLiteEventStore(str(tmp_path / "orders.db"))
    ids = fill(store, streams=4, per_stream=3)
    relay = OutboxRelay(store, topic, settings, batch_rows=5)

    report = relay.run(idle_s=0.3, timeout_s=30)

    assert (report.sent, report.handled, report.batches, report.stopped) == (12, 12, 3, "idle")
    assert store.pending_outbox() == []
    records = consume(topic, settings=settings, max_events=12, timeout_s=15)
    assert sorted(r.event.event_id for r in records) == sorted(ids)
    stored = dict(sqlite3.connect(tmp_path / "orders.db").execute(
        "SELECT event_id, payload FROM events"))
    for r in records:
        assert r.key == r.event.data["orderId"]
        assert r.partition == partition_for(r.key, 3)
        assert r.value == stored[r.event.event_id]  # byte for byte as the store wrote it
        assert r.headers["event-type"] == "OrderNoted"
    by_stream = {}
    for r in sorted(records, key=lambda r: (r.partition, r.offset)):
        by_stream.setdefault(r.key, []).append(r.event.data["n"])
    assert all(ns == [1, 2, 3] for ns in by_stream.values())  # one stream's order is kept


def relay_killed_and_restarted(settings, topic, db) -> tuple[list[str], list]:
    """200 events in the store's outbox; a relay publishes them in batches of 30 and is
    SIGKILLed after the third batch's acks, before its mark; a restarted relay publishes the
    rest, the third batch again. Returns the event ids and the outbox rows, each once."""
    store = SQLiteEventStore(str(db))
    ids = fill(store, streams=25, per_stream=8, orders=True)
    rows = store.pending_outbox(1000)
    # the child hangs between the acks and the mark
    kill_when_it_says(__file__, str(db), topic, "30", "3", says="published-not-marked",
                      settings=settings)
    assert len(store.pending_outbox(1000)) == 200 - 60  # two batches were marked

    restarted = OutboxRelay(store, topic, settings, batch_rows=50).run(idle_s=0.5, timeout_s=60)

    assert restarted.sent == 140 and store.pending_outbox() == []
    return ids, rows


def test_a_relay_killed_after_publishing_loses_nothing_and_duplicates_are_absorbed(
        settings, ns, topic, tmp_path):
    ids, _ = relay_killed_and_restarted(settings, topic, tmp_path / "orders.db")
    handled: list[tuple[str, int, str]] = []
    dedup = SqliteIdempotencyStore(tmp_path / "consumer.db", consumer="shipping")
    report = HandlerLoop(
        topic, group=ns.group("shipping"), idempotency=dedup, settings=settings,
        handler=lambda e, r: handled.append((r.key, e.data["n"], e.event_id)),
    ).run(idle_s=1, timeout_s=60)
    assert report.seen == 230 and report.duplicates == 30   # the third batch went out twice
    assert sorted(i for _, _, i in handled) == sorted(ids)  # every event once, none lost
    per_stream = {}
    for key, n, _ in handled:
        per_stream.setdefault(key, []).append(n)
    assert all(seq == list(range(1, 9)) for seq in per_stream.values())


def test_a_projector_counts_each_event_once_although_the_relay_published_some_twice(
        settings, ns, topic, tmp_path):
    _, rows = relay_killed_and_restarted(settings, topic, tmp_path / "orders.db")
    # The reference: every outbox row applied once, at made-up offsets, without Kafka.
    reference = ReadModel(tmp_path / "reference.db", ORDER_SUMMARIES)
    reference.apply_batch([(row.event, Received(topic, 0, i, row.stream_id, 0, {}, row.payload))
                           for i, row in enumerate(rows)])
    projector = Projector(tmp_path / "views.db", topic, ns.group("summaries"), ORDER_SUMMARIES,
                          settings, batch_size=40)  # copies meet ids of earlier batches

    report = projector.run(idle_s=1, timeout_s=60)

    assert report.seen == 230 and projector.lag() == 0     # the topic holds 30 copies
    assert sum(r["events"] for r in projector.model.rows()) == 200
    assert projector.model.view_hash() == reference.view_hash()
    # A rebuild reads the same copies into the shadow table, with ids of its own.
    assert projector.rebuild(timeout_s=60) == reference.view_hash()
    reference.close()


def test_read_your_writes_from_a_command_to_the_view(settings, ns, topic, tmp_path):
    from eda_lab.messages.envelope import Command
    from eda_lab.patterns.eventsourcing import ORDER, handle_command

    store = SQLiteEventStore(str(tmp_path / "orders.db"))
    relay = OutboxRelay(store, topic, settings).start(timeout_s=60)
    projector = Projector(tmp_path / "views.db", topic, ns.group("summaries"), ORDER_SUMMARIES,
                          settings).start(timeout_s=60)
    try:
        place = Command("PlaceOrder", {"orderId": "o-1", "customerId": "c-1", "total": 2500})
        result = handle_command(store, ORDER, "order-o-1", place)
        projector.wait_until_position(relay.delivery_for(result.position, timeout_s=20),
                                      timeout_s=20)
        assert [(r["order_id"], r["status"], r["total"]) for r in projector.model.rows()] == [
            ("o-1", "placed", 2500.0)]
    finally:
        assert relay.stop().stopped == "stopped"
        projector.stop()
    with pytest.raises(WaitTimeout, match="not running: call start"):
        relay.delivery_for(result.position + 1, timeout_s=0.2)


def _child(db: str, topic: str, batch_size: str, hang_at: str) -> None:
    """Relay in batches; at the ``hang_at``-th mark, after the acks, say so and hang."""
    store = SQLiteEventStore(db)
    marks = 0

    class HangBeforeMark:
        pending_outbox = staticmethod(store.pending_outbox)

        @staticmethod
        def mark_sent(row_ids):
            nonlocal marks
            marks += 1
            if marks == int(hang_at):
                print("published-not-marked", flush=True)
                sys.stdin.read()  # until killed (or the parent goes away)
            return store.mark_sent(row_ids)

    OutboxRelay(HangBeforeMark(), topic, Settings.from_env(), batch_rows=int(batch_size)).run(
        idle_s=5, timeout_s=60)


if __name__ == "__main__":
    _child(*sys.argv[1:5])
