"""eda_lab: learn event-driven architecture on a real Apache Kafka.

This module exports the vocabulary of the lessons: events and commands, the publisher and the
consumer, topics, groups and namespaces, waiting for a condition, a lesson's database
folder, the exercise check and the errors a learner catches.
Everything else lives in a sub-package whose name says what it is:

- :mod:`eda_lab.messages`: the envelope on the wire and its rules
- :mod:`eda_lab.clients`: producing, consuming, topics, offsets, groups, the cluster
- :mod:`eda_lab.local_kafka`: the local broker run from Kafka's Maven jars
- :mod:`eda_lab.patterns`: the consume, handle, commit loop the patterns share
- :mod:`eda_lab.analysis`: topics as pandas DataFrames
- :mod:`eda_lab.viz`: pictures, in one style
- :mod:`eda_lab.widgets`: live views and forms for notebooks
- :mod:`eda_lab.cli`: the ``eda-lab`` command and the doctor

Importing connects to nothing; settings come from ``EDA_LAB_*`` environment variables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .clients import (
    Delivery,
    EventConsumer,
    EventPublisher,
    Received,
    begin_offsets,
    cluster_info,
    consume,
    create_topic,
    delete_group,
    delete_topic,
    describe_topic,
    end_offsets,
    group_lag,
    group_offsets,
    list_groups,
    list_topics,
    make_producer,
    partition_for,
    publish,
    recreate_topic,
    reset_namespace,
    wait_for_broker,
)
from .databases import lesson_db_dir
from .errors import (
    BrokerUnreachable,
    CommandRejected,
    ConcurrencyConflict,
    EdaLabError,
    GroupNotEmpty,
    GroupNotFound,
    InvalidTopic,
    MalformedEvent,
    NonRetryable,
    SettingsError,
    TopicAlreadyExists,
    TopicNotFound,
    WaitTimeout,
)
from .exercises import check
from .messages import (
    Command,
    Event,
    decode_event,
)
from .namespace import Namespace, namespace
from .settings import Settings, get_settings
from .waiting import wait_until

if TYPE_CHECKING:
    from .analysis import topic_to_dataframe

# Imported on first use so that the command line (``eda-lab broker start``) never loads pandas.
_LAZY = {"topic_to_dataframe": "analysis"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BrokerUnreachable",
    "Command",
    "CommandRejected",
    "ConcurrencyConflict",
    "Delivery",
    "EdaLabError",
    "Event",
    "EventConsumer",
    "EventPublisher",
    "GroupNotEmpty",
    "GroupNotFound",
    "InvalidTopic",
    "MalformedEvent",
    "Namespace",
    "NonRetryable",
    "Received",
    "Settings",
    "SettingsError",
    "TopicAlreadyExists",
    "TopicNotFound",
    "WaitTimeout",
    "begin_offsets",
    "check",
    "cluster_info",
    "consume",
    "create_topic",
    "decode_event",
    "delete_group",
    "delete_topic",
    "describe_topic",
    "end_offsets",
    "get_settings",
    "group_lag",
    "group_offsets",
    "lesson_db_dir",
    "list_groups",
    "list_topics",
    "make_producer",
    "namespace",
    "partition_for",
    "publish",
    "recreate_topic",
    "reset_namespace",
    "topic_to_dataframe",
    "wait_for_broker",
    "wait_until",
]
