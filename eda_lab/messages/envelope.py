"""Events and commands as frozen dataclasses, and their JSON wire format.

On the wire an event is one JSON object in camelCase, the shape a Node or Java service writes::

    {"eventType": "OrderPlaced", "eventId": "550e8400-e29b-41d4-a716-446655440000",
     "timestamp": "2026-03-30T10:00:00.000Z", "version": 1, "source": "order-service",
     "correlationId": "req-abc123", "causationId": null, "data": {"orderId": "ord-123"}}

A command is the same with ``commandType`` and ``commandId``. What each field may hold is
written once, in :mod:`eda_lab.messages.rules`: unknown fields are ignored (adding a field is a
safe schema change); ``source``, ``correlationId`` and ``causationId`` may be absent or null
(the article's Node producer leaves them out). Anything else wrong raises
:class:`~eda_lab.errors.MalformedEvent` naming the field and the record.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any, ClassVar, TypeVar

from ..errors import MalformedEvent
from .rules import FieldRule, check_envelope, envelope_rules

UNKNOWN_SOURCE = "unknown"
_E = TypeVar("_E", bound="_Envelope")
_ATTRS = ("timestamp", "version", "source", "correlation_id", "causation_id", "data")
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # built once: hot path


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_id() -> str:
    return str(uuid.uuid4())


class _Envelope:
    """What events and commands share: validation, serialisation, headers, causation."""

    _KIND: ClassVar[str]  # "event" or "command": names the type and id fields
    _RULES: ClassVar[tuple[FieldRule, ...]]  # the wire rules, in wire order
    _FIELDS: ClassVar[tuple[tuple[str, str], ...]]  # (attribute, wire name) in wire order
    _WIRE_NAMES: ClassVar[tuple[str, ...]]
    _ATTR_NAMES: ClassVar[tuple[str, ...]]
    _VALUES: ClassVar[Callable[[Any], tuple[Any, ...]]]  # the attributes' values, in wire order
    _TYPE_HEADER: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        k = cls._KIND
        cls._RULES = envelope_rules(k)
        attrs = (f"{k}_type", f"{k}_id", *_ATTRS)
        cls._FIELDS = tuple(zip(attrs, (rule.name for rule in cls._RULES), strict=True))
        cls._WIRE_NAMES = tuple(rule.name for rule in cls._RULES)
        cls._ATTR_NAMES = attrs
        cls._VALUES = attrgetter(*attrs)
        cls._TYPE_HEADER = f"{k}-type"

    @classmethod
    def _fields(cls) -> tuple[tuple[str, str], ...]:
        """(attribute, wire name) pairs in wire order."""
        return cls._FIELDS

    def __post_init__(self) -> None:
        self._normalise()
        for (attr, _), rule in zip(self._fields(), self._RULES, strict=True):
            problem = rule.problem(getattr(self, attr))
            if problem:
                raise ValueError(f"{type(self).__name__}.{attr} {problem}")

    def _normalise(self) -> None:
        if not self.correlation_id:  # a conversation starts with the message that opens it
            object.__setattr__(self, "correlation_id", getattr(self, f"{self._KIND}_id"))
        if isinstance(self.data, Mapping):
            object.__setattr__(self, "data", dict(self.data))  # later edits by the caller stay out
        if self.source is None:
            object.__setattr__(self, "source", UNKNOWN_SOURCE)

    def _wire(self) -> dict[str, Any]:
        return dict(zip(self._WIRE_NAMES, self._VALUES(self), strict=True))  # C-level: a hot path

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
        found = [("content-type", b"application/json"), (self._TYPE_HEADER, kind.encode()),
                 ("source", self.source.encode()), ("correlation-id", self.correlation_id.encode())]
        if self.causation_id:  # a saga's swimlane is drawn from headers alone
            found.append(("causation-id", self.causation_id.encode()))
        return found

    @classmethod
    def from_dict(cls: type[_E], d: Any, where: str | None = None,
                  known_versions: Mapping[str, int] | None = None) -> _E:
        """Read a wire dict; ``known_versions`` maps a type to the newest version understood."""
        if type(d) is not dict and isinstance(d, Mapping):
            d = dict(d)
        verdict = check_envelope(d, cls._RULES, known_versions)
        if verdict:
            raise MalformedEvent(verdict[1], field=verdict[0], where=where)
        # The rule table has just passed every field: build without checking them a second time
        # (reading is the hot path of every consumer loop).
        message = object.__new__(cls)
        # A frozen dataclass keeps its fields in __dict__; filling it at once skips the frozen
        # __setattr__ guard, which only stands against changes after construction.
        message.__dict__.update(zip(cls._ATTR_NAMES, map(d.get, cls._WIRE_NAMES), strict=True))
        message._normalise()
        return message

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

    >>> placed = Event("OrderPlaced", {"orderId": "ord-123"}, source="order-service")
    >>> paid = placed.caused("PaymentTaken", {"orderId": "ord-123"}, source="billing")
    >>> paid.correlation_id == placed.correlation_id, paid.causation_id == placed.event_id
    (True, True)
    >>> Event.from_json(placed.to_json()) == placed
    True
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
