"""The orchestrated saga as a pure state machine: one order's saga, its steps, its replies.

The definition reads like Eventuate Tram Sagas' ``step().invokeParticipant(...)
.withCompensation(...)``: each step names the command that does it and the command that undoes
it, forward steps run one after the other and compensations run in reverse order. Steps before
the *pivot* (payment, inventory) can be compensated; the step after it (shipping) cannot, so it
is *retried* until it succeeds (Richardson's compensatable, pivot and retriable transactions).

- a success moves to the next step; the last one completes the saga;
- a failure compensates the steps already done, latest first;
- a step that does not answer before its deadline is given up on and compensated *too*: it may
  have happened with its reply lost, and every compensation is safe when there is nothing to
  undo (with Temporal's ``Saga``, the same reasoning registers ``addCompensation`` before the
  activity runs, not after it returns);
- a compensation (or a retriable step) that does not answer is sent again, as a new attempt;
- a reply that is not the one the saga waits for (late, duplicate, after the end) changes
  nothing. A MassTransit state machine would throw ``UnhandledEventException`` for it unless
  told ``OnUnhandledEvent(x => x.Ignore())``; here ignoring is the rule, and the log says so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

RUNNING, COMPENSATING = "running", "compensating"
COMPLETED, COMPENSATED = "completed", "compensated"
TERMINAL = (COMPLETED, COMPENSATED)


@dataclass(frozen=True)
class SagaStep:
    """One step: its ``participant``, the ``command`` that does it, the one that undoes it
    (None: it cannot be undone, so it is retried)."""

    participant: str
    command: str
    compensation: str | None = None


ORDER_SAGA = (SagaStep("payment", "ChargePayment", "RefundPayment"),
              SagaStep("inventory", "ReserveStock", "ReleaseStock"),
              SagaStep("shipping", "ShipOrder"))


@dataclass(frozen=True)
class SagaState:
    """Where one saga is: ``status``, the ``step`` it waits on (forward, or being compensated),
    the ``awaiting`` command, its ``deadline`` and ``attempt``, and the order ``data``."""

    saga_id: str
    data: Mapping[str, Any]
    status: str
    step: int
    awaiting: str | None
    deadline: float
    attempt: int = 1


@dataclass(frozen=True)
class Transition:
    """The saga's next state, the commands to send (in the same transaction), and why."""

    state: SagaState
    commands: tuple[str, ...]
    note: str


def start_saga(saga_id: str, data: Mapping[str, Any], now: float, timeout_s: float,
          steps: tuple[SagaStep, ...] = ORDER_SAGA) -> Transition:
    """A new saga, sending the first step's command.

    >>> t = start_saga("o-1", {"amount": 30}, now=0, timeout_s=5)
    >>> t.state.status, t.commands, t.state.deadline
    ('running', ('ChargePayment',), 5)
    """
    first = steps[0].command
    return Transition(SagaState(saga_id, dict(data), RUNNING, 0, first, now + timeout_s),
                      (first,), "started")


def _compensate_from(state: SagaState, below: int, now: float, timeout_s: float,
                     steps: tuple[SagaStep, ...], why: str) -> Transition:
    """Compensate the steps with an undo whose index is ``below`` or less, the latest first."""
    for i in range(below, -1, -1):
        undo = steps[i].compensation
        if undo is not None:
            return Transition(dataclasses.replace(state, status=COMPENSATING, step=i, awaiting=undo,
                                                  deadline=now + timeout_s, attempt=1),
                              (undo,), why)
    return Transition(dataclasses.replace(state, status=COMPENSATED, awaiting=None), (), why)


def on_reply(state: SagaState, command: str, ok: bool, now: float, timeout_s: float,
             steps: tuple[SagaStep, ...] = ORDER_SAGA) -> Transition:
    """The saga after a participant answered ``command`` (``ok`` or not).

    >>> s = start_saga("o-1", {}, now=0, timeout_s=5).state
    >>> t = on_reply(s, "ChargePayment", ok=True, now=1, timeout_s=5)
    >>> t.state.awaiting, t.commands
    ('ReserveStock', ('ReserveStock',))
    >>> on_reply(t.state, "ReserveStock", ok=False, now=2, timeout_s=5).commands
    ('RefundPayment',)
    >>> on_reply(t.state, "ChargePayment", ok=True, now=2, timeout_s=5).note   # a duplicate
    'ignored: waiting for ReserveStock, not ChargePayment'
    """
    if state.status in TERMINAL:
        return Transition(state, (), f"ignored: the saga is {state.status}")
    if command != state.awaiting:
        return Transition(state, (), f"ignored: waiting for {state.awaiting}, not {command}")
    if state.status == COMPENSATING:
        return _compensate_from(state, state.step - 1, now, timeout_s, steps, f"{command} done")
    if not ok:
        return _compensate_from(state, state.step - 1, now, timeout_s, steps, f"{command} failed")
    nxt = state.step + 1
    if nxt == len(steps):
        return Transition(dataclasses.replace(state, status=COMPLETED, awaiting=None), (),
                          f"{command} done")
    return Transition(dataclasses.replace(state, step=nxt, awaiting=steps[nxt].command,
                                          deadline=now + timeout_s, attempt=1),
                      (steps[nxt].command,), f"{command} done")


def on_deadline(state: SagaState, now: float, timeout_s: float,
                steps: tuple[SagaStep, ...] = ORDER_SAGA) -> Transition:
    """The saga once its deadline has passed: give up and compensate, or send again.

    >>> s = on_reply(start_saga("o-1", {}, 0, 5).state, "ChargePayment", True, 1, 5).state
    >>> t = on_deadline(s, now=7, timeout_s=5)         # ReserveStock never answered
    >>> t.state.status, t.commands, t.note
    ('compensating', ('ReleaseStock',), 'gave up on ReserveStock after its timeout')
    """
    if state.status in TERMINAL or now < state.deadline:
        return Transition(state, (), "not due")
    retry = state.status == COMPENSATING or steps[state.step].compensation is None
    if retry:  # an undo, or a step past the pivot, must happen: ask again
        return Transition(dataclasses.replace(state, deadline=now + timeout_s,
                                              attempt=state.attempt + 1),
                          (state.awaiting,), f"sent {state.awaiting} again")
    return _compensate_from(state, state.step, now, timeout_s, steps,
                            f"gave up on {state.awaiting} after its timeout")
