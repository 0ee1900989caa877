"""Talking to Kafka: producing, consuming, topics, offsets, groups, the cluster and namespace resets."""

from __future__ import annotations

from .cluster import (
    ClusterInfo,
    admin_client,
    cluster_info,
    wait_for_broker,
)
from .consuming import (
    EventConsumer,
    consume,
)
from .groups import (
    delete_group,
    describe_group,
    group_states,
    list_groups,
)
from .offsets import (
    PartitionLag,
    begin_offsets,
    end_offsets,
    group_lag,
    group_offsets,
)
from .partitioning import (
    murmur2,
    partition_for,
    to_positive,
)
from .producing import (
    Delivery,
    EventPublisher,
    make_producer,
    publish,
)
from .records import (
    RebalanceEvent,
    Received,
)
from .reset import reset_namespace
from .topic_info import (
    PartitionInfo,
    TopicInfo,
    describe_topic,
    list_topics,
)
from .topics import (
    create_topic,
    delete_topic,
    recreate_topic,
)

__all__ = [
    "ClusterInfo",
    "Delivery",
    "EventConsumer",
    "EventPublisher",
    "PartitionInfo",
    "PartitionLag",
    "RebalanceEvent",
    "Received",
    "TopicInfo",
    "admin_client",
    "begin_offsets",
    "cluster_info",
    "consume",
    "create_topic",
    "delete_group",
    "delete_topic",
    "describe_group",
    "describe_topic",
    "end_offsets",
    "group_lag",
    "group_offsets",
    "group_states",
    "list_groups",
    "list_topics",
    "make_producer",
    "murmur2",
    "partition_for",
    "publish",
    "recreate_topic",
    "reset_namespace",
    "to_positive",
    "wait_for_broker",
]
