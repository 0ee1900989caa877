"""The one table of wire rules: what each envelope field must hold, for every reader.

``Event.from_json`` and the DataFrame loader (:mod:`eda_lab.analysis.frames`) both judge a
record with :func:`check_envelope`, so a record is valid in a DataFrame exactly when it is
a valid event. The bulk loader reads the same :class:`FieldRule` attributes (``required``,
``kind``, ``pattern``, ``minimum``) to find suspect rows in Arrow columns, then asks
:func:`check_envelope` for the verdict.

JSON ``null`` counts as absent, for every field. That is what interoperates: the article's
Node producer leaves ``source`` and ``correlationId`` out, eda_lab writes ``"causationId":
null``, and Jackson (Java's usual JSON mapper) writes every unset field as ``null``. So an
optional field may be absent or null, and a required one may be neither.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

# Java's Instant.toString() and JS's toISOString() both match; a zone is required. [0-9], not
# \d: Python's \d also matches other scripts' digits, RE2's (Arrow's) does not.
# The groups give the parts, so one match both checks the shape and reads the date.
ISO_UTC = (r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
           r"(?:\.[0-9]{1,9})?(?:Z|[+-]([0-9]{2}):?([0-9]{2}))")
_INSTANT = re.compile(ISO_UTC)
_JSON_TYPES = {str: "a string", int: "an integer", float: "a number", bool: "true or false",
               list: "an array", dict: "an object", type(None): "null"}
OLDEST_VERSION = 1
NEWEST_VERSION = 2**31 - 1  # a Java int, as Java services read the version


@dataclass(frozen=True)
class FieldRule:
    """One envelope field: its wire name, whether it must be there, and what it may hold.

    ``kind`` is the JSON type as Python reads it (``str``, ``int`` or ``dict``); strings must
    be non-empty; ``pattern`` (a regex both Python and Arrow's RE2 read alike) must match the
    whole string; ``minimum`` and ``maximum`` bound an integer.
    """

    name: str
    required: bool
    kind: type
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    # Any value of ``kind`` but the empty string passes: check_envelope settles these inline.
    plain: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "plain", self.pattern is None and self.minimum is None
                           and self.maximum is None)

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` (None meaning absent or null), or None if it is fine."""
        if value is None:
            return "missing" if self.required else None
        if type(value) is not self.kind:  # exact: True is no version, 1.0 no integer
            return f"must be {_JSON_TYPES[self.kind]}, got {_JSON_TYPES.get(type(value), '?')}"
        if self.kind is str and not value:
            return "must be a non-empty string"
        if self.pattern:
            return _instant_problem(value)
        if self.minimum is not None and value < self.minimum:
            return f"must be {self.minimum} or more, got {value}"
        if self.maximum is not None and value > self.maximum:
            return f"must be {self.maximum} or less, got {value}"
        return None


@functools.lru_cache(maxsize=4096)  # a burst of events shares its millisecond timestamps
def _instant_problem(text: str) -> str | None:
    """What is wrong with a timestamp: not ISO-8601 with a zone, or no real instant (30 February)."""
    shape = _INSTANT.fullmatch(text)
    if shape is None:
        return f"must be an ISO-8601 time with a zone, like 2026-03-30T10:00:00Z, got {text!r}"
    y, mo, d, h, mi, s, zh, zm = shape.groups()
    try:
        datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
        if timedelta(hours=int(zh or 0), minutes=int(zm or 0)) < timedelta(hours=24):
            return None
    except ValueError:
        pass
    return f"is not a real date and time: {text!r}"


def envelope_rules(kind: str) -> tuple[FieldRule, ...]:
    """The rules for an ``"event"`` or a ``"command"``, in wire order."""
    return (
        FieldRule(f"{kind}Type", True, str),
        FieldRule(f"{kind}Id", True, str),
        FieldRule("timestamp", True, str, pattern=ISO_UTC),
        FieldRule("version", True, int, minimum=OLDEST_VERSION, maximum=NEWEST_VERSION),
        FieldRule("source", False, str),
        FieldRule("correlationId", False, str),
        FieldRule("causationId", False, str),
        FieldRule("data", True, dict),
    )


EVENT_RULES = envelope_rules("event")
COMMAND_RULES = envelope_rules("command")


def check_envelope(wire: Any, rules: tuple[FieldRule, ...] = EVENT_RULES,
                   known_versions: Mapping[str, int] | None = None) -> tuple[str | None, str] | None:
    """``(field, problem)`` for the first rule ``wire`` breaks, or None if it is a valid envelope.

    ``field`` is None when ``wire`` is not a JSON object at all. ``known_versions`` maps a type
    to the newest version this reader understands; newer versions are rejected. Unknown fields
    are ignored: adding a field is a safe change.
    """
    if type(wire) is not dict:
        return None, f"expected a JSON object, got {_JSON_TYPES.get(type(wire), '?')}"
    for rule in rules:
        value = wire.get(rule.name)
        # Most fields are a plain non-empty string or an object: settle those inline (every
        # consumer loop reads every event through here), ask the rule for everything else.
        if rule.plain and type(value) is rule.kind and value:
            continue
        problem = rule.problem(value)
        if problem:
            return rule.name, problem
    kind, version = wire[rules[0].name], wire["version"]
    newest = (known_versions or {}).get(kind)
    if newest is not None and version > newest:
        return "version", f"{kind} version {version} is newer than the newest known ({newest})"
    return None
