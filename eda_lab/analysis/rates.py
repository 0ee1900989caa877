"""Questions a loaded topic answers often: events per time bucket, and a group's lag."""

from __future__ import annotations

import pandas as pd

from ..clients import group_lag
from ..settings import Settings

__all__ = ["events_per_second", "group_lag_frame"]


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
