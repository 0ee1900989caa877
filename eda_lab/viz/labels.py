"""Short, stable names for the ids that change on every run, so printed output stays the same."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ShortIds:
    """Message ids by short names (``c1`` for the first command, ``e1`` for the first event).

    Example::

        ids = ShortIds({command.command_id: "c1"})
        ids.short(command.command_id)     # 'c1'; anything unknown comes back unchanged
        ids.masked(command)               # its wire dict, ids by name, the timestamp hidden
    """

    def __init__(self, names: Mapping[str, str] | None = None) -> None:
        self.names: dict[str, str] = dict(names or {})

    def update(self, names: Mapping[str, str]) -> None:
        """Name more ids; names keep the order they were given in (see :meth:`order`)."""
        self.names.update(names)

    def short(self, value: Any) -> Any:
        """An id by its short name; anything else unchanged."""
        return self.names.get(value, value) if isinstance(value, str) else value

    def masked(self, message: Any) -> dict[str, Any]:
        """A command's or an event's wire dict with ids by short name and the timestamp hidden."""
        wire = {key: self.short(value) for key, value in message.to_dict().items()}
        return {**wire, "timestamp": "<time>"}

    def order(self) -> list[str]:
        """The short names in the order they were given."""
        return list(self.names.values())
