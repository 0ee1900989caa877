"""The orchestrator on Kafka: commands out through an outbox, replies in.

::

    orders          OrderPlaced ─► orchestrator ─► saga_outbox ─► relay ─► saga-commands
    saga-commands   ChargePayment ─► payment, ReserveStock ─► inventory, ShipOrder ─► shipping, ...
    saga-replies    PaymentCharged / PaymentDeclined / StockReserved / ... ─► orchestrator

The orchestrator is a :class:`HandlerLoop` over ``orders`` and ``saga-replies`` whose handler
writes to the :class:`.SagaStore` and sends nothing itself; an :class:`OutboxRelay` publishes the
saved commands, keyed by saga id. Deadlines are checked between reads (the loop's ``gate``), and
since every deadline is a time saved in SQLite, a restarted orchestrator picks them up as well.
The participants are in :mod:`.participants`.
"""

from __future__ import annotations

import time
from typing import Any

from ...messages.envelope import Event
from ...namespace import Namespace
from ...settings import Settings
from ..handler_loop import HandlerLoop
from ..outbox import OutboxRelay
from .orchestration import Transition, on_deadline, on_reply, start_saga
from .saga_schema import command_id
from .saga_store import SagaStore

ORCHESTRATION_TOPICS = ("orders", "saga-commands", "saga-replies")


class Orchestrator:
    """Runs order sagas: a handler loop for starts and replies, and a relay for commands.

    Example::

        orchestrator = Orchestrator(ns, SagaStore(str(db_dir / "sagas.db")), step_timeout_s=2)
        orchestrator.start()            # both in background threads
        ...
        orchestrator.stop()

    A second ``OrderPlaced`` for an order that has a saga starts nothing; a reply the saga does
    not wait for (late, or a duplicate) is logged as ignored; a step that does not answer in
    ``step_timeout_s`` is given up on and compensated. ``start_topic`` (short name) is where
    the ``OrderPlaced`` events come from.
    """

    def __init__(self, ns: Namespace, store: SagaStore, step_timeout_s: float = 5.0,
                 settings: Settings | None = None, start_topic: str = "orders") -> None:
        self.ns, self.store, self.step_timeout_s = ns, store, step_timeout_s
        self.loop = HandlerLoop(ns.topic(start_topic), ns.topic("saga-replies"),
                                group=ns.group("orchestrator"), handler=self.handle,
                                gate=self._check_deadlines, settings=settings,
                                name="orchestrator")
        self.relay = OutboxRelay(store, ns.topic("saga-commands"), settings, poll_s=0.02)  # type: ignore[arg-type]
        self._checked = 0.0

    def handle(self, event: Event, record: Any = None) -> None:
        """Start a saga for an ``OrderPlaced``, or apply a participant's reply (the loop's
        handler; call it yourself to drive a saga without Kafka, e.g. in a test)::

            orchestrator.handle(order_placed("order-1"))   # saved: saga and ChargePayment
        """
        d, now, timeout = event.data, time.time(), self.step_timeout_s
        if event.event_type == "OrderPlaced":
            def begin(state):
                if state is not None:
                    return Transition(state, (), "ignored: this order has a saga already")
                return start_saga(d["orderId"], d, now, timeout)
            self.store.apply(d["orderId"], begin, event.event_id, event.correlation_id,
                             event.event_id)
        elif "sagaId" in d and "command" in d:
            def reply(state):
                return None if state is None else on_reply(state, d["command"], d["ok"], now,
                                                           timeout)
            self.store.apply(d["sagaId"], reply, event.event_id, event.correlation_id,
                             event.event_id)

    def check_deadlines(self, now: float | None = None) -> int:
        """Apply :func:`.on_deadline` to every saga past its deadline; how many there were."""
        due = self.store.due(now)
        for state in due:
            def late(current):
                when = time.time() if now is None else now
                if current is None or when < current.deadline:
                    return None  # handled meanwhile
                return on_deadline(current, when, self.step_timeout_s)
            # The command that was not answered caused what is sent now.
            self.store.apply(state.saga_id, late, None, state.saga_id,
                             command_id(state.saga_id, state.awaiting, state.attempt))
        return len(due)

    def _check_deadlines(self, consumer: Any, records: list) -> list:
        # Called after each read, before its records are handled. When a read comes back empty
        # the replies that were waiting are applied; a restarted orchestrator with a backlog
        # first reads it (for a second at most) rather than give up on replies it holds.
        waited = time.monotonic() - self._checked
        if (not records and waited >= 0.1) or waited >= 1.0:
            self._checked = time.monotonic()
            self.check_deadlines()
        return records

    def start(self, timeout_s: float = 300.0) -> Orchestrator:
        """Start the loop and the relay in background threads."""
        self._checked = time.monotonic()
        self.loop.start(timeout_s=timeout_s)
        self.relay.start(timeout_s=timeout_s)
        return self

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop both and wait for them (an error in either is raised here)."""
        self.loop.request_stop()  # both at once: the loop leaves its group while the relay stops
        try:
            self.relay.stop(timeout_s)
        finally:
            self.loop.stop(timeout_s)
