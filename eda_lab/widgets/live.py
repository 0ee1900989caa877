"""The live loop behind every notebook widget: a background thread, a deadline, a Stop button.

Nothing runs until :meth:`_Live.start`. The loop ends at its ``duration_s`` or when Stop is
pressed; an error ends it too and shows in the status line, since a thread has nobody else to
tell. Subclasses supply ``widget`` and ``_loop``.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w


class _Live:
    """A background loop with a deadline, a Stop button and a status line."""

    def __init__(self, duration_s: float) -> None:
        self.duration_s = duration_s
        self.status = w.HTML()
        self.stop_button = w.Button(description="Stop", icon="stop", button_style="warning")
        self.stop_button.on_click(lambda _: self.stop())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.widget: w.Box

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if bundle is not None:
            # The default text is the whole widget tree, live values included: keep it stable.
            bundle["text/plain"] = f"{type(self).__name__}, live for up to {self.duration_s:g} s"
        return bundle

    @property
    def running(self) -> bool:
        """Whether the live loop is running."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the live loop (again) for ``duration_s`` seconds."""
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self._guarded, daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the live loop and wait for it to end."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def _guarded(self) -> None:
        deadline = time.monotonic() + self.duration_s
        try:
            self._loop(lambda: not self._stop.is_set() and time.monotonic() < deadline)
            self.status.value = "<i>stopped</i>"
        except Exception as exc:  # shown in the widget: a thread has nobody else to tell
            self.status.value = f"<b>error:</b> {html.escape(str(exc))}"

    def _loop(self, alive: Callable[[], bool]) -> None:
        raise NotImplementedError
