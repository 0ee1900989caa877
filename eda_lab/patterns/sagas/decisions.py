"""What each service decides about one order, as pure functions: the answer and the state change.

Every operation of a saga, forward or compensating, is written so that running it again changes
nothing: it looks at what the service already recorded for the order and either changes it once
or answers as it answered the first time. That is what makes a redelivered event harmless
(Kafka delivers *at least once*) and lets an orchestrator re-send a command it is unsure of.

A compensation that finds nothing to undo records that (``voided``) so a late forward step for
the same order is refused: a refund that overtakes its charge must not be followed by the charge.
"""

from __future__ import annotations

from dataclasses import dataclass

ORDER_TERMINAL = ("shipped", "cancelled")


@dataclass(frozen=True)
class Decision:
    """``new_status`` to record (None: nothing changes) and the answer ``ok``, the same answer
    on every redelivery.

    >>> charge(None, declined=False)
    Decision(new_status='charged', ok=True)
    >>> charge("charged", declined=False)            # the same event again: no second charge
    Decision(new_status=None, ok=True)
    """

    new_status: str | None
    ok: bool


def charge(current: str | None, declined: bool) -> Decision:
    """Payment: take the money once; a decline, a refund or a void is never turned into a charge."""
    if current is None:
        return Decision("declined", False) if declined else Decision("charged", True)
    return Decision(None, current == "charged")


def refund(current: str | None) -> Decision:
    """Payment's compensation: give the money back once; with no charge, void the order.

    >>> refund("charged"), refund("refunded")
    (Decision(new_status='refunded', ok=True), Decision(new_status=None, ok=True))
    """
    if current == "charged":
        return Decision("refunded", True)
    if current is None:
        return Decision("voided", True)
    return Decision(None, True)


def reserve(current: str | None, in_stock: int, quantity: int) -> Decision:
    """Inventory: reserve once if the stock is there; a release or a void is final.

    >>> reserve(None, in_stock=1, quantity=2)
    Decision(new_status='unavailable', ok=False)
    """
    if current is None:
        return Decision("reserved", True) if in_stock >= quantity else Decision("unavailable", False)
    return Decision(None, current == "reserved")


def release(current: str | None) -> Decision:
    """Inventory's compensation: put the stock back once; with no reservation, void the order."""
    if current == "reserved":
        return Decision("released", True)
    if current is None:
        return Decision("voided", True)
    return Decision(None, True)


def ship(current: str | None) -> Decision:
    """Shipping: ship once. It has no compensation: it comes last, after every step that can fail."""
    return Decision("shipped" if current is None else None, current in (None, "shipped"))


def order_status(current: str | None, event_type: str) -> Decision:
    """The order service (choreography): placed, then shipped or cancelled, and never back.

    A cancelling event can arrive before ``OrderPlaced`` (they come on different topics), so a
    missing order can be cancelled, and a terminal order ignores everything after.

    >>> order_status("pending", "PaymentFailed")
    Decision(new_status='cancelled', ok=True)
    >>> order_status("cancelled", "OrderPlaced")      # late, or redelivered: stays cancelled
    Decision(new_status=None, ok=True)
    """
    if current in ORDER_TERMINAL:
        return Decision(None, True)
    if event_type == "OrderPlaced":
        return Decision("pending" if current is None else None, True)
    if event_type in ("PaymentFailed", "PaymentRefunded"):
        return Decision("cancelled", True)
    if event_type == "OrderShipped":
        return Decision("shipped", True)
    return Decision(None, False)
