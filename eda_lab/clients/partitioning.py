"""Which partition a key goes to: Kafka's default partitioner, written out to read.

Every Kafka client that follows the Java one (Java, kafka-python, librdkafka with
``partitioner=murmur2_random``, KafkaJS 2.x by default) sends a keyed record to::

    toPositive(murmur2(key bytes)) % number of partitions

so the same key always lands on the same partition, and a Python and a Java service agree.
That holds only while the partition count stays the same: adding partitions moves keys.
"""

from __future__ import annotations

_MASK = 0xFFFFFFFF  # Java ints are 32 bits and wrap; Python ints do not, so mask after each step
_SEED = 0x9747B28C
_M = 0x5BD1E995
_R = 24


def murmur2(data: bytes) -> int:
    """MurmurHash2 as ``org.apache.kafka.common.utils.Utils.murmur2``: a signed 32-bit int."""
    length = len(data)
    h = (_SEED ^ length) & _MASK
    whole = length - length % 4
    for i in range(0, whole, 4):
        k = int.from_bytes(data[i:i + 4], "little")
        k = (k * _M) & _MASK
        k ^= k >> _R
        k = (k * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    tail = data[whole:]
    if tail:
        # Java's switch falls through: 3 tail bytes mix in all three, then multiply once.
        for shift, byte in reversed(list(enumerate(tail))):
            h ^= byte << (8 * shift)
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    h ^= h >> 15
    return h - (1 << 32) if h & 0x80000000 else h


def to_positive(n: int) -> int:
    """Java's ``Utils.toPositive``: clear the sign bit (not ``abs``, which fails for MIN_VALUE)."""
    return n & 0x7FFFFFFF


def partition_for(key: bytes | str, num_partitions: int) -> int:
    """The partition Kafka's default partitioner picks for ``key`` (a str is UTF-8 encoded).

    The same number every time, in every client (Java, kafkajs, kafka-python):

    >>> partition_for("ord-123", 6)
    2
    >>> partition_for(b"ord-123", 6)
    2
    """
    if num_partitions < 1:
        raise ValueError(f"num_partitions must be 1 or more, got {num_partitions}")
    data = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    return to_positive(murmur2(data)) % num_partitions
