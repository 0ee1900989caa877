"""The live loop behind every notebook widget: a background thread, a deadline, Start and Stop.

Nothing runs until :meth:`_Live.start`. The loop ends at its ``duration_s`` or when Stop is
pressed; an error ends it too and shows in the status line, since a thread has nobody else to
tell. A stopped view must look stopped (a learner who publishes into a stopped view sees
nothing arrive and blames Kafka), so Stop greys out, Start lights up and a note says so.
Subclasses supply ``widget`` (with :attr:`controls` in it) and ``_loop``.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import Any

import ipywidgets as w


def short_name(full: str, prefix: str | None = None) -> str:
    """A topic or group name without its ``<namespace>.<lesson>.`` start, as notebooks write it.

    >>> short_name("eda-lab.02-producing.orders", "eda-lab"), short_name("other", "eda-lab")
    ('orders', 'other')
    """
    if prefix is None:
        from ..settings import get_settings

        prefix = get_settings().namespace
    rest = full[len(prefix) + 1:] if full.startswith(prefix + ".") else ""
    return rest.split(".", 1)[1] if "." in rest else full


class _Live:
    """A background loop with a deadline, a Stop button and a status line."""

    def __init__(self, duration_s: float) -> None:
        self.duration_s = duration_s
        self.status = w.HTML()
        self.state_note = w.HTML()
        self.start_button = w.Button(description="Start", icon="play",
                                     tooltip="listen live again")
        self.start_button.on_click(lambda _: self.start())
        self.stop_button = w.Button(description="Stop", icon="stop")
        self.stop_button.on_click(lambda _: self.stop())
        self.controls = w.HBox([self.start_button, self.stop_button, self.status,
                                self.state_note], layout=w.Layout(align_items="center"))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.widget: w.Box
        self._show_running(False)

    def _show_running(self, running: bool) -> None:
        """Buttons and note that say at a glance whether the view is live."""
        self.start_button.disabled, self.stop_button.disabled = running, not running
        self.start_button.button_style = "" if running else "success"
        self.stop_button.button_style = "warning" if running else ""
        self.state_note.value = ("" if running else
                                 '<span style="color:#b45309;font-weight:bold">'
                                 "not live: press Start to see new events</span>")

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
            self.status.value = "starting"
            self._show_running(True)
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
        finally:
            self._show_running(False)

    def _loop(self, alive: Callable[[], bool]) -> None:
        raise NotImplementedError
