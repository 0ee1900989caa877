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
_SCAN = json.JSONDecoder().scan_once  # the C scanner json.loads itself ends in


def parse_json(raw: bytes | str) -> Any:
    """``json.loads(raw)``, the same result or the same error, in about half the time.

    ``json.loads`` spends as long finding the encoding and skipping whitespace as parsing a
    small event. A UTF-8 value that starts with its first token and ends with its last one (what
    every producer here and the article's sends) goes straight to the C scanner; anything else
    (whitespace around it, another encoding, an error to report) takes ``json.loads``.

    >>> parse_json(b'{"a": [1, 2.5, null]}'), parse_json(b' {"a": 1}\\n')
    ({'a': [1, 2.5, None]}, {'a': 1})
    """
    try:
        text = raw.decode() if type(raw) is bytes else raw
        if type(text) is str:
            found, end = _SCAN(text, 0)
            if end == len(text):
                return found
    except (StopIteration, ValueError):  # no value at 0, or a bad one: json.loads says which
        pass
    return json.loads(raw)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_id() -> str:
    return str(uuid.uuid4())


class _Envelope:
    """What events and commands share: validation, serialisation, headers, causation."""

    _KIND: ClassVar[str]  # "event" or "command": names the type and id fields
    _RULES: ClassVar[tuple[FieldRule, ...]]  # the wire rules, in wire order
    _WIRE_NAMES: ClassVar[tuple[str, ...]]  # in wire order
    _ATTR_NAMES: ClassVar[tuple[str, ...]]  # the attribute of each wire name
    _VALUES: ClassVar[Callable[[Any], tuple[Any, ...]]]  # the attributes' values, in wire order
    _TYPE_HEADER: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        k = cls._KIND
        cls._RULES = envelope_rules(k)
        attrs = (f"{k}_type", f"{k}_id", *_ATTRS)
        cls._WIRE_NAMES = tuple(rule.name for rule in cls._RULES)
        cls._ATTR_NAMES = attrs
        cls._VALUES = attrgetter(*attrs)
        cls._TYPE_HEADER = f"{k}-type"

    def __post_init__(self) -> None:
        self._normalise()
        for attr, rule in zip(self._ATTR_NAMES, self._RULES, strict=True):
            problem = rule.problem(getattr(self, attr))
            if problem:
                raise ValueError(f"{type(self).__name__}.{attr} {problem}")

    def _normalise(self, copy_data: bool = True) -> None:
        # Straight into __dict__, where a frozen dataclass keeps its fields: the frozen
        # __setattr__ guard stands only against changes after construction.
        fields = self.__dict__
        if not fields["correlation_id"]:  # a conversation starts with the message that opens it
            fields["correlation_id"] = fields[f"{self._KIND}_id"]
        if copy_data and isinstance(fields["data"], Mapping):
            fields["data"] = dict(fields["data"])  # later edits by the caller stay out
        if fields["source"] is None:
            fields["source"] = UNKNOWN_SOURCE

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
        kind = getattr(self, self._ATTR_NAMES[0])
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
        return cls._checked(d, where, known_versions, copy_data=True)

    @classmethod
    def _checked(cls: type[_E], d: Any, where: str | None, known_versions: Mapping[str, int] | None,
                 copy_data: bool) -> _E:
        verdict = check_envelope(d, cls._RULES, known_versions)
        if verdict:
            raise MalformedEvent(verdict[1], field=verdict[0], where=where)
        # The rule table has just passed every field: build without checking them a second time
        # (reading is the hot path of every consumer loop).
        message = object.__new__(cls)
        message.__dict__.update(zip(cls._ATTR_NAMES, map(d.get, cls._WIRE_NAMES), strict=True))
        message._normalise(copy_data)  # parsed JSON is ours alone: no copy of its data needed
        return message

    @classmethod
    def from_json(cls: type[_E], raw: bytes | str | None, where: str | None = None,
                  known_versions: Mapping[str, int] | None = None) -> _E:
        """Read wire JSON; :class:`MalformedEvent` if it is not JSON or not a valid envelope."""
        if raw is None:
            raise MalformedEvent("the record has no value (a tombstone?)", where=where)
        try:
            d = parse_json(raw)
        except ValueError as exc:  # both JSONDecodeError and UnicodeDecodeError
            raise MalformedEvent(f"not JSON ({exc})", where=where) from exc
        return cls._checked(d, where, known_versions, copy_data=False)

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
