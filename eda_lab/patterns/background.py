"""Running a pattern's loop in a background thread, so a notebook cell returns at once.

The relay, the projector and the handler loop all run the same way: ``start()`` in a thread,
``stop()`` from a button or another cell, ``join()`` for the result or the error.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

R = TypeVar("R")


class Background(Generic[R]):
    """A run of ``target`` in a daemon thread; its result or error comes back from :meth:`join`.

    Example::

        job = Background(lambda: loop.run(idle_s=None, timeout_s=300), loop.stop, "billing")
        job.start(); ...; job.stop(); report = job.join()
    """

    def __init__(self, target: Callable[[], R], request_stop: Callable[[], None],
                 name: str) -> None:
        self.name = name
        self._target, self._request_stop = target, request_stop
        self._thread: threading.Thread | None = None
        self._result: R | None = None
        self._error: BaseException | None = None

    @property
    def running(self) -> bool:
        """Whether the thread is running."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (RuntimeError if it is already running)."""
        if self.running:
            raise RuntimeError(f"{self.name} is already running")
        self._result, self._error = None, None

        def run() -> None:
            try:
                self._result = self._target()
            except BaseException as exc:  # kept for join(): a thread has nobody else to tell
                self._error = exc

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Ask the run to stop at its next check; :meth:`join` waits for it."""
        self._request_stop()

    def join(self, timeout_s: float = 30.0) -> R:
        """Wait for the run to end; return its result or raise its error."""
        if self._thread is None:
            raise RuntimeError(f"{self.name} was never started")
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            raise TimeoutError(f"{self.name} still runs after {timeout_s:g} s; call stop() "
                               "first, or give it less work per batch")
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]  # set when the run ended without error
