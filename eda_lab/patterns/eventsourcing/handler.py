"""The write side: validate a command, load the aggregate, decide, append with the expected version.

Loading starts from the newest snapshot and replays only the events after it. Two writers that
load the same version both decide, but only one append wins; the other gets
:class:`~eda_lab.errors.ConcurrencyConflict` and :func:`retry_on_conflict` runs it again on fresh
state, where the rules may now refuse it.

A command can arrive twice (a client retrying after a lost reply, a redelivered record). The
events it causes get ids derived from the command id, so the second time the handler finds them
stored and answers as the first time did, without deciding again on a state the first already
changed.
"""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from ...errors import ConcurrencyConflict
from ...messages import Command
from ...progress_bars import progress_bar
from .aggregate import Aggregate
from .store import AppendResult, EventStore, Snapshot

S = TypeVar("S")
T = TypeVar("T")
_COMMAND_EVENTS = uuid.UUID("5d0c5f0e-3b8a-4c1e-9a57-2f3c1e0d7b11")  # fixed: ids must not change
LONG_REPLAY = 10_000  # events: a shorter replay takes milliseconds and shows no bar
_CHUNK = 1_000


@dataclass(frozen=True)
class Loaded(Generic[S]):
    """An aggregate's current state, its stream version, and how many events were replayed."""

    state: S
    version: int
    replayed: int


def load(store: EventStore, aggregate: Aggregate[S], stream_id: str, *,
         use_snapshot: bool = True, progress: bool | None = None) -> Loaded[S]:
    """The state of ``stream_id``: the newest snapshot plus the events after it.

    A snapshot of another schema version than the aggregate's is ignored: the events are the
    truth, a snapshot only a shortcut. A replay of :data:`LONG_REPLAY` events or more shows a
    progress bar (``progress=True``: always; ``False``: never; see :mod:`eda_lab.progress_bars`).

    >>> from eda_lab.patterns import eventsourcing as es
    >>> store = es.SQLiteEventStore(":memory:")
    >>> _ = handle_command(store, es.BANK_ACCOUNT, "account-a", Command(
    ...     "OpenAccount", {"accountId": "a", "owner": "Ada", "initialBalance": 10}))
    >>> load(store, es.BANK_ACCOUNT, "account-a")
    Loaded(state=Account(account_id='a', owner='Ada', balance=10, is_open=True), version=1, replayed=1)
    """
    snapshot = store.load_snapshot(stream_id) if use_snapshot else None
    if snapshot is not None and snapshot.schema_version == aggregate.schema_version:
        state, start = aggregate.from_snapshot(snapshot), snapshot.version
    else:
        state, start = aggregate.initial, 0
    later = store.read_stream(stream_id, from_version=start + 1)
    with progress_bar(len(later), f"replay {stream_id}", " events", show=progress,
                      at_least=LONG_REPLAY) as bar:
        for first in range(0, len(later), _CHUNK):
            chunk = later[first:first + _CHUNK]
            state = aggregate.replay(chunk, state)
            bar.update(len(chunk))
    return Loaded(state, later[-1].version if later else start, len(later))


def take_snapshot(store: EventStore, aggregate: Aggregate[S], stream_id: str) -> Snapshot:
    """Save (and return) a snapshot of ``stream_id`` at its current version."""
    loaded = load(store, aggregate, stream_id)
    snapshot = aggregate.to_snapshot(loaded.state, stream_id, loaded.version)
    store.save_snapshot(snapshot)
    return snapshot


def handle_command(store: EventStore, aggregate: Aggregate[S], stream_id: str, command: Command,
                   *, snapshot_every: int | None = None) -> AppendResult:
    """Validate, load, decide, append; returns the stream's new version and global position.

    Raises :class:`CommandRejected` when a rule refuses the command and
    :class:`~eda_lab.errors.ConcurrencyConflict` when another writer appended since the load.
    A command already handled returns the first result and appends nothing. With
    ``snapshot_every=n`` it saves a snapshot each time the version passes a multiple of n.

    >>> from eda_lab.patterns import eventsourcing as es
    >>> store = es.SQLiteEventStore(":memory:")
    >>> handle_command(store, es.BANK_ACCOUNT, "account-a", Command(
    ...     "OpenAccount", {"accountId": "a", "owner": "Ada", "initialBalance": 100}))
    AppendResult(stream_id='account-a', version=1, position=1)
    >>> withdraw = Command("WithdrawMoney", {"accountId": "a", "amount": 30})
    >>> handle_command(store, es.BANK_ACCOUNT, "account-a", withdraw)
    AppendResult(stream_id='account-a', version=2, position=2)
    >>> handle_command(store, es.BANK_ACCOUNT, "account-a", withdraw)  # delivered twice
    AppendResult(stream_id='account-a', version=2, position=2)
    >>> load(store, es.BANK_ACCOUNT, "account-a").state.balance
    70
    """
    aggregate.validate(command)
    before = handled_before(store, command)
    if before is not None:
        return before
    loaded = load(store, aggregate, stream_id)
    events = [dataclasses.replace(e, event_id=event_id_for(command, n))
              for n, e in enumerate(aggregate.decide(loaded.state, command))]
    if not events:  # the command changed nothing: no append, no position
        return AppendResult(stream_id, loaded.version, None)
    result = store.append(stream_id, events, expected_version=loaded.version)
    if snapshot_every and result.version // snapshot_every > loaded.version // snapshot_every:
        state = aggregate.replay(events, loaded.state)
        store.save_snapshot(aggregate.to_snapshot(state, stream_id, result.version))
    return result


def event_id_for(command: Command, n: int) -> str:
    """The id of the ``n``-th event ``command`` causes: the same every time it is handled.

    >>> deposit = Command("DepositMoney", {"accountId": "a", "amount": 5}, command_id="cmd-1")
    >>> event_id_for(deposit, 0) == event_id_for(deposit, 0) != event_id_for(deposit, 1)
    True
    """
    return str(uuid.uuid5(_COMMAND_EVENTS, f"{command.command_id}/{n}"))


def handled_before(store: EventStore, command: Command) -> AppendResult | None:
    """What handling ``command`` appended the first time, or None if it never did."""
    last = None
    for n in itertools.count():
        found = store.find_event(event_id_for(command, n))
        if found is None:
            break
        last = found
    return None if last is None else AppendResult(last.stream_id, last.version, last.position)


def retry_on_conflict(action: Callable[[], T], *, attempts: int = 3,
                      on_conflict: Callable[[ConcurrencyConflict], None] | None = None) -> T:
    """Run ``action`` again (it reloads and decides again) while it loses a race.

    After ``attempts`` conflicts in a row the last :class:`ConcurrencyConflict` is raised;
    ``on_conflict`` sees each one (to log or count it). In real use the action is
    ``lambda: handle_command(store, BANK_ACCOUNT, stream_id, command)``.

    >>> tries = []
    >>> def loses_twice():
    ...     tries.append(1)
    ...     if len(tries) < 3:
    ...         raise ConcurrencyConflict("account-a", len(tries), len(tries) + 1)
    ...     return "appended"
    >>> retry_on_conflict(loses_twice, attempts=3), len(tries)
    ('appended', 3)
    """
    if attempts < 1:
        raise ValueError(f"attempts must be 1 or more, got {attempts}")
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except ConcurrencyConflict as conflict:
            if on_conflict is not None:
                on_conflict(conflict)
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")  # the loop returns or raises
