"""What a consumer hands back: the records it read and the rebalance steps it saw.

:class:`Received` is one record with its address (``topic/partition@offset``); it decodes its
value only when asked. :class:`RebalanceEvent` is one assignment, revocation or loss, which
``_Recorder`` collects into ``EventConsumer.rebalances``.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import MalformedEvent
from ..messages.envelope import UNKNOWN_SOURCE, Command, Event, decode_event
from ._kafka import ConsumerRebalanceListener, ConsumerRecord


class _DecodedOnRead:
    """The ``headers`` field: as given, or, for a record read from Kafka, its ``raw_headers``
    decoded the first time it is read (most handlers never look: a loop makes one per record)."""

    def __get__(self, received: Any, owner: type | None = None) -> dict[str, str]:
        if received is None:
            raise AttributeError("headers")  # to dataclasses: a field without a default
        fields = received.__dict__
        found = fields.get("_headers")
        if found is None:
            found = fields["_headers"] = {k: (v or b"").decode("utf-8", "replace")
                                          for k, v in fields["raw_headers"]}
        return found

    def __set__(self, received: Any, headers: dict[str, str]) -> None:
        received.__dict__["_headers"] = headers  # only __init__ gets here: the class is frozen


@dataclass(frozen=True)
class Received:
    """One record as read from Kafka; ``.event`` decodes its value.

    ``raw_key`` and ``raw_headers`` are the bytes as stored (``key`` and ``headers`` are their
    UTF-8 readings), so a dead-letter copy can keep a record exactly as it was.
    """

    topic: str
    partition: int
    offset: int
    key: str | None
    timestamp_ms: int
    headers: dict[str, str] = _DecodedOnRead()  # type: ignore[assignment]
    value: bytes | None
    raw_key: bytes | None = field(default=None, compare=False, repr=False)
    raw_headers: tuple[tuple[str, bytes | None], ...] = field(default=(), compare=False,
                                                              repr=False)

    @property
    def where(self) -> str:
        """``topic/partition@offset``, the record's address in error messages."""
        return f"{self.topic}/{self.partition}@{self.offset}"

    @property
    def event(self) -> Event:
        """The value as an :class:`Event`; :class:`MalformedEvent` names the field and record."""
        try:
            event = decode_event(self.value)
        except MalformedEvent as exc:  # the address is spelled out only when it is needed
            raise MalformedEvent(exc.problem, field=exc.field, where=self.where) from exc.__cause__
        if event.source == UNKNOWN_SOURCE and self.headers.get("source"):
            return dataclasses.replace(event, source=self.headers["source"])
        return event

    @property
    def command(self) -> Command:
        """The value as a :class:`Command` (for command topics)."""
        return Command.from_json(self.value, self.where)

    @classmethod
    def from_record(cls, r: ConsumerRecord) -> Received:
        """Copy a kafka-python record: key and header values decoded as UTF-8."""
        received = object.__new__(cls)  # every consumer loop makes one per record: no __init__
        key, headers = r.key, r.headers
        received.__dict__.update(
            topic=r.topic, partition=r.partition, offset=r.offset,
            key=None if key is None else key.decode("utf-8", "replace"), timestamp_ms=r.timestamp,
            _headers=None, value=r.value, raw_key=key,
            raw_headers=tuple(headers) if headers else ())
        return received


@dataclass(frozen=True)
class RebalanceEvent:
    """One step of a rebalance as one consumer saw it (``kind``: assigned, revoked or lost)."""

    at: float  # time.time()
    consumer: str
    kind: str
    partitions: tuple[tuple[str, int], ...]


class _Recorder(ConsumerRebalanceListener):
    """The rebalance history of one consumer; kafka-python calls it on its network thread."""

    def __init__(self, name: str, callback: Callable[[RebalanceEvent], None] | None) -> None:
        self.name, self.callback = name, callback
        self.steps: list[RebalanceEvent] = []
        self.assigned_at: float | None = None  # time.monotonic() of the latest assignment

    def on_partitions_revoked(self, revoked: Any) -> None:
        self._add("revoked", revoked)

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.assigned_at = time.monotonic()
        self._add("assigned", assigned)

    def on_partitions_lost(self, lost: Any) -> None:
        self._add("lost", lost)

    def _add(self, kind: str, partitions: Any) -> None:
        if kind != "assigned" and not partitions:
            return  # kafka-python revokes "nothing" before every join: noise in a replay
        step = RebalanceEvent(time.time(), self.name, kind,
                              tuple(sorted((tp.topic, tp.partition) for tp in partitions)))
        self.steps.append(step)
        if self.callback:
            self.callback(step)

