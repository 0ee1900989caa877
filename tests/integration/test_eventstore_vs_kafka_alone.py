"""Why not Kafka alone as the event store, shown on the real broker.

Two writers load one account from its topic, both decide a withdrawal the balance allows, and
both "succeed": a topic has no expected-version check, so the account ends overdrawn. Loading one
account meant reading the other accounts' records too. The same two decisions against the store:
one append wins, the other gets ConcurrencyConflict, and its retry on fresh state is refused.
"""

from __future__ import annotations

import pytest

from eda_lab.clients import EventPublisher, consume, create_topic
from eda_lab.errors import ConcurrencyConflict
from eda_lab.messages import Command, Event
from eda_lab.patterns.eventsourcing import (
    BANK_ACCOUNT,
    NO_STREAM,
    CommandRejected,
    SQLiteEventStore,
    handle_command,
    load,
)

pytestmark = pytest.mark.integration
OTHERS = 30
WITHDRAW = Command("WithdrawMoney", {"accountId": "acc-1", "amount": 70})


def opened(account: str, balance: int) -> Event:
    return Event("AccountOpened", {"accountId": account, "owner": "Ada", "initialBalance": balance})


def load_from_topic(topic: str, settings, total: int):
    """The only way to rebuild one account from a topic: read the records, keep its key."""
    records = consume(topic, max_events=total, timeout_s=30, settings=settings)
    mine = [r.event for r in records if r.key == "account-acc-1"]
    return BANK_ACCOUNT.replay(mine), len(records), len(mine)


def test_two_writers_on_a_topic_both_succeed_and_overdraw_the_account(settings, ns):
    topic = ns.topic("accounts")
    create_topic(topic, partitions=3, settings=settings)
    with EventPublisher(settings) as publisher:
        publisher.publish_many(topic, [("account-acc-1", opened("acc-1", 100))] + [
            (f"account-other-{n}", opened(f"other-{n}", n)) for n in range(OTHERS)])
        total = OTHERS + 1
        # Both writers load before either writes: the same state, the same allowed decision.
        states = [load_from_topic(topic, settings, total)[0] for _ in range(2)]
        decisions = [BANK_ACCOUNT.decide(state, WITHDRAW) for state in states]
        deliveries = [publisher.publish(topic, events[0], key="account-acc-1")
                      for events in decisions]
    assert all(d.offset >= 0 for d in deliveries)  # Kafka accepted both: nothing to refuse with
    balance, scanned, own = load_from_topic(topic, settings, total + 2)
    assert balance.balance == 100 - 70 - 70 == -40  # the rule decide enforces is broken
    assert (scanned, own) == (total + 2, 3)  # one account's history cost every record's read


def test_the_store_lets_exactly_one_of_the_same_two_decisions_in(tmp_path):
    with SQLiteEventStore(str(tmp_path / "bank.db")) as store:
        store.append("account-acc-1", [opened("acc-1", 100)], NO_STREAM)
        loaded = [load(store, BANK_ACCOUNT, "account-acc-1") for _ in range(2)]
        decisions = [BANK_ACCOUNT.decide(x.state, WITHDRAW) for x in loaded]
        store.append("account-acc-1", decisions[0], loaded[0].version)
        with pytest.raises(ConcurrencyConflict):
            store.append("account-acc-1", decisions[1], loaded[1].version)
        with pytest.raises(CommandRejected, match="holds 30"):  # the loser's retry
            handle_command(store, BANK_ACCOUNT, "account-acc-1", WITHDRAW)
        assert load(store, BANK_ACCOUNT, "account-acc-1").state.balance == 30
