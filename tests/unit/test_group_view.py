"""Group view logic without a browser or a broker: admin answers -> snapshot, and the live loop."""

from __future__ import annotations

import ipywidgets as w

from eda_lab.clients import PartitionLag
from eda_lab.settings import Settings
from eda_lab.widgets.group_view import (
    GroupSnapshot,
    LiveGroupView,
    group_snapshot,
    member_names,
    snapshot_png,
)

# Nothing listens here: constructing a widget must not need a broker.
NOWHERE = Settings(bootstrap="127.0.0.1:1")


def member(member_id: str, client_id: str, parts: dict[str, list[int]]) -> dict:
    return {"member_id": member_id, "client_id": client_id, "client_host": "/127.0.0.1",
            "member_assignment": {"assigned_partitions": [
                {"topic": t, "partitions": ps} for t, ps in parts.items()], "user_data": ""}}


def test_member_names_use_client_ids_and_number_shared_ones():
    members = [member("kafka-python-3.0.12-b", "kafka-python-3.0.12", {}),
               member("kafka-python-3.0.12-a", "kafka-python-3.0.12", {}),
               member("alice-z", "alice", {})]
    assert member_names(members) == {
        "alice-z": "alice",
        "kafka-python-3.0.12-a": "consumer-1",
        "kafka-python-3.0.12-b": "consumer-2",
    }


DESCRIPTION = {
    "group_id": "ns.billing", "group_state": "Stable", "error": None,
    "members": [member("bob-1", "bob", {"orders": [2], "other": [0]}),
                member("alice-1", "alice", {"orders": [1, 0]}),
                member("carol-1", "carol", {})],
}
LAG = [PartitionLag("orders", 1, None, 3, 3), PartitionLag("orders", 0, 5, 7, 2),
       PartitionLag("orders", 2, 4, 4, 0)]


def test_group_snapshot_maps_members_to_their_partitions_of_the_topic():
    snap = group_snapshot(DESCRIPTION, "orders", LAG)
    assert snap.members == {"alice": (0, 1), "bob": (2,), "carol": ()}
    assert [p.partition for p in snap.lag] == [0, 1, 2]
    assert (snap.state, snap.total_lag) == ("Stable", 5)


def test_group_snapshot_summary_is_stable_text():
    snap = group_snapshot(DESCRIPTION, "orders", LAG)
    assert snap.summary(lambda name: name.removeprefix("ns.")) == "\n".join([
        "group billing on orders: Stable, 3 member(s), total lag 5",
        "  alice: p0 p1", "  bob: p2", "  carol: idle",
        "  p0: committed 5, end 7, lag 2",
        "  p1: committed None, end 3, lag 3",
        "  p2: committed 4, end 4, lag 0",
    ])


def test_group_snapshot_of_an_unknown_group_has_no_members():
    unknown = {"group_id": "g", "group_state": "Dead", "members": [], "error": "GroupIdNotFound"}
    snap = group_snapshot(unknown, "orders", [])
    assert (snap.members, snap.total_lag, snap.state) == ({}, 0, "Dead")


def test_snapshot_png_is_a_png():
    png = snapshot_png(GroupSnapshot("g", "orders", "Stable", {"a": (0,)}, tuple(LAG)))
    assert png.startswith(b"\x89PNG")


def test_live_group_view_builds_without_connecting():
    view = LiveGroupView("g", "orders", settings=NOWHERE, duration_s=1)
    assert isinstance(view.widget, w.VBox)
    assert {view.start_button.description, view.stop_button.description} == {"Start", "Stop"}
    assert view.image in view.widget.children
    assert not view.running and view.latest is None


def test_a_live_loop_that_fails_shows_the_error_and_stops():
    view = LiveGroupView("g", "orders", settings=NOWHERE, duration_s=5)
    view._loop = lambda alive: (_ for _ in ()).throw(RuntimeError("no broker <here>"))
    view.start()
    view._thread.join(5)
    assert not view.running
    assert view.status.value == "<b>error:</b> no broker &lt;here&gt;"
