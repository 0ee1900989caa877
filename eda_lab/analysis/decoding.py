"""Record values (JSON envelopes) into Arrow columns, in bulk, judged by the one rule table.

The fast path hands a whole batch of values to ``pyarrow.json.read_json`` (C++, one pass,
no Python object per field), then checks the columns with vectorised versions of the rules
in :mod:`eda_lab.messages.rules` to find *suspect* rows. Suspects are few; each is judged by
:func:`~eda_lab.messages.rules.check_envelope` itself, so a row is an error here exactly
when ``Event.from_json`` would reject its value. A batch Arrow cannot read as one table
(types that change from row to row, duplicate keys, a byte order mark...) takes the careful
path: ``json.loads`` per value, then the same columns built from Python objects.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from ..messages.rules import EVENT_RULES, check_envelope
from .columns import data_columns

ENVELOPE = tuple(rule.name for rule in EVENT_RULES if rule.kind is not dict)
_TYPES = {str: pa.string(), int: pa.int64()}
_SCHEMA = pa.schema([(rule.name, _TYPES[rule.kind]) for rule in EVENT_RULES if rule.kind in _TYPES])
_PARSE = pa_json.ParseOptions(explicit_schema=_SCHEMA, unexpected_field_behavior="infer")
# One thread: decoding already runs beside the fetching, and Arrow's threads cost a third
# more CPU on chunks this small. A block holds any record Kafka accepts by default (1 MiB).
_READ = pa_json.ReadOptions(use_threads=False, block_size=16 * 1024 * 1024)
_BEYOND_MS = r"(\.[0-9]{3})[0-9]+"
_INSTANT = pa.timestamp("ms", tz="UTC")  # the envelope allows nanoseconds; the frame keeps ms
Verdicts = dict[int, tuple[str | None, str]]  # row -> (field, problem)


def judge(raw: bytes | None, known_versions: Mapping[str, int] | None = None,
          ) -> tuple[dict[str, Any] | None, tuple[str | None, str] | None]:
    """``(wire dict, None)`` for a valid event, else ``(None, (field, problem))``."""
    if raw is None:
        return None, (None, "the record has no value (a tombstone?)")
    try:
        wire = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError alike
        return None, (None, f"not JSON ({exc})")
    verdict = check_envelope(wire, EVENT_RULES, known_versions)
    return (None, verdict) if verdict else (wire, None)


def decode_values(values: Sequence[bytes | None], known_versions: Mapping[str, int] | None = None,
                  ) -> tuple[pa.Table, Verdicts]:
    """The envelope and ``data.*`` columns of ``values``, and the verdict on each bad row.

    Bad rows are null in every column. ``eventTimestamp`` is the envelope's ``timestamp``
    as a UTC instant (milliseconds).
    """
    fast = _read_fast(values)
    if fast is None:
        return _read_carefully(values, known_versions)
    table, suspects = fast
    flagged, instants = _suspects(table, known_versions)
    suspects |= flagged
    verdicts = {i: v for i in sorted(suspects) if (v := judge(values[i], known_versions)[1])}
    if not flagged <= verdicts.keys():  # a flagged row is fine after all: its time was not read
        instants = _instants(table["timestamp"])
    table = table.append_column("eventTimestamp", instants)
    if verdicts:
        bad = pa.array([i in verdicts for i in range(len(values))])
        table = pa.table({name: pc.if_else(bad, pa.nulls(len(values), col.type), col)
                          for name, col in zip(table.column_names, table.columns, strict=True)})
    return _finish(table), verdicts


def _read_fast(values: Sequence[bytes | None]) -> tuple[pa.Table, set[int]] | None:
    """One ``read_json`` over the batch, or None when Arrow cannot read it as one table."""
    # A first row that is an object: pyarrow 26 crashes on a batch that starts with `null`.
    lines = [b"{}", *values]
    if None in values or b"" in values:  # tombstones and empty values stay rows (suspect)
        lines = [v or b"{}" for v in lines]
    joined = b"\n".join(lines)
    suspects: set[int] = set()
    if joined.count(b"\n") != len(values) or b"\r" in joined:  # newlines inside values
        suspects = {i - 1 for i, v in enumerate(lines) if b"\n" in v or b"\r" in v}
        for i in suspects:  # outside strings JSON newlines are spaces; inside, judge() rejects
            lines[i + 1] = lines[i + 1].replace(b"\n", b" ").replace(b"\r", b" ")
        joined = b"\n".join(lines)
    try:
        _check_utf8(joined)  # Arrow would accept invalid UTF-8 that json.loads refuses
        table = pa_json.read_json(io.BytesIO(joined), _READ, _PARSE).slice(1)
    except pa.ArrowInvalid:
        return None
    if table.num_rows != len(values) or not _data_is_object(table):
        return None  # two objects in one value, or data that is no object: decide carefully
    return table, suspects  # empty values are "{}": rows without the required fields


def _check_utf8(text: bytes) -> None:
    """ArrowInvalid unless ``text`` is UTF-8 (Arrow's SIMD check, without copying it)."""
    offsets = pa.py_buffer(np.array([0, len(text)], dtype=np.int64))
    pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(text)]).validate(full=True)


