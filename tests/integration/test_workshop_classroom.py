"""The instructor's view on the real broker: CLI report and live widget see every learner."""

from __future__ import annotations

import os

import pytest

from eda_lab.analysis.classroom import classroom_frame, read_cluster
from eda_lab.cli.reset import reset_scope
from eda_lab.clients import create_topic, reset_namespace
from eda_lab.clients.consuming import EventConsumer
from eda_lab.namespace import Namespace
from eda_lab.widgets.classroom_view import ClassroomView
from tests.helpers import publish_orders, random_name, run_cli, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def classroom(settings):
    """Two learners: one at lesson 02 (5 events), one at 03 with a group 2 events behind."""
    ann, ben = random_name("ann"), random_name("ben")
    at02, at03 = Namespace(ann, "02-producing"), Namespace(ben, "03-consuming")
    create_topic(at02.topic("orders"), partitions=2, settings=settings)
    publish_orders(settings, at02.topic("orders"), [f"o-{i}" for i in range(5)])
    create_topic(at03.topic("tasks"), partitions=1, settings=settings)
    publish_orders(settings, at03.topic("tasks"), ["t-1", "t-2", "t-3"])
    with EventConsumer(at03.topic("tasks"), group=at03.group("workers"), settings=settings,
                       auto_commit=False) as consumer:
        consumer.read(max_events=1, idle_s=1, timeout_s=30)
        consumer.commit()
    yield ann, ben
    for who in (ann, ben):
        reset_namespace(reset_scope(who), settings, timeout_s=15)


def test_reading_the_cluster_finds_each_learner_lesson_events_and_lag(settings, classroom):
    ann, ben = classroom
    frame = classroom_frame(read_cluster(settings))
    mine = frame[frame.namespace.isin([ann, ben])].set_index(["namespace", "kind", "name"])
    assert mine.loc[(ann, "topic", "orders"), ["lesson", "events"]].tolist() == ["02-producing", 5]
    assert mine.loc[(ben, "topic", "tasks"), "events"] == 3
    assert mine.loc[(ben, "group", "workers"), ["lesson", "lag"]].tolist() == ["03-consuming", 2]


def test_classroom_command_prints_who_is_where(settings, classroom):
    ann, ben = classroom
    done = run_cli("classroom", env={**os.environ, "EDA_LAB_BOOTSTRAP": settings.bootstrap})
    assert done.returncode == 0, done.stderr
    lines: dict[str, list[str]] = {}
    for line in done.stdout.splitlines():  # the summary comes first, then the two matrices
        if line.strip():
            lines.setdefault(line.split()[0], line.split())
    # furthest lessons topics groups events lag
    assert lines[ann][1:] == ["02-producing", "1", "1", "0", "5", "0"]
    assert lines[ben][1:] == ["03-consuming", "1", "1", "1", "3", "2"]
    assert "namespaces by lessons" in done.stdout


def test_classroom_view_refreshes_live(settings, classroom):
    ann, _ = classroom
    view = ClassroomView(settings, refresh_s=0.2, duration_s=30)
    view.show()
    try:
        wait_for(lambda: view.latest is not None and ann in set(view.latest.namespace),
                 "the view's first reading", timeout_s=30)
        assert bytes(view.image.value).startswith(b"\x89PNG") and ann in view.table.value
        publish_orders(settings, Namespace(ann, "02-producing").topic("orders"), ["o-9"])
        wait_for(lambda: view.latest[view.latest.namespace == ann]["events"].sum() == 6,
                 "the next refresh to count the new event", timeout_s=30)
        assert view.status.value.startswith("live:")
    finally:
        view.stop()
    assert not view.running and view.stop_button.disabled
