"""Retrying in place can be stopped: a stop during a long in-place wait ends it at once, the
record is neither handled nor committed, and the next run handles it."""

from __future__ import annotations

import time

import pytest

from eda_lab.clients import create_topic, group_offsets
from eda_lab.clients.producing import EventPublisher
from eda_lab.errors import RetryInterrupted
from eda_lab.messages.envelope import Event
from eda_lab.patterns.deadletters import DeadLetterRouter, RetryPolicy
from tests.helpers import wait_for

pytestmark = pytest.mark.integration


def test_a_stop_ends_a_long_in_place_wait_and_the_record_comes_again(settings, ns):
    source, group = ns.topic("stock"), ns.group("stock")
    create_topic(source, partitions=1, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(source, [("sku-1", Event("StockReserved", {"n": n}))
                                        for n in range(2)])
    tries, applied = [], []

    def reserve(event, record):
        tries.append(event.data["n"])
        if len(tries) == 1:
            raise ConnectionError("stock service down")
        applied.append(event.data["n"])

    router = DeadLetterRouter(source, group=group, handler=reserve, settings=settings,
                              policy=RetryPolicy(delays_s=(120,), in_place=True))
    router.create_topics()
    with router.running(timeout_s=60) as (main,):
        wait_for(lambda: tries, "the first try, failing", 20)
        stopping = time.monotonic()
    assert time.monotonic() - stopping < 5  # not the 120 s the retry was due in
    with pytest.raises(RetryInterrupted) as raised:
        main.join()  # running() took it for the stop it was; the loop's own error says so
    assert raised.value.stopped and raised.value.where == f"{source}/0@0"
    assert (tries, applied, group_offsets(group, settings)) == ([0], [], {})

    report = router.loop().run(max_events=2, timeout_s=30)
    router.close()
    assert (applied, report.handled) == ([0, 1], 2)
    assert group_offsets(group, settings) == {(source, 0): 2}
