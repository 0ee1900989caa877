"""BankAccount and Order as pure decide/evolve functions, and time travel; no broker, no store."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from eda_lab.messages import Command, Event
from eda_lab.patterns.eventsourcing import (
    BANK_ACCOUNT,
    ORDER,
    Account,
    CommandRejected,
    Order,
    Recorded,
    instant,
    state_at,
    timeline,
)


def cmd(kind: str, **data) -> Command:
    return Command(kind, data, source="test")


def run(aggregate, commands, state=None):
    """Decide and evolve each command in turn; returns (state, every event)."""
    state = aggregate.initial if state is None else state
    events = []
    for command in commands:
        aggregate.validate(command)
        new = aggregate.decide(state, command)
        state = aggregate.replay(new, state)
        events += new
    return state, events


OPEN = cmd("OpenAccount", accountId="acc-1", owner="Ada", initialBalance=100)


def test_the_articles_history_gives_the_articles_balance():
    state, events = run(BANK_ACCOUNT, [OPEN, cmd("DepositMoney", accountId="acc-1", amount=100),
                                       cmd("WithdrawMoney", accountId="acc-1", amount=50)])
    assert [e.event_type for e in events] == ["AccountOpened", "MoneyDeposited", "MoneyWithdrawn"]
    assert state == Account("acc-1", "Ada", 150, True)


def test_events_carry_the_commands_correlation_and_causation():
    [opened] = BANK_ACCOUNT.decide(Account(), OPEN)
    assert (opened.causation_id, opened.correlation_id) == (OPEN.command_id, OPEN.correlation_id)
    assert opened.data == {"accountId": "acc-1", "initialBalance": 100, "owner": "Ada"}


def test_a_withdrawal_beyond_the_balance_is_rejected_and_the_exact_balance_is_not():
    state, _ = run(BANK_ACCOUNT, [OPEN])
    with pytest.raises(CommandRejected, match="Insufficient funds: account acc-1 holds 100, "
                                              "cannot withdraw 101"):
        BANK_ACCOUNT.decide(state, cmd("WithdrawMoney", accountId="acc-1", amount=101))
    state, _ = run(BANK_ACCOUNT, [cmd("WithdrawMoney", accountId="acc-1", amount=100)], state)
    assert state.balance == 0


@pytest.mark.parametrize("command, problem", [
    (cmd("DepositMoney", accountId="acc-1", amount=5), "not open"),
    (cmd("OpenAccount", accountId="acc-1", owner="A", initialBalance=-1), "0 or more"),
    (cmd("OpenAccount", accountId="acc-1", owner="A", initialBalance=1.5), "whole number"),
])
def test_a_closed_account_refuses_money_and_opening_needs_a_sane_balance(command, problem):
    with pytest.raises(CommandRejected, match=problem):
        BANK_ACCOUNT.decide(Account(), command)


@pytest.mark.parametrize("command, problem", [
    (OPEN, "already open"),
    (cmd("DepositMoney", accountId="acc-1", amount=0), "above 0"),
    (cmd("WithdrawMoney", accountId="acc-1", amount=-5), "above 0"),
    (cmd("DepositMoney", accountId="acc-1", amount=True), "whole number"),
    (cmd("DepositMoney", accountId="acc-1", amount="5"), "whole number"),
])
def test_an_open_account_refuses_bad_commands(command, problem):
    state, _ = run(BANK_ACCOUNT, [OPEN])
    with pytest.raises(CommandRejected, match=problem):
        BANK_ACCOUNT.decide(state, command)


def test_validate_names_an_unknown_command_and_a_missing_field():
    with pytest.raises(CommandRejected, match="does not handle CloseAccount"):
        BANK_ACCOUNT.validate(cmd("CloseAccount", accountId="acc-1"))
    with pytest.raises(CommandRejected, match="amount"):
        BANK_ACCOUNT.validate(cmd("DepositMoney", accountId="acc-1"))


def test_evolve_trusts_the_history_and_ignores_unknown_event_types():
    opened = Event("AccountOpened", {"accountId": "a", "initialBalance": 10})
    overdrawn = Event("MoneyWithdrawn", {"accountId": "a", "amount": 30})  # a fact is a fact
    later = Event("AccountNicknamed", {"accountId": "a", "nickname": "x"})
    assert BANK_ACCOUNT.replay([opened, overdrawn, later]).balance == -20


# The legal moves, written out independently of order.ALLOWED_FROM so the test can disagree.
LEGAL = {("new", "PlaceOrder"): "placed", ("placed", "PayOrder"): "paid",
         ("paid", "ShipOrder"): "shipped", ("placed", "CancelOrder"): "cancelled",
         ("paid", "CancelOrder"): "cancelled"}
COMMANDS = {"PlaceOrder": cmd("PlaceOrder", orderId="o-1", customerId="c-1", total=2500),
            "PayOrder": cmd("PayOrder", orderId="o-1", amount=2500),
            "ShipOrder": cmd("ShipOrder", orderId="o-1"),
            "CancelOrder": cmd("CancelOrder", orderId="o-1", reason="changed mind")}
REACH = {"new": [], "placed": ["PlaceOrder"], "paid": ["PlaceOrder", "PayOrder"],
         "shipped": ["PlaceOrder", "PayOrder", "ShipOrder"],
         "cancelled": ["PlaceOrder", "CancelOrder"]}


@pytest.mark.parametrize("status", list(REACH))
@pytest.mark.parametrize("kind", list(COMMANDS))
def test_an_order_moves_only_along_legal_transitions(status, kind):
    state, _ = run(ORDER, [COMMANDS[k] for k in REACH[status]])
    assert state.status == status
    if (status, kind) in LEGAL:
        assert run(ORDER, [COMMANDS[kind]], state)[0].status == LEGAL[(status, kind)]
    else:
        with pytest.raises(CommandRejected, match=f"order o-1 is {status}: {kind} is allowed"):
            ORDER.decide(state, COMMANDS[kind])


def test_a_payment_must_settle_the_order_and_a_paid_cancellation_refunds_it():
    placed, _ = run(ORDER, [COMMANDS["PlaceOrder"]])
    with pytest.raises(CommandRejected, match="costs 2500"):
        ORDER.decide(placed, cmd("PayOrder", orderId="o-1", amount=2000))
    state, events = run(ORDER, [COMMANDS["PayOrder"], COMMANDS["CancelOrder"]], placed)
    assert events[-1].data == {"orderId": "o-1", "reason": "changed mind", "refund": 2500}
    assert state == Order("o-1", "c-1", 2500, 0, "cancelled")


def history(*amounts: int) -> list[Recorded]:
    """An account opened with the first amount, then deposits, one per hour from 10:00."""
    events = [Event("AccountOpened", {"accountId": "a", "initialBalance": amounts[0]},
                    timestamp="2026-03-30T10:00:00.000Z")]
    events += [Event("MoneyDeposited", {"accountId": "a", "amount": amount},
                     timestamp=f"2026-03-30T{10 + i}:00:00.000Z")
               for i, amount in enumerate(amounts[1:], start=1)]
    return [Recorded("account-a", n, 100 + n, e) for n, e in enumerate(events, start=1)]


def test_time_travel_to_a_version():
    past = history(100, 10, 20, 40)
    assert [state_at(BANK_ACCOUNT, past, version=v).balance for v in range(6)] == [
        0, 100, 110, 130, 170, 170]


@pytest.mark.parametrize("moment, balance", [
    ("2026-03-30T09:59:59Z", 0), ("2026-03-30T10:00:00Z", 100), ("2026-03-30T11:30:00Z", 110),
    ("2026-03-30T14:00:00+02:00", 130),  # 12:00 UTC
    (datetime(2026, 3, 30, 23, tzinfo=timezone.utc), 170),
])
def test_time_travel_to_a_moment(moment, balance):
    assert state_at(BANK_ACCOUNT, history(100, 10, 20, 40), at=moment).balance == balance


def test_time_travel_stops_at_the_first_event_past_the_moment_even_with_clock_skew():
    past = history(100, 10, 20)
    skewed = Event("MoneyDeposited", {"accountId": "a", "amount": 1000},
                   timestamp="2026-03-30T09:00:00Z")
    past.append(Recorded("account-a", 4, 200, skewed))
    assert state_at(BANK_ACCOUNT, past, at="2026-03-30T11:30:00Z").balance == 110


def test_time_travel_needs_exactly_one_point():
    with pytest.raises(ValueError, match="exactly one"):
        state_at(BANK_ACCOUNT, [], version=1, at="2026-03-30T10:00:00Z")
    with pytest.raises(ValueError, match="exactly one"):
        state_at(BANK_ACCOUNT, [])


def test_the_timeline_pairs_each_event_with_the_state_after_it():
    assert [(r.version, s.balance) for r, s in timeline(BANK_ACCOUNT, history(5, 1, 2))] == [
        (1, 5), (2, 6), (3, 8)]


@pytest.mark.parametrize("text", ["2026-03-30T10:00:00Z", "2026-03-30T10:00:00.123456789Z",
                                  "2026-03-30T12:00:00.1+02:00"])
def test_instant_reads_java_and_javascript_timestamps(text):
    assert instant(text).astimezone(timezone.utc).replace(microsecond=0) == datetime(
        2026, 3, 30, 10, tzinfo=timezone.utc)
