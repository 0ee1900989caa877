"""A handler whose failures are parked instead of stopping the loop: retried later, or dead.

:class:`DeadLetterRouter` wraps a handler for the shared :class:`~eda_lab.patterns.HandlerLoop`.
When the handler raises, or a record is not a valid event (the loop's ``on_malformed`` hook),
the record is copied, bytes untouched, to a retry topic or the dead-letter topic with headers
saying where it came from and why (:mod:`.headers`), and **the copy is acknowledged before the
wrapped call returns**. Only then does the loop count the record as done and commit its offset.
If the copy cannot be written (the topic is missing, the broker is gone) the call raises
:class:`~eda_lab.errors.DeadLetterFailed`: the loop stops with the record uncommitted, so the
next run starts with it. Stopped, never lost.

Dead letters are at-least-once too: if the loop fails after parking a record but before its
commit, the next run parks it again. A redrive copies each dead letter once; consumers skip
a repeated event by ``eventId``.

Order (:class:`RetryPolicy`): on retry topics, a key's later records overtake its failed one.
``in_place=True`` retries inside the handler call instead (:mod:`.inplace`: a stop ends the
wait, the record stays uncommitted). ``keep_key_order=True`` keeps the retry topics and parks
a key's later records, untried, behind its record in retry (:mod:`.keyorder`); when that one
is dead-lettered at last, they go on in order (the dead letter can be redriven later).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

from ...clients.producing import EventPublisher
from ...clients.records import Received
from ...clients.topics import create_topic
from ...errors import DeadLetterFailed, EdaLabError, MalformedEvent, RetryInterrupted
from ...settings import Settings, get_settings
from ..batches import Handler, Message, Sends
from ..handler_loop import HandlerLoop
from ..idempotency import IdempotencyStore
from .forgetting import ForgetParked
from .headers import Header, attempt_of, failure_headers, origin_of, parked_behind_headers, raw_key
from .inplace import MAX_POLL_INTERVAL_MS, InPlaceWaits, check_fits
from .keyorder import Origin, ParkedKeys
from .pausing import HoldUntilDue
from .policy import RetryPolicy, Route


class DeadLetterRouter:
    """Run ``handler`` on ``topic`` in ``group``; park what fails (see the module docstring).

    Example::

        def bill(event, record):
            if event.data["amount"] < 0:
                raise NonRetryable("a negative amount")        # straight to orders.DLT
            payments.charge(event)                             # may raise: retried

        router = DeadLetterRouter(ns.topic("orders"), group=ns.group("billing"), handler=bill)
        router.create_topics(partitions=3)                     # orders.retry-1, -2, orders.DLT
        router.loop().run(idle_s=2)                            # the source topic
        router.retry_loop().run(idle_s=10)                     # the retry topics, when due

    Parameters: ``policy`` (:class:`RetryPolicy`: delays, attempts, what is not retryable,
    in place, on retry topics, keeping each key's order); ``idempotency`` (as for the loop; a
    record parked here is *not* remembered as handled, so its retry or redrive is handled);
    ``settings``. ``parked`` counts the failed records written per topic (the loop's report
    counts a parked record as handled, or malformed: done, for the loop); ``parked_behind``
    the records parked untried behind their key's record in retry; ``keys`` is that
    bookkeeping (:class:`ParkedKeys`, kept in memory: after a restart, order is kept within the
    new run only). :meth:`handle` and :meth:`malformed` also fit a :class:`HandlerLoop` of your
    own (``handler=router.handle, on_malformed=router.malformed``), but an in-place wait there
    does not hear that loop's stop: use :meth:`loop`.
    """

    def __init__(self, topic: str, *, group: str, handler: Handler,
                 policy: RetryPolicy | None = None, idempotency: IdempotencyStore | None = None,
                 settings: Settings | None = None) -> None:
        self.topic, self.group, self.handler = topic, group, handler
        self.policy = policy or RetryPolicy()
        self.settings = settings or get_settings()
        self.idempotency = None if idempotency is None else ForgetParked(idempotency)
        self.parked: Counter[str] = Counter()
        self.parked_behind: Counter[str] = Counter()
        self.keys = ParkedKeys() if self.policy.keep_key_order else None
        self._waits = InPlaceWaits(threading.Event())  # for handle() in a loop of your own
        self._publisher: EventPublisher | None = None
        self._lock = threading.Lock()

    def loop(self, **loop_options: Any) -> HandlerLoop:
        """The handler loop on the source topic (keywords go to :class:`HandlerLoop`; with
        ``in_place``, ``max_poll_interval_ms`` bounds the waits, see :mod:`.inplace`)."""
        waits = self._waits
        if self.policy.in_place:  # this loop's waits: they hear its stop and note its polls
            waits = InPlaceWaits(threading.Event(), loop_options.get(
                "max_poll_interval_ms", MAX_POLL_INTERVAL_MS), loop_options.pop("gate", None))
            check_fits(self.policy.longest_wait_s, waits.max_poll_interval_ms)
            loop_options["gate"] = waits
        loop = HandlerLoop(self.topic, group=self.group,
                           handler=lambda message, record: self._handle(message, record, waits),
                           on_malformed=self.malformed, idempotency=self.idempotency,
                           settings=self.settings, name=f"{self.group}-main", **loop_options)
        if self.policy.in_place:
            waits.stop = loop.stop_event
        return loop

    def retry_loop(self, **loop_options: Any) -> HandlerLoop:
        """One loop over every retry topic, in group ``<group>.retry``, that holds each
        partition until its next record is due (:class:`HoldUntilDue`). A held record is not
        news: give ``run`` an ``idle_s`` longer than the longest delay, or use start/stop."""
        retries = self.policy.topics(self.topic)[:-1]
        if not retries:
            raise ValueError("this policy has no retry topics (no delays, or in_place=True)")
        return HandlerLoop(*retries, group=f"{self.group}.retry", handler=self.handle,
                           on_malformed=self.malformed, idempotency=self.idempotency,
                           settings=self.settings, name=f"{self.group}-retry",
                           gate=HoldUntilDue(), **loop_options)

    @contextlib.contextmanager
    def running(self, timeout_s: float = 300.0, **loop_options: Any) -> Iterator[list[HandlerLoop]]:
        """Run :meth:`loop`, and :meth:`retry_loop` when the policy has retry topics, in the
        background for the block; leaving it stops and joins them and closes the router."""
        loops = [self.loop(**loop_options)]
        if self.policy.topics(self.topic)[:-1]:
            loops.append(self.retry_loop(**loop_options))
        for loop in loops:
            loop.start(timeout_s=timeout_s)
        try:
            yield loops
        finally:
            for loop in loops:
                loop.request_stop()  # all at once (as the sagas do); ends an in-place wait too
            try:
                for loop in loops:
                    _join(loop)
            finally:
                self.close()

    def create_topics(self, partitions: int = 1, **options: Any) -> list[str]:
        """Create this router's retry and dead-letter topics (kept if they exist)."""
        names = self.policy.topics(self.topic)
        for name in names:
            create_topic(name, partitions=partitions, settings=self.settings, **options)
        return names

    def handle(self, message: Message, record: Received) -> Sends:
        """Call the handler; on failure, park the record and return nothing (it is done).
        With ``keep_key_order``, a record whose key waits for a retry is parked behind it."""
        return self._handle(message, record, self._waits)

    def _handle(self, message: Message, record: Received, waits: InPlaceWaits) -> Sends:
        keys, origin = self.keys, None
        if keys is not None:
            origin = origin_of(record)
            behind = keys.turn(record.key, origin)
            if behind is not None:  # not its turn: behind its key's record, untried
                self._copy(record, behind.topic, parked_behind_headers(
                    record, group=self.group, behind=behind.head_where), message, self.parked_behind)
                return None
        attempt = None  # read from the headers only on a failure: the happy path is hot
        while True:
            try:
                sends = self.handler(message, record)
            except Exception as exc:  # whatever a handler raises is the handler's failure
                attempt = attempt or attempt_of(record)
                route = self.policy.route(self.topic, attempt, exc, _now_ms())
                if self.policy.in_place and route.due_ms is not None:
                    waits.until(route.due_ms, _now_ms(), record.where)  # or RetryInterrupted
                    attempt = route.attempt
                    continue
                self._park(record, exc, route, message, origin)
                return None
            if origin is not None:  # set when keeping key order
                keys.done(record.key, origin)
            return sends

    def malformed(self, record: Received, error: MalformedEvent) -> Sends:
        """The loop's ``on_malformed`` hook: bad bytes go straight to the dead-letter topic."""
        self._park(record, error, self.policy.route(self.topic, attempt_of(record), error,
                                                    _now_ms()), None)
        return None

    def close(self) -> None:
        """Close the publisher of parked records (safe twice)."""
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None

    def __enter__(self) -> DeadLetterRouter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _park(self, record: Received, error: BaseException, route: Route,
              message: Message | None, origin: Origin | None = None) -> None:
        keys = self.keys if origin is not None else None  # origin: set when keeping key order
        if keys is not None and route.due_ms is not None:
            keys.failed(record.key, origin, route.topic)  # its key waits from now on
        headers = failure_headers(record, error, group=self.group, attempt=route.attempt,
                                  due_ms=route.due_ms)
        self._copy(record, route.topic, headers, message, self.parked)
        if keys is not None and route.due_ms is None:
            keys.done(record.key, origin)  # dead-lettered: the next of its key may go

    def _copy(self, record: Received, topic: str, headers: list[Header],
              message: Message | None, counter: Counter[str]) -> None:
        """Write the record's copy and wait for the ack; done for the loop, not handled."""
        try:
            self._publishing().publish_bytes(topic, [(raw_key(record), record.value, headers)])
        except EdaLabError as exc:
            raise DeadLetterFailed(record.where, topic, exc) from exc
        with self._lock:
            counter[topic] += 1
        if message is not None and self.idempotency is not None:
            self.idempotency.forget_next(message)

    def _publishing(self) -> EventPublisher:
        with self._lock:  # the source loop and the retry loop may run in two threads
            if self._publisher is None:
                self._publisher = EventPublisher(self.settings,
                                                 client_id=f"{self.group}-dead-letters")
            return self._publisher


def _join(loop: HandlerLoop) -> None:
    """Join a loop; an in-place wait ended by our stop is that stop, not an error."""
    try:
        loop.join(timeout_s=15)
    except RetryInterrupted as exc:
        if not exc.stopped:
            raise


def _now_ms() -> int:
    return int(time.time() * 1000)

