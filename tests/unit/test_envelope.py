"""The event and command envelopes: wire shape, round trips, malformed input, causation."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import datetime, timedelta, timezone

import pytest

from eda_lab.errors import MalformedEvent
from eda_lab.messages.envelope import UNKNOWN_SOURCE, Command, Event, decode_event, parse_json

EVENT_KEYS = ["eventType", "eventId", "timestamp", "version", "source", "correlationId",
              "causationId", "data"]
WHERE = "orders/2@17"

# The "good event structure" from the article, exactly as a Node service would send it.
ARTICLE_EVENT = b"""{
    "eventType": "OrderPlaced",
    "eventId": "550e8400-e29b-41d4-a716-446655440000",
    "timestamp": "2026-03-30T10:00:00Z",
    "version": 1,
    "source": "order-service",
    "correlationId": "req-abc123",
    "data": {"orderId": "ord-123", "userId": "user-456",
             "items": [{"productId": "prod-789", "quantity": 2, "price": 29.99}],
             "total": 59.98}
}"""


def valid() -> dict:
    return Event("OrderPlaced", {"orderId": "ord-1"}, source="order-service").to_dict()


def test_event_wire_shape_is_the_articles_camel_case_in_order():
    event = Event("OrderPlaced", {"orderId": "ord-1"}, source="order-service")
    wire = json.loads(event.to_json())
    assert list(wire) == EVENT_KEYS
    assert wire["eventType"] == "OrderPlaced" and wire["source"] == "order-service"
    assert wire["version"] == 1 and wire["causationId"] is None
    assert wire["data"] == {"orderId": "ord-1"}


def test_defaults_new_uuid_utc_millisecond_timestamp_and_own_correlation_id():
    a, b = Event("A", {}), Event("A", {})
    assert a.event_id != b.event_id
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
                        a.event_id)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", a.timestamp)
    stamped = datetime.fromisoformat(a.timestamp.replace("Z", "+00:00"))
    assert abs(stamped - datetime.now(timezone.utc)) < timedelta(seconds=5)
    assert a.correlation_id == a.event_id


def test_event_round_trips_through_json_and_dict():
    event = Event("OrderPlaced", {"orderId": "ord-1", "items": [{"qty": 2}], "total": 59.98},
                  version=3, source="order-service", correlation_id="req-1", causation_id="c-1")
    assert Event.from_json(event.to_json()) == event
    assert Event.from_json(event.to_json().decode()) == event
    assert Event.from_dict(event.to_dict()) == event
    assert decode_event(event.to_json(), WHERE) == event


def test_non_ascii_data_travels_as_utf8():
    event = Event("CustomerRenamed", {"name": "Zoë Ørsted 東京"})
    raw = event.to_json()
    assert "Zoë Ørsted 東京".encode() in raw
    assert Event.from_json(raw).data["name"] == "Zoë Ørsted 東京"


def test_command_round_trip_and_wire_shape():
    command = Command("TakePayment", {"orderId": "ord-1", "amount": 10}, source="checkout")
    wire = json.loads(command.to_json())
    assert list(wire) == ["commandType", "commandId", *EVENT_KEYS[2:]]
    assert wire["commandType"] == "TakePayment" and wire["commandId"] == command.command_id
    assert Command.from_json(command.to_json()) == command
    assert command.correlation_id == command.command_id


def test_reads_the_articles_event_and_its_node_producer_shape():
    event = Event.from_json(ARTICLE_EVENT)
    assert event.event_type == "OrderPlaced" and event.source == "order-service"
    assert event.correlation_id == "req-abc123" and event.causation_id is None
    assert event.data["items"][0]["price"] == 29.99
    # The article's kafkajs producer sends neither source nor correlationId in the value.
    node = {k: v for k, v in json.loads(ARTICLE_EVENT).items() if k not in ("source", "correlationId")}
    bare = Event.from_dict(node)
    assert bare.source == UNKNOWN_SOURCE
    assert bare.correlation_id == bare.event_id == "550e8400-e29b-41d4-a716-446655440000"


def test_unknown_fields_are_ignored_and_java_nanosecond_instants_accepted():
    wire = {**valid(), "schemaUrl": "x", "timestamp": "2026-03-30T10:00:00.123456789Z"}
    assert Event.from_dict(wire).timestamp == "2026-03-30T10:00:00.123456789Z"
    assert Event.from_dict({**valid(), "timestamp": "2026-03-30T12:00:00+02:00"}).version == 1


def test_headers_name_type_source_and_correlation():
    event = Event("OrderPlaced", {}, source="order-service", correlation_id="req-9")
    assert event.headers() == [("content-type", b"application/json"),
                               ("event-type", b"OrderPlaced"), ("source", b"order-service"),
                               ("correlation-id", b"req-9")]
    assert ("causation-id", b"c-1") in dataclasses.replace(event, causation_id="c-1").headers()
    command = Command("TakePayment", {}, source="checkout")
    assert ("command-type", b"TakePayment") in command.headers()
    assert ("correlation-id", command.command_id.encode()) in command.headers()


def test_caused_keeps_the_correlation_and_points_at_its_cause():
    placed = Event("OrderPlaced", {"orderId": "o"}, source="orders", correlation_id="req-1")
    paid = placed.caused("PaymentTaken", {"orderId": "o"}, source="billing")
    shipped = paid.caused("OrderShipped", {"orderId": "o"})
    assert (paid.correlation_id, paid.causation_id, paid.source) == ("req-1", placed.event_id,
                                                                     "billing")
    assert (shipped.correlation_id, shipped.causation_id) == ("req-1", paid.event_id)
    assert shipped.source == "billing"  # inherits the source of its cause by default
    assert paid.event_id not in (placed.event_id, shipped.event_id)
    from_command = Command("TakePayment", {}, correlation_id="req-2").caused("PaymentTaken", {})
    assert isinstance(from_command, Event) and from_command.correlation_id == "req-2"


def test_envelopes_are_frozen_and_keep_their_own_copy_of_data():
    data = {"orderId": "o"}
    event = Event("OrderPlaced", data)
    data["orderId"] = "changed"
    event.to_dict()["data"]["orderId"] = "changed too"
    assert event.data == {"orderId": "o"}
    with pytest.raises(AttributeError):
        event.version = 2  # type: ignore[misc]


@pytest.mark.parametrize("kwargs", [
    {"event_type": ""}, {"data": [1]}, {"version": 0}, {"version": "1"},
    {"timestamp": "yesterday"}, {"source": ""}, {"causation_id": 5},
])
def test_constructing_an_invalid_event_fails(kwargs):
    with pytest.raises(ValueError):
        Event(**{"event_type": "A", "data": {}, **kwargs})


@pytest.mark.parametrize("raw, problem", [
    (b"not json", "not JSON"),
    (b'{"eventType": "A",', "not JSON"),
    (b"\xff\xfe{}", "not JSON"),
    (b"[1, 2]", "expected a JSON object, got an array"),
    (b'"OrderPlaced"', "expected a JSON object, got a string"),
    (b"null", "expected a JSON object, got null"),
    (None, "no value"),
])
def test_values_that_are_not_json_objects(raw, problem):
    with pytest.raises(MalformedEvent) as caught:
        decode_event(raw, WHERE)
    assert problem in caught.value.problem
    assert caught.value.where == WHERE and WHERE in str(caught.value)


@pytest.mark.parametrize("field", ["eventType", "eventId", "timestamp", "version", "data"])
def test_missing_required_field(field):
    wire = valid()
    del wire[field]
    with pytest.raises(MalformedEvent) as caught:
        Event.from_json(json.dumps(wire), WHERE)
    assert (caught.value.field, caught.value.where) == (field, WHERE)
    assert f"field {field!r}" in str(caught.value) and "missing" in str(caught.value)


@pytest.mark.parametrize("field, value", [
    ("eventType", 7), ("eventType", ""), ("eventId", None), ("eventId", ["x"]),
    ("timestamp", 1774864800000), ("timestamp", "2026-03-30"), ("timestamp", "2026-03-30T10:00:00"),
    ("version", "1"), ("version", 1.0), ("version", True), ("version", 0),
    ("source", 5), ("correlationId", ""), ("causationId", 42), ("causationId", ""),
    ("data", [1, 2]), ("data", "{}"), ("data", None),
])
def test_wrong_type_or_value(field, value):
    with pytest.raises(MalformedEvent) as caught:
        Event.from_dict({**valid(), field: value}, WHERE)
    assert (caught.value.field, caught.value.where) == (field, WHERE)


@pytest.mark.parametrize("field", ["source", "correlationId", "causationId"])
def test_null_optional_fields_count_as_absent(field):
    # Jackson writes unset fields as null, kafkajs leaves them out: both must read the same.
    absent = {k: v for k, v in valid().items() if k != field}
    assert Event.from_dict({**absent, field: None}) == Event.from_dict(absent)
    assert Event.from_dict({**absent, "source": None}).source == UNKNOWN_SOURCE


def test_a_time_of_the_right_shape_must_be_a_real_date():
    with pytest.raises(MalformedEvent) as caught:
        Event.from_dict({**valid(), "timestamp": "2026-02-30T10:00:00Z"})
    assert caught.value.field == "timestamp" and "real date" in caught.value.problem
    with pytest.raises(ValueError, match="ISO-8601"):
        Event("A", {}, timestamp="2026-03-30T10:00:00\n")  # $ would match before a newline


def test_known_versions_rejects_only_newer_versions_of_listed_types():
    known = {"OrderPlaced": 2}
    assert Event.from_dict({**valid(), "version": 2}, known_versions=known).version == 2
    assert Event.from_dict({**valid(), "eventType": "Other", "version": 9},
                           known_versions=known).version == 9
    with pytest.raises(MalformedEvent) as caught:
        decode_event(json.dumps({**valid(), "version": 3}), WHERE, known_versions=known)
    assert caught.value.field == "version" and "newer" in caught.value.problem


def test_an_event_is_not_a_command():
    with pytest.raises(MalformedEvent) as caught:
        Command.from_json(Event("A", {}).to_json(), WHERE)
    assert caught.value.field == "commandType"


@pytest.mark.parametrize("raw", [
    b'{"a": [1, 2.5, null, true], "b": "caf\xc3\xa9"}', b' {"a": 1}\n', b'{"a": 1} x', b'{"a": 1',
    b"", b"\xef\xbb\xbf{}", "{}".encode("utf-16"), b'{"a": "\xff"}', b"[1, 2]", b"7", "{}", b"NaN",
    b'{"a": 1}{"b": 2}', b'"\\ud800"'])
def test_parse_json_gives_what_json_loads_gives_or_the_same_error(raw):
    try:
        expected: object = json.loads(raw)
    except ValueError as exc:
        expected = (type(exc), str(exc))
    try:
        got: object = parse_json(raw)
    except ValueError as exc:
        got = (type(exc), str(exc))
    assert repr(got) == repr(expected)  # repr: NaN is not equal to itself


def test_data_parsed_from_json_is_the_events_own_and_a_callers_dict_is_copied():
    data = {"orderId": "o-1"}
    event = Event.from_dict({**Event("OrderPlaced", {}).to_dict(), "data": data})
    data["orderId"] = "changed"
    assert event.data == {"orderId": "o-1"}
    assert Event.from_json(event.to_json()).data == {"orderId": "o-1"}
