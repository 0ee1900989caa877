"""Decoding records into DataFrames, without a broker."""

from __future__ import annotations

import json
from collections import namedtuple

import pandas as pd
import pytest

from eda_lab.analysis.frames import records_to_frame
from eda_lab.analysis.rates import events_per_second

Record = namedtuple("Record", "partition offset timestamp key value headers")
T0 = 1_790_000_000_000  # ms since the epoch


def event(i: int = 0, **changes) -> dict:
    wire = {"eventType": "OrderPlaced", "eventId": f"id-{i}", "timestamp": "2026-11-26T12:00:00.123Z",
            "version": 1, "source": "shop", "correlationId": f"id-{i}", "causationId": None,
            "data": {"orderId": f"ord-{i}", "amount": i}}
    wire.update(changes)
    return wire


def record(value, offset: int = 0, partition: int = 0, key: bytes | None = b"k",
           headers=(("content-type", b"application/json"),)) -> Record:
    raw = value if value is None or isinstance(value, bytes) else json.dumps(value).encode()
    return Record(partition, offset, T0 + offset, key, raw, list(headers))


def frame_of(*values) -> pd.DataFrame:
    return records_to_frame([record(v, offset=i) for i, v in enumerate(values)])


def test_columns_and_dtypes():
    df = frame_of(event(0), event(1))
    assert list(df.columns) == [
        "partition", "offset", "timestamp", "key", "eventType", "eventId", "eventTimestamp",
        "version", "source", "correlationId", "causationId", "data.amount", "data.orderId",
        "header.content-type", "error"]
    dtypes = df.dtypes.astype(str).to_dict()
    assert dtypes["partition"] == "int32" and dtypes["offset"] == "int64"
    assert dtypes["timestamp"] == dtypes["eventTimestamp"] == "datetime64[ms, UTC]"
    assert dtypes["version"] == "Int64" and dtypes["data.amount"] == "Int64"
    for name in ("key", "eventType", "eventId", "source", "causationId", "data.orderId",
                 "header.content-type", "error"):
        assert dtypes[name] == "string", name
    assert df["timestamp"][1] == pd.Timestamp(T0 + 1, unit="ms", tz="UTC")
    assert df["eventTimestamp"][0] == pd.Timestamp("2026-11-26T12:00:00.123Z")
    assert df["data.amount"].tolist() == [0, 1]
    assert df["causationId"].isna().all() and df["error"].isna().all()


def test_nested_data_becomes_dotted_columns():
    df = frame_of(event(data={"customer": {"id": 7, "address": {"city": "Oslo"}}, "n": 1}),
                  event(data={"customer": "walk-in", "n": 2}),
                  event(data={"n": 3}))
    assert [c for c in df if c.startswith("data.")] == [  # by name, whatever came first
        "data.customer", "data.customer.address.city", "data.customer.id", "data.n"]
    assert df["data.customer.id"].tolist() == [7, pd.NA, pd.NA]
    assert df["data.customer.address.city"].tolist() == ["Oslo", pd.NA, pd.NA]
    assert df["data.customer"].tolist() == [pd.NA, "walk-in", pd.NA]


@pytest.mark.parametrize(("values", "dtype"), [
    ([1, 2, None], "Int64"),
    ([1, 2.5, None], "Float64"),
    ([True, False, None], "boolean"),
    (["a", None, "b"], "string"),
    ([1, "a", None], "object"),
    ([[1], [2], None], "object"),
    ([2**70, 1, None], "Float64"),  # beyond int64: a float, as JavaScript reads it
])
def test_data_dtypes(values, dtype):
    df = frame_of(*[event(data={"x": v}) for v in values])
    assert str(df["data.x"].dtype) == dtype
    assert df["data.x"].isna().tolist() == [v is None for v in values]


@pytest.mark.parametrize(("value", "reason"), [
    (None, "no value"),
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not JSON"),
    ([1, 2], "expected a JSON object, got an array"),
    (event(eventType=None), "eventType: missing"),
    (event(eventType=""), "eventType: must be a non-empty string"),
    (event(eventType=5), "eventType: must be a string"),
    (event(eventId=None), "eventId: missing"),
    (event(eventId=5), "eventId: must be a string"),
    (event(version="2"), "version: must be an integer"),
    (event(version=True), "version: must be an integer"),
    (event(version=0), "version: must be 1 or more"),
    (event(timestamp="2026-11-26T12:00:00"), "timestamp: must be an ISO-8601 time with a zone"),
    (event(timestamp="2026-13-45T12:00:00Z"), "timestamp: is not a real date"),
    (event(source=""), "source: must be a non-empty string"),
    (event(data=[1]), "data: must be an object"),
    ({k: v for k, v in event().items() if k != "data"}, "data: missing"),
])
def test_a_malformed_record_is_a_row_with_an_error(value, reason):
    df = records_to_frame([record(event(0), offset=0), record(value, offset=1, key=b"bad"),
                           record(event(2), offset=2)])
    assert df["offset"].tolist() == [0, 1, 2]
    bad = df.iloc[1]
    assert reason in bad["error"]
    assert bad["key"] == "bad" and bad["header.content-type"] == "application/json"
    for column in ("eventType", "eventId", "eventTimestamp", "version", "data.orderId"):
        assert pd.isna(bad[column]), column
    assert df["error"].isna().tolist() == [True, False, True]
    assert df["eventType"].tolist() == ["OrderPlaced", pd.NA, "OrderPlaced"]
    assert str(df["version"].dtype) == "Int64"


