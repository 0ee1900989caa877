"""Pictures of topics, partitions, groups and throughput, all in one plot style."""

from __future__ import annotations

from .diagrams import (
    VERDICT_COLORS,
    causation_chain,
    kafka_overview,
    service_map,
    verdict_matrix,
)
from .eventsourcing_plots import (
    lag_over_time,
    value_over_time,
)
from .group_plots import (
    assignment_chart,
    lag_bars,
    ownership_spans,
    rebalance_replay,
)
from .labels import (
    ShortIds,
)
from .plots import (
    key_spread,
    offsets_over_time,
    throughput_chart,
    topic_layout,
)
from .saga_plots import (
    saga_outcomes,
    saga_swimlane,
    saga_transitions_chart,
)
from .style import (
    member_colors,
    use_lab_style,
)

__all__ = [
    "ShortIds",
    "VERDICT_COLORS",
    "assignment_chart",
    "causation_chain",
    "kafka_overview",
    "key_spread",
    "lag_bars",
    "lag_over_time",
    "member_colors",
    "offsets_over_time",
    "ownership_spans",
    "rebalance_replay",
    "saga_outcomes",
    "saga_swimlane",
    "saga_transitions_chart",
    "service_map",
    "throughput_chart",
    "topic_layout",
    "use_lab_style",
    "value_over_time",
    "verdict_matrix",
]
