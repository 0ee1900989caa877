"""Arrow columns from Python values, and Arrow tables into one pandas DataFrame.

A field whose JSON values have no common type (a number here, a string there) is kept as
JSON text in a ``large_binary`` column, the marker :data:`MIXED`; in pandas it becomes an
``object`` column of the original Python values. Strings are ``large_string`` from the start,
as pandas keeps them: converting a whole frame's offsets at the end would double its peak. Arrow types map to pandas' nullable ones:
strings to ``string`` (Arrow-backed, zero copy), integers to ``Int64``, numbers to
``Float64``, booleans to ``boolean``; lists and other nested values to Python objects.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from itertools import chain
from operator import length_hint
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

MIXED = pa.large_binary()  # JSON text of values that share no Arrow type
_NULLABLE = {pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(),
             pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype("pyarrow"),
             pa.large_string(): pd.StringDtype("pyarrow")}


def value_array(values: list[Any]) -> pa.Array:
    """The Arrow array Arrow infers for JSON values, or :data:`MIXED` when there is none."""
    try:
        return pa.array(values)
    except OverflowError:  # an integer beyond int64 is a float, as in JavaScript and Arrow's reader
        return value_array([float(v) if type(v) is int else v for v in values])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([None if v is None else json.dumps(v).encode() for v in values], MIXED)


def data_columns(rows: list[dict[str, Any]], prefix: str) -> dict[str, pa.Array]:
    """One column per key of ``rows``; nested objects become ``prefix.a.b`` columns."""
    out: dict[str, pa.Array] = {}
    for name in dict.fromkeys(chain.from_iterable(rows)):  # every key, in order of appearance
        values = [row.get(name) for row in rows]
        kinds = set(map(type, values))
        if dict in kinds:
            out.update(data_columns([v if type(v) is dict else {} for v in values], f"{prefix}{name}."))
            if not kinds - {dict, type(None)}:
                continue
            values = [None if type(v) is dict else v for v in values]
        out[prefix + name] = value_array(values)
    return out


def texts(values: Sequence[bytes | None]) -> pa.Array:
    """UTF-8 bytes as a string array; invalid bytes become U+FFFD, as ``decode("replace")``."""
    try:  # copied once, in C++; the UTF-8 checked in C++ without an object per value
        strings = pa.array(values, pa.large_binary()).view(pa.large_string())
        strings.validate(full=True)
        return strings
    except pa.ArrowInvalid:
        return pa.array([None if v is None else v.decode("utf-8", "replace") for v in values],
                        pa.large_string())


class FlatHeaders:
    """Records' headers laid flat: how many each record has, and one list of name, value, name,
    value... Taken while the records are fresh, it lets their header lists go at once."""

    def __init__(self, headers: Iterable[Sequence[tuple[str, bytes | None]] | None] = ()) -> None:
        self.counts: list[int] = []
        self.flat: list[Any] = []
        self.add(headers)

    def add(self, headers: Iterable[Sequence[tuple[str, bytes | None]] | None]) -> None:
        """Lay the headers of more records (a list of (name, value) pairs or None each) flat."""
        headers = list(headers)
        self.counts += map(length_hint, headers)  # None (no headers) counts 0
        self.flat += chain.from_iterable(chain.from_iterable(filter(None, headers)))


def header_columns(headers: FlatHeaders) -> dict[str, pa.Array]:
    """One ``header.<name>`` string column per header name."""
    counts, flat = headers.counts, headers.flat
    width = counts[0] if counts else 0
    if width and counts.count(width) == len(counts):  # usually the same names, in one order
        step, columns = 2 * width, {}
        for i in range(width):
            names = flat[2 * i::step]
            if names.count(names[0]) != len(names) or f"header.{names[0]}" in columns:
                break
            columns[f"header.{names[0]}"] = texts(flat[2 * i + 1::step])
        else:
            return columns
    rows, at = [], 0
    for count in counts:
        rows.append(dict(zip(flat[at:at + 2 * count:2], flat[at + 1:at + 2 * count:2], strict=True)))
        at += 2 * count
    return {f"header.{name}": texts([row.get(name) for row in rows])
            for name in dict.fromkeys(chain.from_iterable(rows))}


def common_type(types: Sequence[pa.DataType]) -> pa.DataType:
    """The one type for a column whose parts have ``types``: null and int64 widen; no common
    type means :data:`MIXED`."""
    kinds = set(types) - {pa.null()}
    if len(kinds) <= 1:
        return kinds.pop() if kinds else pa.null()
    return pa.float64() if kinds == {pa.int64(), pa.float64()} else MIXED


def _common(parts: list[pa.ChunkedArray]) -> list[pa.ChunkedArray]:
    """The parts cast to their :func:`common_type`."""
    kind = common_type([p.type for p in parts])
    if kind == MIXED:
        parts = [p if p.type in (MIXED, pa.null()) else pa.chunked_array(
            [pa.array([None if v is None else json.dumps(v).encode() for v in p.to_pylist()], MIXED)])
            for p in parts]
    return [p if p.type == kind else p.cast(kind) for p in parts]


def to_pandas(column: pa.ChunkedArray, plain: bool = False) -> Any:
    """One Arrow column as the pandas array described in the module docstring.

    ``plain`` keeps integers that are never null as numpy arrays (partitions, offsets).
    """
    kind = column.type
    if pa.types.is_timestamp(kind):
        return column.to_pandas().array
    if plain and pa.types.is_integer(kind) and not column.null_count:
        return column.to_numpy()
    if kind in _NULLABLE:
        return _NULLABLE[kind].__from_arrow__(column)
    if kind == MIXED:
        return _objects([None if v is None else json.loads(v) for v in column.to_pylist()])
    return _objects(column.to_pylist())


def _objects(values: list[Any]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def frame(tables: list[pa.Table], order: Sequence[str], plain: Sequence[str] = ()) -> pd.DataFrame:
    """Stack tables (columns matched by name, missing ones null) into one DataFrame.

    Columns come in ``order``, then ``data.*`` and ``header.*`` by name, then ``error``;
    ``plain`` names the integer columns kept as numpy arrays. ``tables`` is emptied: each
    column is let go once converted, so numbers and times copied into numpy do not sit
    beside their Arrow originals (if the caller holds no other reference to the tables).
    """
    names = dict.fromkeys(chain.from_iterable(t.column_names for t in tables))
    names.update(dict.fromkeys(order))
    rest = sorted(n for n in names if n not in order and n != "error")
    rest.sort(key=lambda n: n.startswith("header."))
    out: dict[str, Any] = {}
    for name in [*order, *rest, "error"]:
        parts = [t[name] if name in t.column_names else pa.chunked_array([pa.nulls(t.num_rows)])
                 for t in tables]
        parts = _common(parts) if parts else []
        kind = parts[0].type if parts else pa.string()
        column = pa.chunked_array([c for p in parts for c in p.chunks], kind)
        out[name] = to_pandas(column, name in plain)
        del parts, column
        tables[:] = [t.drop_columns([name]) if name in t.column_names else t for t in tables]
    tables.clear()
    return pd.DataFrame(out, copy=False)
