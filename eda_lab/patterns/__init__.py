"""Event-driven patterns on one shared consume, handle, commit loop."""

from __future__ import annotations

from .batches import BatchOutcome, handle_batch, message_id
from .handler_loop import HandlerLoop
from .idempotency import IdempotencyStore, SqliteIdempotencyStore
from .progress import LoopReport, Send, StopRules, next_offsets

__all__ = [
    "BatchOutcome",
    "HandlerLoop",
    "IdempotencyStore",
    "LoopReport",
    "Send",
    "SqliteIdempotencyStore",
    "StopRules",
    "handle_batch",
    "message_id",
    "next_offsets",
]