@pytest.mark.parametrize("raw", [
    json.dumps(event()).encode(),
    b"  " + json.dumps(event()).encode() + b"\n",  # whitespace around is fine JSON
    b"\xef\xbb\xbf" + json.dumps(event()).encode(),  # a UTF-8 byte order mark
    json.dumps({**event(), "extra": {"x": 1}, "source": None}).encode(),  # unknown + null fields
])
def test_valid_json_spellings_are_accepted(raw):
    df = records_to_frame([record(raw)])
    assert df["error"].isna().all()
    assert df["eventType"][0] == "OrderPlaced"


def test_headers_with_different_names_per_record():
    df = records_to_frame([
        record(event(), headers=[("a", b"1"), ("b", b"2")]),
        record(event(), headers=[("b", b"3")]),
        record(event(), headers=[]),
        record(event(), headers=[("c", None), ("a", b"\xff")]),
    ])
    assert df["header.a"].tolist() == ["1", pd.NA, pd.NA, "\ufffd"]
    assert df["header.b"].tolist() == ["2", "3", pd.NA, pd.NA]
    assert df["header.c"].tolist() == [pd.NA] * 4


def test_no_records_gives_the_envelope_columns():
    df = records_to_frame([])
    assert len(df) == 0
    assert str(df["timestamp"].dtype) == "datetime64[ms, UTC]"
    assert str(df["version"].dtype) == "Int64" and str(df["partition"].dtype) == "int32"


def test_events_per_second():
    df = records_to_frame([record(event(), offset=o) for o in (0, 10, 999, 3000, 3001)]
                          + [record(b"junk", offset=3002)])
    counts = events_per_second(df)
    assert counts.tolist() == [3, 0, 0, 3]
    assert counts.index[0] == pd.Timestamp(T0, unit="ms", tz="UTC").floor("1s")
    by_type = events_per_second(df, by_type=True)
    assert list(by_type.columns) == ["(malformed)", "OrderPlaced"]
    assert by_type["OrderPlaced"].tolist() == [3, 0, 0, 2]
    assert by_type["(malformed)"].tolist() == [0, 0, 0, 1]
    assert events_per_second(df, freq="2s").sum() == 6
    assert events_per_second(df.iloc[:0]).empty


def test_the_careful_path_gives_the_same_frame_as_the_fast_one(monkeypatch):
    from eda_lab.analysis import decoding

    values = [event(i, data={"n": i, "customer": {"id": i, "tags": ["a", "b"]}, "x": 1.5 * i})
              for i in range(20)]
    values[3] = {**event(3), "source": None, "timestamp": "2026-11-26T12:00:00.123456789+02:00"}
    values[5], values[7], values[11] = b"junk", None, event(11, version=0)
    records = [record(v, offset=i, key=None if i % 3 else b"k",
                      headers=[("a", b"1")] if i % 2 else [("b", b"\xff"), ("a", b"2")])
               for i, v in enumerate(values)]
    fast = records_to_frame(records)
    monkeypatch.setattr(decoding, "_read_fast", lambda values: None)
    careful = records_to_frame(records)
    pd.testing.assert_frame_equal(fast, careful)
    assert fast["error"].notna().tolist() == [i in (5, 7, 11) for i in range(20)]
    assert fast["eventTimestamp"][3] == pd.Timestamp("2026-11-26T10:00:00.123Z")


def test_known_versions_make_newer_versions_errors():
    df = records_to_frame([record(event(0, version=2)), record(event(1, version=3), offset=1)],
                          known_versions={"OrderPlaced": 2})
    assert df["error"].isna().tolist() == [True, False]
    assert df["error"][1].startswith("version: OrderPlaced version 3 is newer")


NOW_MS = 1_790_000_000_000


@pytest.mark.parametrize(("when", "ms"), [
    (None, None),
    ("1h", NOW_MS - 3_600_000),
    ("90min", NOW_MS - 5_400_000),
    ("2026-09-21T14:00:00Z", 1_790_085_600_000 - 86_400_000),
    ("2026-09-21T16:00:00+02:00", 1_790_085_600_000 - 86_400_000),
])
def test_since_and_until_accept_durations_and_times(when, ms):
    from datetime import datetime, timezone

    from eda_lab.analysis.windows import instant_ms

    now = datetime.fromtimestamp(NOW_MS / 1000, timezone.utc)
    assert instant_ms(when, now) == ms
    assert instant_ms(datetime(2026, 1, 1), now) == instant_ms("2026-01-01T00:00:00+00:00", now)


def reader_without_a_consumer(connect_s):
    from eda_lab.analysis.reading import LibrdkafkaReader
    from eda_lab.settings import Settings

    reader = object.__new__(LibrdkafkaReader)  # only _ask is exercised: no client, no socket
    reader.settings, reader.connect_s = Settings.from_env(), connect_s
    return reader


def test_a_partition_without_a_leader_yet_is_asked_again():
    from confluent_kafka import KafkaError, KafkaException

    answers = [KafkaException(KafkaError(KafkaError.NOT_LEADER_FOR_PARTITION)),
               KafkaException(KafkaError(KafkaError.LEADER_NOT_AVAILABLE)), (0, 7)]

    def watermarks(timeout):
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert reader_without_a_consumer(5)._ask(watermarks) == (0, 7) and not answers


def test_a_leader_that_never_comes_or_another_failure_says_what_to_do():
    from confluent_kafka import KafkaError, KafkaException

    from eda_lab.errors import BrokerUnreachable, WaitTimeout

    def failing(code):
        def call(timeout):
            raise KafkaException(KafkaError(code))
        return call

    with pytest.raises(WaitTimeout, match="no leader after 0.2 s.*try again"):
        reader_without_a_consumer(0.2)._ask(failing(KafkaError.NOT_LEADER_FOR_PARTITION))
    with pytest.raises(BrokerUnreachable):
        reader_without_a_consumer(0.2)._ask(failing(KafkaError._TRANSPORT))
