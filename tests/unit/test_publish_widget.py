"""Publish form logic without a browser or a broker: form -> event, record -> row, rows -> HTML."""

from __future__ import annotations

import pytest

from eda_lab.clients.records import Received
from eda_lab.messages.envelope import Event
from eda_lab.settings import Settings
from eda_lab.widgets.publish_form import (
    PublishForm,
    event_from_form,
    received_row,
    rows_html,
)

# Nothing listens here: constructing a widget must not need a broker.
NOWHERE = Settings(bootstrap="127.0.0.1:1")


def test_event_from_form_builds_a_keyed_event():
    key, event = event_from_form("OrderPaid", "  ord-7 ", "12.345")
    assert key == "ord-7"
    assert event.event_type == "OrderPaid"
    assert event.data == {"orderId": "ord-7", "amount": 12.35}
    assert event.source == "eda-lab.publish-form"
    assert Event.from_json(event.to_json()) == event


def test_event_from_form_without_key_has_no_key_field():
    key, event = event_from_form("OrderPlaced", "", 3)
    assert key is None
    assert event.data == {"amount": 3.0}


@pytest.mark.parametrize("amount", ["abc", None, float("nan"), -1])
def test_event_from_form_rejects_bad_amounts(amount):
    with pytest.raises(ValueError, match="amount"):
        event_from_form("OrderPlaced", "k", amount)


def test_event_from_form_needs_an_event_type():
    with pytest.raises(ValueError, match="event type"):
        event_from_form(" ", "k", 1)


def received(value: bytes | None, key: str | None = "ord-1") -> Received:
    return Received("orders", 2, 41, key, 0, {}, value)


def test_received_row_shows_where_and_what():
    event = Event("OrderPlaced", {"orderId": "ord-1", "amount": 5.0})
    assert received_row(received(event.to_json())) == {
        "partition": 2, "offset": 41, "key": "ord-1",
        "eventType": "OrderPlaced", "data": "orderId=ord-1, amount=5.0",
    }


def test_received_row_names_a_malformed_record_instead_of_failing():
    row = received_row(received(b"not json", key=None))
    assert row["eventType"] == "(malformed)"
    assert "not JSON" in row["data"]
    assert row["key"] is None


def test_rows_html_escapes_values():
    table = rows_html([{"key": "<b>", "eventType": "X"}], ["key", "eventType"])
    assert "<th>key</th><th>eventType</th>" in table
    assert "<td>&lt;b&gt;</td><td>X</td>" in table


def test_publish_form_builds_without_connecting():
    form = PublishForm("orders", settings=NOWHERE)
    left, right = form.widget.children
    assert form.publish_button in left.children
    assert list(form.event_type.options)[:2] == ["OrderPlaced", "OrderPaid"]
    assert form.table in right.children
    assert "<th>partition</th>" in form.table.value
    assert not form.running


def test_publish_form_reports_a_bad_form_beside_the_button():
    form = PublishForm("orders", settings=NOWHERE)
    form.event_type.options = []
    form.publish_button.click()
    assert "not sent" in form.sent.value and "event type" in form.sent.value
