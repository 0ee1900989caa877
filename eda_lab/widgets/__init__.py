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

__all__ = [
    "GroupSnapshot",
    "LiveGroupView",
    "Member",
    "PublishForm",
    "Team",
    "publish_form",
]
