"""The consume, handle, produce, commit loop that every pattern here runs on.

For each batch of records: decode each one, skip those the idempotency store has seen, call
the handler, publish what it returns and **wait for the broker's acks**, remember the handled
ids, and only then **commit** the offsets. That order gives *at-least-once* processing:

- a crash before the commit re-delivers the batch to the next run, so the handler runs again
  for events whose results may already be published: effects must be idempotent (or use an
  :class:`~eda_lab.patterns.IdempotencyStore`), and consumers downstream skip duplicates by
  ``eventId``;
- nothing is committed that was not handled and acknowledged, so nothing is lost;
- a handler that raises stops the loop; the records handled before it are committed, the
  failing one is not, so the next run starts with it.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from ..clients.consuming import EventConsumer
from ..clients.producing import EventPublisher
from ..clients.records import RebalanceEvent, Received
from ..collector import collector_held
from ..settings import Settings, get_settings
from .background import RunsInBackground
from .batches import BatchHandler, Handler, MalformedHandler, Message, as_event, handle_batch
from .idempotency import IdempotencyStore
from .progress import LoopReport, StopRules, next_offsets

Gate = Callable[[EventConsumer, list[Received]], list[Received]]


class HandlerLoop(RunsInBackground):
    """Consume ``topics`` in ``group``, call a handler per event (or per batch), publish what it
    returns, wait for the acks, then commit. It always ends by itself (see :class:`StopRules`).

    Example::

        def bill(event, record):
            if event.event_type == "OrderPlaced":
                return [Send(ns.topic("payments"), event.caused("PaymentRequested", event.data),
                             key=record.key)]

        loop = HandlerLoop(ns.topic("orders"), group=ns.group("billing"), handler=bill)
        report = loop.run(idle_s=2)         # or loop.start(); ...; loop.stop(); loop.join()

    Parameters: ``handler(message, record)`` or ``batch_handler([(message, record), ...])``
    (exactly one; each returns :class:`Send` objects or None); ``group`` (None: read every
    partition, commit nothing); ``idempotency`` (skip message ids handled before);
    ``on_malformed(record, error)`` for records that are not valid messages (it may return
    sends, e.g. to a dead-letter topic; without it a malformed record stops the loop,
    uncommitted); ``decode`` (default ``record.event``; ``lambda r: r.command`` for commands);
    ``start_from(topic, partition)``: an offset kept outside Kafka, sought when the partition is
    assigned; ``on_rebalance(step)`` (both called on kafka-python's network thread: keep them
    quick; without a group, one "assigned" step comes at the start); ``batch_size``;
    ``gate(consumer, records)``: called after every read, returns the records to handle now
    (e.g. :class:`~eda_lab.patterns.deadletters.HoldUntilDue` seeks back to a record not due
    yet and pauses its partition); other keywords go to :class:`~eda_lab.clients.EventConsumer`.
    """

    def __init__(self, *topics: str, group: str | None, handler: Handler | None = None,
                 batch_handler: BatchHandler | None = None,
                 idempotency: IdempotencyStore | None = None,
                 on_malformed: MalformedHandler | None = None,
                 decode: Callable[[Received], Message] = as_event,
                 start_from: Callable[[str, int], int | None] | None = None,
                 settings: Settings | None = None, name: str = "handler-loop",
                 batch_size: int = 500,
                 on_rebalance: Callable[[RebalanceEvent], None] | None = None,
                 gate: Gate | None = None,
                 **consumer_options: Any) -> None:
        if (handler is None) == (batch_handler is None):
            raise ValueError("give exactly one of handler=... or batch_handler=...")
        super().__init__()
        self.topics, self.group, self.name = topics, group, name
        self._handling = {"handler": handler, "batch_handler": batch_handler,
                          "idempotency": idempotency, "on_malformed": on_malformed,
                          "decode": decode}
        self.start_from, self.batch_size = start_from, batch_size
        self.settings = settings or get_settings()
        self._consumer_options = consumer_options
        self.report = LoopReport()
        self._consumer: EventConsumer | None = None
        self._publisher: EventPublisher | None = None
        self._on_rebalance_too = on_rebalance
        self.gate = gate
        self._until: Callable[[], bool] | None = None
        self._assigned_at: float | None = None

    def run(self, max_events: int | None = None, idle_s: float | None = 5.0,
            timeout_s: float = 60.0, until: Callable[[], bool] | None = None) -> LoopReport:
        """Run in this thread until a stop rule, :meth:`stop`, or ``until()`` is true (stopped
        ``done``; e.g. ``until=stop_event.is_set`` for a threading.Event behind a button)."""
        self._stop.clear()  # a stop asked for before this run is not meant for it
        return self._run(max_events, idle_s, timeout_s, until)

    def _run(self, max_events: int | None, idle_s: float | None, timeout_s: float,
             until: Callable[[], bool] | None = None) -> LoopReport:
        rules = StopRules(max_events, idle_s, timeout_s)
        self._until = until
        self.report, self._assigned_at = LoopReport(), None
        try:
            with EventConsumer(*self.topics, group=self.group, settings=self.settings,
                               name=self.name, auto_commit=False,
                               on_rebalance=self._on_rebalance, **self._consumer_options,
                               ) as consumer:
                why = self._until_stopped(rules, consumer)
        except BaseException:
            self.report = dataclasses.replace(self.report, stopped="error")
            raise
        finally:
            self._consumer = None
            if self._publisher is not None:  # made on the first send: a reader needs none
                self._publisher.close()
                self._publisher = None
        self.report = dataclasses.replace(self.report, stopped=why)
        return self.report

    def start(self, max_events: int | None = None, idle_s: float | None = None,
              timeout_s: float = 300.0) -> HandlerLoop:
        """Run in a background thread (for notebooks) until :meth:`stop` or a stop rule."""
        self._start(max_events=max_events, idle_s=idle_s, timeout_s=timeout_s)
        return self

    def _until_stopped(self, rules: StopRules, consumer: EventConsumer) -> str:
        self._consumer, started, last_new, busy = consumer, time.monotonic(), None, False
        if self.group is None:  # assigned at once: no rebalance callback will seek
            self._on_rebalance(RebalanceEvent(time.time(), self.name, "assigned",
                                              tuple(sorted(consumer.assignment()))))
        while True:
            now = time.monotonic()
            fresh = max(last_new or 0.0, self._assigned_at or 0.0) or None
            why = rules.reason(seen=self.report.seen, started=started, last_new=fresh, now=now,
                               stop_requested=self._stop.is_set())
            if why:
                return why
            if self._until is not None and self._until():
                return "done"
            wait = rules.poll_s(started=started, last_new=fresh, now=now)
            room = self.batch_size if rules.max_events is None else min(
                self.batch_size, rules.max_events - self.report.seen)
            # The collector is held while records are in hand (see eda_lab.collector): for the
            # read too while records keep coming (the last read was full), not while waiting.
            with ExitStack() as hold:
                if busy:
                    hold.enter_context(collector_held())
                records = consumer.read(max_events=room, idle_s=min(wait, 0.1), timeout_s=wait)
                if not busy:
                    hold.enter_context(collector_held())
                busy = len(records) >= room
                if self.gate is not None:  # called when nothing came too, e.g. to resume a partition
                    records = self.gate(consumer, records)
                if records:
                    last_new = time.monotonic()
                    self._batch(consumer, records)
                del records  # freed inside the hold, not promoted by the next collection

    @property
    def joined(self) -> bool:
        """Whether the running loop has been given its partitions (and may now be idle)."""
        return self._consumer is not None and self._assigned_at is not None

    def _on_rebalance(self, step: RebalanceEvent) -> None:
        if step.kind == "assigned":
            self._assigned_at = time.monotonic()
            if self.start_from is not None and self._consumer is not None:
                for topic, partition in step.partitions:
                    offset = self.start_from(topic, partition)
                    if offset is not None:
                        self._consumer.seek(topic, partition, offset)
        if self._on_rebalance_too is not None:
            self._on_rebalance_too(step)

    def _batch(self, consumer: EventConsumer, records: list[Received]) -> None:
        outcome = handle_batch(records, **self._handling)
        by_topic: dict[str, list[tuple[str | None, Message]]] = {}
        for send in outcome.sends:
            by_topic.setdefault(send.topic, []).append((send.key, send.message))
        for topic, items in by_topic.items():
            if self._publisher is None:
                self._publisher = EventPublisher(self.settings, client_id=f"{self.name}-producer")
            self._publisher.publish_many(topic, items)  # returns once every record is acknowledged
        idempotency = self._handling["idempotency"]
        if idempotency is not None:
            idempotency.remember(mid for _, mid in outcome.done if mid is not None)
        committed: dict[tuple[str, int], int] = {}
        if self.group is not None and outcome.done:
            # Exactly what was handled, not the consumer's position (a gate or an error may
            # leave records read but unhandled); and only partitions this member still owns.
            owned = consumer.assignment()
            committed = {w: o for w, o in next_offsets(r for r, _ in outcome.done).items()
                         if w in owned}
            if committed:
                consumer.commit(offsets=committed)  # every partition in one request
        r = self.report
        self.report = dataclasses.replace(
            r, seen=r.seen + len(records), handled=r.handled + outcome.handled,
            duplicates=r.duplicates + outcome.duplicates, malformed=r.malformed + outcome.malformed,
            sent=r.sent + len(outcome.sends), batches=r.batches + 1,
            committed={**r.committed, **committed})
        if outcome.error is not None:
            raise outcome.error
