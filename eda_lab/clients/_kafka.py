"""The one seam to kafka-python: building clients, admin sessions, metadata, the coordinator
retry, closing after a failure, and turning kafka-python errors into :mod:`eda_lab.errors`.

The other client modules import kafka-python's types from here, so a kafka-python upgrade is
checked in one file; tests/integration/test_kafka_adapter.py pins the private parts used.
It is longer than the ~150 lines other modules keep to because it is, on purpose, the only
place that knows kafka-python.
"""

from __future__ import annotations

import atexit
import re
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TypeVar

from kafka import (
    ConsumerRebalanceListener,
    KafkaAdminClient,
    KafkaConsumer,
    KafkaProducer,
    OffsetAndMetadata,
    TopicPartition,
)
from kafka import errors as kerr
from kafka.admin import ConfigResource, ConfigResourceType, OffsetSpec
from kafka.consumer.fetcher import ConsumerRecord
from kafka.producer.future import FutureRecordMetadata

from ..errors import (
    BrokerUnreachable,
    EdaLabError,
    GroupNotFound,
    InvalidTopic,
    SettingsError,
    TopicAlreadyExists,
    TopicNotFound,
    WaitTimeout,
)
from ..settings import Settings
from ..waiting import wait_until

# kafka-python's types the other client modules use, so that they never import kafka.
__all__ = [
    "ConfigResource", "ConfigResourceType", "ConsumerRebalanceListener", "ConsumerRecord",
    "FutureRecordMetadata", "KafkaAdminClient", "KafkaConsumer", "KafkaProducer",
    "OffsetAndMetadata", "OffsetSpec", "TopicPartition",
]
C = TypeVar("C")
T = TypeVar("T")
# What "nobody answered" looks like from kafka-python; configuration mistakes are not caught.
_UNREACHABLE = (kerr.RetriableError, kerr.BrokerNotAvailableError)
# A brand-new cluster creates __consumer_offsets on the first group request and answers
# "coordinator not available" until it is ready; such answers are worth asking again.
_COORDINATOR_BUSY = (kerr.CoordinatorNotAvailableError, kerr.CoordinatorLoadInProgressError,
                     kerr.NotCoordinatorError)
_OPEN_PRODUCERS: weakref.WeakSet[KafkaProducer] = weakref.WeakSet()
_REJECTED_SHAPE = (kerr.InvalidTopicError, kerr.InvalidPartitionsError,
                   kerr.InvalidReplicationFactorError)


def connect(client_type: type[C], settings: Settings, timeout_s: float, **config: Any) -> C:
    """A kafka-python client of ``client_type`` on ``settings``; :class:`BrokerUnreachable`
    if nobody answers at the bootstrap address within ``timeout_s`` (or the config's own
    ``bootstrap_timeout_ms``)."""
    config = {**settings.client_kwargs(), **config}
    config.setdefault("bootstrap_timeout_ms", max(int(timeout_s * 1000), 1000))
    unknown = sorted(set(config) - set(getattr(client_type, "DEFAULT_CONFIG", config)))
    if unknown:  # checked here, before kafka-python opens sockets it would not close
        raise SettingsError(f"kafka-python's {client_type.__name__} has no option "
                            f"{', '.join(unknown)}; check the name in its documentation.")
    try:
        return client_type(**config)
    except _UNREACHABLE as exc:
        waited_s = config["bootstrap_timeout_ms"] / 1000
        raise BrokerUnreachable(settings.bootstrap, waited_s, type(exc).__name__) from exc
    except kerr.KafkaError as exc:  # e.g. an option kafka-python does not accept
        raise translate(exc, settings, f"starting a {client_type.__name__}", timeout_s) from exc


