"""What a topic looks like: its partitions, their leaders and replicas, and its configs.

:mod:`eda_lab.clients` re-exports everything public from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import EdaLabError, TopicNotFound
from ..settings import Settings, get_settings
from ._kafka import (
    ConfigResource,
    ConfigResourceType,
    KafkaAdminClient,
    admin_session,
    topic_metadata,
)


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

    @property
    def replication_factor(self) -> int:
        """How many brokers store each partition."""
        return len(self.partitions[0].replicas) if self.partitions else 0


def topic_info(client: KafkaAdminClient, meta: dict[str, Any]) -> TopicInfo:
    """A :class:`TopicInfo` from kafka-python's metadata, with the topic's own configs."""
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


def list_topics(prefix: str | None = None, settings: Settings | None = None) -> list[str]:
    """Sorted topic names (starting with ``prefix`` if given); internal ``__`` topics hidden."""
    with admin_session(settings or get_settings(), "listing topics") as client:
        topics = client.describe_topics()
    return sorted(
        t["name"] for t in topics
        if not t["is_internal"] and not t["name"].startswith("__")
        and (prefix is None or t["name"].startswith(prefix))
    )


def describe_topic(name: str, settings: Settings | None = None) -> TopicInfo:
    """Partitions, leaders, replicas and configs of a topic; :class:`TopicNotFound` if missing."""
    doing = f"describing topic {name!r}"
    with admin_session(settings or get_settings(), doing, topic=name) as client:
        meta = topic_metadata(client, name)
        if meta is None:
            raise TopicNotFound(name)
        if meta["error_code"]:
            raise EdaLabError(f"Kafka could not describe topic {name!r} (error code "
                              f"{meta['error_code']}); `eda-lab broker logs` may say why.")
        return topic_info(client, meta)
