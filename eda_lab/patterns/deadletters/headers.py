"""The headers a dead letter (or a retry) carries: where the record came from and why it failed.

Modelled on Spring Kafka's ``DeadLetterPublishingRecoverer`` (``kafka_dlt-original-topic``,
``-original-partition``, ``-original-offset``, ``-original-timestamp``,
``-original-consumer-group``, ``kafka_dlt-exception-fqcn``, ``-exception-message``,
``-exception-stacktrace``) and on Kafka Connect's ``errors.deadletterqueue.context.headers``
(``__connect.errors.topic``, ``.partition``, ``.offset``, ``.exception.class.name``, ...).
Values here are UTF-8 text, so Kafka's console consumer and a DataFrame show them as they are.

The record's own headers are kept. Ours are *replaced*, never appended: a record that fails
three times carries one stack trace, the latest, and the original coordinates of its first
failure (the source topic, not a retry topic). A record parked behind an earlier record of its
key (``RetryPolicy(keep_key_order=True)``) carries the original coordinates too, and
``eda-parked-behind`` naming where that earlier record came from.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence

from ...clients.records import Received

Header = tuple[str, bytes]
ORIGINAL_TOPIC = "eda-dlt-original-topic"
ORIGINAL_PARTITION = "eda-dlt-original-partition"
ORIGINAL_OFFSET = "eda-dlt-original-offset"
ORIGINAL_TIMESTAMP = "eda-dlt-original-timestamp"  # ms since the epoch, the record's own time
ORIGINAL_GROUP = "eda-dlt-original-consumer-group"
EXCEPTION_CLASS = "eda-dlt-exception-fqcn"
EXCEPTION_MESSAGE = "eda-dlt-exception-message"
EXCEPTION_STACKTRACE = "eda-dlt-exception-stacktrace"
ATTEMPT = "eda-attempt"  # the try this delivery is (absent: 1); on a dead letter, the last try
DUE_AT = "eda-retry-due-at"  # ms since the epoch: a retry topic's consumer waits until then
REDRIVE_OF = "eda-redrive-of"  # the dead letter a redriven record copies: topic/partition@offset
PARKED_BEHIND = "eda-parked-behind"  # not tried: waits for its key's record from topic/partition@offset
ORIGINAL = (ORIGINAL_TOPIC, ORIGINAL_PARTITION, ORIGINAL_OFFSET, ORIGINAL_TIMESTAMP, ORIGINAL_GROUP)
EXCEPTION = (EXCEPTION_CLASS, EXCEPTION_MESSAGE, EXCEPTION_STACKTRACE)
OURS = frozenset((*ORIGINAL, *EXCEPTION, ATTEMPT, DUE_AT, REDRIVE_OF, PARKED_BEHIND))
# Kafka caps a whole record at about 1 MB: a deep recursion's trace must not make it unsendable.
_MAX_TRACE = 16_000


def raw_headers(record: Received) -> list[Header]:
    """The record's headers as bytes (as stored when read from Kafka)."""
    if record.raw_headers:
        return [(k, v or b"") for k, v in record.raw_headers]
    return [(k, v.encode()) for k, v in record.headers.items()]


def raw_key(record: Received) -> bytes | None:
    """The record's key as stored (a hand-made record's text key, encoded)."""
    if record.raw_key is not None or record.key is None:
        return record.raw_key
    return record.key.encode()


def attempt_of(record: Received) -> int:
    """Which try of this record a handler is making: 1 for a fresh record.

    >>> attempt_of(Received("orders.retry-1", 0, 5, None, 0, {"eda-attempt": "2"}, b""))
    2
    """
    return int(record.headers.get(ATTEMPT) or 1)


def due_at_ms(record: Received) -> int:
    """When a retry record may be tried again (ms since the epoch); 0 when it has no due time."""
    return int(record.headers.get(DUE_AT) or 0)


def exception_text(error: BaseException) -> str:
    """The stack trace as Python prints it, cut in the middle if very long."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    if len(text) <= _MAX_TRACE:
        return text
    half = _MAX_TRACE // 2
    return f"{text[:half]}\n... ({len(text) - _MAX_TRACE} characters cut) ...\n{text[-half:]}"


def failure_headers(record: Received, error: BaseException, *, group: str | None,
                    attempt: int, due_ms: int | None = None) -> list[Header]:
    """The headers of ``record``'s copy on a retry or dead-letter topic.

    Example::

        failure_headers(record, exc, group="billing", attempt=1)
        # [..the record's own.., ("eda-dlt-original-topic", b"orders"), ...,
        #  ("eda-dlt-exception-fqcn", b"builtins.RuntimeError"), ..., ("eda-attempt", b"1")]
    """
    cls = type(error)
    ours = [*original_headers(record, group),
            (EXCEPTION_CLASS, f"{cls.__module__}.{cls.__qualname__}"),
            (EXCEPTION_MESSAGE, str(error)), (EXCEPTION_STACKTRACE, exception_text(error)),
            (ATTEMPT, str(attempt))]
    if due_ms is not None:
        ours.append((DUE_AT, str(due_ms)))
    return replace_headers(raw_headers(record), ours)


def parked_behind_headers(record: Received, *, group: str | None, behind: str) -> list[Header]:
    """The headers of ``record``'s copy parked, *not tried*, behind an earlier record of its key
    (``behind``: where that one came from, ``orders/0@3``): where it came from, its attempt and
    last failure (if any) as they were, and no due time: its turn comes after the earlier one's.
    """
    kept = [(name, record.headers[name]) for name in (*EXCEPTION, ATTEMPT) if name in record.headers]
    return replace_headers(raw_headers(record),
                           [*original_headers(record, group), *kept, (PARKED_BEHIND, behind)])


def original_headers(record: Received, group: str | None) -> list[tuple[str, str]]:
    """Where the record first came from: its own coordinates, or those its copy carries."""
    seen = record.headers
    if ORIGINAL_TOPIC in seen:  # a copy already: the first copy says where it began
        return [(name, seen.get(name, "")) for name in ORIGINAL]
    return list(zip(ORIGINAL, (record.topic, str(record.partition), str(record.offset),
                               str(record.timestamp_ms), group or ""), strict=True))


def origin_of(record: Received) -> tuple[str, int, int]:
    """``(topic, partition, offset)`` where the record was first read (a copy's original).

    >>> origin_of(Received("o.retry-1", 0, 9, "k", 0, {"eda-dlt-original-topic": "o",
    ...     "eda-dlt-original-partition": "2", "eda-dlt-original-offset": "41"}, b""))
    ('o', 2, 41)
    """
    seen = record.headers
    if ORIGINAL_TOPIC in seen:
        return seen[ORIGINAL_TOPIC], int(seen[ORIGINAL_PARTITION]), int(seen[ORIGINAL_OFFSET])
    return record.topic, record.partition, record.offset


def replace_headers(headers: Sequence[Header], ours: Sequence[tuple[str, str]]) -> list[Header]:
    """``headers`` without any of ours (old attempts, traces, due times), then ``ours``.

    >>> replace_headers([("eda-attempt", b"1"), ("source", b"shop")], [("eda-attempt", "2")])
    [('source', b'shop'), ('eda-attempt', b'2')]
    """
    kept = [(k, v) for k, v in headers if k not in OURS]
    return kept + [(k, v.encode("utf-8", "replace")) for k, v in ours]
