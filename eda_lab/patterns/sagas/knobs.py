"""Failure injection for the saga services, reproducible: the same seed fails the same orders.

Whether an order's payment is declined (or a participant ignores it) is drawn from a random
generator seeded with the seed *and the order id*, so the answer does not depend on the order in
which services happen to see events, and a redelivery gets the same answer as the first delivery.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field


class ServiceCrashed(RuntimeError):
    """A service stopped on purpose after recording its work but before publishing the result."""


@dataclass(frozen=True)
class FailureKnobs:
    """What goes wrong in a run.

    ``decline_rate``: share of orders whose payment is declined; ``stock``: units per SKU at the
    start (an order for more than is left fails at the inventory step); ``crash_after``: service
    name to the number of events it handles before it crashes once (after its database commit,
    before its events are published); ``ignore_rate``: share of orders whose inventory step is
    never answered (the orchestrator's timeout gives up on it); ``seed`` makes all of it repeatable.

    >>> knobs = FailureKnobs(decline_rate=0.5, seed=3)
    >>> [knobs.declines(f"order-{n}") for n in range(6)] == [knobs.declines(f"order-{n}")
    ...                                                      for n in range(6)]
    True
    """

    decline_rate: float = 0.0
    stock: Mapping[str, int] = field(default_factory=lambda: {"sku-1": 1_000_000})
    crash_after: Mapping[str, int] = field(default_factory=dict)
    ignore_rate: float = 0.0
    seed: int = 7

    def __post_init__(self) -> None:
        for name in ("decline_rate", "ignore_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} is a share between 0 and 1, got {getattr(self, name)!r}")

    def _draw(self, what: str, order_id: str) -> float:
        return random.Random(f"{self.seed}:{what}:{order_id}").random()

    def declines(self, order_id: str) -> bool:
        """Whether this order's payment is declined."""
        return self._draw("decline", order_id) < self.decline_rate

    def ignores(self, order_id: str) -> bool:
        """Whether the inventory participant never answers this order's reservation."""
        return self._draw("ignore", order_id) < self.ignore_rate


class CrashOnce:
    """Counts a service's handled events and raises :class:`ServiceCrashed` once, at the Nth.

    >>> crash = CrashOnce("payment", {"payment": 2})
    >>> crash.tick()
    >>> crash.tick()
    Traceback (most recent call last):
    eda_lab.patterns.sagas.knobs.ServiceCrashed: payment crashed after handling 2 events (a knob)
    >>> crash.tick()                                   # restarted: it does not crash again
    """

    def __init__(self, service: str, crash_after: Mapping[str, int]) -> None:
        self.service, self.at, self.count = service, crash_after.get(service), 0

    def tick(self) -> None:
        """Call after each event's work is committed."""
        self.count += 1
        if self.at is not None and self.count == self.at:
            raise ServiceCrashed(f"{self.service} crashed after handling {self.count} events "
                                 "(a knob)")
