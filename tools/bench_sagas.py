"""Sagas completed per second for a batch of orders, choreographed and orchestrated
(`python tools/bench_sagas.py [--orders N] [--repeat R]`).

Prints figures, asserts nothing. Against EDA_LAB_BOOTSTRAP, in a namespace of its own (random
prefix, reset at the end), with SQLite files in a temporary folder:

  choreography   the four services (order, payment, inventory, shipping) as HandlerLoops, each
                 step a SQLite transaction, each answer a Kafka record waited for (acks=all);
  orchestration  the orchestrator (state + outbox in one transaction, a relay publishing the
                 commands) and three participants.

The clock starts when every service has joined its group and the first order is published, and
stops when the last saga is terminal (orders: shipped or cancelled; sagas: completed or
compensated). 10% of payments are declined (a fixed seed), so both paths are exercised. Each
style runs --repeat times in a fresh namespace and the best run counts (the machine is shared).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from eda_lab.clients import EventPublisher, reset_namespace
from eda_lab.clients.cluster import cluster_info
from eda_lab.namespace import Namespace
from eda_lab.patterns.sagas import (
    COMPENSATED,
    COMPLETED,
    ORCHESTRATION_TOPICS,
    FailureKnobs,
    Ledger,
    Orchestrator,
    SagaStore,
    choreography,
    create_saga_topics,
    order_placed,
    participants,
    settled,
)
from eda_lab.settings import Settings, get_settings

KNOBS = FailureKnobs(decline_rate=0.1, stock={"sku-1": 10_000_000}, seed=1)


def _publish(settings: Settings, ns: Namespace, n: int) -> list[str]:
    placed = [order_placed(f"order-{i:06}") for i in range(n)]
    with EventPublisher(settings) as publisher:
        publisher.publish_many(ns.topic("orders"), [(e.data["orderId"], e) for e in placed])
    return [e.data["orderId"] for e in placed]


def choreographed(settings: Settings, folder: Path, n: int) -> float:
    """Sagas per second through the four choreographed services."""
    ns = Namespace(f"bench-{uuid.uuid4().hex[:8]}", "sagas")
    create_saga_topics(ns, settings=settings)
    ledger = Ledger(str(folder / f"{ns.prefix}.db"), KNOBS.stock)
    services = choreography(ns, ledger, KNOBS, settings).start(timeout_s=600)
    try:
        services.settle(lambda: services.joined, 60, "every service joined")
        started = time.perf_counter()
        ids = _publish(settings, ns, n)
        services.settle(lambda: settled(ledger, ids), 600, "every order settled")
        return n / (time.perf_counter() - started)
    finally:
        services.stop()
        reset_namespace(ns, settings, timeout_s=30)


def orchestrated(settings: Settings, folder: Path, n: int) -> float:
    """Sagas per second through the orchestrator, its outbox relay and three participants."""
    ns = Namespace(f"bench-{uuid.uuid4().hex[:8]}", "sagas")
    create_saga_topics(ns, ORCHESTRATION_TOPICS, settings=settings)
    ledger = Ledger(str(folder / f"{ns.prefix}.db"), KNOBS.stock)
    store = SagaStore(str(folder / f"{ns.prefix}-sagas.db"))
    services = participants(ns, ledger, KNOBS, settings).start(timeout_s=600)
    orchestrator = Orchestrator(ns, store, step_timeout_s=60, settings=settings).start(600)

    def ended() -> bool:
        status = store.statuses()
        return len(status) == n and all(s in (COMPLETED, COMPENSATED) for s in status.values())

    try:
        services.settle(lambda: services.joined and orchestrator.loop.joined, 60, "all joined")
        started = time.perf_counter()
        _publish(settings, ns, n)
        services.settle(ended, 600, "every saga ended")
        return n / (time.perf_counter() - started)
    finally:
        orchestrator.stop()
        services.stop()
        reset_namespace(ns, settings, timeout_s=30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    settings = get_settings()
    cluster_info(settings, timeout_s=10)  # BrokerUnreachable says how to start one
    print(f"eda-lab saga bench against {settings.bootstrap}: {args.orders} orders, "
          f"best of {args.repeat}, 3 partitions per topic, 10% declined")
    with tempfile.TemporaryDirectory(prefix="bench-sagas-") as tmp:
        best = {}
        for name, run in (("choreography", choreographed), ("orchestration", orchestrated)):
            rates = [run(settings, Path(tmp), args.orders) for _ in range(args.repeat)]
            best[name] = max(rates)
            print(f"  {name:<14} {best[name]:8.1f} sagas/s  (runs: "
                  f"{', '.join(f'{r:.1f}' for r in rates)})")
    # The orchestrator adds a hop per step (command, then reply) and an outbox write per reply.
    print(f"  orchestration / choreography: {best['orchestration'] / best['choreography']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
