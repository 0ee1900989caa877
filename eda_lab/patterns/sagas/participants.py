"""The orchestrated saga's participants: payment, inventory and shipping, taking commands.

Each reads ``saga-commands`` in its own group, does the commands addressed to it with the same
idempotent :class:`.Ledger` operations as the choreographed services, and replies on
``saga-replies``. A participant knows nothing of the saga: only its commands and its replies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...messages.envelope import Command
from ...namespace import Namespace
from ...settings import Settings
from ..progress import Send
from .follow import follow
from .knobs import CrashOnce, FailureKnobs
from .ledger import Ledger
from .services import ServiceLoops, ServiceSpec

# command: (its participant, reply when it worked, reply when it did not)
REPLIES: Mapping[str, tuple[str, str, str]] = {
    "ChargePayment": ("payment", "PaymentCharged", "PaymentDeclined"),
    "RefundPayment": ("payment", "PaymentRefunded", "PaymentRefunded"),
    "ReserveStock": ("inventory", "StockReserved", "StockUnavailable"),
    "ReleaseStock": ("inventory", "StockReleased", "StockReleased"),
    "ShipOrder": ("shipping", "OrderShipped", "OrderShipped"),
}


def _operate(ledger: Ledger, knobs: FailureKnobs, command: str, d: Mapping[str, Any]) -> bool:
    order_id = d["orderId"]
    if command == "ChargePayment":
        return ledger.charge(order_id, d["amount"], knobs.declines(order_id))
    if command == "RefundPayment":
        return ledger.refund(order_id)
    if command == "ReserveStock":
        return ledger.reserve(order_id, d["sku"], d["quantity"])
    if command == "ReleaseStock":
        return ledger.release(order_id)
    return ledger.ship(order_id)


def participant_handler(name: str, ledger: Ledger, knobs: FailureKnobs, ns: Namespace):
    """The handler of one participant: do the command (idempotently), reply on saga-replies.

    Example: ``pay = participant_handler("payment", ledger, knobs, ns)``, then
    ``pay(command)`` is a :class:`Send` of ``PaymentCharged`` (or None: not its command).
    """
    crash = CrashOnce(name, knobs.crash_after)

    def handle(command: Command, record: Any = None) -> Send | None:
        kind, d = command.command_type, command.data
        if REPLIES.get(kind, ("",))[0] != name:
            return None
        if kind == "ReserveStock" and knobs.ignores(d["orderId"]):
            return None  # the knob: this participant never answers, the saga's timeout decides
        ok = _operate(ledger, knobs, kind, d)
        crash.tick()
        _, worked, failed = REPLIES[kind]
        answer = {"orderId": d["orderId"], "sagaId": d["sagaId"], "command": kind, "ok": ok}
        return Send(ns.topic("saga-replies"), follow(command, worked if ok else failed, answer,
                                                     f"{name}-service"), key=d["sagaId"])

    return handle


def participants(ns: Namespace, ledger: Ledger, knobs: FailureKnobs | None = None,
                 settings: Settings | None = None) -> ServiceLoops:
    """Payment, inventory and shipping reading ``saga-commands``, ready to start.

    Example: ``workers = participants(ns, Ledger("shop.db"), FailureKnobs(ignore_rate=0.1))``,
    then ``workers.start()`` and, at the end, ``workers.stop()``.
    """
    knobs = knobs or FailureKnobs()
    specs = {name: ServiceSpec(("saga-commands",), participant_handler(name, ledger, knobs, ns),
                               decode=lambda r: r.command)
             for name in ("payment", "inventory", "shipping")}
    return ServiceLoops(ns, specs, ledger.path, settings)
