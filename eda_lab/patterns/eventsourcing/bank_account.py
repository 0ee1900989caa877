"""The article's bank account as pure functions: open, deposit, withdraw; no overdraft.

The article's ``apply`` throws "Insufficient funds" while replaying; here that rule lives in
``decide``, before anything is stored, and ``evolve`` trusts the history. Amounts are whole
numbers of the smallest unit (cents), because floats do not add up exactly.

>>> opening = Command("OpenAccount", {"accountId": "acc-1", "owner": "Ada", "initialBalance": 100})
>>> [opened] = decide_account(Account(), opening)
>>> opened.event_type, opened.causation_id == opening.command_id
('AccountOpened', True)
>>> evolve_account(Account(), opened)
Account(account_id='acc-1', owner='Ada', balance=100, is_open=True)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ...messages import Command, Event
from .aggregate import Aggregate, CommandRejected

SOURCE = "account-service"


@dataclass(frozen=True)
class Account:
    """A bank account's state: what ``evolve`` folds the events into."""

    account_id: str = ""
    owner: str = ""
    balance: int = 0
    is_open: bool = False


def _amount(command: Command, field: str, *, allow_zero: bool = False) -> int:
    value: Any = command.data[field]
    if type(value) is not int or value < 0 or (value == 0 and not allow_zero):
        need = "a whole number, 0 or more" if allow_zero else "a whole number above 0"
        raise CommandRejected(f"{command.command_type}: {field} must be {need}, got {value!r}")
    return value


def decide_account(state: Account, command: Command) -> list[Event]:
    """The events a command causes on this account, or :class:`CommandRejected`."""
    kind, account_id = command.command_type, command.data["accountId"]
    if kind == "OpenAccount":
        if state.is_open:
            raise CommandRejected(f"account {state.account_id} is already open")
        initial = _amount(command, "initialBalance", allow_zero=True)
        return [command.caused("AccountOpened", {"accountId": account_id, "initialBalance":
                                                 initial, "owner": command.data["owner"]},
                               source=SOURCE)]
    if not state.is_open:
        raise CommandRejected(f"account {account_id} is not open: open it first")
    amount = _amount(command, "amount")
    if kind == "DepositMoney":
        return [command.caused("MoneyDeposited", {"accountId": account_id, "amount": amount},
                               source=SOURCE)]
    if kind == "WithdrawMoney":
        if amount > state.balance:
            raise CommandRejected(f"Insufficient funds: account {account_id} holds "
                                  f"{state.balance}, cannot withdraw {amount}")
        return [command.caused("MoneyWithdrawn", {"accountId": account_id, "amount": amount},
                               source=SOURCE)]
    raise CommandRejected(f"the account does not handle {kind}")


def evolve_account(state: Account, event: Event) -> Account:
    """The account after ``event``; event types it does not know leave it unchanged."""
    data = event.data
    if event.event_type == "AccountOpened":
        return Account(data["accountId"], data.get("owner", ""), data["initialBalance"], True)
    if event.event_type == "MoneyDeposited":
        return dataclasses.replace(state, balance=state.balance + data["amount"])
    if event.event_type == "MoneyWithdrawn":
        return dataclasses.replace(state, balance=state.balance - data["amount"])
    return state  # a newer producer's event type: ignoring it keeps old readers working


BANK_ACCOUNT: Aggregate[Account] = Aggregate(
    name="BankAccount", initial=Account(), decide=decide_account, evolve=evolve_account,
    commands={"OpenAccount": ("accountId", "owner", "initialBalance"),
              "DepositMoney": ("accountId", "amount"),
              "WithdrawMoney": ("accountId", "amount")})
