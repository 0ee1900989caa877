"""A topic (or a window of it) into one Parquet file, for analysis later or elsewhere.

Memory stays bounded by one chunk: chunks are decoded and written one at a time to parts in
a temporary folder, then copied into one file whose schema is the union of the parts'
(``data.*`` fields can appear late in a topic). A field whose values share no type is
JSON text (a string). Read the file back with ``pd.read_parquet(path, dtype_backend="pyarrow")``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..settings import Settings
from .columns import MIXED, common_type
from .loading import iter_tables

__all__ = ["topic_to_parquet"]


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """``table`` with every column of ``schema``, of its type (missing ones null)."""
    columns = []
    for target in schema:
        if target.name not in table.column_names:
            columns.append(pa.nulls(table.num_rows, target.type))
            continue
        column = table[target.name]
        if target.type == pa.string() and column.type not in (MIXED, pa.null(), pa.string()):
            column = pa.array([None if v is None else json.dumps(v) for v in column.to_pylist()])
        columns.append(column.cast(target.type))
    return pa.Table.from_arrays(columns, schema=schema)


def topic_to_parquet(topic: str, path: str | Path, settings: Settings | None = None, *,
                     chunk_size: int = 100_000, **options: Any) -> int:
    """Write ``topic`` to the Parquet file ``path``; returns the number of rows written.

    Takes the options of :func:`~eda_lab.analysis.topic_to_dataframe` (``since``, ``until``,
    ``max_rows``, ``progress``, ``timeout_s``...). Rows are in fetch order, each chunk in
    offset order; sort by ``partition`` and ``offset`` for log order.

    Example::

        topic_to_parquet(ns.topic("orders"), "orders.parquet", since="1d")
        pd.read_parquet("orders.parquet").groupby("eventType").size()
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="eda-lab-parquet-", dir=path.parent) as parts_dir:
        parts: list[Path] = []
        for table in iter_tables(topic, settings, chunk_size=chunk_size, **options):
            parts.append(Path(parts_dir) / f"part-{len(parts):06d}.parquet")
            pq.write_table(table, parts[-1])
        if not parts:  # an empty topic still gives a file with the record and envelope columns
            from .frames import Batch, batch_table

            parts.append(Path(parts_dir) / "empty.parquet")
            pq.write_table(batch_table(Batch(topic, 0)), parts[-1])
        schemas = [pq.read_schema(p) for p in parts]
        names = dict.fromkeys(n for s in schemas for n in s.names if n != "error")
        kinds = {n: common_type([s.field(n).type for s in schemas if n in s.names])
                 for n in [*names, "error"]}
        # In the file, mixed fields are JSON text that any Parquet reader shows as strings.
        fields = [pa.field(n, pa.string() if k == MIXED else k) for n, k in kinds.items()]
        schema = pa.schema(fields)
        rows = 0
        with pq.ParquetWriter(path, schema) as writer:
            for part in parts:
                table = _conform(pq.read_table(part), schema)
                writer.write_table(table)
                rows += table.num_rows
    return rows
