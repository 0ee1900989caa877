"""Which partitions a consumer reads: shared out by Kafka in a group, or all of them alone.

A group member subscribes and Kafka's group coordinator shares the partitions among the
members (and moves them in a rebalance). A consumer without a group is assigned every
partition of its topics directly, commits nothing, and never rebalances.
"""

from __future__ import annotations

from collections.abc import Sequence, Set

from ..errors import TopicNotFound
from ..waiting import wait_until
from ._kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition


def attach(consumer: KafkaConsumer, topics: Sequence[str], group: str | None,
           listener: ConsumerRebalanceListener, wait_s: float) -> None:
    """Subscribe (in a group) or assign every partition (alone); :class:`TopicNotFound` if a
    topic is not in the cluster's metadata within ``wait_s``."""
    if group is not None:
        # Subscribing before the metadata fetch below lets the first join see the
        # partitions; the other order costs a second rebalance half a second later.
        consumer.subscribe(list(topics), listener=listener)
    found = partitions_of(consumer, topics, wait_s)
    if group is None:
        consumer.assign([TopicPartition(t, p) for t in topics for p in sorted(found[t])])


def partitions_of(consumer: KafkaConsumer, topics: Sequence[str],
                  wait_s: float) -> dict[str, set[int]]:
    """Each topic's partition numbers, waiting up to ``wait_s`` for a topic created just now."""
    found: dict[str, set[int] | None] = {}

    def all_known() -> bool:
        found.update((t, consumer.partitions_for_topic(t)) for t in topics)
        return all(found.values())

    wait_until(all_known, wait_s,
               lambda: TopicNotFound(next(t for t, p in found.items() if not p)), 0.1)
    return found  # type: ignore[return-value]  # every value is a set once all are known


def require_assigned(assigned: Set[tuple[str, int]], topic: str, partition: int) -> None:
    """ValueError naming what the consumer does read, if ``topic/partition`` is not among it."""
    if (topic, partition) not in assigned:
        raise ValueError(f"{topic}/{partition} is not assigned to this consumer (it reads "
                         f"{sorted(assigned) or 'nothing yet: in a group, read() joins it'}).")
