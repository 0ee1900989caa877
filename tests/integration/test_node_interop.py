"""A Node service written the way the article writes it shares topics with eda_lab, both ways.

node/order_service.mjs is a small kafkajs program (the article's client): it publishes
OrderPlaced events keyed by order id, then reads a topic in its own consumer group and prints
what it read as JSON lines. The tests check the wire format field by field and that kafkajs,
eda_lab and the broker agree on the partition of every key (node/partition_of.mjs shows why
the service must use kafkajs's DefaultPartitioner, not the LegacyPartitioner).

Needs `node` on PATH (fails, not skips, without it); installs kafkajs with `npm ci` if missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from eda_lab.clients.consuming import EventConsumer
from eda_lab.clients.partitioning import partition_for
from eda_lab.clients.producing import EventPublisher
from eda_lab.clients.topics import create_topic
from eda_lab.messages.envelope import Command, Event

from .test_java_partitioner import COUNTS, KEYS

pytestmark = pytest.mark.integration

NODE_DIR = Path(__file__).parent / "node"
PARTITIONS = 6
# Order ids as the Node service's keys; one non-ASCII, so UTF-8 key bytes are exercised too.
ORDER_IDS = [f"ord-{1000 + i}" for i in range(11)] + ["ord-Zoë-東京"]
ENVELOPE = ("eventType", "eventId", "timestamp", "version", "source", "correlationId",
            "causationId", "data")


@pytest.fixture(scope="module")
def node() -> str:
    """The node executable, with the pinned kafkajs installed next to the service."""
    exe = shutil.which("node")
    if exe is None:
        pytest.fail("`node` is not on PATH: this test proves that a kafkajs (Node) service "
                    "interoperates with eda_lab, so it needs Node.js 18 or newer installed.")
    pinned = json.loads((NODE_DIR / "package.json").read_text())["dependencies"]["kafkajs"]
    installed = NODE_DIR / "node_modules" / "kafkajs" / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != pinned:
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail(f"`npm` is not on PATH: needed once to install kafkajs {pinned} "
                        f"(npm ci --prefix {NODE_DIR}).")
        done = subprocess.run([npm, "ci", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund"],
                              capture_output=True, text=True, timeout=180, check=False)
        assert done.returncode == 0, f"npm ci failed:\n{done.stdout}\n{done.stderr}"
    return exe


def run_node(node: str, script: str, *args: str, timeout_s: float = 25.0,
             env: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Run a program in node/ and return its stdout JSON lines; fail with its stderr."""
    done = subprocess.run(
        [node, str(NODE_DIR / script), *args], capture_output=True, text=True,
        encoding="utf-8", timeout=timeout_s, check=False,
        env={**os.environ, **(env or {}), "LC_ALL": "C.UTF-8"},
    )
    assert done.returncode == 0, (
        f"{script} exited with {done.returncode}\nstderr:\n{done.stderr}\nstdout:\n{done.stdout}")
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_kafkajs_default_partitioner_matches_partition_for(node):
    lines = run_node(node, "partition_of.mjs", ",".join(map(str, COUNTS)), *KEYS)
    assert [line["key"] for line in lines] == KEYS
    legacy_differs = 0
    for line in lines:
        key = line["key"]
        assert line["hex"] == key.encode("utf-8").hex(), f"kafkajs hashed other bytes for {key!r}"
        for count in COUNTS:
            assert line["default"][str(count)] == partition_for(key, count), (key, count)
            legacy_differs += line["legacy"][str(count)] != partition_for(key, count)
    # Why order_service.mjs names DefaultPartitioner: kafkajs 1.x's partitioner disagrees.
    assert legacy_differs > len(KEYS)


def _wire_id(wire: dict[str, Any]) -> str:
    return wire["eventId"] if "eventId" in wire else wire["commandId"]


def _published_by_eda_lab() -> list[tuple[str, Event | Command]]:
    """Per order a command and the events it caused, in order: one conversation each."""
    messages: list[tuple[str, Event | Command]] = []
    for n, order_id in enumerate(["ord-2001", "ord-2002", "ord-2003", "ord-2004", "ord-Ærø-5"]):
        place = Command("PlaceOrder", {"orderId": order_id, "total": 59.98, "note": "für Zoë 🙂"},
                        source="checkout", correlation_id=f"req-{n}abc123")
        placed = place.caused("OrderPlaced", {"orderId": order_id, "items": [
            {"productId": "prod-789", "quantity": 2, "price": 29.99}], "total": 59.98},
            source="order-service")
        paid = Event("PaymentTaken", {"orderId": order_id, "amount": 59.98}, version=2,
                     source="billing", correlation_id=placed.correlation_id,
                     causation_id=placed.event_id)
        messages += [(order_id, place), (order_id, placed), (order_id, paid)]
    return messages


