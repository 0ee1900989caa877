"""Look at events in bulk: a whole topic as a pandas DataFrame, a group's lag, event rates.

:func:`topic_to_dataframe` reads a snapshot: every partition from its oldest kept record up
to the end offset it had when the call started, so records produced meanwhile are left out
and the call always finishes. Memory stays bounded by decoding ``chunk_size`` records at a
time into a small frame (the per-record objects are dropped), then joining the frames
column by column. The columns are described in :mod:`eda_lab.analysis.frames`.
"""

from __future__ import annotations

import gc
import time
from typing import Any

import numpy as np
import pandas as pd
from kafka import KafkaConsumer, TopicPartition
from tqdm.auto import tqdm

from ..clients import group_lag
from ..clients.cluster import connect
from ..errors import TopicNotFound, WaitTimeout
from ..settings import Settings, get_settings
from .frames import records_to_frame

__all__ = ["events_per_second", "group_lag_frame", "topic_to_dataframe"]

# A bulk read is limited by kafka-python's per-record work, not by the network: polls of
# thousands of records save per-poll overhead, while fetches of a few MiB keep the buffered,
# not yet decoded records small. (CRC checks stay on: they are cheap with the `crc32c`
# package; without it kafka-python computes them in pure Python at about 7 MB/s.)
FAST_READ = {
    "fetch_max_bytes": 8 * 1024 * 1024,
    "max_partition_fetch_bytes": 2 * 1024 * 1024,
    "max_poll_records": 5_000,
}
_CONNECT_S = 10.0


def _reader(settings: Settings) -> KafkaConsumer:
    return connect(KafkaConsumer, settings, _CONNECT_S, group_id=None, enable_auto_commit=False,
                   **FAST_READ)


def _concat(chunks: list[pd.DataFrame]) -> pd.DataFrame:
    """Join chunk frames in (partition, offset) order, one column at a time to save memory."""
    partition = np.concatenate([chunk["partition"].to_numpy() for chunk in chunks])
    offset = np.concatenate([chunk["offset"].to_numpy() for chunk in chunks])
    order = np.lexsort((offset, partition))
    if (order == np.arange(len(order))).all():
        order = None  # already in order, as a single partition always is
    names = list(dict.fromkeys(name for chunk in chunks for name in chunk.columns))
    # Fields arrive in whatever order the partitions were fetched: sort them within their group
    # (record, envelope, data.*, header.*, error) so the columns are the same on every load.
    group = {name: name.startswith("data.") + 2 * name.startswith("header.") + 3 * (name == "error")
             for name in names}
    names.sort(key=lambda n: (group[n], n if group[n] in (1, 2) else ""))
    joined: dict[str, Any] = {}
    for name in names:
        like = next(chunk[name] for chunk in chunks if name in chunk)
        parts = [chunk.pop(name) if name in chunk  # pop: each chunk column is freed once copied
                 else pd.Series(pd.NA, index=chunk.index, dtype=like.dtype) for chunk in chunks]
        column = pd.concat(parts, ignore_index=True)
        del parts
        joined[name] = column if order is None else column.take(order).reset_index(drop=True)
    return pd.DataFrame(joined, copy=False)


def topic_to_dataframe(
    topic: str, settings: Settings | None = None, max_records: int | None = None,
    chunk_size: int = 50_000, progress: bool = True, timeout_s: float = 60.0,
) -> pd.DataFrame:
    """Every event of ``topic`` (or the first ``max_records``) as one row of a DataFrame.

    Rows are in log order: by partition, then offset. With ``max_records`` they are the first
    records fetched, from the start of every partition. Raises
    :class:`~eda_lab.errors.WaitTimeout` if the snapshot is not read within ``timeout_s``.

    Example::

        df = topic_to_dataframe(ns.topic("orders"))
        df.groupby("eventType").size()
    """
    settings = settings or get_settings()
    consumer = _reader(settings)
    collecting = gc.isenabled()
    gc.disable()  # millions of new objects would trigger full collections that find no garbage
    try:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            raise TopicNotFound(topic)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        begin, end = consumer.beginning_offsets(tps), consumer.end_offsets(tps)
        todo = {tp: end[tp] for tp in tps if end[tp] > begin[tp]}
        for tp in tps:
            consumer.seek(tp, begin[tp])
        total = sum(end[tp] - begin[tp] for tp in todo)
        total = total if max_records is None else min(total, max_records)
        chunks: list[pd.DataFrame] = []
        batch: list[Any] = []
        read, deadline = 0, time.monotonic() + timeout_s
        with tqdm(total=total, desc=topic, unit=" events", disable=not progress) as bar:
            while todo and read < total:
                if time.monotonic() > deadline:
                    raise WaitTimeout(
                        f"Read {read} of {total} records of {topic!r} in {timeout_s:g} s; "
                        "pass a larger timeout_s, or max_records to read fewer.")
                for tp, records in consumer.poll(timeout_ms=200).items():
                    stop = todo.get(tp)
                    if stop is None:  # this partition is done: what came since is not ours
                        continue
                    if records[-1].offset >= stop:  # produced after we began
                        records = [r for r in records if r.offset < stop]
                    records = records[: total - read]
                    batch.extend(records)
                    read += len(records)
                    bar.update(len(records))
                for tp in list(todo):
                    if consumer.position(tp) >= todo[tp]:
                        consumer.pause(tp)
                        del todo[tp]
                while len(batch) >= chunk_size:
                    chunks.append(records_to_frame(batch[:chunk_size]))
                    del batch[:chunk_size]
        if batch or not chunks:
            chunks.append(records_to_frame(batch))
        del batch
    finally:
        consumer.close()
        if collecting:
            gc.enable()
    return _concat(chunks)


def group_lag_frame(group: str, topic: str, settings: Settings | None = None) -> pd.DataFrame:
    """``group_lag`` as a DataFrame: partition, committed (NA if never), end, lag."""
    rows = group_lag(group, topic, settings)
    return pd.DataFrame({
        "partition": pd.array([r.partition for r in rows], dtype="int32"),
        "committed": pd.array([r.committed for r in rows], dtype="Int64"),
        "end": pd.array([r.end for r in rows], dtype="int64"),
        "lag": pd.array([r.lag for r in rows], dtype="int64"),
    })


def events_per_second(df: pd.DataFrame, freq: str = "1s", by_type: bool = False,
                      on: str = "timestamp") -> pd.Series | pd.DataFrame:
    """How many events fall in each ``freq`` bucket of column ``on`` (empty buckets count 0).

    With the default ``freq="1s"`` the counts are events per second. ``by_type=True`` gives
    one column per ``eventType`` (malformed records under ``"(malformed)"``).
    """
    times = df[on]
    if times.empty:
        return pd.DataFrame(dtype="int64") if by_type else pd.Series(dtype="int64", name="events")
    buckets = pd.date_range(times.min().floor(freq), times.max().floor(freq), freq=freq)
    binned = times.dt.floor(freq)
    if not by_type:
        counts = binned.value_counts().reindex(buckets, fill_value=0).sort_index()
        return counts.rename("events").rename_axis(on)
    kinds = df["eventType"].astype("object").fillna("(malformed)")
    table = pd.crosstab(binned, kinds).reindex(buckets, fill_value=0)
    return table.rename_axis(index=on, columns="eventType")
