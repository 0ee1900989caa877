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
