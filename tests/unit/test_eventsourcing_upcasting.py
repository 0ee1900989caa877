"""Upcasting chains as pure functions: v1 -> v2 -> v3 keyed by (type, version); no store needed."""

from __future__ import annotations

import pytest

from eda_lab.messages import Event
from eda_lab.patterns.eventsourcing import (
    Snapshot,
    check_chain,
    current_version,
    upcast_data,
    upcast_event,
    upcast_snapshot,
)


def add_currency(data):
    data["currency"] = "EUR"  # edits its argument on purpose: the chain must not let it leak
    return data


def to_cents(data):
    return {"cents": data["amount"] * 100, "currency": data["currency"]}


CHAIN = {("MoneyDeposited", 1): add_currency, ("MoneyDeposited", 2): to_cents}


@pytest.mark.parametrize("version, data, expected", [
    (1, {"amount": 5}, {"cents": 500, "currency": "EUR"}),
    (2, {"amount": 5, "currency": "SEK"}, {"cents": 500, "currency": "SEK"}),
    (3, {"cents": 7, "currency": "EUR"}, {"cents": 7, "currency": "EUR"}),
])
def test_each_stored_version_is_read_as_the_current_one(version, data, expected):
    old = Event("MoneyDeposited", data, version=version)
    new = upcast_event(CHAIN, old)
    assert (new.version, dict(new.data)) == (3, expected)
    assert (new.event_id, new.timestamp, new.correlation_id) == (
        old.event_id, old.timestamp, old.correlation_id)


def test_upcasting_leaves_the_stored_event_alone():
    old = Event("MoneyDeposited", {"amount": 5})
    upcast_event(CHAIN, old)
    assert old.data == {"amount": 5} and old.version == 1


def test_types_without_steps_come_back_as_they_are():
    withdrawn = Event("MoneyWithdrawn", {"amount": 5})
    assert upcast_event(CHAIN, withdrawn) is withdrawn
    assert current_version(CHAIN, "MoneyWithdrawn") == 1
    assert current_version(CHAIN, "MoneyDeposited") == 3


def test_upcast_data_returns_the_version_reached():
    assert upcast_data(CHAIN, "MoneyDeposited", 2, {"amount": 1, "currency": "EUR"}) == (
        3, {"cents": 100, "currency": "EUR"})


def test_snapshots_are_upcast_by_their_type_and_schema_version():
    chain = {("BankAccount", 1): lambda s: {**s, "currency": "EUR"}}
    old = Snapshot("account-a", 4, "BankAccount", {"balance": 7})
    assert upcast_snapshot(chain, old) == Snapshot("account-a", 4, "BankAccount",
                                                   {"balance": 7, "currency": "EUR"}, 2)
    assert upcast_snapshot(chain, Snapshot("order-1", 1, "Order", {})).schema_version == 1


@pytest.mark.parametrize("chain, problem", [
    ({("OrderPlaced", 1): to_cents, ("OrderPlaced", 3): to_cents}, r"no \('OrderPlaced', 2\)"),
    ({("OrderPlaced", 0): to_cents}, "start at 1"),
])
def test_a_chain_with_a_hole_is_refused(chain, problem):
    with pytest.raises(ValueError, match=problem):
        check_chain(chain)
