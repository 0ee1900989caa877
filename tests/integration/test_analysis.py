"""Loading topics into DataFrames, and group lag, against the real broker."""

from __future__ import annotations

import gc
import json

import pandas as pd
import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from eda_lab.analysis.loading import events_per_second, group_lag_frame, topic_to_dataframe
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
