"""Which offsets of each partition to read: the whole log, or a window of record time.

``since`` and ``until`` are datetimes (naive ones are taken as UTC), ISO-8601 texts, or
durations back from now (``"1h"``, ``"90min"``, ``"2d"``, a ``timedelta``). The broker's
offsets-for-times lookup (ListOffsets by timestamp) turns each into an offset per partition,
so only the window is fetched: the last hour of a huge topic reads only the last hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import pandas as pd

from .reading import Spans

When = datetime | timedelta | str | None


class _Offsets(Protocol):
    def watermarks(self, topic: str, partition: int) -> tuple[int, int]: ...
    def offsets_at(self, topic: str, partitions: list[int], ms: int) -> dict[int, int | None]: ...


def instant_ms(when: When, now: datetime | None = None) -> int | None:
    """``when`` as milliseconds since the epoch (None stays None).

    Example: ``instant_ms("1h")`` is an hour ago; ``instant_ms("2026-03-02")`` midnight UTC.
    """
    if when is None:
        return None
    now = now or datetime.now(timezone.utc)
    if isinstance(when, str):
        try:
            when = pd.Timedelta(when).to_pytimedelta()
        except ValueError:
            when = pd.Timestamp(when).to_pydatetime()
    if isinstance(when, timedelta):
        when = now - when
    if not isinstance(when, datetime):
        raise TypeError(f"since/until must be a datetime, a duration like '1h' or a timedelta, "
                        f"got {type(when).__name__}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp() * 1000)


def spans(reader: _Offsets, topic: str, partitions: list[int], since_ms: int | None = None,
          until_ms: int | None = None) -> Spans:
    """Per partition ``(first, stop)``: from the first record at or after ``since_ms`` (or the
    oldest kept) up to, not including, the first at or after ``until_ms`` (or the end now)."""
    marks = {p: reader.watermarks(topic, p) for p in partitions}

    def lookup(ms: int | None, default: Any) -> dict[int, int]:
        if ms is None:
            return {p: default(p) for p in partitions}
        found = reader.offsets_at(topic, partitions, ms)
        return {p: marks[p][1] if found.get(p) is None else found[p] for p in partitions}

    starts = lookup(since_ms, lambda p: marks[p][0])
    stops = lookup(until_ms, lambda p: marks[p][1])
    return {p: (max(starts[p], marks[p][0]), max(min(stops[p], marks[p][1]), starts[p]))
            for p in partitions}