def test_node_and_eda_lab_read_each_others_events(settings, ns, node):
    from_node, to_node = ns.topic("orders-from-node"), ns.topic("orders-to-node")
    for topic in (from_node, to_node):
        create_topic(topic, partitions=PARTITIONS, settings=settings)
    assert len({partition_for(k, PARTITIONS) for k in ORDER_IDS}) >= 4  # keys that spread

    # eda_lab publishes first, so the Node consumer finds everything when it starts.
    sent = _published_by_eda_lab()
    with EventPublisher(settings) as publisher:
        deliveries = publisher.publish_many(to_node, sent)

    lines = run_node(node, "order_service.mjs", "--bootstrap", settings.bootstrap,
                     "--produce", from_node, "--consume", to_node,
                     "--group", ns.group("node-notifications"), "--expect", str(len(sent)),
                     "--timeout-ms", "15000", *ORDER_IDS,
                     env={"EDA_LAB_BOOTSTRAP": settings.bootstrap})
    produced = [line for line in lines if line["kind"] == "produced"]
    received = [line for line in lines if line["kind"] == "received"]
    assert [p["key"] for p in produced] == ORDER_IDS
    assert len(received) == len(sent)

    # Node -> eda_lab: every kafkajs record decodes to the right Event, on the Java partition.
    with EventConsumer(from_node, settings=settings) as consumer:
        got = consumer.read(max_events=len(ORDER_IDS), idle_s=5.0, timeout_s=10.0)
    assert sorted(r.key for r in got) == sorted(ORDER_IDS)
    by_key = {p["key"]: p for p in produced}
    shapes = set()
    for record in got:
        node_said, wire = by_key[record.key], by_key[record.key]["event"]
        shapes.add("source" in wire)
        assert record.partition == node_said["partition"] == partition_for(record.key, PARTITIONS)
        assert record.offset == node_said["offset"]
        assert record.headers == {"content-type": "application/json", "source": "order-service"}
        event = record.event
        assert event == Event(
            "OrderPlaced", wire["data"], event_id=wire["eventId"], timestamp=wire["timestamp"],
            version=1, source="order-service",  # from the header when the body has none
            correlation_id=wire.get("correlationId", wire["eventId"]), causation_id=None)
        assert event.data["orderId"] == record.key
        assert event.data["shipTo"] == "Zoë Ørsted, 東京"
    assert shapes == {True, False}  # both the full envelope and the article's producer.js shape

    # eda_lab -> Node: kafkajs reads the exact wire fields, where eda_lab's Delivery says.
    unread = {_wire_id(msg.to_dict()): (msg, delivery)
              for (_, msg), delivery in zip(sent, deliveries, strict=True)}
    for line in received:
        wire = line["event"]
        msg, delivery = unread.pop(_wire_id(wire))
        assert (line["topic"], line["key"]) == (to_node, delivery.key)
        assert (line["partition"], line["offset"]) == (delivery.partition, delivery.offset)
        assert line["partition"] == partition_for(line["key"], PARTITIONS)
        assert wire == msg.to_dict()
        if isinstance(msg, Event):
            assert set(wire) == set(ENVELOPE)
        kind = "event" if isinstance(msg, Event) else "command"
        assert line["headers"] == {"content-type": "application/json",
                                   f"{kind}-type": wire[f"{kind}Type"], "source": msg.source,
                                   "correlation-id": msg.correlation_id,
                                   **({"causation-id": msg.causation_id} if msg.causation_id else {})}
    assert not unread, f"Node never read {sorted(unread)}"

    # One conversation spelled out: what a Node service sees, in the order it happened.
    key, (place, placed, paid) = sent[0][0], [msg for _, msg in sent[:3]]
    chain = [line for line in received if line["key"] == key]
    assert [line["offset"] for line in chain] == sorted(line["offset"] for line in chain)
    assert [line["event"] for line in chain] == [
        {"commandType": "PlaceOrder", "commandId": place.command_id, "timestamp": place.timestamp,
         "version": 1, "source": "checkout", "correlationId": "req-0abc123", "causationId": None,
         "data": {"orderId": key, "total": 59.98, "note": "für Zoë 🙂"}},
        {"eventType": "OrderPlaced", "eventId": placed.event_id, "timestamp": placed.timestamp,
         "version": 1, "source": "order-service", "correlationId": "req-0abc123",
         "causationId": place.command_id,
         "data": {"orderId": key, "items": [{"productId": "prod-789", "quantity": 2,
                                             "price": 29.99}], "total": 59.98}},
        {"eventType": "PaymentTaken", "eventId": paid.event_id, "timestamp": paid.timestamp,
         "version": 2, "source": "billing", "correlationId": "req-0abc123",
         "causationId": placed.event_id, "data": {"orderId": key, "amount": 59.98}},
    ]
