"""An idempotency store that leaves out the records a dead-letter router parked.

The handler loop remembers the id of every record it counts as done, and a parked record is
done for the loop (its offset is committed). But it was not *handled*: if its id were
remembered, its retry, or a redrive once the cause is fixed, would be skipped as a duplicate.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from ..batches import Message, message_id
from ..idempotency import IdempotencyStore


class ForgetParked:
    """Wraps ``store``: ``seen`` asks it, ``remember`` passes on all but the parked ids.

    Example::

        store = ForgetParked(SqliteIdempotencyStore("seen.db", consumer="billing"))
        store.forget_next(event)          # parked: its id is left out of the next remember
    """

    def __init__(self, store: IdempotencyStore) -> None:
        self.store = store
        self._parked: set[str] = set()
        self._lock = threading.Lock()  # the source and retry loops may share it

    def forget_next(self, message: Message) -> None:
        """Leave this message's id out when the loop remembers its batch."""
        with self._lock:
            self._parked.add(message_id(message))

    def seen(self, mid: str) -> bool:
        """Whether the wrapped store has the id."""
        return self.store.seen(mid)

    def remember(self, message_ids: Iterable[str]) -> None:
        """Remember the ids handled, not the parked ones."""
        given = list(message_ids)  # the loop hands a batch's ids once, parked ones included
        with self._lock:
            ids = [mid for mid in given if mid not in self._parked]
            self._parked.difference_update(given)
        self.store.remember(ids)
