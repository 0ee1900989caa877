"""Holding Python's cyclic garbage collector while a batch of records is in hand.

A batch of thousands of records keeps tens of thousands of objects alive until it is handled.
While it lives, the collector's young-generation passes promote them, and every few batches a
full pass walks the whole heap. Held off for the batch, nothing is promoted: when the batch
ends its objects are freed at once by reference counting, as ever, and any cyclic garbage is
collected by the next pass after the hold. Measured (``make bench``): the collector's passes
cost about 7.5 of 40 µs of CPU per event through the projector, and a third of a bulk load's.
The handler loop holds it per batch, a bulk load per table it makes.

The hold is shared: loops in several threads hold it together, and the collector comes back
only when the last one lets go, and only if it was on when the first one took it (a program
that switched it off itself keeps it off). A thread about to wait long inside its hold lets
go meanwhile (:func:`collector_let_go`).

>>> import gc
>>> with collector_held():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_held", "collector_let_go"]

_lock = threading.Lock()
_holders = 0
_was_enabled = False
_mine = threading.local()  # how many holds this thread has


def _take() -> None:
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1


def _release() -> None:
    global _holders
    with _lock:
        _holders -= 1
        if _holders == 0 and _was_enabled:
            gc.enable()


@contextmanager
def collector_held() -> Iterator[None]:
    """No cyclic collection inside the block (reference counting frees objects as usual)."""
    _take()
    _mine.holds = getattr(_mine, "holds", 0) + 1
    try:
        yield
    finally:
        _mine.holds -= 1
        _release()


@contextmanager
def collector_let_go() -> Iterator[None]:
    """This thread's holds given up for the block, taken again after: for a long wait inside
    a hold (a retry's backoff), so that the whole process does not go without collection."""
    holds = getattr(_mine, "holds", 0)
    for _ in range(holds):
        _release()
    try:
        yield
    finally:
        for _ in range(holds):
            _take()
