"""What the broker answers to a publish: a :class:`Delivery`, or nothing yet.

A publisher keeps the records it sent and the broker has not acknowledged, so that closing
after a failure can say once what may not have been stored.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

from ._kafka import FutureRecordMetadata

_PRUNE_AT = 4096


@dataclass(frozen=True)
class Delivery:
    """Where the broker stored a record, and the key that chose the partition."""

    topic: str
    partition: int
    offset: int
    key: str | None


class Unacknowledged:
    """Records sent but not acknowledged yet; kafka-python settles them on its own thread.

    Kept as a list pruned of settled records now and then, not with a callback per record: a
    callback would run Python on kafka-python's network thread for every acknowledgement.
    """

    def __init__(self) -> None:
        self._sent: list[tuple[FutureRecordMetadata, str]] = []
        self._prune_at = _PRUNE_AT

    def track(self, future: FutureRecordMetadata, topic: str) -> None:
        """Remember ``future`` until the broker acknowledges the record (or it fails)."""
        self._sent.append((future, topic))
        if len(self._sent) >= self._prune_at:  # amortised: settled records are dropped
            self._sent = [(f, t) for f, t in self._sent if not f.is_done]
            self._prune_at = max(_PRUNE_AT, 2 * len(self._sent))

    def pending(self) -> dict[FutureRecordMetadata, str]:
        """The records still waiting for an answer, with their topics."""
        return {future: topic for future, topic in self._sent if not future.is_done}

    @staticmethod
    def warn_if_lost(pending: dict[FutureRecordMetadata, str]) -> None:
        """Warn once about the records of ``pending`` that did not succeed."""
        lost = [topic for future, topic in pending.items() if not future.succeeded()]
        if lost:
            warnings.warn(
                f"{len(lost)} record(s) to {', '.join(sorted(set(lost)))} were not acknowledged "
                "when the publisher closed: Kafka may or may not have stored them. Publish them "
                "again once the broker answers (`eda-lab doctor`); consumers skip duplicates "
                "by eventId.", RuntimeWarning, stacklevel=3)
