"""How a bulk load is put together, without a broker: chunk sizes, the memory pool, headers
laid flat, and the frame letting go of its tables."""

from __future__ import annotations

import pyarrow as pa
import pytest

from eda_lab.analysis import loading
from eda_lab.analysis.columns import FlatHeaders, frame, header_columns


def test_chunks_start_small_grow_to_chunk_size_and_end_small():
    sizes = [loading._chunk_rows(10_000, started, share_left=100_000) for started in range(6)]
    assert sizes[0] == loading._FIRST_ROWS, "the decoders should get a first chunk soon"
    assert sizes == sorted(sizes) and sizes[-1] == 10_000, f"growing to chunk_size: {sizes}"
    assert loading._chunk_rows(10_000, 10, share_left=4_000) == 4_000, "smaller near the end"
    assert loading._chunk_rows(10_000, 10, share_left=0) == loading._FIRST_ROWS, "never below"
    assert loading._chunk_rows(7, 0, share_left=0) == 7, "a chunk_size below the first chunk wins"


def _has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:  # wheels built without it (Windows)
        return False
    return True


@pytest.mark.skipif(not _has_jemalloc(), reason="pyarrow built without jemalloc")
def test_only_a_big_load_switches_to_the_lean_pool():
    before = pa.default_memory_pool().backend_name
    with loading._PoolForLoad() as pool:
        pool.rows(loading._LEAN_ROWS - 1)
        assert pa.default_memory_pool().backend_name == before
    with loading._PoolForLoad() as pool:
        pool.rows(loading._LEAN_ROWS)
        assert pa.default_memory_pool().backend_name == "jemalloc"
    assert pa.default_memory_pool().backend_name == before, "the pool is put back"


def test_flat_headers_give_one_column_per_name():
    headers = FlatHeaders([[("a", b"1"), ("b", b"2")], [("a", b"3"), ("b", b"4")]])
    headers.add([None, [("b", b"5"), ("a", b"6")]])
    columns = {name: array.to_pylist() for name, array in header_columns(headers).items()}
    assert columns == {"header.a": ["1", "3", None, "6"], "header.b": ["2", "4", None, "5"]}


def test_headers_that_line_up_only_by_accident_are_read_record_by_record():
    # 6 headers in 3 records of width 2 on average; names alternate a, b: the flat list looks
    # uniform, but the second record has three and the third one.
    headers = FlatHeaders([[("a", b"1"), ("b", b"2")], [("a", b"3"), ("b", b"4"), ("a", b"5")],
                           [("b", b"6")]])
    columns = {name: array.to_pylist() for name, array in header_columns(headers).items()}
    assert columns == {"header.a": ["1", "5", None], "header.b": ["2", "4", "6"]}


def test_frame_lets_go_of_the_tables_it_converts():
    tables = [pa.table({"partition": pa.array([0], pa.int32()), "offset": [5], "x": ["a"]}),
              pa.table({"partition": pa.array([0], pa.int32()), "offset": [6]})]
    df = frame(tables, ["partition", "offset"], ["partition", "offset"])
    assert tables == [], "the caller's list still holds the tables"
    assert df["offset"].tolist() == [5, 6] and df["x"].fillna("-").tolist() == ["a", "-"]
