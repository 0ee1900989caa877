"""A snapshot plus the later events gives exactly the state a full replay gives, on random histories."""

from __future__ import annotations

import contextlib
import json
import random

import pytest

from eda_lab.messages import Command
from eda_lab.patterns.eventsourcing import (
    BANK_ACCOUNT,
    ORDER,
    CommandRejected,
    SQLiteEventStore,
    handle_command,
    load,
    take_snapshot,
)


def account_commands(rng: random.Random, n: int) -> list[Command]:
    kinds = ["DepositMoney", "WithdrawMoney", "WithdrawMoney", "OpenAccount"]
    first = Command("OpenAccount", {"accountId": "a", "owner": "Ada",
                                    "initialBalance": rng.randrange(0, 500)})
    return [first] + [Command(k, {"accountId": "a", "owner": "Bo", "initialBalance": 1,
                                  "amount": rng.randrange(-5, 300)})
                      for k in rng.choices(kinds, k=n)]


def order_commands(rng: random.Random, n: int) -> list[Command]:
    data = {"orderId": "o", "customerId": "c", "total": 900, "amount": 900, "reason": "r"}
    return [Command(rng.choice(["PlaceOrder", "PayOrder", "ShipOrder", "CancelOrder"]),
                    {**data, "amount": rng.choice([900, 900, 10])}) for _ in range(n)]


def random_history(aggregate, commands):
    """The events of the commands the rules accept (rejected ones are part of the test too)."""
    state, events = aggregate.initial, []
    for command in commands:
        try:
            new = aggregate.decide(state, command)
        except CommandRejected:
            continue
        state = aggregate.replay(new, state)
        events += new
    return events


@pytest.mark.parametrize("aggregate, commands", [(BANK_ACCOUNT, account_commands),
                                                 (ORDER, order_commands)])
def test_snapshot_plus_later_events_equals_full_replay(aggregate, commands):
    for seed in range(300):
        rng = random.Random(seed)
        events = random_history(aggregate, commands(rng, rng.randrange(0, 40)))
        cut = rng.randrange(0, len(events) + 1)
        snapshot = aggregate.to_snapshot(aggregate.replay(events[:cut]), "s", cut)
        stored = json.loads(json.dumps(snapshot.state))  # what the store really keeps
        restored = aggregate.from_snapshot(type(snapshot)("s", cut, aggregate.name, stored))
        assert aggregate.replay(events[cut:], restored) == aggregate.replay(events), seed


def test_loading_from_the_store_with_snapshots_equals_loading_without(tmp_path):
    store = SQLiteEventStore(str(tmp_path / "bank.db"), synchronous="NORMAL")
    for seed in range(25):
        rng = random.Random(seed)
        stream = f"account-{seed}"
        every = rng.randrange(1, 8)
        for command in account_commands(rng, rng.randrange(1, 40)):
            with contextlib.suppress(CommandRejected):
                handle_command(store, BANK_ACCOUNT, stream, command, snapshot_every=every)
        fast, full = load(store, BANK_ACCOUNT, stream), load(store, BANK_ACCOUNT, stream,
                                                             use_snapshot=False)
        assert (fast.state, fast.version) == (full.state, full.version), seed
        assert full.replayed == full.version
        assert fast.replayed < every, (seed, fast.replayed, every)


def test_a_snapshot_of_another_schema_version_is_ignored_not_trusted(tmp_path):
    store = SQLiteEventStore(str(tmp_path / "bank.db"))
    stream = "account-a"
    handle_command(store, BANK_ACCOUNT, stream, Command(
        "OpenAccount", {"accountId": "a", "owner": "Ada", "initialBalance": 10}))
    snapshot = take_snapshot(store, BANK_ACCOUNT, stream)
    assert load(store, BANK_ACCOUNT, stream).replayed == 0
    store.save_snapshot(type(snapshot)(stream, 1, "BankAccount", {"cash": 10}, schema_version=7))
    loaded = load(store, BANK_ACCOUNT, stream)
    assert (loaded.state.balance, loaded.replayed) == (10, 1)
