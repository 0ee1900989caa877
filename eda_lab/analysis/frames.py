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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .columns import FlatHeaders, frame, header_columns, texts
from .decoding import ENVELOPE, Verdicts, decode_values

RECORD = ("partition", "offset", "timestamp", "key")
COLUMNS = (*RECORD, *(("eventTimestamp" if n == "timestamp" else n) for n in ENVELOPE))
PLAIN = ("partition", "offset")
_MS = pa.timestamp("ms", tz="UTC")


def record_columns(offsets: Iterable[int], timestamps: Iterable[int],
                   keys: Sequence[bytes | None],
                   headers: FlatHeaders | Sequence[Any]) -> dict[str, pa.Array]:
    """``offset``, ``timestamp`` (ms since the epoch), ``key`` and ``header.*`` columns of
    records; ``headers`` per record (``[(name, bytes), ...]`` or None), or laid flat."""
    n = len(keys)
    flat = headers if isinstance(headers, FlatHeaders) else FlatHeaders(headers)
    return {"offset": pa.array(np.fromiter(offsets, np.int64, n)),
            "timestamp": pa.array(np.fromiter(timestamps, np.int64, n)).cast(_MS),
            "key": texts(keys), **header_columns(flat)}


@dataclass
class Batch:
    """Records of one partition, in offset order: their record columns (see
    :func:`record_columns`) and their values, still JSON bytes."""

    topic: str
    partition: int
    columns: dict[str, pa.Array] = field(default_factory=lambda: record_columns([], [], [], []))
    values: list[bytes | None] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.values)

    @classmethod
    def joined(cls, batches: Sequence[Batch]) -> Batch:
        """One batch of consecutive batches of a partition (header columns missing in some
        batches are null there)."""
        if len(batches) == 1:
            return batches[0]
        names = dict.fromkeys(chain.from_iterable(b.columns for b in batches))
        columns = {name: pa.concat_arrays([b.columns[name] if name in b.columns
                                           else pa.nulls(len(b), pa.large_string())
                                           for b in batches]) for name in names}
        values = list(chain.from_iterable(b.values for b in batches))
        return cls(batches[0].topic, batches[0].partition, columns, values)


def _errors(batch: Batch, verdicts: Verdicts) -> pa.Array:
    if not verdicts:
        return pa.nulls(len(batch), pa.large_string())
    offsets = batch.columns["offset"]

    def text(i: int) -> str:
        name, problem = verdicts[i]
        where = f"{batch.topic}/{batch.partition}@{offsets[i]}"
        return f"{name + ': ' if name else ''}{problem} (at {where})"
    return pa.array([text(i) if i in verdicts else None for i in range(len(batch))], pa.string())


def batch_table(batch: Batch, known_versions: Mapping[str, int] | None = None) -> pa.Table:
    """Decode one batch into an Arrow table with the columns described above."""
    decoded, verdicts = decode_values(batch.values, known_versions)
    record = batch.columns
    columns: dict[str, Any] = {
        "partition": pa.array(np.full(len(batch), batch.partition, np.int32)),
        **{name: record[name] for name in RECORD[1:]},
    }
    columns.update(zip(decoded.column_names, decoded.columns, strict=True))
    columns.update((name, c) for name, c in record.items() if name.startswith("header."))
    columns["error"] = _errors(batch, verdicts)
    return pa.table({name: column.cast(pa.large_string()) if column.type == pa.string() else column
                     for name, column in columns.items()})


def tables_to_frame(tables: list[pa.Table]) -> pd.DataFrame:
    """Stack decoded tables, in the order given, into one DataFrame; empties ``tables``
    (see :func:`~.columns.frame`)."""
    if not tables:
        tables.append(batch_table(Batch("", 0)))
    return frame(tables, COLUMNS, PLAIN)


def records_to_frame(records: Iterable[Any], topic: str = "?",
                     known_versions: Mapping[str, int] | None = None) -> pd.DataFrame:
    """Decode records (anything with ``partition, offset, timestamp, key, value, headers``).

    Rows keep the order of ``records``.
    """
    runs: list[tuple[str, int, list[Any]]] = []
    for r in records:
        if not runs or r.partition != runs[-1][1]:
            runs.append((getattr(r, "topic", topic), r.partition, []))
        runs[-1][2].append(r)
    return tables_to_frame([batch_table(Batch(t, p, record_columns(
        [r.offset for r in rs], [r.timestamp for r in rs], [r.key for r in rs],
        [r.headers for r in rs]), [r.value for r in rs]), known_versions) for t, p, rs in runs])
