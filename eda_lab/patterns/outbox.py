"""The outbox relay: events committed with the store's append are published to Kafka.

The store writes each event and its outbox row in one transaction, so an event that is stored
is never lost on its way out. The relay reads unsent rows in order, publishes them keyed by
stream id (one stream's events stay in one partition, in order), waits for the broker's acks,
and only then marks the rows sent. A relay that crashes between the acks and the mark publishes
those rows again when it restarts: delivery is *at least once*, and consumers de-duplicate by
``eventId`` (:class:`~eda_lab.patterns.SqliteIdempotencyStore`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections.abc import Iterable
from typing import Any, Protocol

from ..clients.producing import Delivery, EventPublisher
from ..errors import WaitTimeout
from ..messages.envelope import Event
from ..settings import Settings, get_settings
from ..waiting import wait_until
from .background import RunsInBackground
from .progress import LoopReport, StopRules

_REMEMBERED = 100_000  # deliveries kept for delivery_for(); the oldest are forgotten first


class OutboxRow(Protocol):
    """One unsent outbox row, as the event store gives it."""

    id: int
    position: int
    stream_id: str
    payload: bytes  # the event's wire JSON

    @property
    def event(self) -> Event: ...


class Outbox(Protocol):
    """The two outbox operations of an event store (``SQLiteEventStore`` has both)."""

    def pending_outbox(self, limit: int = 100) -> list[OutboxRow]: ...

    def mark_sent(self, ids: Iterable[int]) -> int: ...


class OutboxRelay(RunsInBackground):
    """Publishes a store's outbox to ``topic``, keyed by stream id, marking rows sent after acks.

    Example::

        store = SQLiteEventStore("orders.db")
        relay = OutboxRelay(store, ns.topic("orders"))
        relay.publish_pending()          # one batch now: the deliveries, in outbox order
        relay.start(); ...; relay.stop() # or keep relaying in a thread

    Parameters: ``batch_rows`` (rows per publish and mark), ``poll_s`` (how often an idle relay
    looks for new rows), ``settings``, and kafka-python producer options as keywords.
    """

    def __init__(self, store: Outbox, topic: str, settings: Settings | None = None,
                 batch_rows: int = 500, poll_s: float = 0.1, **producer_options: Any) -> None:
        super().__init__()
        self.store, self.topic, self.name = store, topic, "outbox-relay"
        self.batch_rows, self.poll_s = batch_rows, poll_s
        self.settings = settings or get_settings()
        self._producer_options = producer_options
        self._publisher: EventPublisher | None = None
        self.report = LoopReport()
        self.published: dict[int, Delivery] = {}  # store position -> where it landed on Kafka

    def publish_pending(self, limit: int | None = None) -> list[Delivery]:
        """Publish up to ``limit`` (default ``batch_rows``) unsent rows; mark them sent once
        every one is acknowledged. Returns their deliveries (empty: nothing was pending)."""
        rows = self.store.pending_outbox(limit or self.batch_rows)
        if not rows:
            return []
        if self._publisher is None:
            self._publisher = EventPublisher(self.settings, client_id="outbox-relay",
                                             **self._producer_options)
        # The payload goes out byte for byte as the store wrote it (not re-encoded, not upcast).
        deliveries = self._publisher.publish_bytes(self.topic, [
            (row.stream_id.encode(), row.payload, row.event.headers()) for row in rows])
        self.published.update((row.position, d) for row, d in zip(rows, deliveries, strict=True))
        while len(self.published) > _REMEMBERED:  # positions grow: the first key is the oldest
            del self.published[next(iter(self.published))]
        # A crash here publishes these rows again after a restart: at least once, never lost.
        marked = self.store.mark_sent(row.id for row in rows)
        r = self.report
        self.report = dataclasses.replace(r, seen=r.seen + len(rows), sent=r.sent + len(rows),
                                          handled=r.handled + marked, batches=r.batches + 1)
        return deliveries

    def delivery_for(self, position: int, timeout_s: float = 10.0) -> Delivery:
        """Where the event at store ``position`` landed on Kafka, once this relay published it.

        The first step of read-your-writes across the outbox::

            result = handle_command(store, ...)                 # AppendResult(position=...)
            projector.wait_until_position(relay.delivery_for(result.position))
        """
        def too_late() -> WaitTimeout:
            state = "running" if self.running else "not running: call start() or run()"
            return WaitTimeout(f"The relay has not published store position {position} within "
                               f"{timeout_s:g} s (it is {state}; "
                               f"{len(self.store.pending_outbox(1000))} rows wait).")

        return wait_until(lambda: self.published.get(position), timeout_s, too_late)

    def run(self, max_rows: int | None = None, idle_s: float | None = 5.0,
            timeout_s: float = 60.0) -> LoopReport:
        """Relay until ``max_rows`` are published, nothing is pending for ``idle_s``, or
        ``timeout_s`` (see :class:`StopRules`) or :meth:`stop`."""
        self._stop.clear()  # a stop asked for before this run is not meant for it
        return self._run(max_rows, idle_s, timeout_s)

    def _run(self, max_rows: int | None, idle_s: float | None, timeout_s: float) -> LoopReport:
        rules, started, last_new = StopRules(max_rows, idle_s, timeout_s), time.monotonic(), None
        self.report = LoopReport()
        try:
            while not (why := rules.reason(seen=self.report.seen, started=started,
                                           last_new=last_new or started, now=time.monotonic(),
                                           stop_requested=self._stop.is_set())):
                room = self.batch_rows if max_rows is None else min(
                    self.batch_rows, max_rows - self.report.seen)
                if self.publish_pending(room):
                    last_new = time.monotonic()
                else:
                    self._wait_for_rows(rules.poll_s(started=started, now=time.monotonic(),
                                                     last_new=last_new or started))
        finally:
            self.close()
        self.report = dataclasses.replace(self.report, stopped=why)
        return self.report

    def _wait_for_rows(self, wait_s: float) -> None:
        # Nothing new before wait_s is no error: the stop rules decide whether to look again.
        with contextlib.suppress(WaitTimeout):
            wait_until(lambda: self._stop.is_set() or self.store.pending_outbox(1), wait_s,
                       lambda: WaitTimeout("no new outbox rows"), min(self.poll_s, wait_s))

    def start(self, idle_s: float | None = None, timeout_s: float = 600.0) -> OutboxRelay:
        """Relay in a background thread until :meth:`stop` (or ``timeout_s``)."""
        self._start(max_rows=None, idle_s=idle_s, timeout_s=timeout_s)
        return self

    def close(self) -> None:
        """Close the producer (a later publish opens a new one)."""
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None
