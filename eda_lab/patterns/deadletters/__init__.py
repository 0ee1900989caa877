"""Dead letters and retries: park what fails, retry it later, redrive it, never lose it."""

from __future__ import annotations

from .headers import attempt_of, failure_headers
from .pausing import HoldUntilDue, split_due
from .policy import RetryPolicy, Route, dead_letter_topic, retry_topic
from .router import DeadLetterRouter

__all__ = [
    "DeadLetterRouter",
    "HoldUntilDue",
    "RetryPolicy",
    "Route",
    "attempt_of",
    "dead_letter_topic",
    "failure_headers",
    "retry_topic",
    "split_due",
]
