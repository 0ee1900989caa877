"""Every error eda_lab raises, each with a message that says what to do next.

::

    EdaLabError
    ├── SettingsError          a setting has a value the clients cannot use
    ├── BrokerUnreachable      no broker answered at the bootstrap address
    ├── TopicNotFound          the topic does not exist (or not yet)
    ├── TopicAlreadyExists     the topic exists with another shape than the one asked for
    ├── InvalidTopic           a topic name, partition count or replication Kafka rejects (ValueError)
    ├── GroupNotFound          the consumer group does not exist
    ├── GroupNotEmpty          a consumer group still has members, so it cannot be deleted
    ├── ConcurrencyConflict    an append expected another stream version (optimistic concurrency)
    ├── CommandRejected        a command breaks a business rule; nothing was appended
    ├── MalformedEvent         a record is not a valid event envelope
    ├── NonRetryable           a handler's failure that trying again cannot fix (dead-letter it)
    ├── DeadLetterFailed       a failed record could not be parked, so consumption stopped
    ├── RetryInterrupted       an in-place retry stopped waiting (a stop, or max.poll.interval.ms near)
    ├── WaitTimeout            a condition did not come true in time
    └── LocalBrokerError       the local broker launcher could not do its job
        ├── JavaNotFound       no ``java`` on JAVA_HOME or PATH
        ├── JavaTooOld         ``java`` is older than Kafka needs
        ├── PortInUse          another program listens on the port
        ├── JarsUnavailable    the Kafka jars could not be resolved from Maven Central
        └── BrokerExited       the broker process stopped while starting
"""

from __future__ import annotations


class EdaLabError(Exception):
    """Base class of every error raised by eda_lab."""


class SettingsError(EdaLabError, ValueError):
    """A setting has a value the clients cannot use."""


class BrokerUnreachable(EdaLabError):
    """No Kafka broker answered at the configured bootstrap address."""

    def __init__(self, bootstrap: str, timeout_s: float, detail: str = "") -> None:
        self.bootstrap = bootstrap
        msg = (
            f"No Kafka broker answered at {bootstrap} within {timeout_s:g} s. "
            "Start the local one with `eda-lab broker start` (or `make lab`), "
            "or point EDA_LAB_BOOTSTRAP at a running cluster; `eda-lab doctor` checks the setup."
        )
        super().__init__(msg + (f" ({detail})" if detail else ""))


