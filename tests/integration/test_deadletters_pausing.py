"""EventConsumer.pause/resume, which the retry consumer's gate stands on, against the broker:
a paused partition gives nothing and stays assigned; resumed, it gives its records."""

from __future__ import annotations

import pytest

from eda_lab.clients import create_topic
from eda_lab.clients.consuming import EventConsumer
from tests.helpers import produce_raw

pytestmark = pytest.mark.integration


def test_a_paused_partition_gives_nothing_until_resumed(settings, ns):
    topic = ns.topic("retry")
    create_topic(topic, partitions=2, settings=settings)
    produce_raw(settings, topic, [b"%d" % i for i in range(6)], spread_over=2)
    with EventConsumer(topic, settings=settings) as consumer:
        consumer.pause(topic, 0)
        assert consumer.paused() == {(topic, 0)}
        first = consumer.read(idle_s=1, timeout_s=10)
        assert {r.partition for r in first} == {1} and len(first) == 3
        assert consumer.assignment() == {(topic, 0), (topic, 1)}
        consumer.resume(topic, 0)
        then = consumer.read(idle_s=1, timeout_s=10)
        assert consumer.paused() == set()
        assert [(r.partition, r.value) for r in then] == [(0, b"0"), (0, b"2"), (0, b"4")]
