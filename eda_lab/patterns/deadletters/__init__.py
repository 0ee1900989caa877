"""Dead letters and retries: park what fails, retry it later, redrive it, never lose it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .headers import attempt_of, failure_headers
from .inplace import InPlaceWaits
from .keyorder import ParkedKeys
from .lag import LagRecorder, LagSample, retry_forever
from .pausing import HoldUntilDue, split_due
from .policy import RetryPolicy, Route, dead_letter_topic, retry_topic
from .router import DeadLetterRouter

if TYPE_CHECKING:
    from .frames import dead_letter_frame, dead_letters, select_dead_letters
    from .redrive import RedriveReport, redrive

# Imported on first use: the loops need no pandas, and the command line never loads it.
_LAZY = {"RedriveReport": "redrive", "dead_letter_frame": "frames", "dead_letters": "frames",
         "redrive": "redrive", "select_dead_letters": "frames"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DeadLetterRouter",
    "HoldUntilDue",
    "InPlaceWaits",
    "LagRecorder",
    "LagSample",
    "ParkedKeys",
    "RedriveReport",
    "RetryPolicy",
    "Route",
    "attempt_of",
    "dead_letter_frame",
    "dead_letter_topic",
    "dead_letters",
    "failure_headers",
    "redrive",
    "retry_forever",
    "retry_topic",
    "select_dead_letters",
    "split_due",
]
