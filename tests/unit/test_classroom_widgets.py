"""Widget faults a learner met in a real browser, guarded without a browser or a broker."""

from __future__ import annotations

from eda_lab.settings import Settings
from eda_lab.widgets.group_view import (
    GroupSnapshot,
    LiveGroupView,
    assignment_title,
    snapshot_png,
)
from eda_lab.widgets.live import short_name
from eda_lab.widgets.publish_form import PublishForm, arrival_order, rows_html

NOWHERE = Settings(bootstrap="127.0.0.1:1", namespace="alice")


def test_a_stopped_view_looks_stopped_and_offers_start():
    form = PublishForm("alice.02-producing.orders", settings=NOWHERE)
    assert not form.running
    assert form.stop_button.disabled and not form.start_button.disabled
    assert form.start_button.button_style == "success"
    assert "press Start" in form.state_note.value
    assert form.start_button in form.controls.children and form.controls in form.widget.children[1].children


def test_a_running_view_offers_stop_and_goes_back_when_its_loop_ends():
    form = PublishForm("orders", settings=NOWHERE, duration_s=5)
    form._loop = lambda alive: (_ for _ in ()).throw(RuntimeError("no broker"))
    form._show_running(True)
    assert form.start_button.disabled and not form.stop_button.disabled
    assert form.state_note.value == ""
    form.start()
    form._thread.join(5)
    assert form.stop_button.disabled and not form.start_button.disabled
    assert "error" in form.status.value


def test_rows_show_in_arrival_order_not_partition_by_partition():
    received = [((30, 1, 0), {"key": "c"}), ((10, 0, 0), {"key": "a"}), ((20, 1, 1), {"key": "b"}),
                ((20, 0, 1), {"key": "b0"})]
    assert [r["key"] for r in arrival_order(received)] == ["a", "b0", "b", "c"]


def test_a_keyless_event_shows_no_none_key_and_the_table_scrolls():
    table = rows_html([{"key": None, "data": "amount=1"}], ["key", "data"])
    assert "None" not in table and "<td></td><td>amount=1</td>" in table
    assert "overflow-x:auto" in table and "white-space:nowrap" in table


def test_names_are_short_as_in_the_notebooks():
    assert short_name("alice.02-producing.orders", "alice") == "orders"
    assert short_name("alice.02-producing.orders.DLT", "alice") == "orders.DLT"
    assert short_name("bob.02-producing.orders", "alice") == "bob.02-producing.orders"
    form = PublishForm("alice.02-producing.orders", settings=NOWHERE)
    heading = form.widget.children[1].children[0].value
    assert "orders" in heading and "alice." not in heading
    view = LiveGroupView("alice.03-consuming.workers", "alice.03-consuming.tasks",
                         settings=NOWHERE)
    assert view.short(view.group) == "workers"


def test_an_empty_group_says_so():
    assert "No consumer" in assignment_title({})
    assert "exactly one owner" in assignment_title({"a": (0,)})
    png = snapshot_png(GroupSnapshot("g", "t", "Empty", {}, ()))
    assert png.startswith(b"\x89PNG")
