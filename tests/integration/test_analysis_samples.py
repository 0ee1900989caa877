"""The sample writer against the real broker: every event lands, where the Java client puts it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from eda_lab.analysis.loading import topic_to_dataframe
from eda_lab.analysis.samples import write_sample_events
from eda_lab.clients import create_topic, partition_for
from eda_lab.errors import TopicNotFound

pytestmark = pytest.mark.integration

START = datetime(2026, 11, 26, tzinfo=timezone.utc)


def test_sample_events_land_keyed_by_murmur2_and_stamped(settings, ns):
    topic = ns.topic("clicks")
    create_topic(topic, partitions=6, settings=settings)
    sample = write_sample_events(topic, 30_000, settings, start=START, span=timedelta(hours=3))
    assert (sample.count, sample.start, sample.end) == (30_000, START, START + timedelta(hours=3))
    df = topic_to_dataframe(topic, settings, progress=False)
    assert len(df) == 30_000 and df["error"].isna().all(), df["error"].dropna().head()
    expected = df["key"].map(lambda key: partition_for(key, 6))
    wrong = df[df["partition"] != expected]
    assert wrong.empty, f"{len(wrong)} records not on the murmur2 partition, e.g. {wrong.head()}"
    assert (df["timestamp"] == df["eventTimestamp"]).all(), "record time is the event's time"
    assert df["timestamp"].min() == pd.Timestamp(START)
    hour = topic_to_dataframe(topic, settings, progress=False, since=START + timedelta(hours=1),
                              until=START + timedelta(hours=2))
    assert len(hour) == 10_000, "an hour of three holds a third of the evenly spread events"


def test_a_missing_topic_is_named(settings, ns):
    with pytest.raises(TopicNotFound, match="create_topic"):
        write_sample_events(ns.topic("nowhere"), 10, settings, start=START)
