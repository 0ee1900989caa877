"""Stored payloads: the wire JSON in, the same Event out (fast path and validated path agree)."""

from __future__ import annotations

import json

import pytest

from eda_lab.errors import MalformedEvent
from eda_lab.messages import Event
from eda_lab.patterns.eventsourcing.codec import decode, encode

OPENED = Event("AccountOpened", {"owner": "Zoë ✓", "initialBalance": 0, "tags": ["a", {"b": None}]},
               source="bank", timestamp="2026-03-30T10:00:00.123456789+02:00", version=3)
EVENTS = [OPENED, OPENED.caused("MoneyDeposited", {"amount": 5}), Event("Empty", {})]


@pytest.mark.parametrize("event", EVENTS)
def test_a_payload_decodes_to_the_event_it_encodes(event):
    assert encode(event) == event.to_json()
    decoded = decode(encode(event))
    assert decoded == event == Event.from_json(encode(event))
    assert decoded.to_json() == event.to_json() and hash(decoded.event_id) == hash(event.event_id)


def test_a_payload_in_another_shape_is_fully_checked():
    wire = OPENED.to_dict()
    del wire["source"]  # the article's Node producer leaves it out: valid, but not our shape
    assert decode(json.dumps(wire)).source == Event.from_dict(wire).source
    wire["version"] = "two"
    wire["extra"] = 1
    with pytest.raises(MalformedEvent, match="version.*account-1@4"):
        decode(json.dumps(wire), where="account-1@4")
