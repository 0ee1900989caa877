"""Dead letters as a DataFrame, without a broker: typed columns from the headers, filters."""

from __future__ import annotations

import time
from dataclasses import dataclass

from eda_lab.analysis.frames import records_to_frame
from eda_lab.clients.records import Received
from eda_lab.errors import NonRetryable
from eda_lab.messages.envelope import Event
from eda_lab.patterns.deadletters import dead_letter_frame, failure_headers, select_dead_letters


@dataclass
class Raw:
    partition: int
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: list


def dead(offset, error, at_ms, value=None):
    source = Received("orders", 1, offset + 100, "ord-1", 1_700_000_000_000, {}, value)
    return Raw(0, offset, at_ms, b"ord-1", value,
               failure_headers(source, error, group="billing", attempt=3))


def test_the_headers_become_typed_columns_and_filters_pick_rows():
    now = int(time.time() * 1000)
    event = Event("OrderPlaced", {"amount": -1}).to_json()
    frame = dead_letter_frame(records_to_frame([
        dead(0, NonRetryable("negative amount"), now - 3_600_000, event),
        dead(1, ConnectionError("payment down"), now, event),
        dead(2, ConnectionError("stock down"), now, b"not json")], "orders.DLT"))

    assert list(frame.columns[:6]) == ["partition", "offset", "timestamp", "key",
                                       "originalTopic", "originalPartition"]
    row = frame.iloc[0]
    assert (row.originalTopic, row.originalPartition, row.originalOffset, row.attempt,
            row.consumerGroup, row.errorClass) == (
        "orders", 1, 100, 3, "billing", "eda_lab.errors.NonRetryable")
    assert row.originalTimestamp.year == 2023 and "NonRetryable: negative amount" in row.stackTrace
    assert str(frame["attempt"].dtype) == "Int64"
    assert select_dead_letters(frame, error="ConnectionError")["offset"].tolist() == [1, 2]
    assert select_dead_letters(frame, error="builtins.ConnectionError",
                               message="stock")["offset"].tolist() == [2]
    assert select_dead_letters(frame, since="30min")["offset"].tolist() == [1, 2]
    assert select_dead_letters(frame, until="30min")["offset"].tolist() == [0]
    assert frame["error"].notna().tolist() == [False, False, True]  # bad bytes, still a row


def test_a_topic_without_dead_letter_headers_gives_empty_columns():
    frame = dead_letter_frame(records_to_frame([Raw(0, 0, 0, None, b"{}", [])], "x"))
    assert frame["originalTopic"].isna().all() and frame["attempt"].isna().all()
