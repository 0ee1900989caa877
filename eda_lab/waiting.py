"""Waiting for a condition, never for a fixed time.

Kafka answers many requests before the whole cluster agrees (a topic is "created" before its
partitions have leaders), so helpers poll the condition they promise, with a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(check: Callable[[], T | None], timeout_s: float,
               on_timeout: Callable[[], Exception], interval_s: float = 0.05) -> T:
    """Call ``check`` until it returns something truthy and return that; raise ``on_timeout()``
    (an error that says what to do next) if ``timeout_s`` passes first."""
    deadline = time.monotonic() + timeout_s
    while not (found := check()):
        if time.monotonic() >= deadline:
            raise on_timeout()
        time.sleep(interval_s)  # poll interval of a condition wait
    return found
