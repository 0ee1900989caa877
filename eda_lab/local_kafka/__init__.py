"""A local Apache Kafka broker run from its Maven jars: files, jars, Java, ports and the process."""

from __future__ import annotations

from .broker import (
    DEFAULT_HEAP_MB,
    DEFAULT_PORT,
    HOST,
    BrokerStatus,
    LocalBroker,
    free_port,
)
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

__all__ = [
    "BrokerStatus",
    "DEFAULT_HEAP_MB",
    "DEFAULT_PORT",
    "HOST",
    "JavaRuntime",
    "KAFKA_MIN_JAVA",
    "KAFKA_VERSION",
    "LocalBroker",
    "default_cache",
    "default_home",
    "free_port",
    "kafka_version",
    "require_java",
    "resolve_kafka_jars",
]
