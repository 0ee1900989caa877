"""Retry topics reorder the events of one key; retrying in place keeps their order but stalls
the partition; parking the key keeps its order while the other keys flow.

Three events of order ord-7 and three of ord-8, interleaved on one partition; ord-7's first
fails once. Through a retry topic ord-7's second and third are handled while its first waits:
1, 2, 0. Retried in place (the handler call waits for the delay) ord-7 keeps 0, 1, 2, and
ord-8 waits too. With ``keep_key_order`` ord-7 keeps 0, 1, 2 *and* ord-8 is handled while
ord-7's first waits for its retry. A head that is dead-lettered lets the rest go on in order."""

from __future__ import annotations

import pytest

from eda_lab.clients import create_topic
from eda_lab.clients.consuming import consume
from eda_lab.clients.producing import EventPublisher
from eda_lab.messages.envelope import Event
from eda_lab.patterns.deadletters import DeadLetterRouter, RetryPolicy
from tests.helpers import wait_for

pytestmark = pytest.mark.integration
STEPS = [(key, s) for s in range(3) for key in ("ord-7", "ord-8")]  # 7/0 8/0 7/1 8/1 7/2 8/2


def run_once(settings, ns, policy, fails=lambda key, seq, tries: (key, seq, tries) == ("ord-7", 0, 1),
             finished=6):
    """Publish STEPS, run a router until ``finished`` steps are applied or dead; the order."""
    source = ns.topic("orders")
    create_topic(source, partitions=1, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(source, [(k, Event("OrderStep", {"seq": s})) for k, s in STEPS])
    applied, tries = [], []

    def apply(event, record):
        tries.append((record.key, event.data["seq"]))
        if fails(record.key, event.data["seq"], tries.count(tries[-1])):
            raise TimeoutError("stock service slow")
        applied.append(tries[-1])

    router = DeadLetterRouter(source, group=ns.group("stock"), handler=apply, policy=policy,
                              settings=settings)
    router.create_topics()
    with router.running(timeout_s=60):
        wait_for(lambda: len(applied) + router.parked[f"{source}.DLT"] == finished,
                 "every step applied or dead", 30)
    return applied, router


def of(key, applied):
    return [s for k, s in applied if k == key]


def test_a_retry_topic_lets_later_events_of_the_key_overtake_the_failed_one(settings, ns):
    applied, _ = run_once(settings, ns, RetryPolicy(delays_s=(0.5,)))
    assert of("ord-7", applied) == [1, 2, 0]


def test_retrying_in_place_keeps_the_order_of_the_key_and_stalls_the_partition(settings, ns):
    applied, _ = run_once(settings, ns, RetryPolicy(delays_s=(0.5,), in_place=True))
    assert applied == STEPS  # ord-8 waited for ord-7's retry


def test_parking_the_key_keeps_its_order_while_other_keys_flow(settings, ns):
    applied, router = run_once(settings, ns, RetryPolicy(delays_s=(1.0,), keep_key_order=True))
    assert of("ord-7", applied) == [0, 1, 2]
    assert applied.index(("ord-7", 0)) == 3  # all of ord-8 first: the partition did not stall
    source = ns.topic("orders")
    assert router.parked == {f"{source}.retry-1": 1}
    assert router.parked_behind == {f"{source}.retry-1": 2}
    assert router.keys.waiting() == {}  # ord-7 is free again


def test_records_parked_behind_a_dead_lettered_head_go_on_in_order(settings, ns):
    applied, router = run_once(settings, ns, RetryPolicy(delays_s=(0.5,), keep_key_order=True),
                               fails=lambda key, seq, tries: (key, seq) == ("ord-7", 0),
                               finished=6)
    source = ns.topic("orders")
    assert of("ord-7", applied) == [1, 2] and of("ord-8", applied) == [0, 1, 2]
    (dead,) = consume(f"{source}.DLT", settings=settings, max_events=1, timeout_s=15)
    assert (dead.headers["eda-dlt-original-offset"], dead.headers["eda-attempt"]) == ("0", "2")
    assert "eda-parked-behind" not in dead.headers
    parked = [r for r in consume(f"{source}.retry-1", settings=settings, max_events=3,
                                 timeout_s=15) if "eda-parked-behind" in r.headers]
    assert [(r.event.data["seq"], r.headers["eda-parked-behind"]) for r in parked] == [
        (1, f"{source}/0@0"), (2, f"{source}/0@0")]
    for r in parked:
        names = [k for k, _ in r.raw_headers]
        assert len(names) == len(set(names)) and "eda-retry-due-at" not in r.headers
        assert "eda-attempt" not in r.headers  # parked untried: still its first try to come
    assert router.keys.waiting() == {}
