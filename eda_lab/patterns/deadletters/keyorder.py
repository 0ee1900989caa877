"""Keeping each key's order on retry topics: a key with a record in retry parks the rest.

A retry topic takes a failed record out of its partition's order, so the key's later records
would overtake it. :class:`ParkedKeys` remembers, per key, the records not finished yet, in the
order they came from the source topic (by ``(topic, partition, offset)``: a key's records share
one source partition), and the topic each of them is on now. Only the first, the *head*, may be
handled; any other record of the key is parked on the head's topic, behind it. When the head is
handled, or dead-lettered, the next one takes its turn; with none left the key is free.

Pure, no broker; the router publishes. Keyless records are never parked (nothing says which
records they follow). The state lives in memory: after a restart it starts empty, so the order
is kept within one run of the router.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

Origin = tuple[str, int, int]  # (topic, partition, offset) on the source topic


@dataclass(frozen=True)
class Behind:
    """A record's turn has not come: park it on ``topic``, behind its key's ``head``."""

    topic: str
    head: Origin

    @property
    def head_where(self) -> str:
        """The head's origin as ``topic/partition@offset``, for the ``eda-parked-behind`` header."""
        topic, partition, offset = self.head
        return f"{topic}/{partition}@{offset}"


class ParkedKeys:
    """Per key, the records waiting on retry topics, in source order (thread-safe: the source
    loop and the retry loop share one).

    Example::

        keys = ParkedKeys()
        keys.failed("ord-7", ("orders", 0, 4), "orders.retry-1")   # ord-7 waits for a retry
        keys.turn("ord-7", ("orders", 0, 6))     # Behind(topic='orders.retry-1', head=(..., 4))
        keys.turn("ord-8", ("orders", 0, 7))     # None: ord-8 is free, handle it now
        keys.done("ord-7", ("orders", 0, 4))     # handled at last: offset 6 is next
    """

    def __init__(self) -> None:
        self._keys: dict[str, dict[Origin, str]] = {}  # key -> {origin: topic it is on now}
        self._lock = threading.Lock()

    def turn(self, key: str | None, origin: Origin) -> Behind | None:
        """None if this record may be handled now; else where to park it, and behind what.

        Its turn has come if its key is free, if it is the key's head, or if it is older than
        the key's newest waiting record without being one of them: a repeat of a record already
        finished (at-least-once redelivery), not to be queued behind newer ones.
        """
        with self._lock:
            waiting = self._keys.get(key) if key is not None else None
            if not waiting:
                return None
            head = min(waiting)
            if origin == head or (origin not in waiting and origin < max(waiting)):
                return None
            waiting[origin] = waiting[head]
            return Behind(waiting[head], head)

    def failed(self, key: str | None, origin: Origin, topic: str) -> None:
        """The record went to retry topic ``topic``: its key waits for it."""
        if key is None:
            return
        with self._lock:
            self._keys.setdefault(key, {})[origin] = topic

    def done(self, key: str | None, origin: Origin) -> None:
        """The record was handled or dead-lettered: the next of its key may go."""
        with self._lock:
            waiting = self._keys.get(key) if key is not None else None
            if waiting is None:
                return
            waiting.pop(origin, None)
            if not waiting:
                del self._keys[key]

    def waiting(self) -> dict[str, list[Origin]]:
        """Each parked key's unfinished records, oldest first (to show)."""
        with self._lock:
            return {key: sorted(waiting) for key, waiting in self._keys.items()}
