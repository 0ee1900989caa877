"""The command handler: validate, load, decide, append with the expected version; retry on conflict."""

from __future__ import annotations

import threading

import pytest

from eda_lab.errors import ConcurrencyConflict
from eda_lab.messages import Command
from eda_lab.patterns.eventsourcing import (
    BANK_ACCOUNT,
    AppendResult,
    CommandRejected,
    SQLiteEventStore,
    event_id_for,
    handle_command,
    handled_before,
    load,
    retry_on_conflict,
)

STREAM = "account-acc-1"


def cmd(kind: str, **data) -> Command:
    return Command(kind, {"accountId": "acc-1", **data}, source="test")


@pytest.fixture
def path(tmp_path):
    return str(tmp_path / "bank.db")


@pytest.fixture
def store(path):
    with SQLiteEventStore(path) as opened:
        handle_command(opened, BANK_ACCOUNT, STREAM, cmd("OpenAccount", owner="Ada",
                                                         initialBalance=100))
        yield opened


def test_it_returns_the_new_version_and_global_position(store):
    store.append("account-other", [cmd("X").caused("Noise", {})], 0)
    result = handle_command(store, BANK_ACCOUNT, STREAM, cmd("DepositMoney", amount=5))
    assert result == AppendResult(STREAM, 2, store.last_position())
    assert load(store, BANK_ACCOUNT, STREAM).state.balance == 105


def test_a_rejected_or_invalid_command_appends_nothing(store):
    before = store.read_all()
    with pytest.raises(CommandRejected, match="Insufficient funds"):
        handle_command(store, BANK_ACCOUNT, STREAM, cmd("WithdrawMoney", amount=500))
    with pytest.raises(CommandRejected, match="amount"):
        handle_command(store, BANK_ACCOUNT, STREAM, cmd("WithdrawMoney"))
    assert store.read_all() == before


def test_a_command_handled_twice_appends_once_and_answers_as_the_first_time(store):
    withdraw = cmd("WithdrawMoney", amount=70)
    first = handle_command(store, BANK_ACCOUNT, STREAM, withdraw)
    handle_command(store, BANK_ACCOUNT, STREAM, cmd("DepositMoney", amount=1))
    # Deciding again would refuse it (31 left); it was handled, so the answer is the first one.
    assert handle_command(store, BANK_ACCOUNT, STREAM, withdraw) == first
    assert load(store, BANK_ACCOUNT, STREAM).state.balance == 31
    assert store.read_stream(STREAM)[1].event.event_id == event_id_for(withdraw, 0)
    assert handled_before(store, cmd("WithdrawMoney", amount=70)) is None  # another command


def test_the_same_command_racing_itself_is_appended_once(store, path):
    deposit = cmd("DepositMoney", amount=10)
    with SQLiteEventStore(path) as other:
        racy = RaceAfterLoad(store, lambda: handle_command(other, BANK_ACCOUNT, STREAM, deposit))
        # Both deliveries decide on version 1; the second append finds its events stored.
        assert handle_command(racy, BANK_ACCOUNT, STREAM, deposit) == AppendResult(
            STREAM, 2, store.last_position())
    assert [r.version for r in store.read_stream(STREAM)] == [1, 2]


class RaceAfterLoad:
    """A store that lets another writer append right after our load: the race, made certain."""

    def __init__(self, store, other_write):
        self._store, self._other_write, self.raced = store, other_write, False

    def __getattr__(self, name):
        return getattr(self._store, name)

    def read_stream(self, *args, **kwargs):
        history = self._store.read_stream(*args, **kwargs)
        if not self.raced:
            self.raced = True
            self._other_write()
        return history


def test_losing_the_race_raises_and_a_retry_decides_again_on_fresh_state(store):
    rival = lambda: handle_command(store, BANK_ACCOUNT, STREAM, cmd("WithdrawMoney", amount=70))  # noqa: E731
    racy = RaceAfterLoad(store, rival)
    mine = cmd("WithdrawMoney", amount=70)
    with pytest.raises(ConcurrencyConflict) as caught:
        handle_command(racy, BANK_ACCOUNT, STREAM, mine)
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    conflicts = []
    # Fresh state: only 30 left, so the retried withdrawal is now refused by the rules.
    with pytest.raises(CommandRejected, match="holds 30"):
        retry_on_conflict(lambda: handle_command(RaceAfterLoad(store, lambda: None),
                                                 BANK_ACCOUNT, STREAM, mine),
                          on_conflict=conflicts.append)
    assert conflicts == [] and load(store, BANK_ACCOUNT, STREAM).state.balance == 30


def test_retry_reloads_after_a_conflict_and_succeeds(store):
    racy = RaceAfterLoad(store, lambda: handle_command(store, BANK_ACCOUNT, STREAM,
                                                       cmd("DepositMoney", amount=1)))
    conflicts = []
    result = retry_on_conflict(lambda: handle_command(racy, BANK_ACCOUNT, STREAM,
                                                      cmd("DepositMoney", amount=10)),
                               on_conflict=conflicts.append)
    assert len(conflicts) == 1 and result.version == 3
    assert load(store, BANK_ACCOUNT, STREAM).state.balance == 111


def test_retry_gives_up_after_the_attempts():
    calls = []

    def always_loses():
        calls.append(1)
        raise ConcurrencyConflict("s", 1, 2)

    with pytest.raises(ConcurrencyConflict):
        retry_on_conflict(always_loses, attempts=4)
    assert len(calls) == 4
    with pytest.raises(ValueError):
        retry_on_conflict(always_loses, attempts=0)


class WaitAfterLoad(RaceAfterLoad):
    """Both writers load, meet at the barrier, then both append: a real race, every time."""

    def __init__(self, store, barrier):
        super().__init__(store, barrier.wait)


def test_two_threads_withdrawing_more_than_the_balance_together_one_is_refused(store, path):
    barrier = threading.Barrier(2, timeout=30)
    outcomes = []

    def withdraw():
        with SQLiteEventStore(path) as own:  # each writer its own connection
            try:
                outcomes.append(handle_command(WaitAfterLoad(own, barrier), BANK_ACCOUNT,
                                               STREAM, cmd("WithdrawMoney", amount=70)))
            except ConcurrencyConflict as lost:
                outcomes.append(lost)

    threads = [threading.Thread(target=withdraw) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    won = [o for o in outcomes if isinstance(o, AppendResult)]
    lost = [o for o in outcomes if isinstance(o, ConcurrencyConflict)]
    assert len(won) == len(lost) == 1
    assert won[0].version == 2 and (lost[0].expected, lost[0].actual) == (1, 2)
    with pytest.raises(CommandRejected, match="holds 30"):  # the loser's retry, on fresh state
        handle_command(store, BANK_ACCOUNT, STREAM, cmd("WithdrawMoney", amount=70))
    assert load(store, BANK_ACCOUNT, STREAM).state.balance == 30


def test_snapshot_every_n_saves_at_each_multiple(store):
    for _ in range(7):
        handle_command(store, BANK_ACCOUNT, STREAM, cmd("DepositMoney", amount=1),
                       snapshot_every=3)
    assert store.load_snapshot(STREAM).version == 6
    assert load(store, BANK_ACCOUNT, STREAM).replayed == 2
