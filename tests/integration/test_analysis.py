"""Loading topics into DataFrames, and group lag, against the real broker."""

from __future__ import annotations

import gc
import json

import pandas as pd
import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from eda_lab.analysis.loading import topic_to_dataframe
from eda_lab.analysis.rates import events_per_second, group_lag_frame
from eda_lab.clients import create_topic
from eda_lab.clients.cluster import admin_client
from eda_lab.errors import TopicNotFound, WaitTimeout
from tests.helpers import produce_raw

pytestmark = pytest.mark.integration


def wire(i: int, **data) -> bytes:
    return json.dumps({
        "eventType": "OrderPlaced" if i % 3 else "OrderPaid", "eventId": f"id-{i}",
        "timestamp": "2026-11-26T12:00:00.123Z", "version": 1 + i % 2, "source": "shop",
        "correlationId": f"id-{i}", "causationId": None, "data": data or {"orderId": f"ord-{i}"},
    }).encode()


@pytest.fixture
def orders(settings, ns):
    """A 3-partition topic with 60 events whose data fields change along the way, one malformed."""
    topic = ns.topic("orders")
    create_topic(topic, partitions=3, settings=settings)
    values = [wire(i, n=i, first=True) if i < 20 else wire(i, n=i, later={"x": i * 1.5})
              for i in range(60)]
    values[31] = b"not json"
    produce_raw(settings, topic, values, spread_over=3, keyed=True,
                headers=[("event-type", b"OrderPlaced")])
    return topic


def test_loads_every_event_with_dtypes(settings, orders):
    df = topic_to_dataframe(orders, settings, progress=False)
    assert len(df) == 60
    pairs = list(zip(df["partition"], df["offset"], strict=True))
    assert pairs == [(p, o) for p in range(3) for o in range(20)]
    assert df.index.equals(pd.RangeIndex(60))
    assert str(df["partition"].dtype) == "int32" and str(df["offset"].dtype) == "int64"
    assert str(df["timestamp"].dtype) == "datetime64[ms, UTC]"
    assert str(df["version"].dtype) == "Int64" and str(df["eventType"].dtype) == "string"
    assert str(df["data.n"].dtype) == "Int64" and str(df["data.later.x"].dtype) == "Float64"
    assert df["header.event-type"].eq("OrderPlaced").all()
    ok = df[df["error"].isna()].sort_values("data.n")
    assert ok["data.n"].tolist() == [i for i in range(60) if i != 31]
    assert ok["key"].tolist() == [f"k-{i}" for i in range(60) if i != 31]
    assert ok["data.later.x"].tolist()[19:22] == [pd.NA, 30.0, 31.5]
    bad = df[df["error"].notna()]
    assert len(bad) == 1 and "not JSON" in bad["error"].iloc[0]
    assert bad["key"].iloc[0] == "k-31" and pd.isna(bad["eventType"].iloc[0])


def test_small_chunks_give_the_same_frame(settings, orders):
    whole = topic_to_dataframe(orders, settings, progress=False)
    chunked = topic_to_dataframe(orders, settings, chunk_size=7, progress=False)
    assert list(chunked.columns) == list(whole.columns)
    assert chunked.dtypes.to_dict() == whole.dtypes.to_dict()
    pd.testing.assert_frame_equal(chunked, whole)


def test_max_records(settings, orders):
    df = topic_to_dataframe(orders, settings, max_records=10, chunk_size=4, progress=True)
    assert len(df) == 10
    assert not df.duplicated(["partition", "offset"]).any()
    assert df.sort_values(["partition", "offset"]).index.equals(pd.RangeIndex(10))


def test_reads_only_what_is_kept(settings, orders):
    with admin_client(settings) as client:
        client.delete_records({TopicPartition(orders, 0): 15})
    df = topic_to_dataframe(orders, settings, progress=False)
    assert len(df) == 45
    assert df[df["partition"] == 0]["offset"].tolist() == [15, 16, 17, 18, 19]


