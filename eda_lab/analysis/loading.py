"""A topic as a pandas DataFrame: whole, a window of record time, or chunk by chunk.

:func:`topic_to_dataframe` reads a snapshot: every partition from its oldest kept record (or
from ``since``) up to the end offset it had when the call started (or to ``until``), so
records produced meanwhile are left out and the call always finishes. Records are fetched
with librdkafka (confluent-kafka) and decoded, in chunks of at most ``chunk_size`` rows, by
pyarrow's JSON reader into compact Arrow columns; the raw records of a chunk are dropped
once decoded.
The columns are described in :mod:`eda_lab.analysis.frames`.
"""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from functools import partial
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..collector import collector_held
from ..errors import WaitTimeout
from ..progress_bars import progress_bar
from ..settings import Settings, get_settings
from .frames import Batch, batch_table, tables_to_frame
from .reading import CONNECT_S, LibrdkafkaReader, timed_out
from .reading_kafka_python import KafkaPythonReader
from .windows import When, instant_ms, spans

__all__ = ["iter_tables", "iter_topic_frames", "topic_to_dataframe"]

READERS = {"librdkafka": LibrdkafkaReader, "kafka-python": KafkaPythonReader}
_CONNECT_S = CONNECT_S
# Two decoding threads, and up to two chunks queued for them: pyarrow's JSON reader (most
# of a chunk's work) runs without the GIL, so one thread was often waiting for the other
# while the fetching thread held the GIL; two kept both cores busy (measured: a fifth faster).
_DECODERS = 2
_AHEAD = 2
_FIRST_ROWS = 2_500  # the smallest chunk: below this a chunk's fixed costs tell (see _chunk_rows)
# The decay Arrow's own jemalloc starts with (its memory_pool_jemalloc.cc): 1 s with the
# background thread it enables, 0 on macOS, where it has none.
_ARROW_DECAY_MS = 0 if sys.platform == "darwin" else 1000


# Whole-frame loads of this many rows or more decode into _jemalloc(); smaller ones keep the
# process's pool. Measured here (make bench): at 1,000,000 rows jemalloc returning freed pages
# at once held the peak to 1.3x the frame against 1.5x (glibc) and 1.7x (mimalloc, Arrow's
# default), in the same time; at 100,000 rows, where memory is no concern, re-faulting those
# pages made the load a fifth slower than Arrow's default pool, which reuses them.
_LEAN_ROWS = 250_000


class _PoolForLoad:
    """The memory pool of a whole-frame load, chosen once its number of rows is known."""

    def __init__(self) -> None:
        self._pools = ExitStack()

    def rows(self, total: int) -> None:
        if total >= _LEAN_ROWS:
            self._pools.enter_context(_jemalloc())

    def __enter__(self) -> _PoolForLoad:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pools.close()


@contextmanager
def _jemalloc() -> Iterator[None]:
    """Arrow's jemalloc pool, its freed pages going back at once, not after a second: the
    chunks' passing buffers and the columns frame() has copied do not add up to the peak."""
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # wheels without jemalloc (Windows): keep the default
        yield
        return
    previous = pa.default_memory_pool()
    pa.set_memory_pool(pool)
    pa.jemalloc_set_decay_ms(0)
    try:
        yield
    finally:
        pa.jemalloc_set_decay_ms(_ARROW_DECAY_MS)
        pa.set_memory_pool(previous)


def _window(table: pa.Table, since_ms: int | None, until_ms: int | None) -> pa.Table:
    """Only rows whose record time is in [since, until): producers may stamp out of order."""
    if since_ms is None and until_ms is None:
        return table
    ms = pc.cast(table["timestamp"], pa.int64())
    keep = pc.and_(pc.greater_equal(ms, since_ms if since_ms is not None else -2**62),
                   pc.less(ms, until_ms if until_ms is not None else 2**62))
    return table if pc.all(keep).as_py() else table.filter(keep)


def iter_tables(topic: str, settings: Settings | None = None, *, since: When = None,
                until: When = None, max_rows: int | None = None, chunk_size: int = 100_000,
                progress: bool | None = None, timeout_s: float = 60.0, reader: str = "librdkafka",
                known_versions: Mapping[str, int] | None = None) -> Iterator[pa.Table]:
    """Decoded Arrow tables of at most ``chunk_size`` rows, each from one partition, in offset
    order within a partition. The other ``topic_to_*`` functions read the same way."""
    return _iter_tables(_tables(topic, settings or get_settings(), since, until, max_rows,
                                chunk_size, progress, timeout_s, reader, known_versions))


