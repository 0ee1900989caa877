"""What the benchmarks share: topic shape, client tuning, the raw consume baseline, a row.

Every ratio in ``make bench`` divides by :func:`raw_consume`, a bare kafka-python
``KafkaConsumer`` + ``json.loads`` loop over the same topic with the same fetch settings, so
the figures compare what eda_lab adds, not how fast this machine is.
"""

from __future__ import annotations

import json
import time

from kafka import KafkaConsumer, TopicPartition

from eda_lab.analysis.reading_kafka_python import FAST_READ  # both sides of a ratio read so
from eda_lab.settings import Settings

PARTITIONS = 3
PRODUCER_TUNING = {"linger_ms": 5, "batch_size": 256 * 1024}


def raw_consume(settings: Settings, topic: str, partitions: int = PARTITIONS) -> float:
    """A bare KafkaConsumer + json.loads over the whole topic; records/s."""
    consumer = KafkaConsumer(**settings.client_kwargs(), enable_auto_commit=False, **FAST_READ)
    tps = [TopicPartition(topic, p) for p in range(partitions)]
    consumer.assign(tps)
    consumer.seek_to_beginning(*tps)
    total, read = sum(consumer.end_offsets(tps).values()), 0
    start = time.perf_counter()
    while read < total:
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                json.loads(record.value)
            read += len(records)
    rate = read / (time.perf_counter() - start)
    consumer.close()
    return rate


def row(label: str, value: str, note: str = "") -> None:
    """One line of a bench report: a label, a figure, a note (a goal met or not)."""
    print(f"  {label:<48}{value:>16}  {note}")
