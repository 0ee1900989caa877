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
from ...errors import DeadLetterFailed, EdaLabError, MalformedEvent
from ...settings import Settings, get_settings
from ..batches import Handler, Message, Sends
from ..handler_loop import HandlerLoop
from ..idempotency import IdempotencyStore
from .forgetting import ForgetParked
from .headers import attempt_of, failure_headers, raw_key
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
    in place or on retry topics); ``idempotency`` (as for the loop; a record parked here is
    *not* remembered as handled, so its retry or redrive is handled); ``settings``.
    ``parked`` counts the records written per topic (the loop's report counts a parked
    record as handled, or malformed: done, for the loop). :meth:`handle` and :meth:`malformed`
    also fit a :class:`HandlerLoop` of your own (``handler=router.handle,
    on_malformed=router.malformed``).
    """

    def __init__(self, topic: str, *, group: str, handler: Handler,
                 policy: RetryPolicy | None = None, idempotency: IdempotencyStore | None = None,
                 settings: Settings | None = None) -> None:
        self.topic, self.group, self.handler = topic, group, handler
        self.policy = policy or RetryPolicy()
        self.settings = settings or get_settings()
        self.idempotency = None if idempotency is None else ForgetParked(idempotency)
        self.parked: Counter[str] = Counter()
        self._publisher: EventPublisher | None = None
        self._lock = threading.Lock()

    def loop(self, **loop_options: Any) -> HandlerLoop:
        """The handler loop on the source topic (keywords go to :class:`HandlerLoop`)."""
        return HandlerLoop(self.topic, group=self.group, handler=self.handle,
                           on_malformed=self.malformed, idempotency=self.idempotency,
                           settings=self.settings, name=f"{self.group}-main", **loop_options)

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
                loop.stop()
            for loop in loops:
                loop.join(timeout_s=15)
            self.close()

    def create_topics(self, partitions: int = 1, **options: Any) -> list[str]:
        """Create this router's retry and dead-letter topics (kept if they exist)."""
        names = self.policy.topics(self.topic)
        for name in names:
            create_topic(name, partitions=partitions, settings=self.settings, **options)
        return names

    def handle(self, message: Message, record: Received) -> Sends:
        """Call the handler; on failure, park the record and return nothing (it is done)."""
        attempt = None  # read from the headers only on a failure: the happy path is hot
        while True:
            try:
                return self.handler(message, record)
            except Exception as exc:  # whatever a handler raises is the handler's failure
                attempt = attempt or attempt_of(record)
                route = self.policy.route(self.topic, attempt, exc, _now_ms())
                if self.policy.in_place and route.due_ms is not None:
                    # Blocking here keeps the key's order; it must stay under max_poll_interval_ms.
                    time.sleep(max(0.0, (route.due_ms - _now_ms()) / 1000))
                    attempt = route.attempt
                    continue
                self._park(record, exc, route, message)
                return None

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
              message: Message | None) -> None:
        headers = failure_headers(record, error, group=self.group, attempt=route.attempt,
                                  due_ms=route.due_ms)
        try:
            self._publishing().publish_bytes(route.topic, [(raw_key(record), record.value, headers)])
        except EdaLabError as exc:
            raise DeadLetterFailed(record.where, route.topic, exc) from exc
        with self._lock:
            self.parked[route.topic] += 1
        if message is not None and self.idempotency is not None:
            self.idempotency.forget_next(message)

    def _publishing(self) -> EventPublisher:
        with self._lock:  # the source loop and the retry loop may run in two threads
            if self._publisher is None:
                self._publisher = EventPublisher(self.settings,
                                                 client_id=f"{self.group}-dead-letters")
            return self._publisher


def _now_ms() -> int:
    return int(time.time() * 1000)

