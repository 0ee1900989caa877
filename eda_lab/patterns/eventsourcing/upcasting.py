"""Upcasting: stored events and snapshots written at an old schema version are read as the current one.

An upcaster is a pure function from the ``data`` of version n to the ``data`` of version n + 1,
registered under ``(type, n)`` in a plain dict. Reading applies the chain n -> n+1 -> ... until no
step is left, so the stored rows never change and every reader sees only the current shape.

>>> UPCASTERS = {
...     ("MoneyDeposited", 1): lambda d: {**d, "currency": "EUR"},        # v1 -> v2: a new field
...     ("MoneyDeposited", 2): lambda d: {"cents": d["amount"] * 100,     # v2 -> v3: a new unit
...                                       "currency": d["currency"]},
... }
>>> stored = Event("MoneyDeposited", {"amount": 5}, version=1)
>>> read = upcast_event(UPCASTERS, stored)
>>> read.version, read.data, read.event_id == stored.event_id
(3, {'cents': 500, 'currency': 'EUR'}, True)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from ...messages import Event
from .store import Snapshot

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]
Upcasters = Mapping[tuple[str, int], Upcaster]


def check_chain(upcasters: Upcasters) -> None:
    """Refuse a chain with a hole (v1->v2 and v3->v4 but no v2->v3): v2 data would stay stuck.

    >>> check_chain({("OrderPlaced", 1): dict, ("OrderPlaced", 3): dict})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ValueError: upcaster ('OrderPlaced', 3) has no ('OrderPlaced', 2) before it, ...
    """
    for kind, version in upcasters:
        if version < 1:
            raise ValueError(f"upcaster ({kind!r}, {version}): versions start at 1")
        if version > 1 and (kind, version - 1) not in upcasters:
            raise ValueError(f"upcaster ({kind!r}, {version}) has no ({kind!r}, {version - 1}) "
                             f"before it, so {kind} v{version - 1} could not be read as current")


def current_version(upcasters: Upcasters, kind: str) -> int:
    """The version ``kind`` is read as: one past the last upcaster, or 1 when there is none."""
    steps = [version for k, version in upcasters if k == kind]
    return max(steps) + 1 if steps else 1


def upcast_data(upcasters: Upcasters, kind: str, version: int,
                data: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    """Lift ``data`` of ``kind`` at ``version`` through the chain; returns (version, data).

    >>> upcast_data({("MoneyDeposited", 1): lambda d: {**d, "currency": "EUR"}},
    ...             "MoneyDeposited", 1, {"amount": 5})
    (2, {'amount': 5, 'currency': 'EUR'})
    """
    lifted = dict(data)  # each step gets a copy: an upcaster that edits in place harms nothing
    while (kind, version) in upcasters:
        lifted = dict(upcasters[(kind, version)](dict(lifted)))
        version += 1
    return version, lifted


def upcast_event(upcasters: Upcasters, event: Event) -> Event:
    """The event as its current version; the same object when nothing applies."""
    if (event.event_type, event.version) not in upcasters:
        return event
    version, data = upcast_data(upcasters, event.event_type, event.version, event.data)
    return dataclasses.replace(event, version=version, data=data)


def upcast_snapshot(upcasters: Upcasters, snapshot: Snapshot) -> Snapshot:
    """The snapshot as its current schema version; the same object when nothing applies."""
    if (snapshot.snapshot_type, snapshot.schema_version) not in upcasters:
        return snapshot
    version, state = upcast_data(upcasters, snapshot.snapshot_type, snapshot.schema_version,
                                 snapshot.state)
    return dataclasses.replace(snapshot, schema_version=version, state=state)
