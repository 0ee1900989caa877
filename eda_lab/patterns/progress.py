"""The pure decisions of the handler loop: what to send, what to commit, when to stop.

Kept apart from the loop so they are tested without a broker: the offsets committed after a
batch (:func:`next_offsets`), the stop rules (:class:`StopRules`) and the loop's report.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..clients.records import Received
from ..messages.envelope import Command, Event


@dataclass(frozen=True)
class Send:
    """One message a handler wants published: ``topic``, the event or command, its ``key``.

    Example::

        def handle(event, record):
            return [Send(ns.topic("payments"), event.caused("PaymentRequested", event.data),
                         key=event.data["orderId"])]
    """

    topic: str
    message: Event | Command
    key: str | None = None


def next_offsets(handled: Iterable[Received]) -> dict[tuple[str, int], int]:
    """The offset to commit per ``(topic, partition)``: one past the last handled record.

    A committed offset names the *next* record to read, hence ``+ 1``. Records are handled in
    order within a partition, so the highest offset handled is the end of a gap-free prefix.

    >>> def at(offset): return Received("orders", 0, offset, None, 0, {}, b"")
    >>> next_offsets([at(7), at(8)])
    {('orders', 0): 9}
    """
    found: dict[tuple[str, int], int] = {}
    for record in handled:
        where = (record.topic, record.partition)
        found[where] = max(found.get(where, 0), record.offset + 1)
    return found


@dataclass(frozen=True)
class StopRules:
    """When a loop stops by itself: after ``max_events`` records, ``idle_s`` without a new one
    (counted from the latest record or assignment; None: never idle), or ``timeout_s`` in all.

    >>> rules = StopRules(max_events=100, idle_s=5, timeout_s=60)
    >>> rules.reason(seen=100, started=0, last_new=1, now=2)
    'max_events'
    >>> rules.reason(seen=3, started=0, last_new=1, now=7)
    'idle'
    >>> rules.reason(seen=3, started=0, last_new=None, now=7) is None   # still joining
    True
    """

    max_events: int | None = None
    idle_s: float | None = 5.0
    timeout_s: float = 60.0

    def __post_init__(self) -> None:
        # A loop with no finite deadline is a notebook cell, or a test, that never ends.
        if not (isinstance(self.timeout_s, (int, float)) and math.isfinite(self.timeout_s)
                and self.timeout_s > 0):
            raise ValueError(f"timeout_s must be a positive number of seconds, got "
                             f"{self.timeout_s!r}; a loop must always end by itself")
        if self.max_events is not None and self.max_events < 0:
            raise ValueError(f"max_events must be 0 or more, got {self.max_events}")

    def reason(self, *, seen: int, started: float, last_new: float | None, now: float,
               stop_requested: bool = False) -> str | None:
        """Why the loop stops now (``stopped``, ``max_events``, ``timeout``, ``idle``) or None.

        ``last_new`` is None while a group member has not yet been given partitions: a loop
        that is still joining is not idle.
        """
        if stop_requested:
            return "stopped"
        if self.max_events is not None and seen >= self.max_events:
            return "max_events"
        if now - started >= self.timeout_s:
            return "timeout"
        if self.idle_s is not None and last_new is not None and now - last_new >= self.idle_s:
            return "idle"
        return None

    def poll_s(self, *, started: float, last_new: float | None, now: float,
               most: float = 0.5) -> float:
        """How long the next poll may wait without overshooting a deadline (at most ``most``)."""
        ends = started + self.timeout_s
        if self.idle_s is not None and last_new is not None:
            ends = min(ends, last_new + self.idle_s)
        return max(0.001, min(most, ends - now))


@dataclass(frozen=True)
class LoopReport:
    """What a loop run did: records ``seen``, ``handled``, ``duplicates`` skipped by the
    idempotency store, ``malformed`` routed, messages ``sent``, the offsets ``committed`` and
    why it ``stopped`` (``max_events``, ``idle``, ``timeout``, ``stopped``, ``done`` or
    ``error``)."""

    seen: int = 0
    handled: int = 0
    duplicates: int = 0
    malformed: int = 0
    sent: int = 0
    batches: int = 0
    committed: dict[tuple[str, int], int] = field(default_factory=dict)
    stopped: str = "running"
