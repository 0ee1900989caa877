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

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

# Java's Instant.toString() and JS's toISOString() both match; a zone is required. [0-9], not
# \d: Python's \d also matches other scripts' digits, RE2's (Arrow's) does not.
ISO_UTC = (r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?"
           r"(Z|[+-][0-9]{2}:?[0-9]{2})")
_INSTANT = re.compile(r"(\d+)-(\d+)-(\d+)T(\d+):(\d+):(\d+)(?:\.\d+)?(?:Z|[+-](\d\d):?(\d\d))")
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

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` (None meaning absent or null), or None if it is fine."""
        if value is None:
            return "missing" if self.required else None
        if type(value) is not self.kind:  # exact: True is no version, 1.0 no integer
            return f"must be {_JSON_TYPES[self.kind]}, got {_JSON_TYPES.get(type(value), '?')}"
        if self.kind is str and not value:
            return "must be a non-empty string"
        if self.pattern and not re.fullmatch(self.pattern, value):
            return f"must be an ISO-8601 time with a zone, like 2026-03-30T10:00:00Z, got {value!r}"
        if self.pattern and not _is_real_instant(value):
            return f"is not a real date and time: {value!r}"
        if self.minimum is not None and value < self.minimum:
            return f"must be {self.minimum} or more, got {value}"
        if self.maximum is not None and value > self.maximum:
            return f"must be {self.maximum} or less, got {value}"
        return None


def _is_real_instant(text: str) -> bool:
    """Whether an ISO-8601 text that has the right shape names a real instant (no 30 February)."""
    y, mo, d, h, mi, s, zh, zm = _INSTANT.fullmatch(text).groups()  # type: ignore[union-attr]
    try:
        datetime(int(y), int(mo), int(d), int(h), int(mi), int(s))
        return timedelta(hours=int(zh or 0), minutes=int(zm or 0)) < timedelta(hours=24)
    except ValueError:
        return False


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
        problem = rule.problem(wire.get(rule.name))
        if problem:
            return rule.name, problem
    kind, version = wire[rules[0].name], wire["version"]
    newest = (known_versions or {}).get(kind)
    if newest is not None and version > newest:
        return "version", f"{kind} version {version} is newer than the newest known ({newest})"
    return None