def test_empty_and_missing_topics(settings, ns):
    create_topic(ns.topic("empty"), partitions=2, settings=settings)
    df = topic_to_dataframe(ns.topic("empty"), settings, progress=False)
    assert len(df) == 0 and "eventType" in df and str(df["offset"].dtype) == "int64"
    with pytest.raises(TopicNotFound):
        topic_to_dataframe(ns.topic("missing"), settings, progress=False)


def test_timeout_says_what_to_do(settings, orders):
    with pytest.raises(WaitTimeout, match="larger timeout_s"):
        topic_to_dataframe(orders, settings, progress=False, timeout_s=0)
    assert gc.isenabled()


def test_group_lag_frame(settings, orders, ns):
    group = ns.group("billing")
    consumer = KafkaConsumer(**settings.client_kwargs(), group_id=group, enable_auto_commit=False)
    try:
        consumer.assign([TopicPartition(orders, 1)])
        consumer.commit({TopicPartition(orders, 1): OffsetAndMetadata(15, "", -1)})
    finally:
        consumer.close()
    lag = group_lag_frame(group, orders, settings)
    assert lag["partition"].tolist() == [0, 1, 2]
    assert lag["committed"].tolist() == [pd.NA, 15, pd.NA]
    assert lag["end"].tolist() == [20, 20, 20] and lag["lag"].tolist() == [20, 5, 20]
    assert lag.dtypes.astype(str).tolist() == ["int32", "Int64", "int64", "int64"]


def test_events_per_second_of_a_loaded_topic(settings, orders):
    df = topic_to_dataframe(orders, settings, progress=False)
    assert events_per_second(df).sum() == 60
    by_type = events_per_second(df, by_type=True)
    assert by_type.sum().to_dict() == {"(malformed)": 1, "OrderPaid": 20, "OrderPlaced": 39}


# Issue 10: two readers, windows of record time, chunks and Parquet.

T0 = 1_790_000_000_000  # ms since the epoch, 2026-09-21


def send_all(settings, topic: str, records) -> None:
    """Send ``(partition, key, value, headers, timestamp_ms)`` records exactly as given."""
    from eda_lab.clients.producing import make_producer

    producer = make_producer(settings)
    try:
        for partition, key, value, headers, stamp in records:
            producer.send(topic, key=key, value=value, partition=partition, headers=headers,
                          timestamp_ms=stamp)
        producer.flush(20)
    finally:
        producer.close()


@pytest.fixture
def mixed(settings, ns):
    """Two partitions: one of good events only, one that has every kind of trouble."""
    topic = ns.topic("mixed")
    create_topic(topic, partitions=2, settings=settings)
    good = [(0, f"k-{i}".encode(), wire(i, n=i, nested={"a": i, "b": {"c": "Zoë"}}),
             [("content-type", b"application/json")], T0 + i) for i in range(300)]
    trouble = [wire(0), None, b"", b"not json", b"[1]", b'{"eventType": 5}',
               json.dumps({**json.loads(wire(1)), "source": None, "correlationId": None}).encode(),
               json.dumps({**json.loads(wire(2)), "timestamp": "2026-02-30T10:00:00Z"}).encode(),
               json.dumps(json.loads(wire(3)), indent=2).encode(),  # newlines inside
               wire(4, x=1), wire(5, x="one"), wire(6, x=[1, 2]), b"\xff\xfe"]
    odd = [(1, None if i % 4 == 0 else f"k-{i}".encode(), value,
            [("h-a", b"1")] if i % 2 else [("h-b", b""), ("h-a", b"\xff")], T0 + i)
           for i, value in enumerate(trouble)]
    send_all(settings, topic, good + odd)
    return topic


def test_both_readers_give_identical_frames(settings, mixed):
    fast = topic_to_dataframe(mixed, settings, progress=False)
    slow = topic_to_dataframe(mixed, settings, progress=False, reader="kafka-python")
    pd.testing.assert_frame_equal(fast, slow)
    assert len(fast) == 313 and fast["error"].notna().sum() == 7
    odd = fast[fast["partition"] == 1].set_index("offset")
    assert odd["error"][1].startswith("the record has no value")
    assert odd["error"][5].startswith("eventType: must be a string")
    assert odd["error"][7].startswith("timestamp: is not a real date")
    assert odd["error"][7].endswith(f"(at {mixed}/1@7)")
    assert odd["error"][[0, 6, 8, 9, 10, 11]].isna().all()  # nulls are absent, newlines are JSON
    assert odd["data.x"].tolist()[9:12] == [1, "one", [1, 2]]  # no common type: objects
    assert odd["header.h-a"].tolist()[:2] == ["\ufffd", "1"]
    assert str(fast["data.nested.b.c"].dtype) == "string" and fast["data.nested.b.c"][0] == "Zoë"


