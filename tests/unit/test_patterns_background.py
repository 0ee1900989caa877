"""Running a loop in a background thread, without a broker: stop, join, errors come back."""

from __future__ import annotations

import threading

import pytest

from eda_lab.patterns import LoopReport
from eda_lab.patterns.background import RunsInBackground


class Ticker(RunsInBackground):
    """Counts until asked to stop, like a loop between batches; ``fail`` raises instead."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.name, self.fail, self.report = "ticker", fail, LoopReport()
        self.started = threading.Event()

    def _run(self, **rules) -> LoopReport:
        self.started.set()
        if self.fail:
            raise RuntimeError("handler broke")
        self._stop.wait(rules["timeout_s"])  # stands in for batches that check the stop flag
        self.report = LoopReport(seen=1, stopped="stopped" if self._stop.is_set() else "timeout")
        return self.report


def test_stop_ends_the_run_and_returns_its_report():
    ticker = Ticker()
    ticker._start(timeout_s=30)
    assert ticker.started.wait(5) and ticker.running
    with pytest.raises(RuntimeError, match="already running"):
        ticker._start(timeout_s=30)
    assert ticker.stop(timeout_s=5).stopped == "stopped"
    assert not ticker.running


def test_an_error_in_the_thread_is_raised_by_join():
    ticker = Ticker(fail=True)
    ticker._start(timeout_s=30)
    with pytest.raises(RuntimeError, match="handler broke"):
        ticker.join(timeout_s=5)


def test_join_says_what_to_do_when_the_run_does_not_end():
    ticker = Ticker()
    ticker._start(timeout_s=30)
    with pytest.raises(TimeoutError, match="call stop"):
        ticker.join(timeout_s=0.05)
    ticker.stop(timeout_s=5)


def test_stop_before_any_start_just_returns_the_report():
    assert Ticker().stop() == LoopReport()
