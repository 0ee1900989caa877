"""Pictures of topics, partitions, groups and throughput, all in one plot style."""

from __future__ import annotations

from .group_plots import (
    assignment_chart,
    lag_bars,
    ownership_spans,
    rebalance_replay,
)
from .plots import (
    key_spread,
    offsets_over_time,
    throughput_chart,
    topic_layout,
)
from .style import (
    member_colors,
)

__all__ = [
    "assignment_chart",
    "key_spread",
    "lag_bars",
    "member_colors",
    "offsets_over_time",
    "ownership_spans",
    "rebalance_replay",
    "throughput_chart",
    "topic_layout",
]
