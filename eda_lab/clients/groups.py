"""Offsets and consumer groups: where a topic begins and ends, what a group committed, its lag.

A group's *committed offset* on a partition is the next offset it will read after a restart;
its *lag* is how many records wait behind it: ``end - committed``. A group that never
committed on a partition will start at the oldest kept record, so its lag there is
``end - begin``. :mod:`eda_lab.clients` re-exports everything public from here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from kafka import KafkaAdminClient, TopicPartition
from kafka.admin import OffsetSpec
from kafka.errors import (
    CoordinatorLoadInProgressError,
    CoordinatorNotAvailableError,
    NotCoordinatorError,
)

from ..errors import EdaLabError, TopicNotFound
from ..settings import Settings
from .topics import _admin, _metadata

# Group states in which no consumer is a member (classic and KIP-848 groups alike).
IDLE_STATES = frozenset({"Empty", "Dead"})
# A brand-new cluster creates __consumer_offsets on the first group request and answers
# "coordinator not available" until it is ready; such answers are worth asking again.
_COORDINATOR_BUSY = (CoordinatorNotAvailableError, CoordinatorLoadInProgressError,
                     NotCoordinatorError)
T = TypeVar("T")


def _with_coordinator(call: Callable[[], T], timeout_s: float = 30.0) -> T:
    """Run a group request, asking again while the group coordinator is still starting."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return call()
        except _COORDINATOR_BUSY as exc:
            if time.monotonic() >= deadline:
                raise EdaLabError(
                    f"The cluster's group coordinator did not become available in {timeout_s:g} s "
                    f"({type(exc).__name__}). Check the broker's log (`eda-lab broker logs`)."
                ) from exc
            time.sleep(0.2)  # poll interval while the coordinator loads


def _offsets(client: KafkaAdminClient, topic: str, spec: OffsetSpec) -> dict[int, int]:
    meta = _metadata(client, topic)
    if meta is None:
        raise TopicNotFound(topic)
    tps = {TopicPartition(topic, p["partition_index"]): spec for p in meta["partitions"]}
    found = client.list_partition_offsets(tps)
    return {tp.partition: found[tp].offset for tp in sorted(found)}


def end_offsets(topic: str, settings: Settings | None = None) -> dict[int, int]:
    """Per partition, the offset the next record will get (the log end offset)."""
    with _admin(settings) as client:
        return _offsets(client, topic, OffsetSpec.LATEST)


def begin_offsets(topic: str, settings: Settings | None = None) -> dict[int, int]:
    """Per partition, the offset of the oldest record still kept."""
    with _admin(settings) as client:
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
    with _admin(settings) as client:
        found = _with_coordinator(lambda: client.list_group_offsets({group: None})).get(group, {})
    return {(tp.topic, tp.partition): om.offset for tp, om in sorted(found.items()) if om.offset >= 0}


def group_lag(group: str, topic: str, settings: Settings | None = None) -> list[PartitionLag]:
    """Committed offset, end offset and lag of ``group`` on each partition of ``topic``.

    Example: ``sum(p.lag for p in group_lag(ns.group("billing"), ns.topic("orders")))``.
    """
    with _admin(settings) as client:
        ends = _offsets(client, topic, OffsetSpec.LATEST)  # TopicNotFound if missing
        begins = _offsets(client, topic, OffsetSpec.EARLIEST)
        tps = [TopicPartition(topic, p) for p in ends]
        found = _with_coordinator(lambda: client.list_group_offsets({group: tps})).get(group, {})
    rows = []
    for partition, end in ends.items():
        om = found.get(TopicPartition(topic, partition))
        committed = om.offset if om is not None and om.offset >= 0 else None
        lag = end - (begins[partition] if committed is None else committed)
        rows.append(PartitionLag(topic, partition, committed, end, max(lag, 0)))
    return rows


def list_groups(prefix: str | None = None, settings: Settings | None = None) -> list[str]:
    """Sorted consumer group ids (starting with ``prefix`` if given)."""
    return sorted(group_states(prefix, settings))


def group_states(prefix: str | None = None, settings: Settings | None = None) -> dict[str, str]:
    """Each group's state (``Empty``, ``Stable``, ``PreparingRebalance``, ...) by group id."""
    with _admin(settings) as client:
        groups = client.list_groups()
    return {g["group_id"]: g.get("group_state") or "Unknown" for g in groups
            if prefix is None or g["group_id"].startswith(prefix)}


def _members(client: KafkaAdminClient, group: str) -> list[str]:
    """``client_id@host`` of each member of a classic group (empty if it cannot be told)."""
    try:
        found = client.describe_groups([group])[group]
    except Exception:  # KIP-848 groups cannot be described by the classic API; the state is enough
        return []
    return [f"{m['client_id']}@{m['client_host'].lstrip('/')}" for m in found.get("members", [])]


def delete_group(group: str, settings: Settings | None = None, missing_ok: bool = True) -> None:
    """Delete a consumer group and its committed offsets; it must have no active members."""
    with _admin(settings) as client:
        outcome = _with_coordinator(lambda: client.delete_groups([group])).get(group, "OK")
        if outcome == "OK" or (outcome == "GroupIdNotFoundError" and missing_ok):
            return
        if outcome == "NonEmptyGroupError":
            members = ", ".join(_members(client, group)) or "unknown"
            raise EdaLabError(
                f"Consumer group {group!r} still has active members ({members}). "
                "Close those consumers (consumer.close(), or stop the kernel running them), "
                "then delete the group."
            )
    if outcome == "GroupIdNotFoundError":
        raise EdaLabError(f"Consumer group {group!r} does not exist; check the name and namespace.")
    raise EdaLabError(f"Could not delete consumer group {group!r}: {outcome}.")
