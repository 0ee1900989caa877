"""Team: members of one group polling in threads, joined and left by name (notebook 03)."""

from __future__ import annotations

import pytest

from eda_lab.clients import EventPublisher, create_topic, group_states
from eda_lab.messages import Event
from eda_lab.widgets import Team

pytestmark = pytest.mark.integration


def test_members_share_partitions_and_leave_the_group_empty(settings, ns):
    topic, group = ns.topic("tasks"), ns.group("workers")
    create_topic(topic, partitions=4, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, [(f"t{n}", Event("TaskQueued", {"n": n})) for n in range(20)])
    team = Team(topic, group, partitions=4, settings=settings)
    try:
        team.join("member-1")
        assert team.wait_settled() == {"member-1": [0, 1, 2, 3]}
        team.join("member-2")
        assert team.wait_settled() == {"member-1": [0, 1], "member-2": [2, 3]}
        team.leave("member-2")
        assert team.wait_settled() == {"member-1": [0, 1, 2, 3]}
        team.wait_until(lambda: len({(r.partition, r.offset) for r in team.records()}) == 20)
    finally:
        team.close()
    assert group_states(ns.root, settings)[group] == "Empty"
    assert {s.consumer for s in team.timeline()} == {"member-1", "member-2"}


def test_a_member_whose_polling_fails_ends_the_wait_with_its_error(settings, ns, monkeypatch):
    from eda_lab.clients import EventConsumer

    topic = ns.topic("tasks")
    create_topic(topic, partitions=2, settings=settings)
    real_read, reads = EventConsumer.read, []

    def failing_read(self, *args, **kwargs):
        reads.append(self)
        if len(reads) > 2:
            raise ValueError("the handler broke")
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(EventConsumer, "read", failing_read)
    team = Team(topic, ns.group("failing"), partitions=2, settings=settings)
    try:
        team.join("member-1")
        with pytest.raises(RuntimeError, match="member-1 .* stopped polling: ValueError"):
            team.wait_until(lambda: False, timeout_s=20)
    finally:
        team.close()
