"""One table of wire rules: Event.from_json and the DataFrame loader give the same verdicts."""

from __future__ import annotations

import json
from collections import namedtuple

import pandas as pd
import pytest

from eda_lab.analysis.frames import records_to_frame
from eda_lab.errors import MalformedEvent
from eda_lab.messages import EVENT_RULES, Event, check_envelope

Record = namedtuple("Record", "partition offset timestamp key value headers")


def wire(**changes) -> dict:
    base = {"eventType": "OrderPlaced", "eventId": "e-1", "timestamp": "2026-11-26T12:00:00.123Z",
            "version": 1, "source": "shop", "correlationId": "req-1", "causationId": None,
            "data": {"orderId": "ord-1", "amount": 3}}
    return {k: v for k, v in {**base, **changes}.items() if v is not ...}  # ... drops a field


def raw(value) -> bytes | None:
    return value if value is None or isinstance(value, bytes) else json.dumps(value).encode()


# (sample, the field named, or None for a valid event, or "" for a value that is no object)
SAMPLES = [
    (wire(), None),
    (wire(source=None, correlationId=None, causationId=None), None),  # Jackson's nulls
    (wire(source=..., correlationId=..., causationId=...), None),  # the article's producer.js
    (wire(timestamp="2026-03-30T12:00:00+02:00", version=7, extra={"x": 1}), None),
    (wire(timestamp="2026-03-30T10:00:00.123456789Z"), None),  # Java's Instant.toString()
    (b'  {"eventType":"A","eventId":"e","timestamp":"2026-01-01T00:00:00Z","version":1,'
     b'\n "data":{}}\n', None),  # whitespace and newlines are JSON too
    (b"\xef\xbb\xbf" + raw(wire()), None),  # a UTF-8 byte order mark
    (wire(eventType=None), "eventType"), (wire(eventType=...), "eventType"),
    (wire(eventType=""), "eventType"), (wire(eventType=5), "eventType"),
    (wire(eventId=None), "eventId"), (wire(eventId=["x"]), "eventId"),
    (wire(timestamp=...), "timestamp"), (wire(timestamp=1774864800000), "timestamp"),
    (wire(timestamp="2026-11-26T12:00:00"), "timestamp"), (wire(timestamp="2026-11-26"), "timestamp"),
    (wire(timestamp="2026-13-45T12:00:00Z"), "timestamp"), (wire(timestamp="yesterday"), "timestamp"),
    (wire(timestamp="2026-11-26T12:00:00Z\n"), "timestamp"),
    (wire(version=...), "version"), (wire(version=None), "version"), (wire(version="1"), "version"),
    (wire(version=1.0), "version"), (wire(version=True), "version"), (wire(version=0), "version"),
    (wire(version=-3), "version"), (wire(version=2**31), "version"), (wire(version=2**70), "version"),
    (wire(version=2**31 - 1), None),
    (wire(source=""), "source"), (wire(source=5), "source"), (wire(correlationId=""), "correlationId"),
    (wire(correlationId=7), "correlationId"), (wire(causationId=42), "causationId"),
    (wire(causationId=""), "causationId"),
    (wire(data=...), "data"), (wire(data=None), "data"), (wire(data=[1]), "data"),
    (wire(data="{}"), "data"),
    (wire(eventType=5, version=0), "eventType"),  # the first broken rule, in wire order
    (b"not json", ""), (b'{"eventType": "A",', ""), (b"\xff\xfe{}", ""), (b"", ""),
    (b"[1, 2]", ""), (b'"OrderPlaced"', ""), (b"null", ""), (b"42", ""), (None, ""),
    (raw(wire()) + raw(wire()), ""),  # two objects in one value
]


def envelope_verdict(value) -> str | None:
    try:
        Event.from_json(raw(value), "t/0@1")
    except MalformedEvent as exc:
        return exc.field or ""
    return None


def frame_verdict(value, neighbours: int = 2) -> str | None:
    """The loader's verdict for ``value`` amid good records (the bulk path sees whole batches)."""
    values = [raw(wire())] * neighbours + [raw(value)] + [raw(wire())] * neighbours
    frame = records_to_frame([Record(0, i, 0, None, v, []) for i, v in enumerate(values)])
    errors = frame["error"]
    assert errors.drop(index=neighbours).isna().all()
    error = errors[neighbours]
    if pd.isna(error):
        return None
    head = error.split(":", 1)[0]
    return head if head in {rule.name for rule in EVENT_RULES} else ""


@pytest.mark.parametrize(("sample", "field"), SAMPLES, ids=range(len(SAMPLES)))
def test_both_readers_give_the_same_verdict(sample, field):
    assert envelope_verdict(sample) == field
    assert frame_verdict(sample) == field
    assert frame_verdict(sample, neighbours=0) == field


def test_the_table_is_in_wire_order_and_names_what_is_optional():
    assert [r.name for r in EVENT_RULES] == ["eventType", "eventId", "timestamp", "version",
                                             "source", "correlationId", "causationId", "data"]
    assert {r.name for r in EVENT_RULES if not r.required} == {"source", "correlationId",
                                                                "causationId"}


def test_known_versions_are_part_of_the_verdict():
    assert check_envelope(wire(version=2), known_versions={"OrderPlaced": 1})[0] == "version"
    assert check_envelope(wire(version=2), known_versions={"Other": 1}) is None
