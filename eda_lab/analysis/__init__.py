"""Topics as pandas DataFrames: loading, decoding, rates and lag."""

from __future__ import annotations

from .loading import (
    events_per_second,
    group_lag_frame,
    topic_to_dataframe,
)

__all__ = [
    "events_per_second",
    "group_lag_frame",
    "topic_to_dataframe",
]
