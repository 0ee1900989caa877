"""Bulk readers: a topic's records, partition by partition, as :class:`~.frames.Batch` columns.

Two readers give the same batches. :class:`LibrdkafkaReader` (confluent-kafka, the C client
librdkafka) is the default for bulk loads: its fetcher and record parser run in C threads,
and Python sees one Message object per record. :class:`KafkaPythonReader` uses kafka-python,
the client every lesson shows; it is slower (see `make bench`). Both read with
``read_uncommitted``, as kafka-python's consumers do, and commit nothing.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException, Message, TopicPartition

from ..errors import BrokerUnreachable, TopicNotFound, WaitTimeout
from ..settings import Settings
from ..waiting import wait_until
from .columns import FlatHeaders
from .frames import Batch, record_columns

Spans = dict[int, tuple[int, int]]  # partition -> [first offset, stop offset)
CONNECT_S = 10.0
# Records per consume() call. Their fields are read while the messages are still in the CPU's
# cache: with 5,000 per call, consume() and Message.headers() took 2.7 us per record here,
# with 500 about 1.1. A partition's records are gathered as Python objects until there are
# _GATHER of them, then made into columns at once (each column costs a few us to start).
_POLL = 500
_GATHER = 5_000
_SECOND = itemgetter(1)  # Message.timestamp() is (type, ms)
# Answers that mean "ask again shortly": the partition's leader is still being chosen.
_LEADERLESS = {KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE}
# librdkafka fetches ahead into a queue; past its cap (64 MiB by default) it stops and waits
# fetch.queue.backoff.ms (1 s by default) before fetching again: in a 1,000,000-event load
# those pauses were two thirds of the time. A short wait and a small queue instead: 4 MiB kept
# up with the decoding here, and the memory librdkafka held was 25 MiB, against 54 with 16.
# The connection that list_topics() waits for comes sooner with a short reconnect.backoff.
TUNING = {"queued.max.messages.kbytes": 4 * 1024, "fetch.queue.backoff.ms": 10,
          "reconnect.backoff.ms": 10}


def librdkafka_config(settings: Settings) -> dict[str, Any]:
    """eda_lab's connection settings in librdkafka's names (secrets stay out of reprs)."""
    config: dict[str, Any] = {"bootstrap.servers": settings.bootstrap,
                              "security.protocol": settings.security_protocol}
    optional = {"sasl.mechanism": settings.sasl_mechanism, "sasl.username": settings.sasl_username,
                "sasl.password": settings.sasl_password, "ssl.ca.location": settings.ssl_cafile,
                "ssl.certificate.location": settings.ssl_certfile,
                "ssl.key.location": settings.ssl_keyfile}
    return {**config, **{k: v for k, v in optional.items() if v}}


def timed_out(topic: str, read: int, total: int, timeout_s: float) -> WaitTimeout:
    """The error for a read that ran out of time, saying what to do next."""
    return WaitTimeout(f"Read {read} of {total} records of {topic!r} in {timeout_s:g} s; "
                       "pass a larger timeout_s, or max_rows or since= to read fewer.")


class _Gathered:
    """One partition's records as Python objects, field by field, until they become a Batch."""

    def __init__(self) -> None:
        self._clear()

    def _clear(self) -> None:
        self.offsets: list[int] = []
        self.times: list[int] = []
        self.keys: list[bytes | None] = []
        self.headers = FlatHeaders()
        self.values: list[bytes | None] = []

    def __len__(self) -> int:
        return len(self.values)

    def add(self, messages: list[Message]) -> None:
        # map() with the unbound methods: no Python bytecode runs per record
        self.offsets += map(Message.offset, messages)
        self.times += map(_SECOND, map(Message.timestamp, messages))
        self.keys += map(Message.key, messages)
        self.headers.add(map(Message.headers, messages))
        self.values += map(Message.value, messages)

    def batch(self, topic: str, partition: int) -> Batch:
        """The gathered records as a Batch; starts gathering anew."""
        batch = Batch(topic, partition, record_columns(self.offsets, self.times, self.keys,
                                                       self.headers), self.values)
        self._clear()
        return batch


