"""eda_lab: learn event-driven architecture on a real Apache Kafka.

Every public name is importable from here, e.g. ``from eda_lab import Event, EventPublisher``.
Importing connects to nothing; settings come from ``EDA_LAB_*`` environment variables.
"""

from __future__ import annotations

from .admin import (
    PartitionInfo,
    PartitionLag,
    TopicInfo,
    begin_offsets,
    create_topic,
    delete_group,
    delete_topic,
    describe_topic,
    end_offsets,
    group_lag,
    group_offsets,
    group_states,
    list_groups,
    list_topics,
    recreate_topic,
    reset_namespace,
)
from .analysis import (
    events_per_second,
    group_lag_frame,
    topic_to_dataframe,
)
from .broker import (
    DEFAULT_HEAP_MB,
    DEFAULT_PORT,
    HOST,
    BrokerStatus,
    LocalBroker,
    free_port,
)
from .broker_files import (
    default_cache,
    default_home,
)
from .connection import (
    ClusterInfo,
    admin_client,
    cluster_info,
    wait_for_broker,
)
from .consuming import (
    EventConsumer,
    consume,
)
from .doctor import (
    Check,
    run_checks,
)
from .envelope import (
    Command,
    Event,
    decode_event,
)
from .errors import (
    BrokerExited,
    BrokerUnreachable,
    EdaLabError,
    JarsUnavailable,
    JavaNotFound,
    JavaTooOld,
    LocalBrokerError,
    MalformedEvent,
    PortInUse,
    SettingsError,
    TopicNotFound,
    WaitTimeout,
)
from .exercises import (
    check,
)
from .group_plots import (
    assignment_chart,
    lag_bars,
    ownership_spans,
    rebalance_replay,
)
from .group_view import (
    GroupSnapshot,
    LiveGroupView,
)
from .jars import (
    KAFKA_VERSION,
    kafka_version,
    resolve_kafka_jars,
)
from .java import (
    KAFKA_MIN_JAVA,
    JavaRuntime,
    require_java,
)
from .namespace import (
    Namespace,
    namespace,
)
from .partitioning import (
    murmur2,
    partition_for,
    to_positive,
)
from .plot_style import (
    member_colors,
)
from .plots import (
    key_spread,
    offsets_over_time,
    throughput_chart,
    topic_layout,
)
from .producing import (
    Delivery,
    EventPublisher,
    make_producer,
    publish,
)
from .publish_widget import (
    PublishForm,
    publish_form,
)
from .records import (
    RebalanceEvent,
    Received,
)
from .settings import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_NAMESPACE,
    Settings,
    get_settings,
)

__all__ = [
    "BrokerExited",
    "BrokerStatus",
    "BrokerUnreachable",
    "Check",
    "ClusterInfo",
    "Command",
    "DEFAULT_BOOTSTRAP",
    "DEFAULT_HEAP_MB",
    "DEFAULT_NAMESPACE",
    "DEFAULT_PORT",
    "Delivery",
    "EdaLabError",
    "Event",
    "EventConsumer",
    "EventPublisher",
    "GroupSnapshot",
    "HOST",
    "JarsUnavailable",
    "JavaNotFound",
    "JavaRuntime",
    "JavaTooOld",
    "KAFKA_MIN_JAVA",
    "KAFKA_VERSION",
    "LiveGroupView",
    "LocalBroker",
    "LocalBrokerError",
    "MalformedEvent",
    "Namespace",
    "PartitionInfo",
    "PartitionLag",
    "PortInUse",
    "PublishForm",
    "RebalanceEvent",
    "Received",
    "Settings",
    "SettingsError",
    "TopicInfo",
    "TopicNotFound",
    "WaitTimeout",
    "admin_client",
    "assignment_chart",
    "begin_offsets",
    "check",
    "cluster_info",
    "consume",
    "create_topic",
    "decode_event",
    "default_cache",
    "default_home",
    "delete_group",
    "delete_topic",
    "describe_topic",
    "end_offsets",
    "events_per_second",
    "free_port",
    "get_settings",
    "group_lag",
    "group_lag_frame",
    "group_offsets",
    "group_states",
    "kafka_version",
    "key_spread",
    "lag_bars",
    "list_groups",
    "list_topics",
    "make_producer",
    "member_colors",
    "murmur2",
    "namespace",
    "offsets_over_time",
    "ownership_spans",
    "partition_for",
    "publish",
    "publish_form",
    "rebalance_replay",
    "recreate_topic",
    "require_java",
    "reset_namespace",
    "resolve_kafka_jars",
    "run_checks",
    "throughput_chart",
    "to_positive",
    "topic_layout",
    "topic_to_dataframe",
    "wait_for_broker",
]
