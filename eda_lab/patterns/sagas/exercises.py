"""The checks for lesson 07's exercises: write a compensation, make a step idempotent.

Both run the learner's function without a broker, on the cases a saga meets for real:
a redelivered event, a compensation that arrives twice, one that arrives before (or without)
the step it undoes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from ...exercises import answer_of, described, not_answered, verdict
from .decisions import Decision

# (payment status now, what the refund must decide, why this case matters)
REFUND_CASES = [
    ("charged", Decision("refunded", True), "the usual case: give the money back"),
    ("refunded", Decision(None, True), "the compensation delivered twice: refund once, answer again"),
    (None, Decision("voided", True), "the refund overtook the charge (or the charge never "
     "arrived): record that, so a late charge is refused"),
    ("declined", Decision(None, True), "nothing was taken: nothing to give back"),
    ("voided", Decision(None, True), "already voided: nothing changes"),
]


def check_compensation(refund: Callable[[str | None], Decision] | None,
                       name: str = "the refund undoes the charge once") -> None:
    """Ask ``refund(current)`` about each payment status and compare with what a saga needs."""
    if refund is None:
        not_answered(name, "return Decision(new_status, ok) for each "
                     "status the payment may be in, None included")
        return
    for current, want, why in REFUND_CASES:
        got = answer_of(refund, current)
        if got != want:
            verdict(name, False, want, got, f"status {current!r}, {why}")
            return
    verdict(name, True)


PARCELS = "CREATE TABLE parcels (order_id TEXT NOT NULL)"  # no key: nothing stops a second row


def ship_naive(db: sqlite3.Connection, order_id: str) -> bool:
    """Shipping's step done wrong: every delivery of ``InventoryReserved`` sends a parcel."""
    with db:
        db.execute("INSERT INTO parcels VALUES (?)", (order_id,))
    return True


def check_idempotent_step(ship: Callable[[sqlite3.Connection, str], bool] | None,
                          name: str = "one parcel per order, however often the event comes"
                          ) -> None:
    """Deliver ``InventoryReserved`` for o-1 three times (two redeliveries) and o-2 once; each
    order must get one parcel, and every delivery the same answer (True)."""
    if ship is None:
        not_answered(name, "look for the order's parcel first, in the "
                     "same transaction as the insert")
        return
    db = sqlite3.connect(":memory:")
    db.execute(PARCELS)
    answers = []
    for order_id in ("o-1", "o-2", "o-1", "o-1"):
        try:
            answers.append(ship(db, order_id))
        except Exception as exc:  # the learner's error is the answer being checked
            verdict(name, False, "True", described(exc), f"shipping {order_id}")
            return
    parcels = dict(db.execute("SELECT order_id, count(*) FROM parcels GROUP BY order_id"))
    if parcels != {"o-1": 1, "o-2": 1}:
        verdict(name, False, {"o-1": 1, "o-2": 1}, parcels, "the redelivered o-1")
    elif answers != [True] * 4:
        verdict(name, False, [True] * 4, answers,
                "a redelivery gets the answer the first delivery got, so the saga goes on")
    else:
        verdict(name, True)
