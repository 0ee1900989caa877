"""Publishing events and commands: keyed JSON records, acknowledged by the broker.

The producer runs with ``acks='all'`` (the broker answers only once every in-sync replica has
the record) and idempotence (a retry after a lost answer never writes a duplicate). Keys are
strings sent as UTF-8 and choose the partition as in :func:`eda_lab.clients.partitioning.partition_for`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaTimeoutError, UnknownTopicOrPartitionError
from kafka.producer.future import FutureRecordMetadata

from ..errors import TopicNotFound, WaitTimeout
from ..messages.envelope import Command, Event
from ..settings import Settings, get_settings
from ..waiting import wait_until
from .cluster import admin_client, connect

# A topic created a moment ago may not be in the broker's metadata yet; wait this long for it.
_APPEAR_GRACE_S = 1.0
_DEFAULTS: dict[str, Any] = {
    "acks": "all",
    "enable_idempotence": True,
    "client_id": "eda-lab-producer",
    "bootstrap_timeout_ms": 10_000,
    "max_block_ms": 10_000,  # kafka-python's 60 s would freeze a notebook cell for a minute
}


@dataclass(frozen=True)
class Delivery:
    """Where the broker stored a record, and the key that chose the partition."""

    topic: str
    partition: int
    offset: int
    key: str | None


def make_producer(settings: Settings | None = None, **overrides: Any) -> KafkaProducer:
    """A kafka-python producer with acks='all' and idempotence; keys and values are bytes."""
    settings = settings or get_settings()
    return connect(KafkaProducer, settings, 10.0, **{**_DEFAULTS, **overrides})


class EventPublisher:
    """Publishes events (or commands) to topics and waits for the broker's acknowledgement.

    Example::

        with EventPublisher() as publisher:
            placed = Event("OrderPlaced", {"orderId": "ord-123"}, source="order-service")
            delivery = publisher.publish(ns.topic("orders"), placed, key="ord-123")
        delivery.partition, delivery.offset

    Parameters: ``settings`` (default: from the environment) and any kafka-python producer
    option as a keyword, e.g. ``linger_ms=5``. A missing topic raises :class:`TopicNotFound`
    within about a second: the broker never creates topics by itself here.
    """

    def __init__(self, settings: Settings | None = None, **producer_overrides: Any) -> None:
        self.settings = settings or get_settings()
        self.producer = make_producer(self.settings, **producer_overrides)
        self._known_topics: set[str] = set()

    def __enter__(self) -> EventPublisher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def publish(self, topic: str, event: Event | Command, key: str | None,
                timeout_s: float = 10.0) -> Delivery:
        """Send one record and wait until the broker has stored it."""
        self._require_topic(topic, timeout_s)
        return self._delivery(topic, key, self._send(topic, event, key), timeout_s)

    def publish_many(self, topic: str, items: Iterable[tuple[str | None, Event | Command]],
                     timeout_s: float = 30.0) -> list[Delivery]:
        """Send ``(key, event)`` pairs without waiting between them, then wait for every ack."""
        deadline = time.monotonic() + timeout_s
        self._require_topic(topic, timeout_s)
        sent = [(key, self._send(topic, event, key)) for key, event in items]
        self.flush(max(0.0, deadline - time.monotonic()))
        return [self._delivery(topic, key, future, max(0.0, deadline - time.monotonic()))
                for key, future in sent]

    def flush(self, timeout_s: float = 10.0) -> None:
        """Wait until every record sent so far is acknowledged (or failed)."""
        try:
            self.producer.flush(timeout=timeout_s)
        except KafkaTimeoutError as exc:
            raise WaitTimeout(f"Records were still unacknowledged after {timeout_s:g} s. "
                              "Check the broker with `eda-lab doctor`.") from exc

    def close(self, timeout_s: float = 10.0) -> None:
        """Flush what is pending and close the producer (safe to call twice)."""
        self.producer.close(timeout=timeout_s)

    def _require_topic(self, topic: str, timeout_s: float) -> None:
        # Without this check kafka-python waits max_block_ms for a topic that will never appear.
        if topic in self._known_topics:
            return
        admin = admin_client(self.settings, timeout_s)

        def known() -> bool:
            (info,) = admin.describe_topics([topic])
            return info["error_code"] == 0 and bool(info["partitions"])

        try:
            wait_until(known, min(timeout_s, _APPEAR_GRACE_S), lambda: TopicNotFound(topic), 0.1)
        finally:
            admin.close()
        self._known_topics.add(topic)

    def _send(self, topic: str, message: Event | Command, key: str | None) -> FutureRecordMetadata:
        if key is not None and not isinstance(key, str):
            raise TypeError(f"key must be a str or None, got {type(key).__name__}")
        try:
            return self.producer.send(topic, value=message.to_json(), headers=message.headers(),
                                      key=None if key is None else key.encode("utf-8"))
        except KafkaTimeoutError as exc:
            raise WaitTimeout(f"No metadata for topic {topic!r}: was it deleted, or is the "
                              "broker down? Check with `eda-lab doctor`.") from exc

    @staticmethod
    def _delivery(topic: str, key: str | None, future: FutureRecordMetadata,
                  timeout_s: float) -> Delivery:
        if future.is_done and future.succeeded():  # after a flush: no need to wait again
            meta = future.value
            return Delivery(meta.topic, meta.partition, meta.offset, key)
        try:
            meta = future.get(timeout=timeout_s)
        except UnknownTopicOrPartitionError as exc:
            raise TopicNotFound(topic) from exc
        except KafkaTimeoutError as exc:
            raise WaitTimeout(f"The broker did not acknowledge a record on {topic!r} within "
                              f"{timeout_s:g} s. Is it running (`eda-lab doctor`)?") from exc
        return Delivery(meta.topic, meta.partition, meta.offset, key)


def publish(topic: str, event: Event | Command, key: str | None,
            settings: Settings | None = None, timeout_s: float = 10.0) -> Delivery:
    """Publish one event with a short-lived publisher (handy in a notebook cell).

    Example::

        publish(ns.topic("orders"), Event("OrderPlaced", {"orderId": "ord-1"}), key="ord-1")
    """
    with EventPublisher(settings) as publisher:
        return publisher.publish(topic, event, key, timeout_s)
