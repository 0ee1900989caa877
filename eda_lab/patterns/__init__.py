"""Event-driven patterns on one shared consume, handle, commit loop."""

from __future__ import annotations

from .batches import BatchOutcome, handle_batch, message_id
from .deadletters import DeadLetterRouter, HoldUntilDue, RetryPolicy
from .handler_loop import HandlerLoop
from .idempotency import IdempotencyStore, SqliteIdempotencyStore
from .order_summaries import ORDER_SUMMARIES, apply_order_event
from .outbox import OutboxRelay
from .progress import LoopReport, Send, StopRules, next_offsets
from .projection import Projector
from .read_models import Projection, ReadModel
from .sagas import Orchestrator, SagaStore

__all__ = [
    "BatchOutcome",
    "DeadLetterRouter",
    "HandlerLoop",
    "HoldUntilDue",
    "IdempotencyStore",
    "LoopReport",
    "ORDER_SUMMARIES",
    "Orchestrator",
    "OutboxRelay",
    "Projection",
    "Projector",
    "ReadModel",
    "RetryPolicy",
    "SagaStore",
    "Send",
    "SqliteIdempotencyStore",
    "StopRules",
    "apply_order_event",
    "handle_batch",
    "message_id",
    "next_offsets",
]
