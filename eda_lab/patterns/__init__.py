"""Event-driven patterns on one shared consume, handle, commit loop."""

from __future__ import annotations

__all__: list[str] = []
