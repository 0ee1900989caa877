"""Kafka records that hold JSON events as Arrow tables and pandas DataFrames (pure: no broker).

One row per record. Columns, in order:

- ``partition`` (int32), ``offset`` (int64), ``timestamp`` (record time, datetime64[ms, UTC]),
  ``key`` (string, NA when the record has none);
- the envelope: ``eventType``, ``eventId``, ``timestamp`` as ``eventTimestamp`` (the event's
  own time, datetime64[ms, UTC]), ``version`` (Int64), ``source``, ``correlationId``,
  ``causationId`` (string);
- ``data.<field>`` for each field of ``data``, by name; nested objects become dotted names
  (``data.customer.id``); JSON integers become Int64, numbers Float64, booleans boolean,
  strings string; lists and fields whose values share no type stay Python objects;
- ``header.<name>`` (string) for each record header, by name;
- ``error`` (string): NA for a good event, otherwise ``field: problem (at topic/partition@offset)``.

Strings are Arrow-backed (``pd.StringDtype("pyarrow")``, shown as ``string``). A record is a
good event exactly when ``Event.from_json`` accepts its value: both apply the rule table of
:mod:`eda_lab.messages.rules`. A malformed record never stops a load: it keeps its
partition, offset, timestamp, key and headers, its envelope and data columns are NA, and
``error`` says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .columns import frame, header_columns, texts
from .decoding import ENVELOPE, Verdicts, decode_values

RECORD = ("partition", "offset", "timestamp", "key")
COLUMNS = (*RECORD, *(("eventTimestamp" if n == "timestamp" else n) for n in ENVELOPE))
PLAIN = ("partition", "offset")


@dataclass
class Batch:
    """Records of one partition, in offset order, as the columns a reader collects."""

    topic: str
    partition: int
    offsets: list[int] = field(default_factory=list)
    timestamps: list[int] = field(default_factory=list)  # ms since the epoch
    keys: list[bytes | None] = field(default_factory=list)
    values: list[bytes | None] = field(default_factory=list)
    headers: list[Any] = field(default_factory=list)  # per record: [(name, bytes), ...] or None

    def __len__(self) -> int:
        return len(self.offsets)


def _errors(batch: Batch, verdicts: Verdicts) -> pa.Array:
    if not verdicts:
        return pa.nulls(len(batch), pa.large_string())

    def text(i: int) -> str:
        name, problem = verdicts[i]
        where = f"{batch.topic}/{batch.partition}@{batch.offsets[i]}"
        return f"{name + ': ' if name else ''}{problem} (at {where})"
    return pa.array([text(i) if i in verdicts else None for i in range(len(batch))], pa.string())


def batch_table(batch: Batch, known_versions: Mapping[str, int] | None = None) -> pa.Table:
    """Decode one batch into an Arrow table with the columns described above."""
    decoded, verdicts = decode_values(batch.values, known_versions)
    columns: dict[str, Any] = {
        "partition": pa.array(np.full(len(batch), batch.partition, np.int32)),
        "offset": pa.array(batch.offsets, pa.int64()),
        "timestamp": pa.array(batch.timestamps, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "key": texts(batch.keys),
    }
    columns.update(zip(decoded.column_names, decoded.columns, strict=True))
    columns.update(header_columns(batch.headers))
    columns["error"] = _errors(batch, verdicts)
    return pa.table({name: column.cast(pa.large_string()) if column.type == pa.string() else column
                     for name, column in columns.items()})


def tables_to_frame(tables: list[pa.Table]) -> pd.DataFrame:
    """Stack decoded tables, in the order given, into one DataFrame."""
    return frame(tables or [batch_table(Batch("", 0))], COLUMNS, PLAIN)


def records_to_frame(records: Iterable[Any], topic: str = "?",
                     known_versions: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Decode records (anything with ``partition, offset, timestamp, key, value, headers``).

    Rows keep the order of ``records``.
    """
    tables, batch = [], None
    for r in records:
        if batch is None or r.partition != batch.partition:
            batch = Batch(getattr(r, "topic", topic), r.partition)
            tables.append(batch)
        batch.offsets.append(r.offset)
        batch.timestamps.append(r.timestamp)
        batch.keys.append(r.key)
        batch.values.append(r.value)
        batch.headers.append(r.headers)
    return tables_to_frame([batch_table(b, known_versions) for b in tables])
