"""Throughput of the patterns (projector, outbox relay) against the raw consume rate measured
in the same run (`python tools/bench_patterns.py`, or `bench.py` calls :func:`part_patterns`).

Prints figures, asserts nothing. Against EDA_LAB_BOOTSTRAP, in topics of its own (random
names, deleted at the end) and SQLite files in a temporary folder:

  p. projection: N order events through the Projector into ``order_summaries`` (one SQLite
     transaction per PROJECTOR_BATCH events, checkpoint included, Kafka commit after), as a
     ratio to a bare KafkaConsumer + json.loads loop over the same topic with the same fetch
     settings (goal >= 0.5);
  r. relay: N events appended to a SQLite event store, then published by the OutboxRelay
     (acks, then mark sent), as rows/s beside the raw producer rate of the same records.

Each side runs --repeat times, alternating, and the best run counts (the machine may be
shared). Usage: python tools/bench_patterns.py [--events N] [--relay N] [--repeat R] [--only pr]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench_common import FAST_READ, PARTITIONS, PRODUCER_TUNING, raw_consume, row

from eda_lab.clients import create_topic, delete_topic
from eda_lab.clients.cluster import cluster_info
from eda_lab.clients.producing import make_producer
from eda_lab.messages.envelope import Event
from eda_lab.patterns import ORDER_SUMMARIES, HandlerLoop, OutboxRelay, Projector
from eda_lab.patterns.eventsourcing import ANY, SQLiteEventStore
from eda_lab.settings import Settings, get_settings

KINDS = ("OrderPlaced", "OrderPaid", "OrderShipped")
PROJECTOR_BATCH = 10_000  # events per SQLite transaction (measured: 10,000 beat 5,000 and 20,000)


def order_event(i: int, orders: int = 10_000) -> tuple[str, Event]:
    order = f"ord-{i % orders}"
    return order, Event(KINDS[(i // orders) % 3], {"orderId": order, "customerId": "c-1",
                                                   "total": 100 + i % 50, "amount": 100 + i % 50},
                        source="bench")


def fill(settings: Settings, topic: str, n: int) -> float:
    """Put ``n`` order events on ``topic`` with a raw producer; returns records/s."""
    producer = make_producer(settings, **PRODUCER_TUNING)
    start = time.perf_counter()
    for i in range(n):
        key, event = order_event(i)
        producer.send(topic, key=key.encode(), value=event.to_json(), headers=event.headers())
    producer.flush()
    rate = n / (time.perf_counter() - start)
    producer.close()
    return rate



def project(settings: Settings, topic: str, folder: Path, n: int) -> float:
    """The Projector over the whole topic into a fresh SQLite file; events/s."""
    group = f"bench-projector-{uuid.uuid4().hex[:8]}"
    projector = Projector(folder / f"{group}.db", topic, group, ORDER_SUMMARIES, settings,
                          batch_size=PROJECTOR_BATCH, **FAST_READ)
    start = time.perf_counter()
    report = projector.run(max_events=n, idle_s=10, timeout_s=1800)
    rate = report.seen / (time.perf_counter() - start)
    if report.seen != n or projector.lag() != 0:
        raise RuntimeError(f"the projector read {report.seen} of {n} events")
    return rate


def loop_only(settings: Settings, topic: str, n: int) -> float:
    """The HandlerLoop decoding every event and doing nothing with it: where the time goes."""
    loop = HandlerLoop(topic, group=f"bench-loop-{uuid.uuid4().hex[:8]}", settings=settings,
                       batch_handler=lambda items: None, batch_size=5_000, **FAST_READ)
    start = time.perf_counter()
    report = loop.run(max_events=n, idle_s=10, timeout_s=1800)
    return report.seen / (time.perf_counter() - start)


def bench_projection(settings: Settings, topic: str, folder: Path, n: int,
                     repeat: int) -> dict[str, float]:
    """Best events/s of the projector, the bare loop and the raw consume loop; the ratio."""
    best = {"projector": 0.0, "loop": 0.0, "raw": 0.0}
    for _ in range(repeat):
        best["raw"] = max(best["raw"], raw_consume(settings, topic))
        best["loop"] = max(best["loop"], loop_only(settings, topic, n))
        best["projector"] = max(best["projector"], project(settings, topic, folder, n))
    return {**best, "ratio": best["projector"] / best["raw"]}


def bench_relay(settings: Settings, topic: str, folder: Path, n: int,
                repeat: int) -> dict[str, float]:
    """Best rows/s of the outbox relay (publish, acks, mark sent) from a store of ``n``."""
    best = 0.0
    for _ in range(repeat):
        store = SQLiteEventStore(str(folder / f"store-{uuid.uuid4().hex[:8]}.db"),
                                 synchronous="NORMAL")
        for first in range(0, n, 1_000):  # batches of appends: filling is not what we measure
            for key, event in [order_event(i) for i in range(first, min(n, first + 1_000))]:
                store.append(key, [event], ANY)
        relay = OutboxRelay(store, topic, settings, batch_rows=2_000, **PRODUCER_TUNING)
        start = time.perf_counter()
        report = relay.run(max_rows=n, idle_s=5, timeout_s=1800)
        best = max(best, report.sent / (time.perf_counter() - start))
        store.close()
    return {"relay": best}



def part_patterns(settings: Settings, n: int = 100_000, relay_n: int = 20_000,
                  repeat: int = 2, only: str = "pr") -> dict[str, float]:
    """Run the pattern benchmarks in topics of their own; print and return the figures."""
    prefix = f"bench-{uuid.uuid4().hex[:8]}."
    topics = {"p": prefix + "projection", "r": prefix + "relay"}
    found: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="eda-lab-bench-") as tmp:
        try:
            for topic in topics.values():
                create_topic(topic, partitions=PARTITIONS, settings=settings)
            if "p" in only:
                print(f"\n(p) project {n:,} events into order_summaries, best of {repeat}")
                row("filling the topic (raw producer)", f"{fill(settings, topics['p'], n):,.0f} ev/s")
                found.update(bench_projection(settings, topics["p"], Path(tmp), n, repeat))
                row(f"Projector ({PROJECTOR_BATCH:,} events per transaction)",
                    f"{found['projector']:,.0f} ev/s")
                row("HandlerLoop, decoding only (no view)", f"{found['loop']:,.0f} ev/s")
                row("raw consume + json.loads, same fetch settings", f"{found['raw']:,.0f} ev/s")
                row("ratio projector / raw (goal >= 0.5)", f"{found['ratio']:.2f}")
            if "r" in only:
                print(f"\n(r) relay {relay_n:,} outbox rows to Kafka, best of {repeat}")
                found.update(bench_relay(settings, topics["r"], Path(tmp), relay_n, repeat))
                row("OutboxRelay (publish, acks, mark sent)", f"{found['relay']:,.0f} rows/s")
                row("raw producer, same records", f"{fill(settings, topics['r'], relay_n):,.0f} ev/s")
        finally:
            for topic in topics.values():
                delete_topic(topic, settings)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="events to project")
    parser.add_argument("--relay", type=int, default=20_000, help="outbox rows to relay")
    parser.add_argument("--repeat", type=int, default=2, help="runs per side")
    parser.add_argument("--only", default="pr", help="parts to run, e.g. --only p")
    args = parser.parse_args()
    settings = get_settings()
    cluster_info(settings, timeout_s=10)  # BrokerUnreachable says how to start one
    print(f"eda-lab pattern bench against {settings.bootstrap}, {PARTITIONS} partitions per topic")
    part_patterns(settings, args.events, args.relay, args.repeat, args.only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
