"""Topics: create, delete, recreate, describe and list them.

Kafka answers "created" and "deleted" before every broker's metadata agrees, so each call
here waits for the condition it promises (polling with a timeout) before it returns.
:mod:`eda_lab.clients` re-exports everything public from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError, for_code

from ..errors import EdaLabError, TopicNotFound, WaitTimeout
from ..settings import Settings
from ..waiting import wait_until
from .cluster import admin_client

T = TypeVar("T")
_UNKNOWN_TOPIC = UnknownTopicOrPartitionError.errno


@dataclass(frozen=True)
class PartitionInfo:
    """One partition: its leader broker, replica brokers and in-sync replicas."""

    partition: int
    leader: int
    replicas: tuple[int, ...]
    isr: tuple[int, ...]


@dataclass(frozen=True)
class TopicInfo:
    """A topic's partitions and the configs set on it (broker defaults left out)."""

    name: str
    partitions: tuple[PartitionInfo, ...]
    configs: dict[str, str]


@contextmanager
def _admin(settings: Settings | None, timeout_s: float = 10.0) -> Iterator[KafkaAdminClient]:
    """An admin client closed on exit; a missing broker is reported within 10 s at most."""
    client = admin_client(settings, min(timeout_s, 10.0))
    try:
        yield client
    finally:
        client.close()


def _wait_for(check: Callable[[], T], timeout_s: float, what_next: str) -> T:
    """Poll ``check`` until it returns something truthy; WaitTimeout with ``what_next`` if not."""
    return wait_until(check, timeout_s, lambda: WaitTimeout(f"{what_next} (waited {timeout_s:g} s)"))


def _metadata(client: KafkaAdminClient, name: str) -> dict[str, Any] | None:
    """The topic's metadata, or None when the cluster does not know it."""
    (meta,) = client.describe_topics([name])
    return None if meta["error_code"] == _UNKNOWN_TOPIC else meta


def _led(meta: dict[str, Any] | None, partitions: int | None = None) -> dict[str, Any] | None:
    """``meta`` if the topic is usable: every partition present and with a leader."""
    if not meta or meta["error_code"] or not meta["partitions"]:
        return None
    parts = meta["partitions"]
    if partitions is not None and len(parts) != partitions:
        return None
    return meta if all(p["error_code"] == 0 and p["leader_id"] >= 0 for p in parts) else None


def _info(client: KafkaAdminClient, meta: dict[str, Any]) -> TopicInfo:
    name = meta["name"]
    found = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
    configs = found.get("topic", {}).get(name, {})
    parts = sorted(meta["partitions"], key=lambda p: p["partition_index"])
    return TopicInfo(
        name=name,
        partitions=tuple(
            PartitionInfo(p["partition_index"], p["leader_id"], tuple(p["replica_nodes"]),
                          tuple(p["isr_nodes"]))
            for p in parts
        ),
        configs={key: c["value"] for key, c in configs.items()},
    )


def create_topic(
    name: str, partitions: int = 1, replication_factor: int = 1,
    configs: Mapping[str, str] | None = None, settings: Settings | None = None,
    timeout_s: float = 30.0, exist_ok: bool = True,
) -> TopicInfo:
    """Create a topic and wait until every partition has a leader.

    With ``exist_ok`` an existing topic is returned as it is (its partition count may differ).
    Example: ``create_topic(ns.topic("orders"), partitions=3)``.
    """
    spec = {"num_partitions": partitions, "replication_factor": replication_factor,
            "configs": {k: str(v) for k, v in (configs or {}).items()}}
    with _admin(settings, timeout_s) as client:
        expected: int | None = partitions
        try:
            client.create_topics({name: spec}, timeout_ms=int(timeout_s * 1000))
        except TopicAlreadyExistsError:
            if not exist_ok:
                raise EdaLabError(
                    f"Topic {name!r} already exists. Use recreate_topic({name!r}, ...) "
                    "for a fresh empty one, or pass exist_ok=True to keep it."
                ) from None
            expected = None
        meta = _wait_for(lambda: _led(_metadata(client, name), expected), timeout_s,
                         f"Topic {name!r} has no leader for every partition yet; is the broker healthy?")
        return _info(client, meta)


def _delete_topics(client: KafkaAdminClient, names: list[str], timeout_s: float) -> None:
    """Delete ``names`` (all must exist) and wait until no broker metadata shows them."""
    if not names:
        return
    client.delete_topics(names, timeout_ms=int(timeout_s * 1000))
    _wait_for(lambda: all(_metadata(client, n) is None for n in names), timeout_s,
              f"Topics {names} are still listed after deletion; is the broker healthy?")


def delete_topic(name: str, settings: Settings | None = None, timeout_s: float = 30.0,
                 missing_ok: bool = True) -> None:
    """Delete a topic and wait until it is really gone, so it can be created again at once."""
    with _admin(settings, timeout_s) as client:
        try:
            _delete_topics(client, [name], timeout_s)
        except UnknownTopicOrPartitionError:
            if not missing_ok:
                raise TopicNotFound(name) from None


def recreate_topic(
    name: str, partitions: int = 1, replication_factor: int = 1,
    configs: Mapping[str, str] | None = None, settings: Settings | None = None,
    timeout_s: float = 30.0,
) -> TopicInfo:
    """Delete the topic if present, then create it: fresh and empty."""
    delete_topic(name, settings, timeout_s)
    return create_topic(name, partitions, replication_factor, configs, settings, timeout_s,
                        exist_ok=False)


def list_topics(prefix: str | None = None, settings: Settings | None = None) -> list[str]:
    """Sorted topic names (starting with ``prefix`` if given); internal ``__`` topics hidden."""
    with _admin(settings) as client:
        topics = client.describe_topics()
    return sorted(
        t["name"] for t in topics
        if not t["is_internal"] and not t["name"].startswith("__")
        and (prefix is None or t["name"].startswith(prefix))
    )


def describe_topic(name: str, settings: Settings | None = None) -> TopicInfo:
    """Partitions, leaders, replicas and configs of a topic; :class:`TopicNotFound` if missing."""
    with _admin(settings) as client:
        meta = _metadata(client, name)
        if meta is None:
            raise TopicNotFound(name)
        if meta["error_code"]:
            raise for_code(meta["error_code"])(f"describing topic {name!r}")
        return _info(client, meta)