class LibrdkafkaReader:
    """Reads partitions with confluent-kafka; joins no group (``assign``) and commits nothing."""

    def __init__(self, settings: Settings, connect_s: float = CONNECT_S) -> None:
        self.settings, self.connect_s = settings, connect_s
        self.consumer = Consumer({
            **librdkafka_config(settings), "client.id": "eda-lab-analysis",
            "group.id": f"eda-lab-analysis-{uuid.uuid4().hex[:8]}",  # required, never joined
            "enable.auto.commit": False, "enable.partition.eof": True,
            "isolation.level": "read_uncommitted", "log_level": 0,  # errors come as exceptions
            **TUNING,
        })

    def _ask(self, call: Any, *args: Any) -> Any:
        """``call(*args)`` within ``connect_s``. A partition still without a leader (a topic
        created a moment ago, or a broker just restarted) is asked again meanwhile."""
        leaderless: list[KafkaException] = []

        def attempt() -> tuple[Any] | None:
            try:
                return (call(*args, timeout=self.connect_s),)
            except KafkaException as exc:
                if exc.args[0].code() not in _LEADERLESS:
                    raise BrokerUnreachable(self.settings.bootstrap, self.connect_s,
                                            str(exc)) from exc
                leaderless.append(exc)
                return None

        def still_leaderless() -> WaitTimeout:
            return WaitTimeout(f"A partition still had no leader after {self.connect_s:g} s "
                               f"({leaderless[-1]}); if the topic was just created, try again, "
                               "else check the cluster with `eda-lab doctor`.")

        return wait_until(attempt, self.connect_s, still_leaderless)[0]

    def partitions(self, topic: str) -> list[int]:
        """The topic's partition numbers; :class:`TopicNotFound` if it does not exist."""
        found = self._ask(self.consumer.list_topics, topic).topics.get(topic)
        if found is None or found.error is not None or not found.partitions:
            raise TopicNotFound(topic)
        return sorted(found.partitions)

    def watermarks(self, topic: str, partition: int) -> tuple[int, int]:
        """(oldest kept offset, end offset) of one partition."""
        return self._ask(self.consumer.get_watermark_offsets, TopicPartition(topic, partition))

    def offsets_at(self, topic: str, partitions: list[int], ms: int) -> dict[int, int | None]:
        """Per partition, the first offset whose record time is ``ms`` or later (None: none)."""
        asked = [TopicPartition(topic, p, ms) for p in partitions]
        found = self._ask(self.consumer.offsets_for_times, asked)
        return {tp.partition: tp.offset if tp.offset >= 0 else None for tp in found}

    def read(self, topic: str, spans: Spans, deadline: float) -> Iterator[Batch]:
        """Batches of the records in ``spans``, as fetched; :class:`WaitTimeout` at ``deadline``."""
        todo = {p: stop for p, (start, stop) in spans.items() if stop > start}
        gathered = {p: _Gathered() for p in todo}
        self.consumer.assign([TopicPartition(topic, p, spans[p][0]) for p in todo])
        while todo:
            if time.monotonic() > deadline:
                raise WaitTimeout(f"the read of {topic!r} passed its deadline")
            messages = self.consumer.consume(_POLL, 0.2)
            ended = set()
            if any(map(Message.error, messages)):  # rare: partition ends (EOF) or failures
                for m in filter(Message.error, messages):
                    if m.error().code() != KafkaError._PARTITION_EOF:
                        raise KafkaException(m.error())
                    if m.offset() >= todo.get(m.partition(), 0):
                        ended.add(m.partition())  # at the snapshot's end, past control records
                messages = [m for m in messages if m.error() is None]
            for p, run in groupby(messages, Message.partition):  # fetched in runs per partition
                stop, ms = todo.get(p), list(run)
                if stop is None:
                    continue
                if ms[-1].offset() >= stop - 1:
                    ms = [m for m in ms if m.offset() < stop]
                    ended.add(p)
                gathered[p].add(ms)
            for p, records in gathered.items():
                if len(records) >= _GATHER or (p in ended and records):
                    yield records.batch(topic, p)
            for p in ended:
                todo.pop(p, None)

    def close(self) -> None:
        """Leave: closes the connections (there is no group to leave)."""
        self.consumer.close()
