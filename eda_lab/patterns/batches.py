"""Handling one batch of records: decode, skip duplicates, call the handler, collect its sends.

Pure: no broker. :class:`~eda_lab.patterns.HandlerLoop` publishes the sends and commits the
records this returns as done; everything here is tested without Kafka.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..clients.records import Received
from ..errors import MalformedEvent
from ..messages.envelope import Command, Event
from .idempotency import IdempotencyStore
from .progress import Send

Message = Event | Command
Sends = Iterable[Send] | Send | None
Handler = Callable[[Message, Received], Sends]
BatchHandler = Callable[[list[tuple[Message, Received]]], Sends]
MalformedHandler = Callable[[Received, MalformedEvent], Sends]


def message_id(message: Message) -> str:
    """The id consumers de-duplicate by: ``eventId`` or ``commandId``."""
    return message.event_id if isinstance(message, Event) else message.command_id


def as_event(record: Received) -> Message:
    """The default decoder: the record's value as an :class:`Event`."""
    return record.event


@dataclass(frozen=True)
class BatchOutcome:
    """What handling a batch gave: the records ``done`` (each with the id to remember, or None
    for a skipped duplicate or a malformed record), the ``sends``, the ``error`` that stopped it
    (None if all went well) and counts for the report."""

    done: list[tuple[Received, str | None]]
    sends: list[Send]
    error: Exception | None
    handled: int = 0
    duplicates: int = 0
    malformed: int = 0


def handle_batch(records: list[Received], *, handler: Handler | None = None,
                 batch_handler: BatchHandler | None = None,
                 idempotency: IdempotencyStore | None = None,
                 on_malformed: MalformedHandler | None = None,
                 decode: Callable[[Received], Message] = as_event) -> BatchOutcome:
    """Handle ``records`` in order with ``handler`` (per record) or ``batch_handler`` (once).

    A record whose id the store has seen, or that came earlier in this batch, is a duplicate:
    done, not handled. A malformed record goes to ``on_malformed`` (without one, it stops the
    batch like a handler error). After an error, the records before it are done (per-record
    handler) or none are (a batch is handled whole or not at all).

    >>> from eda_lab.patterns import SqliteIdempotencyStore
    >>> placed = Event("OrderPlaced", {"orderId": "o-1"})
    >>> records = [Received("orders", 0, n, "o-1", 0, {}, placed.to_json()) for n in (0, 1)]
    >>> outcome = handle_batch(records, handler=lambda event, record: None,
    ...                        idempotency=SqliteIdempotencyStore(":memory:", "billing"))
    >>> outcome.handled, outcome.duplicates, outcome.error      # the same event twice
    (1, 1, None)
    """
    done: list[tuple[Received, str | None]] = []
    sends: list[Send] = []
    todo: list[tuple[Message, Received]] = []
    in_batch: set[str] = set()  # the store learns of this batch only once it is acknowledged
    handled = duplicates = malformed = 0
    try:
        for record in records:
            try:
                message = decode(record)
            except MalformedEvent as exc:
                if on_malformed is None:
                    raise
                sends.extend(_sends(on_malformed(record, exc)))
                malformed += 1
                done.append((record, None))
                continue
            mid = message_id(message)
            if idempotency is not None and (mid in in_batch or idempotency.seen(mid)):
                duplicates += 1
                done.append((record, None))
                continue
            in_batch.add(mid)
            if handler is not None:
                sends.extend(_sends(handler(message, record)))
                handled += 1
                done.append((record, mid))
            else:
                todo.append((message, record))
        if batch_handler is not None and todo:
            sends.extend(_sends(batch_handler(todo)))
            handled += len(todo)
            done.extend((r, message_id(m)) for m, r in todo)
    except Exception as exc:
        if batch_handler is not None:
            return BatchOutcome([], [], exc)
        return BatchOutcome(done, sends, exc, handled, duplicates, malformed)
    return BatchOutcome(done, sends, None, handled, duplicates, malformed)


def _sends(returned: Sends) -> list[Send]:
    """A handler may return nothing, one :class:`Send`, or several."""
    if returned is None:
        return []
    if isinstance(returned, Send):
        return [returned]
    found = list(returned)
    wrong = [x for x in found if not isinstance(x, Send)]
    if wrong:
        raise TypeError(f"a handler returns Send(topic, message, key) objects or None, got "
                        f"{type(wrong[0]).__name__}: {wrong[0]!r:.80}")
    return found