class TopicNotFound(EdaLabError):
    """The topic does not exist on the cluster."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        super().__init__(
            f"Topic {topic!r} does not exist. Create it first with "
            f"create_topic({topic!r}, partitions=...), or check the name and namespace."
        )


class TopicAlreadyExists(EdaLabError):
    """The topic already exists (with another shape than the one asked for).

    ``has`` and ``asked`` describe both shapes (e.g. ``"3 partitions"``) when they differ.
    """

    def __init__(self, topic: str, has: str | None = None, asked: str | None = None) -> None:
        self.topic, self.has, self.asked = topic, has, asked
        shape = f" with {has}, not the {asked} asked for" if has and asked else ""
        super().__init__(
            f"Topic {topic!r} already exists{shape}. Use recreate_topic({topic!r}, ...) for a "
            f"fresh empty one (its events are deleted), or delete_topic({topic!r}) first"
            + (f"; or ask for {has} to keep it." if has and asked else
               ", or pass exist_ok=True to keep it.")
        )


class InvalidTopic(EdaLabError, ValueError):
    """Kafka rejects the topic name or partition count; the message says what a valid one is."""


class GroupNotFound(EdaLabError):
    """The consumer group does not exist on the cluster."""

    def __init__(self, group: str) -> None:
        self.group = group
        super().__init__(
            f"Consumer group {group!r} does not exist (no member ever joined it, or it was "
            "deleted). Check the name and namespace: list_groups(ns.root) shows the groups there."
        )


class GroupNotEmpty(EdaLabError):
    """A consumer group still has active members, so it cannot be deleted yet."""


class ConcurrencyConflict(EdaLabError):
    """An append expected a stream version that is no longer current.

    Carries ``stream_id``, ``expected`` and ``actual`` so a caller can reload and retry.
    """

    def __init__(self, stream_id: str, expected: int | None, actual: int | None) -> None:
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        def shown(v: int | None) -> str:
            return "no stream yet" if v is None else f"version {v}"
        super().__init__(
            f"Stream {stream_id!r}: expected {shown(expected)}, but it is at {shown(actual)}. "
            "Another writer appended first: load the stream again, decide again, and retry."
        )


class CommandRejected(EdaLabError, ValueError):
    """A command breaks a business rule (a withdrawal beyond the balance, shipping unpaid goods).

    The message says which rule and the state that broke it; nothing is appended.
    """


class MalformedEvent(EdaLabError, ValueError):
    """A record could not be read as an event envelope; names the field and where it came from."""

    def __init__(self, problem: str, *, field: str | None = None, where: str | None = None) -> None:
        self.problem = problem
        self.field = field
        self.where = where
        parts = [f"Malformed event: {problem}"]
        if field:
            parts.append(f"field {field!r}")
        if where:
            parts.append(f"record {where}")
        super().__init__(
            "; ".join(parts) + ". Send such records to a dead-letter topic rather than dropping them."
        )


class NonRetryable(EdaLabError):
    """Raise it (or a subclass) from a handler for a failure no retry can fix: a dead-letter
    router sends the record straight to the dead-letter topic instead of a retry topic."""


class DeadLetterFailed(EdaLabError):
    """A failed record could not be written to its retry or dead-letter topic, so it was not
    committed and the loop stopped (better stopped than a record lost)."""

    def __init__(self, where: str, target: str, cause: Exception) -> None:
        self.where, self.target = where, target
        super().__init__(
            f"Could not park the failed record {where} on {target!r} ({cause}). Its offset is "
            f"not committed, so nothing is lost: create the topic (DeadLetterRouter.create_topics()) "
            "or fix the broker, then run the loop again; it starts with this record.")


class RetryInterrupted(EdaLabError):
    """A record retried in place stopped waiting for its next try: the loop was asked to stop
    (``stopped``), or the wait would have outlasted max.poll.interval.ms. Either way the record
    is not committed, so the next run starts with it."""

    def __init__(self, where: str, *, stopped: bool, wait_s: float = 0.0,
                 max_poll_interval_ms: int = 0) -> None:
        self.where, self.stopped = where, stopped
        kept = "It is not committed, so nothing is lost: the next run starts with it."
        if stopped:
            super().__init__(f"Stopped while {where} waited to be retried in place. {kept}")
            return
        super().__init__(
            f"Retrying {where} in place would wait {wait_s:g} s more, past "
            f"max_poll_interval_ms={max_poll_interval_ms} since the last poll: the consumer "
            f"would be taken out of its group. {kept} Retry on retry topics instead "
            "(RetryPolicy(in_place=False)), or use shorter delays, a smaller batch_size or a "
            "larger max_poll_interval_ms.")


class WaitTimeout(EdaLabError, TimeoutError):
    """A condition we were waiting for did not come true before the timeout."""


class LocalBrokerError(EdaLabError):
    """The local broker launcher could not start, stop or inspect the broker."""


class JavaNotFound(LocalBrokerError):
    """No Java runtime was found."""


class JavaTooOld(LocalBrokerError):
    """The Java runtime is older than Kafka 4 needs."""


class PortInUse(LocalBrokerError):
    """Another program already listens on a port the broker needs."""


class JarsUnavailable(LocalBrokerError):
    """The Kafka jars could not be resolved from Maven Central."""


class BrokerExited(LocalBrokerError):
    """The broker process exited while it was starting."""
