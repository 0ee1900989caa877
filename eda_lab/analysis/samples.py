"""A big sample topic, written fast: a web shop's traffic, the same on every run.

Millions of events let the analysis tools be tried at a real topic's size.

The lessons produce with kafka-python, one ``send()`` at a time: at best about 50,000 small
records a second here, so two million would take 40 s. This writer uses librdkafka (the
confluent-kafka client the bulk reader uses) and renders each record from a byte template:
about 300,000 a second. The records are ordinary events of the article's wire shape, keyed
by session and partitioned by murmur2 as the Java client does, with the record time set
explicitly so that time windows over them give the same answer on every run.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from confluent_kafka import Producer

from ..clients import end_offsets
from ..errors import WaitTimeout
from ..settings import Settings, get_settings
from .reading import librdkafka_config

__all__ = ["SampleTopic", "sample_records", "write_sample_events"]

# Each kind's share of the traffic, in percent.
KINDS = {"PageViewed": 70, "ItemAddedToCart": 20, "CheckoutStarted": 6, "OrderPlaced": 4}
REGIONS = ("north", "south", "east", "west", "central")
EVENTS_PER_SESSION = 20  # on average: sessions are keys, so a session's events keep their order
_TEMPLATE = (b'{"eventType":"%s","eventId":"%08x-0000-4000-8000-%012x","timestamp":"%s",'
             b'"version":1,"source":"sample-shop","correlationId":"sess-%07d","causationId":null,'
             b'"data":{"sessionId":"sess-%07d","region":"%s","amount":%s}}')
_HEADERS = [("content-type", b"application/json")]


@dataclass(frozen=True)
class SampleTopic:
    """What :func:`write_sample_events` wrote: ``count`` events with record times from
    ``start`` (inclusive) to ``end`` (exclusive), evenly spread."""

    topic: str
    count: int
    start: datetime
    end: datetime


def _iso(ms: int) -> bytes:
    at = datetime.fromtimestamp(ms / 1000, timezone.utc)
    return at.strftime("%Y-%m-%dT%H:%M:%S.").encode() + b"%03dZ" % (ms % 1000)


def sample_records(count: int, start: datetime, span: timedelta,
                   seed: int = 0) -> Iterator[tuple[bytes, bytes, int]]:
    """``(key, value, record time in ms)`` of each sample event, in order (pure: no broker).

    Event ``i`` happens at ``start + i * span / count``; its envelope ``timestamp`` is that
    instant too. The same arguments give the same records.
    """
    rng = random.Random(seed)
    kinds = [k.encode() for k, share in KINDS.items() for _ in range(share)]
    regions = [r.encode() for r in REGIONS]
    sessions = max(1, count // EVENTS_PER_SESSION)
    first_ms, span_ms = round(start.timestamp() * 1000), span / timedelta(milliseconds=1)
    second, stamp = -1, b""
    for i in range(count):
        ms = first_ms + int(i * span_ms / count)
        if ms // 1000 != second:  # the date is formatted once per second of record time
            second, stamp = ms // 1000, _iso(ms)[:-4]
        bits = rng.getrandbits(64)  # one draw gives the kind, the session and the amount
        kind, session = kinds[bits % 100], (bits >> 8) % sessions
        amount = (b"%d.%02d" % ((bits >> 40) % 295 + 5, (bits >> 56) % 100)
                  if kind == b"OrderPlaced" else b"null")
        value = _TEMPLATE % (kind, i >> 48, i & 0xFFFFFFFFFFFF, stamp + b"%03dZ" % (ms % 1000),
                             session, session, regions[session % len(regions)], amount)
        yield b"sess-%07d" % session, value, ms


def write_sample_events(topic: str, count: int, settings: Settings | None = None, *,
                        start: datetime, span: timedelta = timedelta(days=1), seed: int = 0,
                        timeout_s: float = 120.0) -> SampleTopic:
    """Append ``count`` sample events (see :func:`sample_records`) to an existing ``topic``.

    Every record is acknowledged by all in-sync replicas (``acks=all``, idempotent, so a
    retry writes no copy), and the topic's end offsets are checked to have grown by
    ``count``. Raises :class:`~eda_lab.errors.TopicNotFound`,
    :class:`~eda_lab.errors.BrokerUnreachable`, or :class:`~eda_lab.errors.WaitTimeout` if the records are not all acknowledged within ``timeout_s``.

    Example::

        sample = write_sample_events(ns.topic("clicks"), 2_000_000, start=datetime(2026, 3, 2))
    """
    settings = settings or get_settings()
    if start.tzinfo is None:
        start = start.replace(tzinfo=timezone.utc)
    ends = end_offsets(topic, settings)  # TopicNotFound, BrokerUnreachable before writing
    producer = Producer({
        **librdkafka_config(settings), "client.id": "eda-lab-samples",
        "partitioner": "murmur2_random",  # keyed records land where the Java client puts them
        "acks": "all", "enable.idempotence": True, "linger.ms": 50, "batch.size": 1_000_000,
        "compression.type": "gzip", "compression.level": 1,  # kafka-python reads gzip built in
        "queue.buffering.max.messages": 500_000, "message.timeout.ms": int(timeout_s * 1000),
    })
    for key, value, ms in sample_records(count, start, span, seed):
        while True:
            try:
                producer.produce(topic, value, key, timestamp=ms, headers=_HEADERS)
                break
            except BufferError:  # the queue is full: let librdkafka send some first
                producer.poll(0.05)
    if producer.flush(timeout_s) > 0:
        raise WaitTimeout(
            f"Not every sample event reached {topic!r} within {timeout_s:g} s; the topic may "
            "hold part of them. Check the broker with `eda-lab doctor`, then try again with "
            "fewer events or a larger timeout_s.")
    grown = sum(end_offsets(topic, settings).values()) - sum(ends.values())
    if grown != count:
        raise WaitTimeout(f"{topic!r} grew by {grown} records, not {count}: another producer "
                          "wrote to it meanwhile, or some sample events were not written.")
    return SampleTopic(topic, count, start, start + span)