def _iter_tables(tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
    try:
        while True:
            with collector_held():  # the caller's code between tables runs with it
                table = next(tables, None)
            if table is None:
                return
            yield table
    finally:
        tables.close()


def _tables(topic: str, settings: Settings, since: When, until: When, max_rows: int | None,
            chunk_size: int, progress: bool | None, timeout_s: float, reader: str,
            known_versions: Mapping[str, int] | None,
            memory: _PoolForLoad | None = None) -> Iterator[pa.Table]:
    source = READERS[reader](settings, _CONNECT_S)
    read = total = 0
    try:
        since_ms, until_ms = instant_ms(since), instant_ms(until)
        todo = spans(source, topic, source.partitions(topic), since_ms, until_ms)
        total = sum(stop - start for start, stop in todo.values())
        total = total if max_rows is None else min(total, max_rows)
        if memory is not None:
            memory.rows(total)
        pending: dict[int, list[Batch]] = {}
        read = fetched = submitted = 0
        deadline = time.monotonic() + timeout_s
        ends = {p: stop for p, (_, stop) in todo.items()}
        decode = partial(_decoded, known_versions=known_versions, since_ms=since_ms,
                         until_ms=until_ms)
        # Decoding runs beside the fetching (see _DECODERS).
        # progress None: a bar for people, none in CI or with EDA_LAB_PROGRESS=0 (nbval).
        with progress_bar(total, topic, " rows", show=progress,
                          postfix=f"end offsets {ends}" if len(ends) <= 6 else None) as bar, \
                ThreadPoolExecutor(_DECODERS, thread_name_prefix="eda-lab-decode") as pool:
            batches, decoding = source.read(topic, todo, deadline), deque()
            while True:
                batch = next(batches, None) if fetched < total else None
                if batch is not None:
                    pending.setdefault(batch.partition, []).append(batch)
                    fetched += len(batch)
                    bar.update(min(len(batch), total - bar.n))
                rows = _chunk_rows(chunk_size, submitted,
                                   (total - fetched) // (_DECODERS * max(1, len(todo))))
                for p in list(pending):
                    if batch is None or sum(map(len, pending[p])) >= rows:
                        decoding.append(pool.submit(decode, pending.pop(p)))
                        submitted += 1
                while decoding and (batch is None or len(decoding) > _AHEAD or decoding[0].done()):
                    table = decoding.popleft().result().slice(0, total - read)
                    read += table.num_rows
                    for start in range(0, table.num_rows, chunk_size):  # fetches overshoot
                        yield table.slice(start, chunk_size)
                if batch is None:
                    break
    except WaitTimeout as exc:
        raise timed_out(topic, read, total, timeout_s) from exc
    finally:
        source.close()


def _chunk_rows(chunk_size: int, started: int, share_left: int) -> int:
    """Rows of a partition to gather before decoding them: ``chunk_size``, but fewer in the
    first chunks, so that the decoders start early, and in the last ones, so that little is
    left to decode once the last record has come (``share_left``: a decoder's share of each
    partition's records still to fetch)."""
    growing = _FIRST_ROWS << min(started, 16)
    return max(min(_FIRST_ROWS, chunk_size), min(chunk_size, growing, share_left))


def _decoded(batches: list[Batch], known_versions: Mapping[str, int] | None,
             since_ms: int | None, until_ms: int | None) -> pa.Table:
    return _window(batch_table(Batch.joined(batches), known_versions), since_ms, until_ms)


def topic_to_dataframe(
    topic: str, settings: Settings | None = None, max_records: int | None = None,
    chunk_size: int = 10_000, progress: bool | None = None, timeout_s: float = 60.0, *,
    since: When = None, until: When = None, max_rows: int | None = None,
    known_versions: Mapping[str, int] | None = None, reader: str = "librdkafka",
) -> pd.DataFrame:
    """Every event of ``topic`` (or a window of it) as one row of a DataFrame.

    Rows are in log order: by partition, then offset. ``since``/``until`` keep records whose
    record time is in [since, until) (datetimes or durations back from now, like ``"1h"``);
    ``max_rows`` (``max_records`` is its old name) stops after that many rows. ``known_versions``
    marks newer versions of a type as errors, as ``decode_event`` does. ``reader`` is
    ``"librdkafka"`` or ``"kafka-python"``: the same frame, the first faster (`make bench`).
    Raises :class:`~eda_lab.errors.WaitTimeout` if the read takes longer than ``timeout_s``.

    Example::

        df = topic_to_dataframe(ns.topic("orders"), since="1h")
        df.groupby("eventType").size()
    """
    with _PoolForLoad() as memory, collector_held():
        return _frame_of(_iter_tables(_tables(
            topic, settings or get_settings(), since, until,
            max_rows if max_rows is not None else max_records, chunk_size, progress, timeout_s,
            reader, known_versions, memory)))


def _frame_of(tables: Iterator[pa.Table]) -> pd.DataFrame:
    """One frame of decoded tables, in log order: by partition, then offset."""
    by_partition: dict[int, list[pa.Table]] = {}
    for table in tables:
        if table.num_rows:
            by_partition.setdefault(table["partition"][0].as_py(), []).append(table)
    ordered = [t for p in sorted(by_partition) for t in by_partition.pop(p)]
    return tables_to_frame(ordered)  # holding the only references, it lets go as it goes


def iter_topic_frames(topic: str, settings: Settings | None = None, *, chunk_size: int = 100_000,
                      **options: Any) -> Iterator[pd.DataFrame]:
    """The topic as DataFrames of at most ``chunk_size`` rows, for topics larger than memory.

    Takes the options of :func:`topic_to_dataframe`. Each frame holds rows of one partition
    in offset order, with the ``data.*`` columns its own rows have.

    Example::

        counts = sum(chunk["eventType"].value_counts() for chunk in iter_topic_frames(topic))
    """
    for table in iter_tables(topic, settings, chunk_size=chunk_size, **options):
        if table.num_rows:
            yield tables_to_frame([table])
