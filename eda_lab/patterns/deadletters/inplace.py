"""Retrying in place: the handler call waits for the due time, and a stop ends the wait.

``RetryPolicy(in_place=True)`` retries inside the handler call, so nothing behind the record
is read meanwhile. Two things must be able to cut that wait short:

- a **stop** (the loop's ``stop()``, or leaving ``DeadLetterRouter.running()``): the wait ends
  at once with :class:`~eda_lab.errors.RetryInterrupted`, the record is *not* committed, and
  the next run starts with it (its first try again: in-place tries are not written anywhere);
- **max.poll.interval.ms** (kafka-python's default, like Java's: 300000 ms): a consumer that
  does not poll for that long is taken out of its group, and its partitions, with the records
  it has not committed, go to another member. So the wait may not end later than 90 % of it
  after the loop's last poll: rather than wait past that, the loop stops the same way (the
  record kept), with a message that says what to change. A policy whose waits for *one* record
  would not fit is refused when the loop is made. Several failing records in one batch add up:
  a smaller ``batch_size`` helps.

Not heard (``HandlerLoop`` does not expose them to a handler yet): a ``run(until=...)``
condition and the loop's own ``timeout_s``; the wait ends at its due time or poll budget then.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ...clients.consuming import EventConsumer
from ...clients.records import Received
from ...collector import collector_let_go
from ...errors import RetryInterrupted

MAX_POLL_INTERVAL_MS = 300_000  # kafka-python's default max_poll_interval_ms
SHARE = 0.9  # of max.poll.interval.ms, the rest kept for the try after the wait and the commit
Gate = Callable[[EventConsumer, list[Received]], list[Received]]


class InPlaceWaits:
    """The in-place retry waits of one loop: ``stop`` ends them; as the loop's ``gate`` it also
    notes each poll, so no wait outlasts ``max_poll_interval_ms`` (``gate``: one to call on).

    Example::

        waits = InPlaceWaits(threading.Event())
        waits.until(due_ms=now_ms + 500, now_ms=now_ms, where="orders/0@3")  # or raises
    """

    def __init__(self, stop: threading.Event, max_poll_interval_ms: int = MAX_POLL_INTERVAL_MS,
                 gate: Gate | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.stop, self.max_poll_interval_ms, self.gate = stop, max_poll_interval_ms, gate
        self.polled: float | None = None  # when the loop last polled (None: not a gate)
        self._clock = clock

    @property
    def budget_s(self) -> float:
        """How long after a poll a wait may end."""
        return budget_s(self.max_poll_interval_ms)

    def __call__(self, consumer: EventConsumer, records: list[Received]) -> list[Received]:
        self.polled = self._clock()
        return records if self.gate is None else self.gate(consumer, records)

    def until(self, due_ms: int, now_ms: int, where: str) -> None:
        """Wait until ``due_ms``; raise :class:`RetryInterrupted` on a stop, or at once if the
        wait would end past the poll budget."""
        wait_s = max(0.0, (due_ms - now_ms) / 1000)
        if self.polled is not None and self._clock() + wait_s > self.polled + self.budget_s:
            raise RetryInterrupted(where, stopped=False, wait_s=wait_s,
                                   max_poll_interval_ms=self.max_poll_interval_ms)
        with collector_let_go():  # the loop holds the collector per batch; not for minutes
            stopped = self.stop.wait(wait_s)
        if stopped:
            raise RetryInterrupted(where, stopped=True)


def budget_s(max_poll_interval_ms: int) -> float:
    """How long after a poll an in-place wait may end: :data:`SHARE` of the interval."""
    return max_poll_interval_ms / 1000 * SHARE


def check_fits(longest_wait_s: float, max_poll_interval_ms: int) -> None:
    """Refuse in-place retries whose waits for one record do not fit in the poll budget."""
    if longest_wait_s > budget_s(max_poll_interval_ms):
        raise ValueError(
            f"in-place retries may wait {longest_wait_s:g} s for one record, more than "
            f"{budget_s(max_poll_interval_ms):g} s ({SHARE:.0%} of max_poll_interval_ms={max_poll_interval_ms}): the "
            "consumer would be taken out of its group. Use retry topics (in_place=False), "
            "shorter delays, or a larger max_poll_interval_ms")
