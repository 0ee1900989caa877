"""The poison pill against the real broker: a consumer that retries for ever stands still on
one record while the lag of its group grows; a dead-letter router on the same group parks the
record and the lag drains to zero. The lag recorder sees both, for the notebook's chart."""

from __future__ import annotations

import threading

import pytest

from eda_lab.clients import create_topic, group_lag
from eda_lab.clients.producing import EventPublisher
from eda_lab.messages.envelope import Event
from eda_lab.patterns import HandlerLoop
from eda_lab.patterns.deadletters import (
    DeadLetterRouter,
    LagRecorder,
    RetryPolicy,
    retry_forever,
)
from tests.helpers import wait_for

pytestmark = pytest.mark.integration


def test_a_poison_pill_stalls_a_naive_consumer_while_lag_grows(settings, ns):
    topic, group = ns.topic("payments"), ns.group("naive")
    create_topic(topic, partitions=1, settings=settings)
    publisher = EventPublisher(settings)

    def publish(first, n):
        publisher.publish_many(topic, [("p", Event("PaymentDue", {"n": i}))
                                       for i in range(first, first + n)])

    tries = []

    def pay(event, record):
        tries.append(event.data["n"])
        if event.data["n"] == 2:
            raise ValueError("amount is not a number")  # no retry will ever fix it

    publish(0, 5)
    stuck = threading.Event()
    naive = HandlerLoop(topic, group=group, handler=retry_forever(pay, stuck, pause_s=0.05),
                        settings=settings, batch_size=1).start(timeout_s=60)
    recorder = LagRecorder(group, topic, every_s=0.1, settings=settings).start(timeout_s=60)
    try:
        wait_for(lambda: tries.count(2) >= 3, "the naive consumer to retry the poison pill")
        for first in (5, 15):
            publish(first, 10)
            wait_for(lambda end=first + 10: (s := recorder.latest(0)) and s.end == end,
                     "a lag sample after publishing")
        stuck.set()  # let the naive handler give up: the loop stops, the pill uncommitted
        with pytest.raises(ValueError, match="not a number"):
            naive.join(timeout_s=15)
        assert max(tries) == 2  # nothing behind the pill was ever handled
        [before] = group_lag(group, topic, settings)
        assert (before.committed, before.lag) == (2, 23)

        router = DeadLetterRouter(topic, group=group, handler=pay,
                                  policy=RetryPolicy(delays_s=(), max_attempts=1),
                                  settings=settings)
        router.create_topics()
        router.loop().run(idle_s=1, timeout_s=30)
        router.close()
        wait_for(lambda: (s := recorder.latest(0)) and s.lag == 0, "the lag to drain")
    finally:
        stuck.set()
        recorder.stop()
        publisher.close()

    lags = recorder.frame()
    stalled = lags[lags["committed"] == 2]["lag"].tolist()
    assert stalled == sorted(stalled) and stalled[-1] == 23  # rising while stuck
    assert lags["lag"].iloc[-1] == 0 and router.parked == {f"{topic}.DLT": 1}
