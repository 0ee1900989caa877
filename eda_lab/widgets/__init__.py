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
    "GroupSnapshot",
    "LiveGroupView",
    "Member",
    "PublishForm",
    "Team",
    "TimeTravel",
    "TravelPoint",
    "events_up_to",
    "publish_form",
    "travel_points",
]
