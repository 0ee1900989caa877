"""murmur2 and the default partitioner, against Kafka's own test vectors."""

from __future__ import annotations

import random

import pytest
from kafka.partitioner.default import murmur2 as kafka_python_murmur2

from eda_lab.clients.partitioning import murmur2, partition_for, to_positive

# From Kafka's clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java (testMurmur2).
KAFKA_VECTORS = {
    b"21": -973932308,
    b"foobar": -790332482,
    b"a-little-bit-long-string": -985981536,
    b"a-little-bit-longer-string": -1486304829,
    b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
    b"abc": 479470107,
}


@pytest.mark.parametrize("data, expected", KAFKA_VECTORS.items())
def test_murmur2_matches_kafkas_vectors(data, expected):
    assert murmur2(data) == expected


def test_murmur2_covers_every_tail_length_like_kafka_python():
    rng = random.Random(7)
    for length in range(0, 40):
        data = bytes(rng.randrange(256) for _ in range(length))
        assert murmur2(data) & 0xFFFFFFFF == kafka_python_murmur2(data)
        assert -(2**31) <= murmur2(data) < 2**31


def test_to_positive_clears_the_sign_bit():
    assert to_positive(-973932308) == -973932308 & 0x7FFFFFFF == 1173551340
    assert to_positive(-(2**31)) == 0  # abs() would overflow in Java; masking cannot
    assert to_positive(479470107) == 479470107


def test_partition_for_follows_the_java_formula():
    for data, hashed in KAFKA_VECTORS.items():
        for n in (1, 3, 6, 12):
            assert partition_for(data, n) == (hashed & 0x7FFFFFFF) % n
    assert partition_for("21", 6) == 1173551340 % 6 == 0


def test_str_keys_are_utf8_and_stable():
    for key in ("ord-123", "Zoë", "東京", ""):
        assert partition_for(key, 7) == partition_for(key.encode("utf-8"), 7)
    assert partition_for("Zoë", 1000) != partition_for("Zoe", 1000)  # the ë really counts
    assert {partition_for(f"k{i}", 4) for i in range(100)} == {0, 1, 2, 3}


def test_partition_count_must_be_positive():
    with pytest.raises(ValueError):
        partition_for("k", 0)
