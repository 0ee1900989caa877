"""Topics as pandas DataFrames: loading (whole, windowed, in chunks, to Parquet), rates and lag."""

from __future__ import annotations

from .loading import (
    events_per_second,
    group_lag_frame,
    iter_topic_frames,
    topic_to_dataframe,
)

__all__ = [
    "events_per_second",
    "group_lag_frame",
    "iter_topic_frames",
    "topic_to_dataframe",
]
