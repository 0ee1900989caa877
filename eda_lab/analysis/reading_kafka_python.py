"""The kafka-python bulk reader: the same batches as :class:`~.reading.LibrdkafkaReader`.

kafka-python is the client the lessons show; this reader lets a test prove that both
clients give identical frames, and works where confluent-kafka's wheels do not.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from kafka import KafkaConsumer, TopicPartition

from ..clients.cluster import connect
from ..errors import TopicNotFound, WaitTimeout
from ..settings import Settings
from .frames import Batch, record_columns
from .reading import CONNECT_S, Spans

# Polls of thousands of records save per-poll overhead; fetches of a few MiB keep the
# buffered, not yet decoded records small.
FAST_READ = {
    "fetch_max_bytes": 8 * 1024 * 1024,
    "max_partition_fetch_bytes": 2 * 1024 * 1024,
    "max_poll_records": 5_000,
}


class KafkaPythonReader:
    """Reads partitions with kafka-python; joins no group (``assign``) and commits nothing."""

    def __init__(self, settings: Settings, connect_s: float = CONNECT_S) -> None:
        self.consumer = connect(KafkaConsumer, settings, connect_s, group_id=None,
                                enable_auto_commit=False, **FAST_READ)

    def partitions(self, topic: str) -> list[int]:
        """The topic's partition numbers; :class:`TopicNotFound` if it does not exist."""
        found = self.consumer.partitions_for_topic(topic)
        if not found:
            raise TopicNotFound(topic)
        return sorted(found)

    def watermarks(self, topic: str, partition: int) -> tuple[int, int]:
        """(oldest kept offset, end offset) of one partition."""
        tp = TopicPartition(topic, partition)
        return self.consumer.beginning_offsets([tp])[tp], self.consumer.end_offsets([tp])[tp]

    def offsets_at(self, topic: str, partitions: list[int], ms: int) -> dict[int, int | None]:
        """Per partition, the first offset whose record time is ``ms`` or later (None: none)."""
        found = self.consumer.offsets_for_times({TopicPartition(topic, p): ms for p in partitions})
        return {tp.partition: None if at is None else at.offset for tp, at in found.items()}

    def read(self, topic: str, spans: Spans, deadline: float) -> Iterator[Batch]:
        """Batches of the records in ``spans``, as fetched; :class:`WaitTimeout` at ``deadline``."""
        todo = {TopicPartition(topic, p): stop for p, (start, stop) in spans.items() if stop > start}
        self.consumer.assign(list(todo))
        for tp in todo:
            self.consumer.seek(tp, spans[tp.partition][0])
        while todo:
            if time.monotonic() > deadline:
                raise WaitTimeout(f"the read of {topic!r} passed its deadline")
            for tp, records in self.consumer.poll(timeout_ms=200).items():
                stop = todo.get(tp)
                if stop is None:  # this partition is done: what came since is not ours
                    continue
                if records[-1].offset >= stop:  # produced after we began
                    records = [r for r in records if r.offset < stop]
                yield Batch(topic, tp.partition, record_columns(
                    [r.offset for r in records], [r.timestamp for r in records],
                    [r.key for r in records], [r.headers for r in records]),
                    [r.value for r in records])
            for tp in list(todo):
                if self.consumer.position(tp) >= todo[tp]:
                    self.consumer.pause(tp)
                    del todo[tp]

    def close(self) -> None:
        """Close the consumer's connections."""
        self.consumer.close()
