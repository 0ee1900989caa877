"""Offsets: where a topic begins and ends, what a group committed, and its lag.

A group's *committed offset* on a partition is the next offset it will read after a restart;
its *lag* is how many records wait behind it: ``end - committed``. A group that never
committed on a partition will start at the oldest kept record, so its lag there is
``end - begin``. :mod:`eda_lab.clients` re-exports everything public from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import TopicNotFound
from ..settings import Settings, get_settings
from ._kafka import (
    KafkaAdminClient,
    OffsetSpec,
    TopicPartition,
    admin_session,
    topic_metadata,
    with_coordinator,
)


def _offsets(client: KafkaAdminClient, topic: str, spec: OffsetSpec) -> dict[int, int]:
    meta = topic_metadata(client, topic)
    if meta is None:
        raise TopicNotFound(topic)
    tps = {TopicPartition(topic, p["partition_index"]): spec for p in meta["partitions"]}
    found = client.list_partition_offsets(tps)
    return {tp.partition: found[tp].offset for tp in sorted(found)}


def end_offsets(topic: str, settings: Settings | None = None) -> dict[int, int]:
    """Per partition, the offset the next record will get (the log end offset)."""
    with admin_session(settings or get_settings(), f"reading the end of {topic!r}",
                       topic=topic) as client:
        return _offsets(client, topic, OffsetSpec.LATEST)


def begin_offsets(topic: str, settings: Settings | None = None) -> dict[int, int]:
    """Per partition, the offset of the oldest record still kept."""
    with admin_session(settings or get_settings(), f"reading the start of {topic!r}",
                       topic=topic) as client:
        return _offsets(client, topic, OffsetSpec.EARLIEST)


@dataclass(frozen=True)
class PartitionLag:
    """How far a group is behind on one partition; ``committed`` is None if it never committed."""

    topic: str
    partition: int
    committed: int | None
    end: int
    lag: int


def group_offsets(group: str, settings: Settings | None = None) -> dict[tuple[str, int], int]:
    """The group's committed offset per ``(topic, partition)``; empty if it committed nothing."""
    with admin_session(settings or get_settings(), f"reading the offsets of group {group!r}",
                       group=group) as client:
        found = with_coordinator(lambda: client.list_group_offsets({group: None})).get(group, {})
    return {(tp.topic, tp.partition): om.offset for tp, om in sorted(found.items()) if om.offset >= 0}


def group_lag(group: str, topic: str, settings: Settings | None = None) -> list[PartitionLag]:
    """Committed offset, end offset and lag of ``group`` on each partition of ``topic``.

    Example: ``sum(p.lag for p in group_lag(ns.group("billing"), ns.topic("orders")))``.
    """
    with admin_session(settings or get_settings(), f"reading the lag of {group!r} on {topic!r}",
                       topic=topic, group=group) as client:
        ends = _offsets(client, topic, OffsetSpec.LATEST)  # TopicNotFound if missing
        begins = _offsets(client, topic, OffsetSpec.EARLIEST)
        tps = [TopicPartition(topic, p) for p in ends]
        found = with_coordinator(lambda: client.list_group_offsets({group: tps})).get(group, {})
    rows = []
    for partition, end in ends.items():
        om = found.get(TopicPartition(topic, partition))
        committed = om.offset if om is not None and om.offset >= 0 else None
        lag = end - (begins[partition] if committed is None else committed)
        rows.append(PartitionLag(topic, partition, committed, end, max(lag, 0)))
    return rows
