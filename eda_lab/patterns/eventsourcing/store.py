"""What a correct event store guarantees: the contract every implementation passes.

The contract (``tests/unit/test_eventstore_contract.py`` checks each point, for every store):

1. **Stream versions.** The events of one stream have versions 1, 2, 3, ... in append order, with
   no gaps. A stream with no events is at version 0 (:data:`NO_STREAM`).
2. **Optimistic concurrency.** ``append(stream_id, events, expected_version)`` writes only if the
   stream is at ``expected_version`` (:data:`NO_STREAM`: it has no events yet; :data:`ANY`: no
   check). Otherwise it raises :class:`~eda_lab.errors.ConcurrencyConflict` naming the stream, the
   expected and the actual version, and writes nothing. A unique key on (stream id, version)
   enforces this, so of two writers racing for version n exactly one wins, whatever the isolation
   level or locking of the database.
3. **Atomic appends.** All the events of one append are stored, with their outbox rows, or none.
4. **Idempotent appends.** Event ids are unique in the store. Appending again events that are
   all stored, in that stream, consecutive and in that order (a retry of an append), writes
   nothing and returns the result of the original append (a writer that lost the reply can
   simply retry). A batch that mixes stored and new ids, or reorders or moves stored ones, is
   refused with :class:`ValueError` and writes nothing.
5. **Global position.** Every event gets a position; positions increase in commit order, so a
   reader that has read everything up to position p never later finds a new event at p or below.
   Positions may have gaps (a PostgreSQL sequence skips after a rollback): count events, not
   positions.
6. **Faithful reads.** ``read_stream``, ``read_all`` and ``find_event`` give back the envelope
   that was appended (ids, timestamps, correlation, data), upcast to the current schema version.
7. **Transactional outbox.** Each appended event gets one outbox row in the same transaction.
   ``pending_outbox`` lists the rows not yet marked sent, in position order; ``mark_sent`` is
   idempotent. Publication is at least once: a relay that crashes after publishing and before
   ``mark_sent`` publishes again, so consumers de-duplicate by event id.
8. **Snapshots apart.** Snapshots live beside the events, never instead of them: saving, replacing
   or losing a snapshot changes no event, and ``load_snapshot`` gives the newest one saved.

Nothing here depends on SQLite: a PostgreSQL store passes the same suite with a unique index on
(stream_id, version), a unique index on event_id and a position assigned under a table lock.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from ...errors import ConcurrencyConflict
from ...messages import Event
from .codec import decode

NO_STREAM: Final = 0  # the version of a stream with no events: "create it, it must not exist"


class _Any(enum.Enum):
    ANY = "any version"

    def __repr__(self) -> str:
        return "ANY"


ANY: Final = _Any.ANY  # "append whatever the stream's version": no concurrency check
ExpectedVersion = int | _Any


def check_expected(stream_id: str, expected: ExpectedVersion, actual: int | None) -> None:
    """Raise :class:`ConcurrencyConflict` unless a stream at ``actual`` is as ``expected``.

    ``actual=None`` only checks that ``expected`` is a version or :data:`ANY`.

    >>> check_expected("account-1", 2, 2)
    >>> check_expected("account-1", NO_STREAM, 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    eda_lab.errors.ConcurrencyConflict: Stream 'account-1': expected no stream yet, but it is at version 2. ...
    """
    if expected is ANY:
        return
    if type(expected) is not int or expected < 0:
        raise ValueError(f"expected_version must be a version (0 = NO_STREAM) or ANY, "
                         f"got {expected!r}")
    if actual is not None and expected != actual:  # 0 is shown as "no stream yet"
        raise ConcurrencyConflict(stream_id, expected or None, actual or None)


@dataclass(frozen=True)
class Recorded:
    """One stored event: the envelope plus where the store put it."""

    stream_id: str
    version: int  # 1, 2, 3 ... within the stream
    position: int  # global, increasing in commit order
    event: Event


@dataclass(frozen=True)
class AppendResult:
    """What an append wrote: the stream's new version and the last event's global position.

    ``position`` is None only when a command handler decided that nothing happened.
    """

    stream_id: str
    version: int
    position: int | None


@dataclass(frozen=True)
class OutboxMessage:
    """One outbox row, to publish to Kafka keyed by ``stream_id``: ``payload`` is the wire JSON."""

    id: int
    position: int
    stream_id: str
    event_id: str
    event_type: str
    payload: bytes

    @property
    def key(self) -> bytes:
        """The Kafka record key: the stream id, so one stream's events stay in order."""
        return self.stream_id.encode()

    @property
    def event(self) -> Event:
        """The envelope, as it was appended (not upcast: it goes out as it was written)."""
        return decode(self.payload, where=f"outbox/{self.id}")


@dataclass(frozen=True)
class Snapshot:
    """An aggregate's state at a stream version, saved so loading needs only the later events.

    ``state`` is a JSON object; ``schema_version`` lets an upcaster lift an old snapshot.
    """

    stream_id: str
    version: int
    snapshot_type: str
    state: dict[str, Any] = field(default_factory=dict)
    schema_version: int = 1


class EventStore(Protocol):
    """The operations every store offers; see the module docstring for what they guarantee."""

    def append(self, stream_id: str, events: Sequence[Event],
               expected_version: ExpectedVersion) -> AppendResult: ...

    def read_stream(self, stream_id: str, from_version: int = 1,
                    to_version: int | None = None) -> list[Recorded]: ...

    def read_all(self, from_position: int = 1, limit: int | None = None) -> list[Recorded]: ...

    def find_event(self, event_id: str) -> Recorded | None: ...

    def stream_version(self, stream_id: str) -> int: ...

    def last_position(self) -> int: ...

    def pending_outbox(self, limit: int = 100) -> list[OutboxMessage]: ...

    def mark_sent(self, ids: Iterable[int]) -> int: ...

    def save_snapshot(self, snapshot: Snapshot) -> None: ...

    def load_snapshot(self, stream_id: str) -> Snapshot | None: ...

    def close(self) -> None: ...