def translate(exc: Exception, settings: Settings, doing: str, timeout_s: float,
              topic: str | None = None, group: str | None = None) -> Exception:
    """The eda_lab error for a kafka-python error raised while ``doing`` something."""
    if not isinstance(exc, kerr.KafkaError):
        return exc
    if isinstance(exc, kerr.TopicAlreadyExistsError) and topic:
        return TopicAlreadyExists(topic)
    if isinstance(exc, kerr.UnknownTopicOrPartitionError) and topic:
        return TopicNotFound(topic)
    if isinstance(exc, kerr.GroupIdNotFoundError) and group:
        return GroupNotFound(group)
    if isinstance(exc, _REJECTED_SHAPE):
        return InvalidTopic(f"Kafka refused {doing} ({_broker_says(exc)}). Topic names use only "
                            "a-z A-Z 0-9 . _ -; a topic has >= 1 partition and a replication "
                            "factor from 1 to the number of brokers.")
    if isinstance(exc, kerr.CommitFailedError):
        return EdaLabError(f"Kafka refused {doing}: a rebalance gave this member's partitions "
                           "to another (was handling slower than max_poll_interval_ms?). Their "
                           "records since the last commit will be read again: handle idempotently.")
    if isinstance(exc, kerr.KafkaTimeoutError):
        return WaitTimeout(f"Kafka did not answer while {doing} within {timeout_s:g} s. "
                           "Is the broker running? Check with `eda-lab doctor`.")
    if isinstance(exc, _UNREACHABLE):
        return BrokerUnreachable(settings.bootstrap, timeout_s, f"{doing}: {type(exc).__name__}")
    if isinstance(exc, kerr.KafkaConfigurationError):
        return SettingsError(f"kafka-python refused an option while {doing}: {exc}. Check the "
                             "option's name and value in kafka-python's documentation.")
    said = f"({_broker_says(exc)})"
    if not isinstance(exc, kerr.BrokerResponseError):  # the client's own complaint
        return EdaLabError(f"kafka-python failed while {doing} {said}. `eda-lab doctor` checks "
                           "the setup.")
    return EdaLabError(f"Kafka refused {doing} {said}. The broker's log may say why: "
                       "`eda-lab broker logs`.")


def _broker_says(exc: Exception) -> str:
    """The error's name and the broker's own words (kafka-python repeats the whole request)."""
    found = re.search(r"error_message='((?:[^'\\]|\\.)*)'", str(exc))
    return f"{type(exc).__name__}: {found.group(1) if found else str(exc)[:200]}"


@contextmanager
def kafka_errors(settings: Settings, doing: str, timeout_s: float, *,
                 topic: str | None = None, group: str | None = None) -> Iterator[None]:
    """Raise the eda_lab error for any kafka-python error raised inside the block."""
    try:
        yield
    except kerr.KafkaError as exc:
        raise translate(exc, settings, doing, timeout_s, topic, group) from exc


def admin_client(settings: Settings, timeout_s: float) -> KafkaAdminClient:
    """A kafka-python admin client, or :class:`BrokerUnreachable` after ``timeout_s``."""
    return connect(KafkaAdminClient, settings, timeout_s, client_id="eda-lab-admin",
                   request_timeout_ms=max(int(timeout_s * 1000), 1000))


@contextmanager
def admin_session(settings: Settings, doing: str, timeout_s: float = 10.0, *,
                  topic: str | None = None, group: str | None = None
                  ) -> Iterator[KafkaAdminClient]:
    """An admin client closed on exit, whose kafka-python errors become eda_lab errors."""
    client = admin_client(settings, min(timeout_s, 10.0))
    try:
        with kafka_errors(settings, doing, timeout_s, topic=topic, group=group):
            yield client
    finally:
        client.close()


def topic_metadata(client: KafkaAdminClient, name: str) -> dict[str, Any] | None:
    """The topic's metadata, or None when the cluster does not know it."""
    (meta,) = client.describe_topics([name])
    return None if meta["error_code"] == kerr.UnknownTopicOrPartitionError.errno else meta


