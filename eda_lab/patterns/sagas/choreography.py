"""The choreographed saga: four services, each a :class:`HandlerLoop` in its own group, reacting
to each other's events, with no one in charge.

::

    orders     OrderPlaced ─► payment ─► payments   PaymentProcessed ─► inventory ─► inventory
                                                    PaymentFailed ─► order: OrderCancelled
    inventory  InventoryReserved ─► shipping ─► shipping  OrderShipped ─► order: shipped
               InventoryFailed ─► payment: PaymentRefunded ─► order: OrderCancelled

Each service's step is a pure decision (:mod:`.decisions`) applied to its SQLite tables
(:class:`.Ledger`) in one transaction; its answer gets an id derived from the event it answers
(:func:`.follow`), so a redelivery re-publishes the same event and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from ...clients import create_topic
from ...messages.envelope import Event
from ...namespace import Namespace
from ...settings import Settings
from ..progress import Send
from .decisions import ORDER_TERMINAL
from .follow import follow
from .knobs import CrashOnce, FailureKnobs
from .ledger import Ledger
from .services import ServiceLoops, ServiceSpec

TOPICS = ("orders", "payments", "inventory", "shipping")
Answer = tuple[str, str | None] | None  # (short topic, event type to publish) or not for me
Step = Callable[[Ledger, FailureKnobs, Event], Answer]


CANCELLING = ("PaymentFailed", "PaymentRefunded")


def _order(ledger: Ledger, knobs: FailureKnobs, event: Event) -> Answer:
    if event.event_type not in ("OrderPlaced", "OrderShipped", *CANCELLING):
        return None
    order_id = event.data["orderId"]
    ledger.order(order_id, event.event_type)
    if event.event_type in CANCELLING and ledger.status("orders", order_id) == "cancelled":
        return "orders", "OrderCancelled"
    return "orders", None


def _payment(ledger: Ledger, knobs: FailureKnobs, event: Event) -> Answer:
    d = event.data
    if event.event_type == "OrderPlaced":
        ok = ledger.charge(d["orderId"], d["amount"], knobs.declines(d["orderId"]))
        return "payments", "PaymentProcessed" if ok else "PaymentFailed"
    if event.event_type == "InventoryFailed":  # the compensation: undo this service's step
        ledger.refund(d["orderId"])
        return "payments", "PaymentRefunded"
    return None


def _inventory(ledger: Ledger, knobs: FailureKnobs, event: Event) -> Answer:
    if event.event_type != "PaymentProcessed":
        return None
    d = event.data
    ok = ledger.reserve(d["orderId"], d["sku"], d["quantity"])
    return "inventory", "InventoryReserved" if ok else "InventoryFailed"


def _shipping(ledger: Ledger, knobs: FailureKnobs, event: Event) -> Answer:
    if event.event_type != "InventoryReserved":
        return None
    ledger.ship(event.data["orderId"])
    return "shipping", "OrderShipped"


# service: (the topics it reads, its step)
SERVICES: dict[str, tuple[tuple[str, ...], Step]] = {
    "order": (("orders", "payments", "shipping"), _order),
    "payment": (("orders", "inventory"), _payment),
    "inventory": (("payments",), _inventory),
    "shipping": (("inventory",), _shipping),
}


def service_handler(name: str, ledger: Ledger, knobs: FailureKnobs, ns: Namespace,
                    step: Step | None = None):
    """The handler of one service: its step, the crash knob, and the event it answers with.

    Example: ``HandlerLoop(ns.topic("payments"), group=..., handler=service_handler("inventory",
    ledger, knobs, ns))``. ``step`` replaces the service's own step (the exercises use it).
    """
    step = step or SERVICES[name][1]
    crash = CrashOnce(name, knobs.crash_after)

    def handle(event: Event, record) -> Send | None:
        answer = step(ledger, knobs, event)
        if answer is None:  # an event this service does not react to
            return None
        crash.tick()  # a crash here: the work is committed, its event not yet published
        topic, event_type = answer
        if event_type is None:
            return None
        return Send(ns.topic(topic), follow(event, event_type, event.data, f"{name}-service"),
                    key=event.data["orderId"])

    return handle


def create_saga_topics(ns: Namespace, names: tuple[str, ...] = TOPICS, partitions: int = 3,
                       settings: Settings | None = None) -> list[str]:
    """Create the saga's topics in ``ns``; returns their full names."""
    return [create_topic(ns.topic(n), partitions=partitions, settings=settings).name
            for n in names]


def choreography(ns: Namespace, ledger: Ledger, knobs: FailureKnobs | None = None,
                 settings: Settings | None = None) -> ServiceLoops:
    """The four services of the choreographed saga, ready to :meth:`~ServiceLoops.start`.

    Example::

        ledger = Ledger(str(db_dir / "shop.db"), stock={"sku-1": 40})
        services = choreography(ns, ledger, FailureKnobs(decline_rate=0.2)).start()
        publish_many(ns.topic("orders"), [(o.data["orderId"], o) for o in placed])
        services.settle(lambda: settled(ledger, ids), timeout_s=60, what="every order settled")
        services.stop()
    """
    knobs = knobs or FailureKnobs()
    specs = {name: ServiceSpec(topics, service_handler(name, ledger, knobs, ns))
             for name, (topics, _) in SERVICES.items()}
    return ServiceLoops(ns, specs, ledger.path, settings)


def settled(ledger: Ledger, order_ids: list[str]) -> bool:
    """Whether every order is shipped or cancelled in the order service's table."""
    status = ledger.statuses("orders")
    return all(status.get(o) in ORDER_TERMINAL for o in order_ids)
