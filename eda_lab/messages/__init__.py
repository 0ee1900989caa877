"""What travels on the wire: events, commands and the rules their JSON envelope follows."""

from __future__ import annotations

from .envelope import (
    Command,
    Event,
    decode_event,
)

__all__ = [
    "Command",
    "Event",
    "decode_event",
]
