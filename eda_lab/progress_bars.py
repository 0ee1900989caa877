"""Progress bars for long work: the first jar resolution, big topic loads, replays, rebuilds.

A bar is a widget in a notebook and text in a terminal (``tqdm.auto``), and it appears only
once the work has lasted :data:`DELAY_S`, so quick work shows nothing. There is no bar at all
in CI or with ``EDA_LAB_PROGRESS=0``, which the notebook tests set: a bar's output changes from
run to run, and nbval compares outputs. An explicit ``progress=True`` or ``False`` wins.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol, TextIO

from tqdm.auto import tqdm
from tqdm.std import tqdm as text_tqdm

from .settings import progress_choice, running_in_ci

__all__ = ["DELAY_S", "elapsed_status", "progress_bar", "progress_enabled", "show_progress"]

DELAY_S = 0.5


class Bar(Protocol):
    """What callers use of a bar: ``update(n)`` and the count so far, ``n``."""

    n: float

    def update(self, n: float = 1) -> object: ...


class _NoBar:
    """A bar that counts and shows nothing."""

    def __init__(self) -> None:
        self.n = 0

    def update(self, n: float = 1) -> None:
        self.n += n


# Tests swap these for fakes; tqdm.auto is a widget in a notebook, text elsewhere.
bar_factory: Callable[..., Any] = tqdm
terminal_bar_factory: Callable[..., Any] = text_tqdm


def progress_enabled(environ: Mapping[str, str] | None = None) -> bool:
    """Whether long work shows a bar: ``EDA_LAB_PROGRESS`` if set, else not in CI.

    >>> progress_enabled({}), progress_enabled({"CI": "true"}), progress_enabled({"EDA_LAB_PROGRESS": "0"})
    (True, False, False)
    """
    env = os.environ if environ is None else environ
    choice = progress_choice(env)
    return choice if choice is not None else not running_in_ci(env)


def show_progress(progress: bool | None, environ: Mapping[str, str] | None = None) -> bool:
    """A caller's ``progress=True`` or ``False`` as given; None asks :func:`progress_enabled`."""
    return progress_enabled(environ) if progress is None else progress


@contextmanager
def progress_bar(total: float | None, desc: str, unit: str = " events", *,
                 show: bool | None = None, at_least: float = 0, **options: Any) -> Iterator[Bar]:
    """A bar counting ``total`` units of work, or one that shows nothing.

    ``show`` is the caller's ``progress`` option (None: :func:`progress_enabled`); an automatic
    bar is only made for work of ``at_least`` units. Other options go to tqdm.

    Example::

        with progress_bar(len(events), "replay", " events") as bar:
            for chunk in chunks:
                fold(chunk)
                bar.update(len(chunk))
    """
    wanted = show_progress(show) and (show is True or total is None or total >= at_least)
    if not wanted:
        yield _NoBar()
        return
    with bar_factory(total=total, desc=desc, unit=unit, delay=DELAY_S, **options) as bar:
        yield bar


@contextmanager
def elapsed_status(desc: str, *, stream: TextIO | None = None,
                   every_s: float = 1.0) -> Iterator[None]:
    """For work that reports no progress (jgo resolving jars): the time it has taken so far,
    redrawn every ``every_s`` on a terminal; nothing when ``stream`` (stderr) is not one."""
    stream = sys.stderr if stream is None else stream
    if not (progress_enabled() and stream.isatty()):
        yield
        return
    stopped = threading.Event()
    with terminal_bar_factory(total=None, desc=desc, file=stream,
                              bar_format="{desc} ({elapsed} so far)") as bar:

        def redraw() -> None:
            while not stopped.wait(every_s):
                bar.refresh()

        ticker = threading.Thread(target=redraw, name="eda-lab-elapsed", daemon=True)
        ticker.start()
        try:
            yield
        finally:
            stopped.set()
            ticker.join()
