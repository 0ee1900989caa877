"""Live views and forms for notebooks (ipywidgets)."""

from __future__ import annotations

from .group_view import (
    GroupSnapshot,
    LiveGroupView,
)
from .publish_form import (
    PublishForm,
    publish_form,
)
from .saga_knobs import (
    BatchResult,
    KnobChoice,
    SagaKnobs,
    run_batch,
)
from .team import (
    Member,
    Team,
)
from .time_travel import (
    TimeTravel,
    TravelPoint,
    events_up_to,
    travel_points,
)

__all__ = [
    "BatchResult",
    "GroupSnapshot",
    "KnobChoice",
    "LiveGroupView",
    "Member",
    "PublishForm",
    "SagaKnobs",
    "Team",
    "TimeTravel",
    "TravelPoint",
    "events_up_to",
    "publish_form",
    "run_batch",
    "travel_points",
]
