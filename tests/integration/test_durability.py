"""Durability kept: with acks=all and idempotence, every event the broker acknowledged before a
SIGKILL is there after a restart, exactly once. Runs its own broker in a temporary folder."""

from __future__ import annotations

import os
import signal
import threading
import warnings
from collections import Counter

import pytest

from eda_lab.clients import EventPublisher, consume, create_topic, end_offsets
from eda_lab.errors import EdaLabError
from eda_lab.local_kafka.broker import LocalBroker, free_port
from eda_lab.messages import Event
from eda_lab.settings import Settings
from tests.helpers import wait_for

pytestmark = pytest.mark.slow

EVENTS, BATCH, KILL_AFTER = 4000, 100, 1500


def test_acknowledged_events_survive_a_sigkill_exactly_once(tmp_path):
    broker = LocalBroker(home=tmp_path / "broker", port=free_port())
    status = broker.start()
    settings = Settings(bootstrap=status.bootstrap)
    try:
        create_topic("orders", partitions=3, settings=settings)
        acked: dict[str, tuple[int, int]] = {}  # eventId -> (partition, offset)
        killer = threading.Thread(target=os.kill, args=(status.pid, signal.SIGKILL))
        events = [(f"order-{i % 50}", Event("OrderPlaced", {"seq": i})) for i in range(EVENTS)]
        failure = None
        with warnings.catch_warnings():  # closing warns of the batch in flight at the kill
            warnings.simplefilter("ignore", RuntimeWarning)
            publisher = EventPublisher(settings, linger_ms=5)
            for start in range(0, EVENTS, BATCH):
                if len(acked) >= KILL_AFTER and killer.ident is None:
                    killer.start()  # dies while the next batches are in flight
                batch = events[start:start + BATCH]
                try:
                    deliveries = publisher.publish_many("orders", batch, timeout_s=5)
                except EdaLabError as exc:
                    failure = exc
                    break
                acked.update((e.event_id, (d.partition, d.offset))
                             for (_, e), d in zip(batch, deliveries, strict=True))
            publisher.close(timeout_s=1)
        killer.join(10)
        assert failure is not None, "the broker was killed, yet every batch was acknowledged"
        assert KILL_AFTER <= len(acked) < EVENTS

        wait_for(lambda: not broker.status().running, "the killed broker to be gone")
        broker.start(timeout_s=90)
        total = wait_for(lambda: _stored(settings), "the partitions to answer after the restart")
        got = consume("orders", max_events=total, idle_s=10, timeout_s=60, settings=settings)
    finally:
        broker.stop()

    assert len(got) == total
    counts = Counter(r.event.event_id for r in got)
    assert [i for i, n in counts.items() if n > 1] == []  # idempotence: no duplicates at all
    missing = [i for i in acked if i not in counts]
    assert missing == [], f"{len(missing)} acknowledged events lost"
    where = {r.event.event_id: (r.partition, r.offset) for r in got}
    assert all(where[i] == at for i, at in acked.items())  # where the broker said it stored them


def _stored(settings: Settings) -> int | None:
    """How many records the topic holds, once every partition's leader answers again."""
    try:
        return sum(end_offsets("orders", settings).values()) or None
    except EdaLabError:
        return None
