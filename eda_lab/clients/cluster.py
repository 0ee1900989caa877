"""Waiting for a broker to answer, and reading who it is."""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Any, TypeVar

from kafka import KafkaAdminClient
from kafka.errors import BrokerNotAvailableError, RetriableError

from ..errors import BrokerUnreachable
from ..settings import Settings, get_settings

# What "nobody answered" looks like from kafka-python; configuration mistakes are not caught.
_UNREACHABLE = (RetriableError, BrokerNotAvailableError)
C = TypeVar("C")


@dataclass(frozen=True)
class ClusterInfo:
    """What a broker says about its cluster: id, controller, advertised brokers, Kafka version.

    ``kafka_version`` is ``major.minor`` as kafka-python infers it from the API versions the
    broker supports (the protocol does not carry the patch number).
    """

    cluster_id: str
    controller_id: int
    brokers: tuple[str, ...]
    kafka_version: str


def _port_open(host: str, port: int, timeout_s: float) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def connect(client_type: type[C], settings: Settings, timeout_s: float, **config: Any) -> C:
    """A kafka-python client of ``client_type`` on ``settings``; :class:`BrokerUnreachable`
    if nobody answers at the bootstrap address within ``timeout_s`` (or the config's own
    ``bootstrap_timeout_ms``)."""
    config = {**settings.client_kwargs(), **config}
    config.setdefault("bootstrap_timeout_ms", max(int(timeout_s * 1000), 1000))
    try:
        return client_type(**config)
    except _UNREACHABLE as exc:
        waited_s = config["bootstrap_timeout_ms"] / 1000
        raise BrokerUnreachable(settings.bootstrap, waited_s, type(exc).__name__) from exc


def admin_client(settings: Settings | None = None, timeout_s: float = 10.0) -> KafkaAdminClient:
    """A kafka-python admin client, or :class:`BrokerUnreachable` after ``timeout_s``."""
    return connect(KafkaAdminClient, settings or get_settings(), timeout_s,
                   client_id="eda-lab-admin", request_timeout_ms=max(int(timeout_s * 1000), 1000))


def cluster_info(settings: Settings | None = None, timeout_s: float = 10.0) -> ClusterInfo:
    """Ask the cluster for its id and brokers; :class:`BrokerUnreachable` if nobody answers."""
    settings = settings or get_settings()
    admin = admin_client(settings, timeout_s)
    try:
        described = admin.describe_cluster()
        # kafka-python exposes version probing only on its network client.
        inferred = admin._client.check_version(timeout_ms=int(timeout_s * 1000))
    except _UNREACHABLE as exc:
        raise BrokerUnreachable(settings.bootstrap, timeout_s, type(exc).__name__) from exc
    finally:
        admin.close()
    return ClusterInfo(
        cluster_id=described["cluster_id"],
        controller_id=described["controller_id"],
        brokers=tuple(f"{b['host']}:{b['port']}" for b in described["brokers"]),
        kafka_version=".".join(str(part) for part in inferred[:2]),
    )


def wait_for_broker(
    settings: Settings | None = None, timeout_s: float = 30.0, alive=lambda: True
) -> ClusterInfo:
    """Poll until a kafka-python client gets metadata from the cluster, or raise.

    ``alive`` lets a launcher stop waiting early when the process it started has died.
    """
    settings = settings or get_settings()
    deadline = time.monotonic() + timeout_s
    host, _, port = settings.bootstrap_servers[0].rpartition(":")
    last = "nothing listens on the port yet"
    while time.monotonic() < deadline:
        if not alive():
            break
        if _port_open(host, int(port), 0.5):
            try:
                return cluster_info(settings, timeout_s=min(5.0, max(1.0, deadline - time.monotonic())))
            except BrokerUnreachable as exc:
                last = str(exc.__cause__ or exc)
        time.sleep(0.2)  # poll interval of a condition wait, not a fixed wait for Kafka
    raise BrokerUnreachable(settings.bootstrap, timeout_s, last)
