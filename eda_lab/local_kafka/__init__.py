"""A local Apache Kafka broker run from its Maven jars: node config, ports, files, jars, Java, process."""

from __future__ import annotations

from .broker import LocalBroker
from .classroom import ClassroomAddress
from .files import (
    default_cache,
    default_home,
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
from .node import (
    DEFAULT_PORT,
    HOST,
    ListenerSpec,
    NodeConfig,
)
from .ports import (
    free_port,
    port_is_free,
)
from .process import DEFAULT_HEAP_MB
from .status import BrokerStatus

__all__ = [
    "BrokerStatus",
    "ClassroomAddress",
    "DEFAULT_HEAP_MB",
    "DEFAULT_PORT",
    "HOST",
    "JavaRuntime",
    "KAFKA_MIN_JAVA",
    "KAFKA_VERSION",
    "ListenerSpec",
    "LocalBroker",
    "NodeConfig",
    "default_cache",
    "default_home",
    "free_port",
    "kafka_version",
    "port_is_free",
    "require_java",
    "resolve_kafka_jars",
]
