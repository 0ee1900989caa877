"""The bookkeeping on the hot paths, without a broker: a record as the loop copies it from
kafka-python (headers decoded when first read), the records a publisher still waits for, and
the shared hold on Python's cyclic garbage collector."""

from __future__ import annotations

import dataclasses
import gc
import threading

import pytest

from eda_lab.clients._kafka import ConsumerRecord
from eda_lab.clients.records import Received
from eda_lab.collector import collector_held


def kafka_record(headers):
    return ConsumerRecord("orders", 2, -1, 41, 1_700_000_000_000, 0, b"ord-1", b"{}", headers,
                          None, 5, 2, 10)


def test_a_copied_record_reads_its_headers_as_text_and_keeps_the_bytes():
    received = Received.from_record(kafka_record([("source", b"shop"), ("empty", None),
                                                  ("bad", b"\xff")]))
    assert received.headers == {"source": "shop", "empty": "", "bad": "\ufffd"}
    assert received.raw_headers == (("source", b"shop"), ("empty", None), ("bad", b"\xff"))
    assert received == Received("orders", 2, 41, "ord-1", 1_700_000_000_000,
                                {"source": "shop", "empty": "", "bad": "\ufffd"}, b"{}")
    assert Received.from_record(kafka_record(None)).headers == {}


def test_headers_stay_frozen_and_replace_keeps_or_changes_them():
    received = Received.from_record(kafka_record([("source", b"shop")]))
    with pytest.raises(dataclasses.FrozenInstanceError):
        received.headers = {}
    assert dataclasses.replace(received, offset=42).headers == {"source": "shop"}
    assert dataclasses.replace(received, headers={"a": "b"}).headers == {"a": "b"}
    with pytest.raises(TypeError, match="headers"):
        Received("orders", 0, 0, None, 0)  # still a required field


def test_the_collector_comes_back_when_the_last_holder_lets_go():
    assert gc.isenabled()
    first_in, second_out = threading.Event(), threading.Event()
    seen = []

    def second() -> None:
        first_in.wait(5)
        with collector_held():
            seen.append(gc.isenabled())
        second_out.set()

    thread = threading.Thread(target=second)
    thread.start()
    with collector_held():
        first_in.set()
        second_out.wait(5)
        seen.append(gc.isenabled())  # the other thread has let go; this one still holds
    thread.join(5)
    assert seen == [False, False] and gc.isenabled()


def test_a_collector_the_program_switched_off_stays_off():
    gc.disable()
    try:
        with collector_held():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


class Settled:
    """The two things Unacknowledged asks of a kafka-python future."""

    def __init__(self, done: bool, ok: bool = True) -> None:
        self.is_done, self.ok = done, ok

    def succeeded(self) -> bool:
        return self.is_done and self.ok


def test_unacknowledged_keeps_only_what_is_still_waiting_and_stays_small():
    from eda_lab.clients.delivery import _PRUNE_AT, Unacknowledged

    unacked = Unacknowledged()
    waiting = [Settled(False) for _ in range(3)]
    for future in waiting:
        unacked.track(future, "orders")
    for _ in range(3 * _PRUNE_AT):
        unacked.track(Settled(True), "orders")
    assert set(unacked.pending()) == set(waiting)
    assert len(unacked._sent) < _PRUNE_AT  # acknowledged ones were dropped as it went
    waiting[0].is_done = True
    assert set(unacked.pending()) == set(waiting[1:])
    with pytest.warns(RuntimeWarning, match="1 record"):
        Unacknowledged.warn_if_lost({Settled(True, ok=False): "orders"})


def test_a_thread_lets_go_of_its_holds_for_a_long_wait_but_not_of_others():
    import gc
    import threading

    from eda_lab.collector import collector_held, collector_let_go

    with collector_held(), collector_held():
        with collector_let_go():
            assert gc.isenabled(), "both of this thread's holds are given up while it waits"
        assert not gc.isenabled(), "and taken again after"
        other_holds, release = threading.Event(), threading.Event()

        def hold_elsewhere():
            with collector_held():
                other_holds.set()
                release.wait(5)

        elsewhere = threading.Thread(target=hold_elsewhere)
        elsewhere.start()
        other_holds.wait(5)
        with collector_let_go():
            assert not gc.isenabled(), "another thread's hold keeps the collector off"
        release.set()
        elsewhere.join()
    assert gc.isenabled()
    with collector_let_go():  # no hold to give up: nothing changes
        assert gc.isenabled()
