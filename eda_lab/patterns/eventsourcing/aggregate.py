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

from ...errors import CommandRejected
from ...messages import Command, Event
from .store import Recorded, Snapshot

S = TypeVar("S")


@dataclass(frozen=True)
class Aggregate(Generic[S]):
    """An aggregate's rules: its name, empty state, and its pure ``decide`` and ``evolve``.

    >>> from eda_lab.patterns import eventsourcing as es
    >>> opening = Command("OpenAccount", {"accountId": "a-1", "owner": "Ada",
    ...                                   "initialBalance": 100})
    >>> state = es.BANK_ACCOUNT.replay(es.BANK_ACCOUNT.decide(es.BANK_ACCOUNT.initial, opening))
    >>> state.balance
    100
    >>> es.BANK_ACCOUNT.decide(state, Command("WithdrawMoney", {"accountId": "a-1", "amount": 150}))
    Traceback (most recent call last):
    eda_lab.errors.CommandRejected: Insufficient funds: account a-1 holds 100, cannot withdraw 150

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
    """An envelope timestamp as an aware datetime (Python 3.10 reads neither 'Z' nor ns).

    >>> instant("2026-03-30T10:00:00.123456789Z")
    datetime.datetime(2026, 3, 30, 10, 0, 0, 123456, tzinfo=datetime.timezone.utc)
    """
    if isinstance(timestamp, datetime):
        return timestamp
    text = re.sub(r"(\.\d{6})\d+", r"\1", timestamp.replace("Z", "+00:00"))
    return datetime.fromisoformat(text)


def timeline(aggregate: Aggregate[S], history: Iterable[Recorded]) -> Iterator[tuple[Recorded, S]]:
    """Each stored event with the state right after it: the raw material of time travel.

    >>> from eda_lab.patterns import eventsourcing as es
    >>> history = [Recorded("account-a", 1, 1, Event("AccountOpened", {"accountId": "a",
    ...                                                               "initialBalance": 100})),
    ...            Recorded("account-a", 2, 5, Event("MoneyDeposited", {"amount": 20}))]
    >>> [(r.version, s.balance) for r, s in timeline(es.BANK_ACCOUNT, history)]
    [(1, 100), (2, 120)]
    """
    state = aggregate.initial
    for recorded in history:
        state = aggregate.evolve(state, recorded.event)
        yield recorded, state


def state_at(aggregate: Aggregate[S], history: Iterable[Recorded], *, version: int | None = None,
             at: str | datetime | None = None) -> S:
    """The state as it was at stream ``version`` or at moment ``at`` (events stamped up to then).

    >>> from eda_lab.patterns import eventsourcing as es
    >>> history = [Recorded("account-a", n, n, Event(kind, data, timestamp=f"2026-03-30T{h}:00:00Z"))
    ...            for n, (h, kind, data) in enumerate([
    ...                (10, "AccountOpened", {"accountId": "a", "initialBalance": 100}),
    ...                (11, "MoneyDeposited", {"amount": 20}),
    ...                (12, "MoneyWithdrawn", {"amount": 50})], start=1)]
    >>> state_at(es.BANK_ACCOUNT, history, version=2).balance
    120
    >>> state_at(es.BANK_ACCOUNT, history, at="2026-03-30T11:30:00Z").balance
    120
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
