"""Stored payloads are the events' wire JSON, byte for byte what the outbox relay sends to Kafka.

Reading them back is the hot path of every replay. A store only ever writes ``Event.to_json()`` of
an :class:`~eda_lab.messages.Event`, which validated itself when it was made, so a stored row in
exactly that shape is rebuilt without validating it a second time (three times faster replays).
A row in any other shape (edited by hand, written by another program) goes through
``Event.from_json`` and its full checks.
"""

from __future__ import annotations

import dataclasses
import json
import re

from ...messages import Event

# The wire name of each field is its camelCase attribute name (the envelope's rule).
_FIELDS = tuple((f.name, re.sub(r"_([a-z])", lambda m: m.group(1).upper(), f.name))
                for f in dataclasses.fields(Event))
_WIRE = frozenset(wire for _, wire in _FIELDS)
_set = object.__setattr__


def encode(event: Event) -> bytes:
    """The payload a store keeps for ``event``: its wire JSON."""
    return event.to_json()


def decode(payload: bytes | str, where: str | None = None) -> Event:
    """The event a stored payload holds.

    >>> event = Event("MoneyDeposited", {"amount": 5})
    >>> decode(encode(event)) == event
    True
    """
    d = json.loads(payload)
    if type(d) is not dict or d.keys() != _WIRE or type(d["data"]) is not dict:
        return Event.from_json(payload, where=where)
    event = object.__new__(Event)
    for attr, wire in _FIELDS:
        _set(event, attr, d[wire])
    return event
