"""What travels on the wire: events, commands and the rules their JSON envelope follows."""

from __future__ import annotations

from .envelope import (
    Command,
    Event,
    decode_event,
)
from .rules import (
    COMMAND_RULES,
    EVENT_RULES,
    FieldRule,
    check_envelope,
)

__all__ = [
    "COMMAND_RULES",
    "Command",
    "EVENT_RULES",
    "Event",
    "FieldRule",
    "check_envelope",
    "decode_event",
]
