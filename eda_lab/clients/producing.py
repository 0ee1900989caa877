"""Publishing events and commands: keyed JSON records, acknowledged by the broker.

The producer runs with ``acks='all'`` (the broker answers only once every in-sync replica has
the record) and idempotence (a retry after a lost answer never writes a duplicate). Keys are
strings sent as UTF-8 and choose the partition as in :func:`eda_lab.clients.partitioning.partition_for`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any

from ..collector import collector_held
from ..errors import TopicNotFound
from ..messages.envelope import Command, Event
from ..settings import Settings, get_settings
from ..waiting import wait_until
from ._kafka import (
    FutureRecordMetadata,
    KafkaProducer,
    admin_session,
    close_producer,
    closed_quietly_at_exit,
    connect,
    kafka_errors,
    topic_metadata,
)
from .delivery import Delivery, Unacknowledged

Header = tuple[str, bytes]
# A topic created a moment ago may not be in the broker's metadata yet; wait this long for it.
_APPEAR_GRACE_S = 1.0
# After an error the broker is likely gone: waiting the full close timeout would only delay it.
_CLOSE_AFTER_ERROR_S = 2.0
_DEFAULTS: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,
    "client_id": "eda-lab-producer",
    "bootstrap_timeout_ms": 10_000,
    "max_block_ms": 10_000,  # kafka-python's 60 s would freeze a notebook cell for a minute
}


def make_producer(settings: Settings | None = None, **overrides: Any) -> KafkaProducer:
    """A kafka-python producer with acks='all' and idempotence; keys and values are bytes."""
    settings = settings or get_settings()
    return closed_quietly_at_exit(connect(KafkaProducer, settings, 10.0,
                                          **{**_DEFAULTS, **overrides}))


class EventPublisher:
    """Publishes events (or commands) to topics and waits for the broker's acknowledgement.

    >>> with EventPublisher() as publisher:
    ...     placed = Event("OrderPlaced", {"orderId": "ord-123"}, source="order-service")
    ...     delivery = publisher.publish(ns.topic("orders"), placed, key="ord-123")
    >>> delivery.partition, delivery.offset  # a new topic of 3 partitions
    (2, 0)

    Parameters: ``settings`` (default: from the environment), ``close_timeout_s`` (how long
    closing waits for unacknowledged records; 2 s at most after an error) and any kafka-python
    producer option as a keyword, e.g. ``linger_ms=5``. A missing topic raises
    :class:`TopicNotFound` within about a second: the broker never creates topics by itself here.
    """

    def __init__(self, settings: Settings | None = None, *, close_timeout_s: float = 10.0,
                 **producer_overrides: Any) -> None:
        self.settings = settings or get_settings()
        self.close_timeout_s = close_timeout_s
        self.producer = make_producer(self.settings, **producer_overrides)
        self._max_block_s = {**_DEFAULTS, **producer_overrides}["max_block_ms"] / 1000
        self._known_topics: set[str] = set()
        self._unacked = Unacknowledged()
        self._closed = False

    def __del__(self) -> None:
        # kafka-python's own __del__ prints a traceback when records are pending: close first.
        with suppress(Exception):
            self.close(timeout_s=1.0)

    def __enter__(self) -> EventPublisher:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *exc: object) -> None:
        failed = exc_type is not None
        self.close(min(self.close_timeout_s, _CLOSE_AFTER_ERROR_S) if failed else None)

    def publish(self, topic: str, event: Event | Command, key: str | None,
                timeout_s: float = 10.0) -> Delivery:
        """Send one record and wait until the broker has stored it."""
        self._require_topic(topic, timeout_s)
        with self._sending(topic):
            future = self._send(topic, event, key)
        return self._delivery(topic, key, future, timeout_s)

    def publish_many(self, topic: str, items: Iterable[tuple[str | None, Event | Command]],
                     timeout_s: float = 30.0) -> list[Delivery]:
        """Send ``(key, event)`` pairs without waiting between them, then wait for every ack."""
        return self.publish_bytes(topic, ((_key_bytes(key), message.to_json(), message.headers())
                                          for key, message in items), timeout_s)

    def publish_bytes(self, topic: str,
                      records: Iterable[tuple[bytes | None, bytes | None, Sequence[Header]]],
                      timeout_s: float = 30.0) -> list[Delivery]:
        """Send ``(key, value, headers)`` as given, bytes untouched (also values that are not
        JSON, e.g. a dead letter's), then wait for every ack.

        Example::

            publisher.publish_bytes(ns.topic("orders.DLT"), [(b"k-1", b"not json", [("why", b"?")])])
        """
        deadline = time.monotonic() + timeout_s
        self._require_topic(topic, timeout_s)
        with self._sending(topic):
            sent = [(key, self._send_bytes(topic, key, value, list(headers)))
                    for key, value, headers in records]
            self.flush(max(0.0, deadline - time.monotonic()))
            return [self._delivery(topic, None if key is None else key.decode("utf-8", "replace"),
                                   future, max(0.0, deadline - time.monotonic()))
                    for key, future in sent]

    def flush(self, timeout_s: float = 10.0) -> None:
        """Wait until every record sent so far is acknowledged (or failed)."""
        with kafka_errors(self.settings, "acknowledging the records sent", timeout_s):
            self.producer.flush(timeout=timeout_s)

    def close(self, timeout_s: float | None = None) -> None:
        """Wait up to ``timeout_s`` (default ``close_timeout_s``) for unacknowledged records,
        then close. Never raises; warns once if some records were not acknowledged."""
        if self._closed:
            return
        self._closed = True
        pending = self._unacked.pending()
        close_producer(self.producer, self.close_timeout_s if timeout_s is None else timeout_s)
        self._unacked.warn_if_lost(pending)

    def _require_topic(self, topic: str, timeout_s: float) -> None:
        # Without this check kafka-python waits max_block_ms for a topic that will never appear.
        if topic in self._known_topics:
            return
        with admin_session(self.settings, f"looking up topic {topic!r}", timeout_s,
                           topic=topic) as admin:
            wait_until(lambda: _has_partitions(topic_metadata(admin, topic)),
                       min(timeout_s, _APPEAR_GRACE_S), lambda: TopicNotFound(topic), 0.1)
        self._known_topics.add(topic)

    def _send(self, topic: str, message: Event | Command, key: str | None) -> FutureRecordMetadata:
        return self._send_bytes(topic, _key_bytes(key), message.to_json(), message.headers())

    @contextmanager
    def _sending(self, topic: str) -> Iterator[None]:
        """kafka-python's errors while sending to ``topic`` as eda_lab's, one block per call
        rather than per record; and no cyclic garbage collection meanwhile (a send makes a few
        objects the collector tracks; see :mod:`eda_lab.collector`)."""
        with collector_held(), kafka_errors(self.settings, f"sending to {topic!r}",
                                            self._max_block_s, topic=topic):
            yield

    def _send_bytes(self, topic: str, key: bytes | None, value: bytes | None,
                    headers: list[Header]) -> FutureRecordMetadata:
        future = self.producer.send(topic, value=value, headers=headers, key=key)
        self._unacked.track(future, topic)
        return future

    def _delivery(self, topic: str, key: str | None, future: FutureRecordMetadata,
                  timeout_s: float) -> Delivery:
        if not (future.is_done and future.succeeded()):  # after a flush: no need to wait again
            with kafka_errors(self.settings, f"acknowledging a record on {topic!r}", timeout_s,
                              topic=topic):
                future.get(timeout=timeout_s)
        meta = future.value
        return Delivery(meta.topic, meta.partition, meta.offset, key)


def _key_bytes(key: str | None) -> bytes | None:
    if key is not None and not isinstance(key, str):
        raise TypeError(f"key must be a str or None, got {type(key).__name__}")
    return None if key is None else key.encode("utf-8")


def _has_partitions(meta: dict[str, Any] | None) -> bool:
    return bool(meta and meta["error_code"] == 0 and meta["partitions"])


def publish(topic: str, event: Event | Command, key: str | None,
            settings: Settings | None = None, timeout_s: float = 10.0) -> Delivery:
    """Publish one event with a short-lived publisher (handy in a notebook cell).

    Example::

        publish(ns.topic("orders"), Event("OrderPlaced", {"orderId": "ord-1"}), key="ord-1")
    """
    with EventPublisher(settings) as publisher:
        return publisher.publish(topic, event, key, timeout_s)
