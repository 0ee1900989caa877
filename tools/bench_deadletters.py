"""Throughput of the dead-letter router with no failures, as a ratio to the raw consume rate
measured in the same run (`python tools/bench_deadletters.py`, or call :func:`part_deadletters`).

Prints figures, asserts nothing. Against EDA_LAB_BOOTSTRAP, in a topic of its own (random
name, deleted at the end, with its retry and dead-letter topics):

  d. N order events through ``DeadLetterRouter(...).loop()`` (decode and validate each event,
     call the wrapped handler, commit after each batch) in a fresh group, as a ratio to a bare
     KafkaConsumer + json.loads loop over the same topic with the same fetch settings
     (goal >= 0.5); beside it the same handler in a bare HandlerLoop, so the router's own
     cost is seen apart from the loop's. The handler does nothing and never fails: this is the router's overhead
     on the happy path, the price every record pays for failures being parked safely.

Each side runs --repeat times, alternating, and the best run counts (the machine may be
shared). Usage: python tools/bench_deadletters.py [--events N] [--repeat R]
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid

from bench_common import FAST_READ, PARTITIONS, PRODUCER_TUNING, raw_consume, row

from eda_lab.clients import create_topic, delete_topic
from eda_lab.clients.cluster import cluster_info
from eda_lab.clients.producing import make_producer
from eda_lab.messages.envelope import Event
from eda_lab.patterns import HandlerLoop
from eda_lab.patterns.deadletters import DeadLetterRouter, RetryPolicy
from eda_lab.settings import Settings, get_settings


def fill(settings: Settings, topic: str, n: int) -> float:
    """Put ``n`` order events on ``topic`` with a raw producer; returns records/s."""
    producer = make_producer(settings, **PRODUCER_TUNING)
    start = time.perf_counter()
    for i in range(n):
        order = f"ord-{i % 10_000}"
        event = Event("OrderPlaced", {"orderId": order, "amount": 100 + i % 50}, source="bench")
        producer.send(topic, key=order.encode(), value=event.to_json(), headers=event.headers())
    producer.flush()
    rate = n / (time.perf_counter() - start)
    producer.close()
    return rate



def route(settings: Settings, topic: str, n: int) -> float:
    """The router's loop over the whole topic in a new group, nothing failing; records/s."""
    handled = [0]

    def handle(event: Event, record: object) -> None:
        handled[0] += 1

    group = f"bench-router-{uuid.uuid4().hex[:8]}"
    with DeadLetterRouter(topic, group=group, handler=handle, settings=settings,
                          policy=RetryPolicy(delays_s=(1, 5))) as router:
        loop = router.loop(batch_size=5_000, **FAST_READ)
        start = time.perf_counter()
        report = loop.run(max_events=n, idle_s=10, timeout_s=1800)
        rate = report.seen / (time.perf_counter() - start)
    if handled[0] != n or sum(router.parked.values()):
        raise RuntimeError(f"the router handled {handled[0]} of {n} events, parked "
                           f"{dict(router.parked)}")
    return rate


def plain_loop(settings: Settings, topic: str, n: int) -> float:
    """The same handler in a bare HandlerLoop (a failure would stop it); records/s."""
    loop = HandlerLoop(topic, group=f"bench-loop-{uuid.uuid4().hex[:8]}", settings=settings,
                       handler=lambda event, record: None, batch_size=5_000, **FAST_READ)
    start = time.perf_counter()
    report = loop.run(max_events=n, idle_s=10, timeout_s=1800)
    return report.seen / (time.perf_counter() - start)



def part_deadletters(settings: Settings, n: int = 50_000, repeat: int = 2) -> dict[str, float]:
    """Run the dead-letter router benchmark in topics of its own; print and return figures."""
    topic = f"bench-{uuid.uuid4().hex[:8]}.deadletters"
    policy = RetryPolicy(delays_s=(1, 5))
    found = {"router": 0.0, "loop": 0.0, "raw": 0.0}
    try:
        for name in [topic, *policy.topics(topic)]:
            create_topic(name, partitions=PARTITIONS, settings=settings)
        print(f"\n(d) {n:,} events through the dead-letter router, no failures, best of {repeat}")
        row("filling the topic (raw producer)", f"{fill(settings, topic, n):,.0f} ev/s")
        for _ in range(repeat):
            found["raw"] = max(found["raw"], raw_consume(settings, topic))
            found["router"] = max(found["router"], route(settings, topic, n))
            found["loop"] = max(found["loop"], plain_loop(settings, topic, n))
        found["ratio"] = found["router"] / found["raw"]
        row("DeadLetterRouter loop (decode, handle, commit)", f"{found['router']:,.0f} ev/s")
        row("HandlerLoop alone, same handler (no parking)", f"{found['loop']:,.0f} ev/s")
        row("raw consume + json.loads, same fetch settings", f"{found['raw']:,.0f} ev/s")
        row("ratio router / HandlerLoop alone", f"{found['router'] / found['loop']:.2f}",
            "the router's own cost")
        row("ratio router / raw (goal >= 0.5)", f"{found['ratio']:.2f}",
            "met" if found["ratio"] >= 0.5 else "NOT met")
    finally:
        for name in [topic, *policy.topics(topic)]:
            delete_topic(name, settings)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000, help="events to route")
    parser.add_argument("--repeat", type=int, default=2, help="runs per side")
    args = parser.parse_args()
    settings = get_settings()
    cluster_info(settings, timeout_s=10)  # BrokerUnreachable says how to start one
    print(f"eda-lab dead-letter bench against {settings.bootstrap}, {PARTITIONS} partitions")
    part_deadletters(settings, args.events, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
