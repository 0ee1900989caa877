"""The sample events for big-topic lessons, without a broker: valid, evenly timed, repeatable."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta, timezone

from eda_lab.analysis.samples import KINDS, sample_records
from eda_lab.messages.envelope import Event

START = datetime(2026, 11, 26, tzinfo=timezone.utc)


def test_every_sample_is_an_event_of_the_wire_shape_stamped_at_its_record_time():
    records = list(sample_records(3_000, START, timedelta(hours=1), seed=3))
    assert len(records) == 3_000
    for key, value, ms in records:
        event = Event.from_json(value)  # raises on anything the envelope's rules refuse
        wire = json.loads(value)
        assert key.decode() == wire["data"]["sessionId"] == wire["correlationId"]
        assert datetime.fromisoformat(event.timestamp) == datetime.fromtimestamp(ms / 1000, timezone.utc)
        assert (wire["data"]["amount"] is None) == (wire["eventType"] != "OrderPlaced")
    assert len({json.loads(v)["eventId"] for _, v, _ in records}) == 3_000, "ids are unique"


def test_record_times_spread_evenly_over_the_span():
    start_ms = int(START.timestamp() * 1000)
    times = [ms for _, _, ms in sample_records(1_000, START, timedelta(seconds=10))]
    assert times[0] == start_ms and times == sorted(times)
    assert times[-1] == start_ms + 9_990, "the last one is one step before the end"
    assert {b - a for a, b in zip(times, times[1:], strict=False)} == {10}


def test_the_same_seed_gives_the_same_records_and_kinds_keep_their_shares():
    first = list(sample_records(20_000, START, timedelta(days=1), seed=1))
    assert first == list(sample_records(20_000, START, timedelta(days=1), seed=1))
    assert first != list(sample_records(20_000, START, timedelta(days=1), seed=2))
    shares = Counter(json.loads(v)["eventType"] for _, v, _ in first)
    for kind, percent in KINDS.items():
        got = 100 * shares[kind] / len(first)
        assert abs(got - percent) < 1.5, f"{kind}: expected about {percent} %, got {got:.1f} %"
