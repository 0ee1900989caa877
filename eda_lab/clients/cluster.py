"""Waiting for a broker to answer, and reading who it is."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import BrokerUnreachable, WaitTimeout
from ..settings import Settings, get_settings
from ..waiting import wait_until
from . import _kafka
from ._kafka import KafkaAdminClient, admin_session, broker_version
from ._kafka import connect as connect  # analysis.loading builds its reader with it


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


def admin_client(settings: Settings | None = None, timeout_s: float = 10.0) -> KafkaAdminClient:
    """A raw kafka-python admin client (for what eda_lab does not wrap), or
    :class:`BrokerUnreachable` after ``timeout_s``. Close it when done."""
    return _kafka.admin_client(settings or get_settings(), timeout_s)


def cluster_info(settings: Settings | None = None, timeout_s: float = 10.0) -> ClusterInfo:
    """Ask the cluster for its id and brokers; :class:`BrokerUnreachable` if nobody answers."""
    settings = settings or get_settings()
    try:
        with admin_session(settings, "describing the cluster", timeout_s) as admin:
            described = admin.describe_cluster()
            inferred = broker_version(admin, timeout_s)
    except WaitTimeout as exc:  # it answered the bootstrap, then fell silent
        raise BrokerUnreachable(settings.bootstrap, timeout_s, str(exc)) from exc
    return ClusterInfo(
        cluster_id=described["cluster_id"],
        controller_id=described["controller_id"],
        brokers=tuple(f"{b['host']}:{b['port']}" for b in described["brokers"]),
        kafka_version=".".join(str(part) for part in inferred[:2]),
    )


def wait_for_broker(settings: Settings | None = None, timeout_s: float = 30.0,
                    alive: Callable[[], bool] = lambda: True) -> ClusterInfo:
    """Wait until a client gets metadata from the cluster; :class:`BrokerUnreachable` if not.

    ``alive`` lets a launcher stop waiting early when the process it started has died.
    """
    settings = settings or get_settings()
    host, _, port = settings.bootstrap_servers[0].rpartition(":")
    deadline = time.monotonic() + timeout_s
    last = ["nothing listens on the port yet"]

    def answered() -> ClusterInfo | str | None:
        if not alive():
            return _DIED  # truthy: stop waiting, the process will never answer
        if not _port_open(host, int(port), 0.5):
            return None
        try:
            return cluster_info(settings, min(5.0, max(1.0, deadline - time.monotonic())))
        except BrokerUnreachable as exc:
            last[0] = str(exc.__cause__ or exc)
            return None

    def gave_up() -> BrokerUnreachable:
        return BrokerUnreachable(settings.bootstrap, timeout_s, last[0])

    found = wait_until(answered, timeout_s, gave_up, interval_s=0.2)
    if not isinstance(found, ClusterInfo):
        raise gave_up()
    return found


_DIED = "the process exited"
