"""Python and the Java producer agree on where every key goes, and the broker agrees too.

Runs java/PartitionOf.java with the kafka-clients jar the local broker uses: the Java side is
Kafka's own code (Utils.murmur2, BuiltInPartitioner.partitionForKey), not a re-implementation.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from eda_lab.clients.consuming import consume
from eda_lab.clients.partitioning import murmur2, partition_for
from eda_lab.clients.producing import EventPublisher
from eda_lab.clients.topics import create_topic
from eda_lab.local_kafka.files import default_cache
from eda_lab.local_kafka.jars import kafka_version, resolve_kafka_jars
from eda_lab.local_kafka.java import require_java
from eda_lab.messages.envelope import Event

pytestmark = pytest.mark.integration

PROGRAM = Path(__file__).parent / "java" / "PartitionOf.java"
COUNTS = (1, 3, 6, 7, 12, 100)
KEYS = (
    [f"ord-{i}" for i in range(20)]
    + [f"customer-{i:04d}" for i in range(0, 1000, 97)]
    + ["21", "foobar", "abc", "", " ", "a b", "Zoë", "Ørsted", "東京", "🙂", "ключ", "ß" * 33,
       "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", "k" * 300, "UPPER", "MiXeD-9", "tab\tinside",
       "550e8400-e29b-41d4-a716-446655440000", "x"]
)


def kafka_clients_classpath() -> str:
    """kafka-clients and slf4j-api (its Utils class logs) from the broker's cached jars."""
    listing = default_cache() / f"kafka-{kafka_version()}" / "classpath.txt"
    jars = [Path(line) for line in listing.read_text().splitlines()] if listing.is_file() else []
    if not jars or not all(j.is_file() for j in jars):
        jars = resolve_kafka_jars(default_cache())
    wanted = [j for j in jars if j.name.startswith(("kafka-clients-", "slf4j-api-"))]
    assert len(wanted) == 2, f"kafka-clients or slf4j-api missing from {jars}"
    return os.pathsep.join(str(j) for j in wanted)


@pytest.fixture(scope="module")
def java_answers() -> dict[str, tuple[int, dict[int, int]]]:
    """key -> (Java's murmur2, {partition count: Java's partition})."""
    java = require_java().executable
    env = {**os.environ, "LC_ALL": "C.UTF-8"}  # so the JVM decodes arguments as UTF-8
    done = subprocess.run(
        [str(java), "-cp", kafka_clients_classpath(), str(PROGRAM),
         ",".join(map(str, COUNTS)), *KEYS],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == len(KEYS), done.stdout + done.stderr
    answers = {}
    for key, line in zip(KEYS, lines, strict=True):
        hex_key, hashed, *partitions = line.split("\t")
        # Java echoes the bytes it hashed: proves it saw the same UTF-8 as Python.
        assert hex_key == key.encode("utf-8").hex(), f"Java saw other bytes for {key!r}"
        answers[key] = (int(hashed), dict(zip(COUNTS, map(int, partitions), strict=True)))
    return answers


def test_partition_for_matches_the_java_producer(java_answers):
    for key, (java_hash, java_partitions) in java_answers.items():
        assert murmur2(key.encode("utf-8")) == java_hash, key
        for count, java_partition in java_partitions.items():
            assert partition_for(key, count) == java_partition, (key, count)
    # The keys are varied enough that a wrong hash could not pass by luck.
    assert len({p[100] for _, p in java_answers.values()}) > 30


def test_the_broker_stores_each_key_where_java_would(settings, ns, java_answers):
    topic = ns.topic("keys")
    create_topic(topic, partitions=6, settings=settings)
    with EventPublisher(settings) as publisher:
        deliveries = publisher.publish_many(
            topic, [(key, Event("KeyChecked", {"key": key})) for key in KEYS])
    assert {d.key: d.partition for d in deliveries} == {k: java_answers[k][1][6] for k in KEYS}
    stored = consume(topic, max_events=len(KEYS), settings=settings)
    assert len(stored) == len(KEYS)
    for record in stored:
        assert record.key == record.event.data["key"]
        assert record.partition == java_answers[record.key][1][6], record.key
    assert len({r.partition for r in stored}) == 6
