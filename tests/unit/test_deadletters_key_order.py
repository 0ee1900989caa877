"""Keeping each key's order on retry topics, as pure bookkeeping: who may be handled now, where
the others are parked, when a key is free again; and the headers a parked record carries."""

from __future__ import annotations

import dataclasses
import random
from collections import deque

import pytest

from eda_lab.clients.records import Received
from eda_lab.patterns.deadletters import ParkedKeys, RetryPolicy, failure_headers
from eda_lab.patterns.deadletters.headers import origin_of, parked_behind_headers


def at(offset):
    return ("orders", 0, offset)


def test_a_free_key_goes_and_a_keyless_record_is_never_parked():
    keys = ParkedKeys()
    assert keys.turn("ord-7", at(0)) is None
    keys.failed(None, at(1), "orders.retry-1")
    assert keys.turn(None, at(2)) is None and keys.waiting() == {}


def test_a_key_in_retry_parks_its_later_records_behind_the_head_and_other_keys_flow():
    keys = ParkedKeys()
    keys.failed("ord-7", at(0), "orders.retry-1")
    behind = keys.turn("ord-7", at(2))
    assert (behind.topic, behind.head, behind.head_where) == ("orders.retry-1", at(0),
                                                              "orders/0@0")
    assert keys.turn("ord-8", at(1)) is None
    assert keys.turn("ord-7", at(0)) is None  # the head itself, back from its retry topic
    assert keys.waiting() == {"ord-7": [at(0), at(2)]}


def test_the_parked_records_follow_the_head_to_its_next_tier_and_go_in_order():
    keys = ParkedKeys()
    keys.failed("ord-7", at(0), "orders.retry-1")
    keys.turn("ord-7", at(1))
    keys.failed("ord-7", at(0), "orders.retry-2")  # the head failed again
    assert keys.turn("ord-7", at(1)).topic == "orders.retry-2"  # read on retry-1: moved on
    assert keys.turn("ord-7", at(3)).topic == "orders.retry-2"  # a new one from the source
    keys.done("ord-7", at(0))
    assert keys.turn("ord-7", at(3)).head == at(1)  # not before offset 1
    assert keys.turn("ord-7", at(1)) is None
    keys.done("ord-7", at(1))
    assert keys.turn("ord-7", at(3)) is None
    keys.done("ord-7", at(3))
    assert keys.waiting() == {} and keys.turn("ord-7", at(4)) is None  # free again


def test_records_behind_a_dead_lettered_head_go_on_in_order():
    keys = ParkedKeys()
    keys.failed("ord-7", at(0), "orders.retry-1")
    keys.turn("ord-7", at(1))
    keys.turn("ord-7", at(2))
    keys.done("ord-7", at(0))  # dead-lettered: it can be redriven later, at the end
    assert keys.turn("ord-7", at(2)) is not None and keys.turn("ord-7", at(1)) is None


def test_a_repeat_of_a_finished_record_is_handled_not_queued_behind_newer_ones():
    keys = ParkedKeys()
    keys.failed("ord-7", at(5), "orders.retry-1")
    keys.turn("ord-7", at(6))
    assert keys.turn("ord-7", at(3)) is None  # redelivered after it was finished
    assert keys.waiting() == {"ord-7": [at(5), at(6)]}


@pytest.mark.parametrize("seed", range(20))
def test_whatever_the_interleaving_each_key_finishes_in_source_order_and_none_is_lost(seed):
    """A toy pipeline: topics as queues, read in a random order, tries failing at random."""
    rng, keys, policy = random.Random(seed), ParkedKeys(), RetryPolicy((1, 2), keep_key_order=True)
    topics = {name: deque() for name in ("orders", "orders.retry-1", "orders.retry-2")}
    topics["orders"].extend((rng.choice(["a", "b", "c", None]), at(n), 1) for n in range(40))
    finished = []
    for _ in range(100_000):
        queues = [q for q in topics.values() if q]
        if not queues:
            break
        key, origin, attempt = rng.choice(queues).popleft()
        behind = keys.turn(key, origin)
        if behind is not None:
            topics[behind.topic].append((key, origin, attempt))
        elif rng.random() < 0.4:
            route = policy.route("orders", attempt, RuntimeError("down"), now_ms=0)
            if route.due_ms is None:
                finished.append((key, origin))
                keys.done(key, origin)
            else:
                keys.failed(key, origin, route.topic)
                topics[route.topic].append((key, origin, route.attempt))
        else:
            finished.append((key, origin))
            keys.done(key, origin)
    assert sorted(o for _, o in finished) == [at(n) for n in range(40)]
    for key in "abc":
        mine = [o for k, o in finished if k == key]
        assert mine == sorted(mine), key
    assert keys.waiting() == {}


def test_keep_key_order_needs_retry_topics():
    assert RetryPolicy((1,), keep_key_order=True).keep_key_order
    for bad in ({"delays_s": ()}, {"in_place": True}):
        with pytest.raises(ValueError, match="keep_key_order"):
            RetryPolicy(keep_key_order=True, **bad)


def test_a_parked_record_carries_its_origin_and_attempt_no_due_time_and_each_header_once():
    retried = Received("orders.retry-1", 0, 9, "ord-7", 0, {}, b"{}")
    retried = dataclasses.replace(retried, headers={
        k: v.decode() for k, v in failure_headers(
            Received("orders", 0, 4, "ord-7", 0, {"source": "shop"}, b"{}"), RuntimeError("down"),
            group="billing", attempt=2, due_ms=1_000)})
    parked = dict((k, v.decode()) for k, v in parked_behind_headers(
        retried, group="billing", behind="orders/0@1"))
    assert parked["eda-parked-behind"] == "orders/0@1" and "eda-retry-due-at" not in parked
    assert (parked["eda-attempt"], parked["eda-dlt-original-offset"], parked["source"]) == (
        "2", "4", "shop")
    again = Received("orders.retry-2", 0, 1, "ord-7", 0, parked, b"{}")
    assert origin_of(again) == ("orders", 0, 4)
    names = [k for k, _ in failure_headers(again, RuntimeError("down"), group="billing",
                                           attempt=3)]
    assert len(names) == len(set(names)) and "eda-parked-behind" not in names
    fresh = parked_behind_headers(Received("orders", 0, 7, "ord-7", 0, {}, b"{}"),
                                  group="billing", behind="orders/0@4")
    assert dict(fresh)["eda-dlt-original-offset"] == b"7" and "eda-attempt" not in dict(fresh)
