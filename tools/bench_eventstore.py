"""Throughput of the SQLite event store: appends and replay (prints figures, asserts nothing).

In a temporary directory it measures:

  a. appends/s with one event per append, and with batches of 100 (synchronous FULL and NORMAL);
  b. replay of --events events (default 100,000): read_all in pages of 1,000 (decode + upcast),
     and one stream read and folded into a BankAccount (load = read_stream + evolve);
  c. with --kafka: the raw consume rate (bare KafkaConsumer + json.loads) of the same number of
     events on EDA_LAB_BOOTSTRAP, in a topic of its own deleted afterwards, and replay / raw.

Each figure is the best of --repeat runs (the machine may be shared).
Usage: python tools/bench_eventstore.py [--events N] [--single N] [--repeat R] [--kafka]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from pathlib import Path

from eda_lab.messages import Event
from eda_lab.patterns.eventsourcing import ANY, BANK_ACCOUNT, SQLiteEventStore, load


def deposits(n: int, seed: int = 0) -> list[Event]:
    rng = random.Random(seed)  # uuid4 reads os.urandom per call; this is faster and repeatable
    return [Event("MoneyDeposited", {"accountId": "a", "amount": rng.randrange(1, 500)},
                  event_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)), source="bench")
            for _ in range(n)]


def append_rate(path: Path, n: int, batch: int, synchronous: str) -> float:
    """Events/s appending ``n`` events in appends of ``batch``, to 100 streams in turn."""
    events = deposits(n, seed=n * batch)
    with SQLiteEventStore(str(path), synchronous=synchronous) as store:
        start = time.perf_counter()
        for i in range(0, n, batch):
            store.append(f"account-{i // batch % 100}", events[i:i + batch], ANY)
        return n / (time.perf_counter() - start)


def fill(path: Path, n: int) -> None:
    opened = [Event("AccountOpened", {"accountId": "a", "owner": "b", "initialBalance": 0})]
    with SQLiteEventStore(str(path), synchronous="NORMAL") as store:
        store.append("account-big", opened + deposits(n - 1, seed=1), 0)


def replay_all_rate(path: Path, n: int) -> float:
    with SQLiteEventStore(str(path)) as store:
        start, read, after = time.perf_counter(), 0, 0
        while page := store.read_all(from_position=after + 1, limit=1_000):
            read, after = read + len(page), page[-1].position
        assert read == n, read
        return n / (time.perf_counter() - start)


def load_rate(path: Path, n: int) -> float:
    with SQLiteEventStore(str(path)) as store:
        start = time.perf_counter()
        loaded = load(store, BANK_ACCOUNT, "account-big", use_snapshot=False)
        assert loaded.version == n, loaded.version
        return n / (time.perf_counter() - start)


def raw_consume_rate(n: int) -> float:
    """Events/s of a bare KafkaConsumer reading ``n`` events and json.loads-ing each."""
    from bench_common import PRODUCER_TUNING, raw_consume

    from eda_lab.clients import create_topic, delete_topic
    from eda_lab.clients.producing import make_producer
    from eda_lab.settings import get_settings

    settings, topic = get_settings(), f"bench-eventstore-{uuid.uuid4().hex[:8]}"
    create_topic(topic, partitions=1, settings=settings)
    try:
        producer = make_producer(settings, **PRODUCER_TUNING)
        for event in deposits(n, seed=2):
            producer.send(topic, key=b"account-big", value=event.to_json())
        producer.flush()
        producer.close()
        return raw_consume(settings, topic, partitions=1)
    finally:
        delete_topic(topic, settings=settings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=2_000, help="events for one-per-append")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kafka", action="store_true", help="also measure the raw consume rate")
    args = parser.parse_args()
    best = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.repeat):
            for sync in ("FULL", "NORMAL"):
                for batch, n in ((1, args.single), (100, args.single * 10)):
                    rate = append_rate(Path(tmp) / f"append-{run}-{sync}-{batch}.db", n, batch, sync)
                    key = f"append, {batch:>3} event(s) per append, synchronous={sync}"
                    best[key] = max(best.get(key, 0.0), rate)
        big = Path(tmp) / "replay.db"
        fill(big, args.events)
        for _ in range(args.repeat):
            for key, fn in ((f"replay {args.events:,} events: read_all pages of 1,000",
                             replay_all_rate),
                            (f"replay {args.events:,} events: load one stream + evolve",
                             load_rate)):
                best[key] = max(best.get(key, 0.0), fn(big, args.events))
        print(f"store file: {big.stat().st_size / args.events:.0f} bytes per event")
    if args.kafka:
        best["raw consume (KafkaConsumer + json.loads)"] = max(
            raw_consume_rate(args.events) for _ in range(args.repeat))
    for key, rate in best.items():
        print(f"{key:<62} {rate:>10,.0f} events/s")
    raw = best.get("raw consume (KafkaConsumer + json.loads)")
    if raw:
        for key in [k for k in best if k.startswith("replay")]:
            print(f"{key:<62} {best[key] / raw:>10.2f} x raw consume (goal >= 0.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
