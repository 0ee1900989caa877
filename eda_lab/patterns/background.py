"""Running a pattern's loop in a background thread, so a notebook cell returns at once.

The handler loop and the outbox relay (and so the projector) run the same way: ``start()``
in a thread, ``stop()`` from a button or another cell, ``join()`` for the report or the error.
"""

from __future__ import annotations

import threading
from typing import Any

from .progress import LoopReport


class RunsInBackground:
    """``start``, ``stop``, ``join`` and ``running`` for a class whose ``_run(**rules)``
    checks ``self._stop`` between batches and returns a :class:`LoopReport`."""

    name: str
    report: LoopReport

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    def _run(self, **rules: Any) -> LoopReport:
        raise NotImplementedError

    def _start(self, **rules: Any) -> None:
        if self.running:
            raise RuntimeError(f"{self.name} is already running: stop() it first")
        self._stop.clear()
        self._error = None

        def target() -> None:
            try:
                self._run(**rules)
            except BaseException as exc:  # kept for join(): a thread has nobody else to tell
                self._error = exc

        self._thread = threading.Thread(target=target, name=self.name, daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the background run is going on."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def stop_event(self) -> threading.Event:
        """Set once a stop is asked for: a handler's pause can wait on it to end early."""
        return self._stop

    def request_stop(self) -> None:
        """Ask the run to stop after the batch in hand, without waiting (stop several at once,
        then join each)."""
        self._stop.set()

    def stop(self, timeout_s: float = 30.0) -> LoopReport:
        """Ask the run to stop after the batch in hand, wait for it, and return its report."""
        self.request_stop()
        if self._thread is threading.current_thread():  # asked from inside: cannot wait
            return self.report
        return self.join(timeout_s)

    def join(self, timeout_s: float = 30.0) -> LoopReport:
        """Wait for the background run to end: its report, or its error raised here."""
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                raise TimeoutError(f"{self.name} still runs after {timeout_s:g} s; call stop() "
                                   "first, or give it less work per batch")
        if self._error is not None:
            raise self._error
        return self.report