def group_description(client: KafkaAdminClient, group: str) -> dict[str, Any]:
    """kafka-python's description of ``group``; :class:`GroupNotFound` if there is none."""
    found = with_coordinator(lambda: client.describe_groups([group]))[group]
    # The answer carries its error as text, e.g. "[Error 69] GroupIdNotFoundError: ...".
    if kerr.GroupIdNotFoundError.__name__ in (found.get("error") or ""):
        raise GroupNotFound(group)
    if found.get("error"):
        raise EdaLabError(f"Kafka could not describe group {group!r}: {found['error']}")
    return found


def with_coordinator(call: Callable[[], T], timeout_s: float = 30.0) -> T:
    """Run a group request, asking again while the group coordinator is still starting."""
    busy: list[Exception] = []

    def attempt() -> tuple[T] | None:
        try:
            return (call(),)  # a tuple, so that an empty answer still ends the wait
        except _COORDINATOR_BUSY as exc:
            busy[:] = [exc]
            return None

    (result,) = wait_until(attempt, timeout_s, lambda: EdaLabError(
        f"The cluster's group coordinator did not become available in {timeout_s:g} s "
        f"({type(busy[0]).__name__}). Check the broker's log (`eda-lab broker logs`)."), 0.2)
    return result


def broker_version(client: KafkaAdminClient, timeout_s: float) -> tuple[int, ...]:
    """The broker's ``(major, minor, ...)`` as kafka-python infers it from its API versions."""
    # kafka-python exposes version probing only on the admin's private network client
    # (KafkaNetClient.check_version); test_kafka_adapter fails loudly if that ever moves.
    return tuple(client._client.check_version(timeout_ms=int(timeout_s * 1000)))


def close_producer(producer: KafkaProducer, timeout_s: float) -> None:
    """Flush for up to ``timeout_s``, then close without raising, even if the broker is gone.

    kafka-python's ``close`` flushes first and raises ``KafkaTimeoutError`` when records are
    still pending, leaving the producer open (its ``__del__`` then raises again). Aborting the
    pending records first, as Java's ``close(Duration.ZERO)`` does, lets ``close`` finish.
    """
    try:
        producer.flush(timeout=timeout_s)
    except kerr.KafkaTimeoutError:
        producer._sender.force_close()  # private: fails every pending future, stops the thread
        producer._sender.join(timeout=1.0)
    # Nothing is pending any more, so this returns at once; if the sender is still stuck,
    # the interpreter's exit ends its thread.
    with suppress(kerr.KafkaError):
        producer.close(timeout=1.0)


def close_consumer(consumer: KafkaConsumer, autocommit: bool, timeout_s: float) -> str | None:
    """Commit if asked, leave the group and close, within about ``timeout_s``; never raises.

    Returns why the commit failed, or None. (kafka-python's own closing commit only logs a
    failure, so the commit is made here, where its outcome can be told.)
    """
    failed = None
    if autocommit:
        try:
            consumer.commit(timeout_ms=int(timeout_s * 1000))
        except kerr.KafkaError as exc:
            failed = type(exc).__name__
    # If the broker is gone, the group drops this member when its session times out.
    with suppress(kerr.KafkaError):
        consumer.close(autocommit=False, timeout_ms=1000 if failed else int(timeout_s * 1000))
    return failed


def closed_quietly_at_exit(producer: KafkaProducer) -> KafkaProducer:
    """``producer``, to be closed by :func:`close_producer` when the interpreter exits."""
    _OPEN_PRODUCERS.add(producer)
    # atexit runs the latest registration first: stay ahead of kafka-python's own exit hook,
    # which prints a traceback when records are still pending (the broker is gone).
    atexit.unregister(_close_open_producers)
    atexit.register(_close_open_producers)
    return producer


def _close_open_producers() -> None:
    for producer in list(_OPEN_PRODUCERS):
        with suppress(Exception):  # at exit nothing is left to tell
            close_producer(producer, 1.0)
