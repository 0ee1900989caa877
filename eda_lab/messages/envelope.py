"""Events and commands as frozen dataclasses, and their JSON wire format.

On the wire an event is one JSON object in camelCase, the shape a Node or Java service writes::

    {"eventType": "OrderPlaced", "eventId": "550e8400-e29b-41d4-a716-446655440000",
     "timestamp": "2026-03-30T10:00:00.000Z", "version": 1, "source": "order-service",
     "correlationId": "req-abc123", "causationId": null, "data": {"orderId": "ord-123"}}

A command is the same with ``commandType`` and ``commandId``. Unknown fields are ignored (adding
a field is a safe schema change); ``source``, ``correlationId`` and ``causationId`` may be absent
(the article's Node producer leaves them out). Anything else wrong raises
:class:`~eda_lab.errors.MalformedEvent` naming the field and the record.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, ClassVar, TypeVar

from ..errors import MalformedEvent

UNKNOWN_SOURCE = "unknown"
_E = TypeVar("_E", bound="_Envelope")
_SHARED = (("timestamp", "timestamp"), ("version", "version"), ("source", "source"),
           ("correlation_id", "correlationId"), ("causation_id", "causationId"), ("data", "data"))
_OPTIONAL = {"source", "correlationId", "causationId"}
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once: hot path
# Java's Instant.toString() and JS's toISOString() both match; a zone is required.
_ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:?\d\d)$")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_id() -> str:
    return str(uuid.uuid4())


def _problem(wire: str, value: Any) -> str | None:
    """What is wrong with one wire field's value, or None if it is fine."""
    if wire == "version":
        if type(value) is not int:  # bool is an int subclass, but True is no version
            return f"must be an integer, got {type(value).__name__}"
        return None if value >= 1 else f"must be 1 or more, got {value}"
    if wire == "data":
        return None if isinstance(value, Mapping) else f"must be an object, got {type(value).__name__}"
    if wire == "causationId" and value is None:
        return None
    if not isinstance(value, str) or not value:
        return f"must be a non-empty string, got {value!r}"
    if wire == "timestamp" and not _ISO_UTC.match(value):
        return f"must be an ISO-8601 time with a zone, like 2026-03-30T10:00:00Z, got {value!r}"
    return None


class _Envelope:
    """What events and commands share: validation, serialisation, headers, causation."""

    _KIND: ClassVar[str]  # "event" or "command": names the type and id fields
    _FIELDS: ClassVar[tuple[tuple[str, str], ...]]  # (attribute, wire name) in wire order
    _TYPE_HEADER: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        k = cls._KIND
        cls._FIELDS = ((f"{k}_type", f"{k}Type"), (f"{k}_id", f"{k}Id"), *_SHARED)
        cls._TYPE_HEADER = f"{k}-type"

    @classmethod
    def _fields(cls) -> tuple[tuple[str, str], ...]:
        """(attribute, wire name) pairs in wire order."""
        return cls._FIELDS

    def __post_init__(self) -> None:
        if not self.correlation_id:  # a conversation starts with the message that opens it
            object.__setattr__(self, "correlation_id", getattr(self, f"{self._KIND}_id"))
        if isinstance(self.data, Mapping):
            object.__setattr__(self, "data", dict(self.data))  # later edits by the caller stay out
        for attr, wire in self._fields():
            problem = _problem(wire, getattr(self, attr))
            if problem:
                raise ValueError(f"{type(self).__name__}.{attr} {problem}")

    def _wire(self) -> dict[str, Any]:
        return {wire: getattr(self, attr) for attr, wire in self._FIELDS}

    def to_dict(self) -> dict[str, Any]:
        """The camelCase wire dict (a copy: editing it leaves the message alone)."""
        d = self._wire()
        d["data"] = dict(d["data"])
        return d

    def to_json(self) -> bytes:
        """The wire JSON, UTF-8 encoded."""
        return _ENCODER.encode(self._wire()).encode()

    def headers(self) -> list[tuple[str, bytes]]:
        """Kafka record headers, so routers can see the type without parsing the value."""
        kind = getattr(self, self._FIELDS[0][0])
        return [("content-type", b"application/json"), (self._TYPE_HEADER, kind.encode()),
                ("source", self.source.encode()), ("correlation-id", self.correlation_id.encode())]

    @classmethod
    def from_dict(cls: type[_E], d: Any, where: str | None = None,
                  known_versions: Mapping[str, int] | None = None) -> _E:
        """Read a wire dict; ``known_versions`` maps a type to the newest version understood."""
        if not isinstance(d, Mapping):
            raise MalformedEvent(f"expected a JSON object, got {type(d).__name__}", where=where)
        values: dict[str, Any] = {}
        for attr, wire in cls._fields():
            if wire not in d and wire in _OPTIONAL:
                continue
            problem = "missing" if wire not in d else _problem(wire, d[wire])
            if problem:
                raise MalformedEvent(problem, field=wire, where=where)
            values[attr] = d[wire]
        kind, version = values[f"{cls._KIND}_type"], values["version"]
        newest = (known_versions or {}).get(kind)
        if newest is not None and version > newest:
            raise MalformedEvent(f"{kind} version {version} is newer than the newest known "
                                 f"({newest})", field="version", where=where)
        values.setdefault("source", UNKNOWN_SOURCE)
        return cls(**values)

    @classmethod
    def from_json(cls: type[_E], raw: bytes | str | None, where: str | None = None,
                  known_versions: Mapping[str, int] | None = None) -> _E:
        """Read wire JSON; :class:`MalformedEvent` if it is not JSON or not a valid envelope."""
        if raw is None:
            raise MalformedEvent("the record has no value (a tombstone?)", where=where)
        try:
            d = json.loads(raw)
        except ValueError as exc:  # both JSONDecodeError and UnicodeDecodeError
            raise MalformedEvent(f"not JSON ({exc})", where=where) from exc
        return cls.from_dict(d, where, known_versions)

    def caused(self, event_type: str, data: Mapping[str, Any], source: str | None = None) -> Event:
        """A new event caused by this message: same correlation id, causation id = this id."""
        return Event(event_type, data, source=source or self.source,
                     correlation_id=self.correlation_id,
                     causation_id=getattr(self, f"{self._KIND}_id"))


@dataclass(frozen=True)
class Event(_Envelope):
    """Something that happened, named in the past tense.

    Example::

        placed = Event("OrderPlaced", {"orderId": "ord-123"}, source="order-service")
        paid = placed.caused("PaymentTaken", {"orderId": "ord-123"}, source="billing")
        Event.from_json(placed.to_json()) == placed   # True
    """

    _KIND: ClassVar[str] = "event"
    event_type: str
    data: Mapping[str, Any]
    event_id: str = field(default_factory=_new_id)
    timestamp: str = field(default_factory=_now)
    version: int = 1
    source: str = "eda-lab"
    correlation_id: str = ""  # empty means "this event's own id"
    causation_id: str | None = None


@dataclass(frozen=True)
class Command(_Envelope):
    """A request for something to happen, named in the imperative; one handler owns it."""

    _KIND: ClassVar[str] = "command"
    command_type: str
    data: Mapping[str, Any]
    command_id: str = field(default_factory=_new_id)
    timestamp: str = field(default_factory=_now)
    version: int = 1
    source: str = "eda-lab"
    correlation_id: str = ""  # empty means "this command's own id"
    causation_id: str | None = None


def decode_event(raw: bytes | str | None, where: str | None = None,
                 known_versions: Mapping[str, int] | None = None) -> Event:
    """Read an event from a record value; ``where`` is ``"topic/partition@offset"``."""
    return Event.from_json(raw, where, known_versions)
