"""Topics: create, delete and recreate them.

Kafka answers "created" and "deleted" before every broker's metadata agrees, so each call
here waits for the condition it promises (with a timeout) before it returns.
:mod:`eda_lab.clients` re-exports everything public from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..errors import TopicAlreadyExists, TopicNotFound, WaitTimeout
from ..settings import Settings, get_settings
from ..waiting import wait_until
from ._kafka import KafkaAdminClient, admin_session, kafka_errors, topic_metadata
from .topic_info import TopicInfo, topic_info
from .topic_rules import check_topic

T = TypeVar("T")


def _wait_for(check: Callable[[], T], timeout_s: float, what_next: str) -> T:
    """Poll ``check`` until it returns something truthy; WaitTimeout with ``what_next`` if not."""
    return wait_until(check, timeout_s, lambda: WaitTimeout(f"{what_next} (waited {timeout_s:g} s)"))


def _led(meta: dict[str, Any] | None, partitions: int | None = None) -> dict[str, Any] | None:
    """``meta`` if the topic is usable: every partition present and with a leader."""
    if not meta or meta["error_code"] or not meta["partitions"]:
        return None
    parts = meta["partitions"]
    if partitions is not None and len(parts) != partitions:
        return None
    return meta if all(p["error_code"] == 0 and p["leader_id"] >= 0 for p in parts) else None


def _shape(partitions: int, replication_factor: int, with_replication: bool) -> str:
    shape = f"{partitions} partition{'s' * (partitions != 1)}"
    return shape + (f" and replication factor {replication_factor}" if with_replication else "")


def create_topic(
    name: str, partitions: int = 1, replication_factor: int = 1,
    configs: Mapping[str, str] | None = None, settings: Settings | None = None,
    timeout_s: float = 30.0, exist_ok: bool = True,
) -> TopicInfo:
    """Create a topic and wait until every partition has a leader.

    Example: ``create_topic(ns.topic("orders"), partitions=3)``.

    With ``exist_ok`` an existing topic of the same partition count and replication factor
    is returned as it is (its configs are not compared); one of another shape raises
    :class:`TopicAlreadyExists` naming both. A name or count Kafka refuses raises
    :class:`InvalidTopic` saying what a valid one is.
    """
    check_topic(name, partitions, replication_factor)
    settings = settings or get_settings()
    spec = {"num_partitions": partitions, "replication_factor": replication_factor,
            "configs": {k: str(v) for k, v in (configs or {}).items()}}
    doing = f"creating topic {name!r}"
    with admin_session(settings, doing, timeout_s, topic=name) as client:
        try:
            with kafka_errors(settings, doing, timeout_s, topic=name):
                client.create_topics({name: spec}, timeout_ms=int(timeout_s * 1000))
            created = True
        except TopicAlreadyExists:
            if not exist_ok:
                raise
            created = False
        meta = _wait_for(lambda: _led(topic_metadata(client, name), partitions if created else None),
                         timeout_s, f"Topic {name!r} has no leader for every partition yet; "
                         "is the broker healthy?")
        info = topic_info(client, meta)
    has = (len(info.partitions), info.replication_factor)
    if has != (partitions, replication_factor):
        other_rf = has[1] != replication_factor
        raise TopicAlreadyExists(name, _shape(*has, other_rf),
                                 _shape(partitions, replication_factor, other_rf))
    return info


def _delete_topics(client: KafkaAdminClient, names: list[str], timeout_s: float) -> None:
    """Delete ``names`` (all must exist) and wait until no broker metadata shows them."""
    if not names:
        return
    client.delete_topics(names, timeout_ms=int(timeout_s * 1000))
    _wait_for(lambda: all(topic_metadata(client, n) is None for n in names), timeout_s,
              f"Topics {names} are still listed after deletion; is the broker healthy?")


def delete_topic(name: str, settings: Settings | None = None, timeout_s: float = 30.0,
                 missing_ok: bool = True) -> None:
    """Delete a topic and wait until it is really gone, so it can be created again at once."""
    try:
        with admin_session(settings or get_settings(), f"deleting topic {name!r}", timeout_s,
                           topic=name) as client:
            _delete_topics(client, [name], timeout_s)
    except TopicNotFound:
        if not missing_ok:
            raise


def recreate_topic(
    name: str, partitions: int = 1, replication_factor: int = 1,
    configs: Mapping[str, str] | None = None, settings: Settings | None = None,
    timeout_s: float = 30.0,
) -> TopicInfo:
    """Delete the topic if present, then create it: fresh and empty."""
    check_topic(name, partitions, replication_factor)
    delete_topic(name, settings, timeout_s)
    return create_topic(name, partitions, replication_factor, configs, settings, timeout_s,
                        exist_ok=False)
