"""Topics as pandas DataFrames: loading (whole, windowed, in chunks, to Parquet), rates and lag."""

from __future__ import annotations

from .loading import (
    iter_topic_frames,
    topic_to_dataframe,
)
from .parquet import topic_to_parquet
from .rates import (
    events_per_second,
    group_lag_frame,
)
from .samples import SampleTopic, write_sample_events

__all__ = [
    "SampleTopic",
    "events_per_second",
    "group_lag_frame",
    "iter_topic_frames",
    "topic_to_dataframe",
    "topic_to_parquet",
    "write_sample_events",
]
