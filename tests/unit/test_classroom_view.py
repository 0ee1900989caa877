"""The instructor's view without a broker: names parsed back, tables, picture, report."""

from __future__ import annotations

from eda_lab.analysis.classroom import (
    ClusterReading,
    classroom_frame,
    lesson_matrix,
    namespace_summary,
    parse_name,
)
from eda_lab.cli.instructor import classroom_text
from eda_lab.settings import Settings
from eda_lab.widgets.classroom_view import ClassroomView, classroom_png, summary_html

READING = ClusterReading(
    events={"alice.02-producing.orders": 10, "alice.02-producing.orders.DLT": 1,
            "alice.03-consuming.tasks": 60, "bob.02-producing.orders": 4,
            "__consumer_offsets": 99, "someone-elses-topic": 7},
    lag={"alice.03-consuming.workers": {"alice.03-consuming.tasks": 5},
         "bob.02-producing.billing": {}, "console-consumer-1": {"x": 3}},
)


def test_parse_name_finds_the_lesson_part():
    assert parse_name("alice.02-producing.orders") == ("alice", "02-producing", "orders")
    assert parse_name("team.a.03-consuming.workers") == ("team.a", "03-consuming", "workers")
    assert parse_name("alice.02-producing.orders.DLT") == ("alice", "02-producing", "orders.DLT")
    for other in ("orders", "02-producing.orders", "alice.02-producing", "__consumer_offsets"):
        assert parse_name(other) is None, other


def test_frame_has_one_row_per_lesson_topic_and_group_and_nothing_else():
    frame = classroom_frame(READING)
    assert sorted(frame["namespace"].unique()) == ["alice", "bob"]
    assert len(frame[frame.kind == "topic"]) == 4 and len(frame[frame.kind == "group"]) == 2
    row = frame[(frame.kind == "group") & (frame.namespace == "alice")].iloc[0]
    assert (row["lesson"], row["name"], row["lag"]) == ("03-consuming", "workers", 5)


def test_lesson_matrix_is_namespaces_by_lessons():
    frame = classroom_frame(READING)
    events = lesson_matrix(frame)
    assert list(events.index) == ["alice", "bob"]
    assert list(events.columns) == ["02-producing", "03-consuming"]
    assert events.loc["alice", "02-producing"] == 11 and events.loc["bob", "03-consuming"] == 0
    assert lesson_matrix(frame, "lag").loc["alice", "03-consuming"] == 5


def test_summary_says_who_is_where():
    summary = namespace_summary(classroom_frame(READING))
    assert summary.loc["alice"].to_dict() == {"furthest": "03-consuming", "lessons": 2,
                                              "topics": 3, "groups": 1, "events": 71, "lag": 5}
    assert summary.loc["bob", "furthest"] == "02-producing"


def test_an_empty_cluster_is_said_not_crashed_on():
    empty = classroom_frame(ClusterReading({}, {}))
    assert empty.empty and lesson_matrix(empty).empty and namespace_summary(empty).empty
    assert classroom_png(empty).startswith(b"\x89PNG")
    assert "no namespaces" in summary_html(empty)
    assert "No lesson topics" in classroom_text(empty, "h:1")


def test_picture_table_and_report():
    frame = classroom_frame(READING)
    assert classroom_png(frame).startswith(b"\x89PNG")
    assert "alice" in summary_html(frame) and "<table" in summary_html(frame)
    report = classroom_text(frame, "h:1")
    assert report.startswith("2 namespace(s) at h:1")
    assert "namespaces by lessons" in report and "03-consuming" in report


def test_classroom_view_builds_without_connecting():
    view = ClassroomView(Settings(bootstrap="127.0.0.1:1"), duration_s=1)
    assert view.image in view.widget.children and view.controls in view.widget.children
    assert not view.running and view.start_button.description == "Start"
