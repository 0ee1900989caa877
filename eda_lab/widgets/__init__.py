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

__all__ = [
    "GroupSnapshot",
    "LiveGroupView",
    "PublishForm",
    "publish_form",
]
