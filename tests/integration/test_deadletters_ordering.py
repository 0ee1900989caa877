"""Retry topics reorder the events of one key; retrying in place keeps their order.

Three events of one order on one partition; the first fails once. Through a retry topic the
second and third are handled while the first waits: the order becomes 1, 2, 0. Retried in
place (the handler call blocks for the delay) the order stays 0, 1, 2, at the price of a
partition that stands still meanwhile."""

from __future__ import annotations

import pytest

from eda_lab.clients import create_topic
from eda_lab.clients.producing import EventPublisher
from eda_lab.messages.envelope import Event
from eda_lab.patterns.deadletters import DeadLetterRouter, RetryPolicy
from tests.helpers import wait_for

pytestmark = pytest.mark.integration


def run_once(settings, ns, policy):
    source = ns.topic("orders")
    create_topic(source, partitions=1, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(source, [("ord-7", Event("OrderStep", {"seq": s}))
                                        for s in range(3)])
    order, failed = [], []

    def apply(event, record):
        seq = event.data["seq"]
        if seq == 0 and not failed:
            failed.append(seq)
            raise TimeoutError("stock service slow")
        order.append(seq)

    router = DeadLetterRouter(source, group=ns.group("stock"), handler=apply, policy=policy,
                              settings=settings)
    router.create_topics()
    with router.running(timeout_s=60):
        wait_for(lambda: len(order) == 3, "all three steps applied", 30)
    return order


def test_a_retry_topic_lets_later_events_of_the_key_overtake_the_failed_one(settings, ns):
    assert run_once(settings, ns, RetryPolicy(delays_s=(0.5,))) == [1, 2, 0]


def test_retrying_in_place_keeps_the_order_of_the_key(settings, ns):
    assert run_once(settings, ns, RetryPolicy(delays_s=(0.5,), in_place=True)) == [0, 1, 2]
