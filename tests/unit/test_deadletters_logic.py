"""The pure decisions of dead letters and retries: names, routes, headers, due times."""

from __future__ import annotations

import pytest

from eda_lab.clients.records import Received
from eda_lab.errors import MalformedEvent, NonRetryable
from eda_lab.patterns.deadletters import (
    HoldUntilDue,
    RetryPolicy,
    attempt_of,
    dead_letter_topic,
    failure_headers,
    retry_topic,
    split_due,
)
from eda_lab.patterns.deadletters.headers import exception_text


def record(topic="orders", offset=3, headers=None, key="ord-1", value=b"{}", partition=0):
    return Received(topic, partition, offset, key, 1_700_000_000_000, headers or {}, value)


def failed(message="down"):
    try:
        raise RuntimeError(message)
    except RuntimeError as exc:
        return exc


def test_names_follow_one_rule():
    assert dead_letter_topic("shop.orders") == "shop.orders.DLT"
    assert retry_topic("shop.orders", 2) == "shop.orders.retry-2"
    with pytest.raises(ValueError):
        retry_topic("orders", 0)
    assert RetryPolicy((1, 5)).topics("o") == ["o.retry-1", "o.retry-2", "o.DLT"]
    assert RetryPolicy((1, 5), in_place=True).topics("o") == ["o.DLT"]


@pytest.mark.parametrize(("error", "attempt", "topic", "next_attempt", "due"), [
    (RuntimeError("down"), 1, "o.retry-1", 2, 1_000),
    (RuntimeError("down"), 2, "o.retry-2", 3, 5_000),
    (RuntimeError("down"), 3, "o.DLT", 3, None),           # capped: 3 tries in all
    (NonRetryable("bad amount"), 1, "o.DLT", 1, None),    # straight to the DLT
    (MalformedEvent("not JSON"), 1, "o.DLT", 1, None),
])
def test_routes(error, attempt, topic, next_attempt, due):
    route = RetryPolicy((1, 5)).route("o", attempt, error, now_ms=0)
    assert (route.topic, route.attempt, route.due_ms) == (topic, next_attempt, due)


def test_more_attempts_than_tiers_reuse_the_last_tier_and_bad_policies_are_refused():
    policy = RetryPolicy((1, 5), max_attempts=5)
    assert [policy.route("o", a, RuntimeError(), 0).topic for a in range(1, 6)] == [
        "o.retry-1", "o.retry-2", "o.retry-2", "o.retry-2", "o.DLT"]
    assert RetryPolicy((), max_attempts=1).route("o", 1, RuntimeError(), 0).topic == "o.DLT"
    for bad in ({"delays_s": (-1,)}, {"max_attempts": 0}, {"delays_s": (), "max_attempts": 2}):
        with pytest.raises(ValueError):
            RetryPolicy(**bad)


def test_failure_headers_say_where_and_why_and_keep_the_records_own():
    source = record(headers={"event-type": "OrderPlaced"})
    h = dict(failure_headers(source, failed("payment service down"), group="billing",
                             attempt=1, due_ms=1234))
    assert h["event-type"] == b"OrderPlaced"
    assert (h["eda-dlt-original-topic"], h["eda-dlt-original-partition"],
            h["eda-dlt-original-offset"], h["eda-dlt-original-timestamp"],
            h["eda-dlt-original-consumer-group"]) == (
        b"orders", b"0", b"3", b"1700000000000", b"billing")
    assert h["eda-dlt-exception-fqcn"] == b"builtins.RuntimeError"
    assert h["eda-dlt-exception-message"] == b"payment service down"
    assert b"in failed" in h["eda-dlt-exception-stacktrace"]
    assert (h["eda-attempt"], h["eda-retry-due-at"]) == (b"1", b"1234")


def test_headers_are_replaced_not_appended_and_the_first_origin_is_kept():
    first = failure_headers(record(), failed("one"), group="billing", attempt=2, due_ms=9)
    again = record(topic="orders.retry-1", offset=40,
                   headers={k: v.decode() for k, v in first})
    second = failure_headers(again, NonRetryable("two"), group="billing", attempt=2)
    names = [k for k, _ in second]
    assert len(names) == len(set(names))  # one of each: no pile of stack traces
    h = dict(second)
    assert (h["eda-dlt-original-topic"], h["eda-dlt-original-offset"]) == (b"orders", b"3")
    assert h["eda-dlt-exception-message"] == b"two" and "eda-retry-due-at" not in h
    assert attempt_of(again) == 2 and attempt_of(record()) == 1


def test_a_huge_stack_trace_is_cut_to_fit_a_record():
    text = exception_text(failed("why " * 20_000))
    assert len(text) < 17_000 and "characters cut" in text
    assert text.startswith("Traceback") and text.endswith("why \n")


def due(offset, at, partition=0):
    return record("o.retry-1", offset, {"eda-retry-due-at": str(at)}, partition=partition)


def test_split_due_stops_each_partition_at_its_first_record_not_due():
    batch = [due(0, 5), due(1, 50), due(2, 6), due(7, 1, partition=1), due(8, 99, partition=1)]
    ready, held = split_due(batch, now_ms=10)
    assert [(r.partition, r.offset) for r in ready] == [(0, 0), (1, 7)]
    assert {p: r.offset for p, r in held.items()} == {("o.retry-1", 0): 1, ("o.retry-1", 1): 8}


RETRY_0 = ("o.retry-1", 0)


def test_the_gate_holds_a_partition_at_a_record_not_due_and_resumes_it_when_due():
    gate = HoldUntilDue()
    ready, resume, hold = gate.decide({RETRY_0}, [due(0, 5), due(1, 50)], now_ms=10)
    assert (ready, resume, {p: r.offset for p, r in hold.items()}) == ([due(0, 5)], [], {RETRY_0: 1})
    assert gate.decide({RETRY_0}, [], now_ms=49) == ([], [], {}) and gate.held == {RETRY_0: 50}
    assert gate.decide({RETRY_0}, [], now_ms=50) == ([], [RETRY_0], {}) and gate.held == {}


def test_the_gate_forgets_a_partition_taken_away_by_a_rebalance():
    gate = HoldUntilDue()
    gate.decide({RETRY_0}, [due(0, 50)], now_ms=10)
    assert gate.decide(set(), [], now_ms=60) == ([], [], {}) and gate.held == {}


def test_retry_forever_tries_until_it_works_and_gives_up_only_when_told():
    import threading

    from eda_lab.patterns.deadletters import retry_forever

    calls = []

    def flaky(message, record):
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("down")
        return ["sent"]

    assert retry_forever(flaky, threading.Event(), pause_s=0)(None, record()) == ["sent"]
    assert len(calls) == 3
    told = threading.Event()
    told.set()
    with pytest.raises(ValueError, match="poison"):
        retry_forever(lambda m, r: (_ for _ in ()).throw(ValueError("poison")), told)(None, record())


def test_a_parked_records_id_is_not_remembered_so_its_retry_is_handled():
    from eda_lab.messages.envelope import Event
    from eda_lab.patterns import SqliteIdempotencyStore
    from eda_lab.patterns.deadletters.forgetting import ForgetParked

    parked, handled = Event("OrderPlaced", {}), Event("OrderPlaced", {})
    store = ForgetParked(SqliteIdempotencyStore(":memory:", consumer="billing"))
    store.forget_next(parked)
    store.remember(iter([parked.event_id, handled.event_id]))  # the loop hands a generator
    assert (store.seen(parked.event_id), store.seen(handled.event_id)) == (False, True)
    store.remember([parked.event_id])  # once handled on a retry, it is remembered
    assert store.seen(parked.event_id)