def _data_is_object(table: pa.Table) -> bool:
    if "data" not in table.column_names:
        return False
    return pa.types.is_struct(table["data"].type) or table["data"].null_count == table.num_rows


def _suspects(table: pa.Table, known_versions: Mapping[str, int] | None,
              ) -> tuple[set[int], pa.ChunkedArray]:
    """Rows that may break a rule (the rule table's checks, vectorised), and the envelope
    times as instants (null in those rows)."""
    bad = pa.array(np.zeros(table.num_rows, dtype=bool))
    for rule in EVENT_RULES:
        col = table[rule.name]
        if rule.required:
            bad = pc.or_(bad, pc.is_null(col))
        if rule.kind is str:
            bad = pc.or_(bad, _flag(pc.equal(col, "")))
        if rule.pattern:
            bad = pc.or_(bad, _flag(pc.invert(pc.match_substring_regex(col, f"^(?:{rule.pattern})$"))))
        if rule.minimum is not None:
            bad = pc.or_(bad, _flag(pc.less(col, rule.minimum)))
        if rule.maximum is not None:
            bad = pc.or_(bad, _flag(pc.greater(col, rule.maximum)))
    for kind, newest in (known_versions or {}).items():
        newer = pc.and_(pc.equal(table["eventType"], kind), pc.greater(table["version"], newest))
        bad = pc.or_(bad, _flag(newer))
    stamps = pc.if_else(bad, pa.scalar(None, pa.string()), table["timestamp"])
    instants = _instants(stamps)
    bad = pc.or_(bad, pc.and_(pc.is_null(instants), pc.is_valid(stamps)))
    return set(pc.indices_nonzero(bad).to_pylist()), instants


def _flag(mask: Any) -> Any:
    """A check's result where null (no value to check) means fine: absence is the rule's job."""
    return pc.fill_null(mask, False)


def _instants(texts: Any) -> pa.ChunkedArray:
    """ISO-8601 texts as UTC milliseconds; null where the text names no real instant."""
    with suppress(pa.ArrowInvalid):  # usually they cast as they are
        return pc.cast(texts, _INSTANT)
    texts = pc.replace_substring_regex(texts, _BEYOND_MS, r"\1")  # finer than ms: cut first
    try:
        return pc.cast(texts, _INSTANT)
    except pa.ArrowInvalid:  # a 30 February somewhere: find it value by value (rare)
        def one(text: str | None) -> Any:
            try:
                return pc.cast(pa.scalar(text), _INSTANT).as_py()
            except (pa.ArrowInvalid, TypeError):
                return None
        return pa.chunked_array([pa.array([one(t) for t in texts.to_pylist()], _INSTANT)])


def _finish(table: pa.Table) -> pa.Table:
    """Envelope columns in wire order with ``eventTimestamp``, then ``data.*`` flattened."""
    out = {name: table[name] for name in ENVELOPE}
    out.pop("timestamp")  # "timestamp" is the record's time: the envelope's is eventTimestamp
    out["eventTimestamp"] = (table["eventTimestamp"] if "eventTimestamp" in table.column_names
                             else _instants(table["timestamp"]))
    data = table["data"] if "data" in table.column_names else None
    if data is not None and pa.types.is_struct(data.type):
        nested = pa.table({"data": data})
        while any(pa.types.is_struct(c.type) for c in nested.columns):
            nested = nested.flatten()
        out.update(zip(nested.column_names, nested.columns, strict=True))
    return pa.table(out)


def _read_carefully(values: Sequence[bytes | None], known_versions: Mapping[str, int] | None,
                    ) -> tuple[pa.Table, Verdicts]:
    """json.loads and the rule table per value; columns built from the Python objects."""
    wires: list[dict[str, Any] | None] = []
    verdicts: Verdicts = {}
    for i, raw in enumerate(values):
        wire, verdict = judge(raw, known_versions)
        wires.append(wire)
        if verdict:
            verdicts[i] = verdict
    rows = [w or {} for w in wires]
    out = {rule.name: pa.array([row.get(rule.name) for row in rows], _TYPES[rule.kind])
           for rule in EVENT_RULES if rule.kind in _TYPES}
    out["data"] = pa.nulls(len(rows))
    table = _finish(pa.table(out))
    columns = data_columns([row.get("data") or {} for row in rows], "data.")
    return pa.table({**dict(zip(table.column_names, table.columns, strict=True)), **columns}), verdicts