def test_a_window_of_record_time(settings, mixed):
    from datetime import datetime, timezone

    since = datetime.fromtimestamp((T0 + 100) / 1000, timezone.utc)
    until = datetime.fromtimestamp((T0 + 200) / 1000, timezone.utc)
    df = topic_to_dataframe(mixed, settings, progress=False, since=since, until=until)
    assert df["offset"].tolist() == list(range(100, 200))  # partition 1 is all before T0 + 13
    assert (df["timestamp"] >= since).all() and (df["timestamp"] < until).all()
    assert len(topic_to_dataframe(mixed, settings, progress=False, since="1h")) == 0  # T0 is past
    assert len(topic_to_dataframe(mixed, settings, progress=False, until=since)) == 100 + 13


def test_the_window_starts_and_stops_at_the_brokers_offsets(settings, mixed):
    from eda_lab.analysis.reading import LibrdkafkaReader
    from eda_lab.analysis.windows import spans

    reader = LibrdkafkaReader(settings)
    try:
        assert spans(reader, mixed, [0, 1]) == {0: (0, 300), 1: (0, 13)}
        assert spans(reader, mixed, [0, 1], T0 + 100, T0 + 200) == {0: (100, 200), 1: (13, 13)}
        assert spans(reader, mixed, [0, 1], T0 + 5) == {0: (5, 300), 1: (5, 13)}
    finally:
        reader.close()


def test_chunks_and_max_rows(settings, mixed):
    from eda_lab.analysis import iter_topic_frames

    chunks = list(iter_topic_frames(mixed, settings, chunk_size=64, progress=False))
    assert max(map(len, chunks)) <= 64 and sum(map(len, chunks)) == 313
    whole = topic_to_dataframe(mixed, settings, progress=False)
    joined = pd.concat(chunks).sort_values(["partition", "offset"], ignore_index=True)
    assert joined["eventId"].tolist() == whole["eventId"].tolist()
    assert len(topic_to_dataframe(mixed, settings, progress=False, max_rows=50)) == 50


def test_parquet_holds_the_same_rows(settings, mixed, tmp_path):
    import pyarrow.parquet as pq

    from eda_lab.analysis import topic_to_parquet

    path = tmp_path / "mixed.parquet"
    assert topic_to_parquet(mixed, path, settings, chunk_size=100, progress=False) == 313
    table = pq.read_table(path).sort_by([("partition", "ascending"), ("offset", "ascending")])
    whole = topic_to_dataframe(mixed, settings, progress=False)
    assert table.column_names[:4] == ["partition", "offset", "timestamp", "key"]
    assert table["eventId"].to_pylist() == whole["eventId"].astype(object).where(
        whole["eventId"].notna(), None).tolist()
    assert table["data.x"].to_pylist()[-4:-1] == ["1", '"one"', "[1, 2]"]  # mixed: JSON text


def test_no_broker_means_broker_unreachable(monkeypatch):
    from eda_lab.analysis import loading as analysis
    from eda_lab.clients import create_topic
    from eda_lab.errors import BrokerUnreachable
    from eda_lab.settings import Settings

    nobody = Settings(bootstrap="127.0.0.1:1")
    monkeypatch.setattr(analysis, "_CONNECT_S", 1.0)
    with pytest.raises(BrokerUnreachable, match="127.0.0.1:1"):
        analysis.topic_to_dataframe("orders", nobody, progress=False)
    with pytest.raises(BrokerUnreachable, match="127.0.0.1:1"):
        create_topic("orders", settings=nobody, timeout_s=1.0)
