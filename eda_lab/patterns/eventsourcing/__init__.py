"""Event sourcing: a store with a written contract, aggregates as pure functions, snapshots, upcasting."""

from __future__ import annotations

from .aggregate import Aggregate, CommandRejected, instant, state_at, timeline
from .bank_account import BANK_ACCOUNT, Account, decide_account, evolve_account
from .handler import (
    Loaded,
    event_id_for,
    handle_command,
    handled_before,
    load,
    retry_on_conflict,
    take_snapshot,
)
from .order import ORDER, Order, decide_order, evolve_order
from .sqlite_store import SQLiteEventStore
from .store import (
    ANY,
    NO_STREAM,
    AppendResult,
    EventStore,
    ExpectedVersion,
    OutboxMessage,
    Recorded,
    Snapshot,
    check_expected,
)
from .upcasting import check_chain, current_version, upcast_data, upcast_event, upcast_snapshot

__all__ = [
    "ANY",
    "Account",
    "Aggregate",
    "AppendResult",
    "BANK_ACCOUNT",
    "CommandRejected",
    "EventStore",
    "ExpectedVersion",
    "Loaded",
    "NO_STREAM",
    "ORDER",
    "Order",
    "OutboxMessage",
    "Recorded",
    "SQLiteEventStore",
    "Snapshot",
    "check_chain",
    "check_expected",
    "current_version",
    "decide_account",
    "decide_order",
    "event_id_for",
    "evolve_account",
    "evolve_order",
    "handle_command",
    "handled_before",
    "instant",
    "load",
    "retry_on_conflict",
    "state_at",
    "take_snapshot",
    "timeline",
    "upcast_data",
    "upcast_event",
    "upcast_snapshot",
]
