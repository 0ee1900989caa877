"""An aggregate as two pure functions: ``decide(state, command) -> events`` and ``evolve(state, event)``.

``decide`` holds every business rule and may refuse a command (:class:`CommandRejected`);
``evolve`` only applies facts that already happened, so replaying a valid history never fails.
Pure means no I/O and no hidden state: the same state and command give the same decision (the
new events' ids and timestamps aside; the command handler derives the ids from the command id).
The state is a frozen dataclass of JSON values, which is what makes it a snapshot for free.
Time travel is the same fold, stopped early: at a stream version or at a moment.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from ...errors import EdaLabError
from ...messages import Command, Event
from .store import Recorded, Snapshot

S = TypeVar("S")


class CommandRejected(EdaLabError, ValueError):
    """A command breaks a business rule (a withdrawal beyond the balance, shipping unpaid goods).

    The message says which rule and the state that broke it; nothing is appended.
    """


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    """An aggregate's rules: its name, empty state, and its pure ``decide`` and ``evolve``.

    Example::

        state = BANK_ACCOUNT.replay(events)             # fold evolve over the history
        new = BANK_ACCOUNT.decide(state, withdraw)      # [Event("MoneyWithdrawn", ...)] or raises

    ``commands`` maps each command type it accepts to the data fields that command needs.
    ``schema_version`` is the version of the state's shape, stored with each snapshot.
    """

    name: str
    initial: S
    decide: Callable[[S, Command], list[Event]]
    evolve: Callable[[S, Event], S]
    commands: Mapping[str, tuple[str, ...]]
    schema_version: int = 1

    def validate(self, command: Command) -> None:
        """Refuse a command this aggregate does not handle, or one missing a data field."""
        if command.command_type not in self.commands:
            raise CommandRejected(f"{self.name} does not handle {command.command_type}; it "
                                  f"handles {', '.join(sorted(self.commands))}")
        missing = [f for f in self.commands[command.command_type] if f not in command.data]
        if missing:
            raise CommandRejected(f"{command.command_type} needs data field(s) "
                                  f"{', '.join(missing)}")

    def replay(self, events: Iterable[Event | Recorded], state: S | None = None) -> S:
        """Fold ``evolve`` over ``events`` from ``state`` (the empty state by default)."""
        current = self.initial if state is None else state
        for item in events:
            current = self.evolve(current, item.event if isinstance(item, Recorded) else item)
        return current

    def to_snapshot(self, state: S, stream_id: str, version: int) -> Snapshot:
        """The state as a :class:`Snapshot` of ``stream_id`` at ``version``."""
        return Snapshot(stream_id, version, self.name, dataclasses.asdict(state),  # type: ignore[call-overload]
                        self.schema_version)

    def from_snapshot(self, snapshot: Snapshot) -> S:
        """The state a snapshot holds (already upcast by the store)."""
        if snapshot.snapshot_type != self.name:
            raise ValueError(f"snapshot of {snapshot.stream_id!r} is a {snapshot.snapshot_type}, "
                             f"not a {self.name}")
        return type(self.initial)(**snapshot.state)


def instant(timestamp: str | datetime) -> datetime:
    """An envelope timestamp as an aware datetime (Python 3.10 reads neither 'Z' nor ns)."""
    if isinstance(timestamp, datetime):
        return timestamp
    text = re.sub(r"(\.\d{6})\d+", r"\1", timestamp.replace("Z", "+00:00"))
    return datetime.fromisoformat(text)


def timeline(aggregate: Aggregate[S], history: Iterable[Recorded]) -> Iterator[tuple[Recorded, S]]:
    """Each stored event with the state right after it: the raw material of time travel.

    Example::

        [(r.version, s.balance) for r, s in timeline(BANK_ACCOUNT, store.read_stream("acc-1"))]
    """
    state = aggregate.initial
    for recorded in history:
        state = aggregate.evolve(state, recorded.event)
        yield recorded, state


def state_at(aggregate: Aggregate[S], history: Iterable[Recorded], *, version: int | None = None,
             at: str | datetime | None = None) -> S:
    """The state as it was at stream ``version`` or at moment ``at`` (events stamped up to then).

    Example::

        state_at(BANK_ACCOUNT, store.read_stream("acc-1"), version=2).balance
        state_at(BANK_ACCOUNT, store.read_stream("acc-1"), at="2026-03-30T12:00:00Z").balance
    """
    if (version is None) == (at is None):
        raise ValueError("give exactly one of version= or at=")
    moment = None if at is None else instant(at)
    state = aggregate.initial
    for recorded in history:
        # Stop at the first event past the point, even if a later one has an earlier stamp
        # (clock skew): skipping it would give a state that never existed.
        if (version is not None and recorded.version > version) or (
                moment is not None and instant(recorded.event.timestamp) > moment):
            break
        state = aggregate.evolve(state, recorded.event)
    return state
