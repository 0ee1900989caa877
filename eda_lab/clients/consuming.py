"""Reading events: a consumer that always stops by itself, alone or in a consumer group.

Without a group the consumer is assigned every partition of its topics directly and commits
nothing. With a group, Kafka shares the partitions among the group's members and remembers each
group's committed position, so every group sees every event and each member sees its share.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping
from contextlib import suppress
from typing import Any

from ..settings import Settings, get_settings
from ._kafka import (
    KafkaConsumer,
    OffsetAndMetadata,
    TopicPartition,
    close_consumer,
    connect,
    kafka_errors,
)
from .assigning import attach, require_assigned
from .records import RebalanceEvent, Received, _Recorder

_APPEAR_GRACE_S = 1.0  # a topic created a moment ago may not be in the metadata yet
# kafka-python's 45 s session would leave a dead notebook consumer in its group for 45 s.
_DEFAULTS = {"session_timeout_ms": 10_000, "heartbeat_interval_ms": 3_000}
_CLOSE_S, _CLOSE_AFTER_ERROR_S = 5.0, 2.0  # leaving the group; after an error, Kafka may be gone


class EventConsumer:
    """A kafka-python consumer whose ``read`` stops after N events, when idle, or at a timeout.

    Example::

        with EventConsumer(ns.topic("orders"), group=ns.group("billing")) as consumer:
            for received in consumer.read(max_events=10):
                print(received.key, received.event.event_type)

    Parameters: ``group`` (None: read every partition directly, commit nothing),
    ``from_beginning`` (with no committed offset, start at the earliest record, else only read
    records that arrive from now on), ``auto_commit`` (False: call :meth:`commit` yourself),
    ``name`` (client id, and the name in rebalance records), ``timeout_s`` (for connecting and
    finding the topics), and any kafka-python consumer option as a keyword, e.g.
    ``heartbeat_interval_ms=500``. A missing topic raises :class:`TopicNotFound`.

    Rebalances: each assignment, revocation or loss this member sees is appended to
    ``consumer.rebalances`` as a :class:`RebalanceEvent` ``(at, consumer, kind, partitions)``
    and passed to ``on_rebalance`` if given, on kafka-python's network thread (keep it quick).
    Members hear of a rebalance by heartbeat (every 3 s) and rejoin only inside :meth:`read`,
    so run the members of one group in threads. :meth:`close` leaves the group at once.
    """

    def __init__(self, *topics: str, group: str | None = None, from_beginning: bool = True,
                 auto_commit: bool = True, settings: Settings | None = None,
                 name: str = "consumer", on_rebalance: Callable[[RebalanceEvent], None] | None = None,
                 timeout_s: float = 10.0, **consumer_overrides: Any) -> None:
        if not topics:
            raise ValueError("name at least one topic to consume")
        self.settings = settings or get_settings()
        self.topics, self.group, self.name = topics, group, name
        self.auto_commit = auto_commit and group is not None
        self._recorder = _Recorder(name, on_rebalance)
        self.rebalances = self._recorder.steps
        config = {**_DEFAULTS, "group_id": group, "client_id": name,
                  "enable_auto_commit": self.auto_commit,
                  "auto_offset_reset": "earliest" if from_beginning else "latest",
                  "bootstrap_timeout_ms": int(timeout_s * 1000), **consumer_overrides}
        self.consumer = connect(KafkaConsumer, self.settings, timeout_s, **config)
        self._closed = False
        try:
            with self._errors(f"subscribing to {', '.join(topics)}", timeout_s):
                attach(self.consumer, topics, group, self._recorder,
                       min(timeout_s, _APPEAR_GRACE_S))
        except BaseException:
            self._shut(False, _CLOSE_AFTER_ERROR_S)
            raise

    def __enter__(self) -> EventConsumer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        if exc_type is None:
            self.close()
        else:  # do not auto-commit records that may not have been processed
            self._shut(False, _CLOSE_AFTER_ERROR_S)

    def read(self, max_events: int | None = None, idle_s: float = 2.0,
             timeout_s: float = 30.0) -> list[Received]:
        """Read until ``max_events``, ``idle_s`` without anything new, or ``timeout_s``.

        A group member is idle only once it has joined; a rebalance restarts the idle clock.
        Interrupting the kernel (KeyboardInterrupt) returns what was read so far.
        """
        got: list[Received] = []
        last_new = time.monotonic()
        deadline = last_new + timeout_s
        try:
            while max_events is None or len(got) < max_events:
                now, assigned_at = time.monotonic(), self._recorder.assigned_at
                if self.group is not None and assigned_at is None:
                    ends = deadline  # still joining the group: not idle yet
                else:  # idle counts from the latest record or (re)assignment
                    ends = min(deadline, max(last_new, assigned_at or 0.0) + idle_s)
                if now >= ends:
                    break
                with self._errors("reading", timeout_s):
                    batch = self.consumer.poll(
                        timeout_ms=max(1, int(min(ends - now, 0.5) * 1000)),
                        max_records=None if max_events is None else max_events - len(got))
                for records in batch.values():
                    got.extend(map(Received.from_record, records))
                if batch:
                    last_new = time.monotonic()
        except KeyboardInterrupt:
            pass  # the learner pressed stop: keep what has been read
        return got

    def commit(self, upto: Received | None = None, timeout_s: float = 10.0,
               offsets: Mapping[tuple[str, int], int] | None = None) -> None:
        """Commit the group's position: all read so far, up to and including ``upto``, or
        ``offsets`` (the next offset to read per ``(topic, partition)``, all in one request)."""
        if self.group is None:
            raise ValueError("commit() needs a group: create the consumer with group=...")
        if upto is not None and offsets is not None:
            raise ValueError("commit() takes upto= or offsets=, not both")
        if upto is not None:
            offsets = {(upto.topic, upto.partition): upto.offset + 1}
        wanted = None if offsets is None else {
            TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in offsets.items()}
        with self._errors(f"committing for group {self.group!r}", timeout_s):
            self.consumer.commit(wanted, timeout_ms=int(timeout_s * 1000))

    def assignment(self) -> set[tuple[str, int]]:
        """The (topic, partition) pairs this consumer reads now."""
        return {(tp.topic, tp.partition) for tp in self.consumer.assignment()}

    def position(self, topic: str, partition: int) -> int:
        """The offset of the next record this consumer will read from that partition."""
        require_assigned(self.assignment(), topic, partition)
        with self._errors(f"finding the position on {topic}/{partition}", 10.0, topic=topic):
            return self.consumer.position(TopicPartition(topic, partition), timeout_ms=10_000)

    def seek(self, topic: str, partition: int, offset: int) -> None:
        """Read that (assigned) partition from ``offset`` next: for offsets kept outside Kafka,
        e.g. a projection's checkpoint; call it from ``on_rebalance`` when partitions arrive."""
        require_assigned(self.assignment(), topic, partition)
        with self._errors(f"seeking on {topic}/{partition}", 0.0, topic=topic):
            self.consumer.seek(TopicPartition(topic, partition), offset)

    def pause(self, topic: str, partition: int) -> None:
        """Fetch nothing more from that (assigned) partition until :meth:`resume`; the group
        membership stays, so no rebalance (e.g. a retry topic holding a record not due yet)."""
        require_assigned(self.assignment(), topic, partition)
        self.consumer.pause(TopicPartition(topic, partition))

    def resume(self, topic: str, partition: int) -> None:
        """Fetch from a paused partition again (a partition no longer assigned is ignored)."""
        # kafka-python raises KeyError for a partition a rebalance has just taken away.
        with suppress(KeyError):
            self.consumer.resume(TopicPartition(topic, partition))

    def paused(self) -> set[tuple[str, int]]:
        """The (topic, partition) pairs paused now; a rebalance forgets pauses."""
        return {(tp.topic, tp.partition) for tp in self.consumer.paused()}

    def close(self) -> None:
        """Auto-commit if on, leave the group (the others rebalance at once), close; safe twice.

        Never raises: with the broker gone it gives up within a few seconds, and warns once
        if the last commit failed (its records since the previous commit will be read again)."""
        self._shut(self.auto_commit, _CLOSE_S)

    def _shut(self, autocommit: bool, timeout_s: float) -> None:
        if self._closed:
            return
        self._closed = True
        failed = close_consumer(self.consumer, autocommit, timeout_s)
        if failed:
            warnings.warn(f"Consumer {self.name!r} could not commit its position in group "
                          f"{self.group!r} while closing ({failed}): the group will read the "
                          "records since its last commit again.", RuntimeWarning, stacklevel=3)

    def _errors(self, doing: str, timeout_s: float, topic: str | None = None) -> Any:
        return kafka_errors(self.settings, doing, timeout_s, topic=topic, group=self.group)


def consume(*topics: str, group: str | None = None, from_beginning: bool = True,
            max_events: int | None = None, idle_s: float = 2.0, timeout_s: float = 30.0,
            settings: Settings | None = None) -> list[Received]:
    """Open a consumer, read, commit (with a group) and close.

    >>> from eda_lab import Event, publish
    >>> for order in ("ord-1", "ord-2"):
    ...     _ = publish(ns.topic("orders"), Event("OrderPlaced", {"orderId": order}), key=order)
    >>> got = consume(ns.topic("orders"), max_events=2)
    >>> sorted((r.key, r.partition, r.event.event_type) for r in got)  # no order across partitions
    [('ord-1', 0, 'OrderPlaced'), ('ord-2', 1, 'OrderPlaced')]
    """
    with EventConsumer(*topics, group=group, from_beginning=from_beginning, auto_commit=False,
                       settings=settings) as consumer:
        got = consumer.read(max_events, idle_s, timeout_s)
        if group is not None:
            consumer.commit()
    return got
