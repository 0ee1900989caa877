"""In-place retry waits, without a broker: a stop ends them at once, and none may outlast
max.poll.interval.ms after the loop's last poll."""

from __future__ import annotations

import threading
import time

import pytest

from eda_lab.errors import RetryInterrupted
from eda_lab.patterns.deadletters import InPlaceWaits, RetryPolicy
from eda_lab.patterns.deadletters.inplace import check_fits


def test_a_stop_ends_a_long_wait_at_once():
    stop = threading.Event()
    waits = InPlaceWaits(stop)
    threading.Timer(0.1, stop.set).start()
    started = time.monotonic()
    with pytest.raises(RetryInterrupted, match="not committed") as raised:
        waits.until(due_ms=60_000, now_ms=0, where="orders/0@3")
    assert raised.value.stopped and raised.value.where == "orders/0@3"
    assert time.monotonic() - started < 5  # not the 60 s asked for


def test_a_due_record_is_tried_without_waiting():
    waits = InPlaceWaits(threading.Event())
    started = time.monotonic()
    assert waits.until(due_ms=1_000, now_ms=2_000, where="orders/0@3") is None
    assert time.monotonic() - started < 1


def test_a_wait_past_the_poll_budget_is_refused_before_it_starts():
    now = [100.0]
    seen = []
    waits = InPlaceWaits(threading.Event(), max_poll_interval_ms=10_000,
                         gate=lambda consumer, records: seen.append(records) or records,
                         clock=lambda: now[0])
    assert waits(None, ["r"]) == ["r"] and seen == [["r"]] and waits.polled == 100.0
    now[0] = 105.0  # 5 s since the poll: 4 s of the 9 s budget left
    with pytest.raises(RetryInterrupted, match="max_poll_interval_ms=10000") as raised:
        waits.until(due_ms=4_500, now_ms=0, where="orders/0@3")
    assert not raised.value.stopped
    assert waits.until(due_ms=0, now_ms=0, where="orders/0@3") is None


def test_a_policy_whose_waits_for_one_record_do_not_fit_is_refused():
    assert RetryPolicy((1, 5), max_attempts=4).longest_wait_s == 11  # 1 + 5 + 5
    check_fits(RetryPolicy((60, 120), in_place=True).longest_wait_s, 300_000)
    with pytest.raises(ValueError, match="in_place=False"):
        check_fits(RetryPolicy((60, 240), in_place=True).longest_wait_s, 300_000)
