"""Sagas with compensation: choreographed services, and an orchestrator with an outbox."""

from __future__ import annotations

from .choreography import (
    SERVICES,
    TOPICS,
    choreography,
    create_saga_topics,
    service_handler,
    settled,
)
from .decisions import Decision, charge, order_status, refund, release, reserve, ship
from .follow import derived_id, follow, order_placed
from .knobs import CrashOnce, FailureKnobs, ServiceCrashed
from .ledger import Ledger
from .orchestration import (
    COMPENSATED,
    COMPENSATING,
    COMPLETED,
    ORDER_SAGA,
    RUNNING,
    TERMINAL,
    SagaState,
    SagaStep,
    Transition,
    on_deadline,
    on_reply,
    start_saga,
)
from .orchestrator import ORCHESTRATION_TOPICS, Orchestrator
from .participants import REPLIES, participant_handler, participants
from .reports import outcome_of, outcomes, saga_transitions, swimlane
from .saga_schema import CommandRow, command_id
from .saga_store import SagaStore
from .services import ServiceLoops, ServiceSpec

__all__ = [
    "COMPENSATED",
    "COMPENSATING",
    "COMPLETED",
    "CommandRow",
    "CrashOnce",
    "Decision",
    "FailureKnobs",
    "Ledger",
    "ORCHESTRATION_TOPICS",
    "ORDER_SAGA",
    "Orchestrator",
    "REPLIES",
    "RUNNING",
    "SERVICES",
    "SagaState",
    "SagaStep",
    "SagaStore",
    "ServiceCrashed",
    "ServiceLoops",
    "ServiceSpec",
    "TERMINAL",
    "TOPICS",
    "Transition",
    "charge",
    "choreography",
    "command_id",
    "create_saga_topics",
    "derived_id",
    "follow",
    "on_deadline",
    "on_reply",
    "order_placed",
    "order_status",
    "outcome_of",
    "outcomes",
    "participant_handler",
    "participants",
    "refund",
    "release",
    "reserve",
    "saga_transitions",
    "service_handler",
    "settled",
    "ship",
    "start_saga",
    "swimlane",
]
