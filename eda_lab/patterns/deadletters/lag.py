"""The poison pill, measured: a consumer stuck on one record while its group's lag grows.

A naive consumer retries a failing record for ever (:func:`retry_forever`): the record never
gets better, the partition stands still, and every new event adds to the lag.
:class:`LagRecorder` samples a group's lag per partition in a background thread, for a chart
of lag over time (stuck: a rising line; with a dead-letter router: back to zero).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from typing import Any

from ...clients.offsets import group_lag
from ...clients.records import Received
from ...settings import Settings, get_settings
from ..background import RunsInBackground
from ..batches import Handler, Message, Sends
from ..progress import LoopReport


def retry_forever(handler: Handler, stop: threading.Event, pause_s: float = 0.2) -> Handler:
    """The naive fix for a failing handler, to show why it is wrong: try again until it works.

    Example::

        stuck = threading.Event()   # set it to let the loop give up
        HandlerLoop(ns.topic("payments"), group=ns.group("naive"),
                    handler=retry_forever(pay, stuck)).start()

    A poison pill never works, so the loop never moves past it; ``stop.set()`` makes the
    handler raise its last error, which stops the loop (the record stays uncommitted).
    """
    def stubborn(message: Message, record: Received) -> Sends:
        while True:
            try:
                return handler(message, record)
            except Exception:
                if stop.wait(pause_s):  # a pause between tries, cut short by a stop
                    raise

    return stubborn


@dataclass(frozen=True)
class LagSample:
    """One partition's lag at ``at_s`` seconds after the recorder started."""

    at_s: float
    topic: str
    partition: int
    committed: int | None
    end: int
    lag: int


class LagRecorder(RunsInBackground):
    """Sample ``group``'s lag on ``topic`` every ``every_s`` seconds until stopped.

    Example::

        recorder = LagRecorder(ns.group("naive"), ns.topic("payments")).start(timeout_s=60)
        ...
        recorder.stop()
        recorder.frame().pivot(index="at_s", columns="partition", values="lag").plot()
    """

    def __init__(self, group: str, topic: str, every_s: float = 0.5,
                 settings: Settings | None = None) -> None:
        super().__init__()
        self.group, self.topic, self.every_s = group, topic, every_s
        self.settings = settings or get_settings()
        self.name = f"lag-of-{group}"
        self.report = LoopReport()
        self.samples: list[LagSample] = []

    def start(self, timeout_s: float = 120.0) -> LagRecorder:
        """Sample in a background thread until :meth:`stop` or ``timeout_s``."""
        self._start(timeout_s=timeout_s)
        return self

    def _run(self, timeout_s: float = 120.0, **_: Any) -> LoopReport:
        started = time.monotonic()
        while not self._stop.is_set():
            at = time.monotonic() - started
            if at >= timeout_s:
                break
            self.samples.extend(LagSample(round(at, 3), p.topic, p.partition, p.committed, p.end,
                                          p.lag) for p in group_lag(self.group, self.topic,
                                                                    self.settings))
            self._stop.wait(self.every_s)  # the sampling interval, cut short by a stop
        self.report = LoopReport(seen=len(self.samples), stopped="stopped")
        return self.report

    def latest(self, partition: int) -> LagSample | None:
        """The newest sample of ``partition``, or None before the first."""
        return next((s for s in reversed(self.samples) if s.partition == partition), None)

    def frame(self) -> Any:
        """The samples as a DataFrame: ``at_s, topic, partition, committed, end, lag``."""
        import pandas as pd

        columns = ["at_s", "topic", "partition", "committed", "end", "lag"]
        return pd.DataFrame([dataclasses.asdict(s) for s in self.samples], columns=columns).astype(
            {"committed": "Int64"})
