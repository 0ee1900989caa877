"""The one kafka-python seam (eda_lab/clients/_kafka.py): who imports kafka-python, the private
parts it leans on, Kafka's topic rules, and closing quietly after the broker died."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from kafka.errors import InvalidTopicError

from eda_lab import clients
from eda_lab.clients import _kafka, consuming, create_topic, make_producer, producing
from eda_lab.clients.topic_rules import MAX_NAME_LENGTH, name_problem
from eda_lab.errors import BrokerUnreachable
from eda_lab.local_kafka.broker import LocalBroker, free_port
from eda_lab.messages import Event
from eda_lab.namespace import Namespace
from eda_lab.settings import Settings

PACKAGE = Path(__file__).resolve().parents[2] / "eda_lab"
MAX_KAFKA_MODULES = 3  # _kafka.py, the analysis reader, and one more


def modules_importing_kafka() -> list[str]:
    """Every eda_lab module whose source imports kafka-python, at the top or inside a function."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            if any(n == "kafka" or n.startswith("kafka.") for n in names):
                found.append(str(path.relative_to(PACKAGE.parent).with_suffix("")).replace("/", "."))
                break
    return found


def test_at_most_three_modules_import_kafka_python():
    importing = modules_importing_kafka()
    assert "eda_lab.clients._kafka" in importing  # the scan itself works
    assert [m for m in importing if m.startswith("eda_lab.clients.")] == ["eda_lab.clients._kafka"]
    assert len(importing) <= MAX_KAFKA_MODULES, (
        f"{len(importing)} modules import kafka-python: {importing}. Go through "
        "eda_lab.clients (or its _kafka seam) instead.")


def test_the_private_version_probe_still_exists(settings):
    client = _kafka.admin_client(settings, 10.0)
    try:
        assert callable(getattr(getattr(client, "_client", None), "check_version", None)), (
            "kafka-python moved KafkaAdminClient._client.check_version: update broker_version")
        version = _kafka.broker_version(client, 10.0)
    finally:
        client.close()
    assert isinstance(version, tuple) and version[:1] == (4,)  # the lab runs Kafka 4.x


def test_the_private_producer_sender_still_exists(settings):
    producer = make_producer(settings)
    try:
        sender = getattr(producer, "_sender", None)
        assert callable(getattr(sender, "force_close", None)) and callable(
            getattr(sender, "join", None)
        ), "kafka-python moved KafkaProducer._sender: update close_producer"
    finally:
        _kafka.close_producer(producer, 5.0)
    assert not producer._sender.is_alive()


NAMES = ["orders", "a.b_c-D9", "x" * MAX_NAME_LENGTH, "x" * (MAX_NAME_LENGTH + 1), "has space",
         "ümlaut", "a/b", "a:b", "..", ".", "...", "-", "_"]


@pytest.mark.parametrize("name", NAMES)
def test_the_topic_rules_agree_with_the_broker(settings, name):
    client = _kafka.admin_client(settings, 10.0)
    try:
        client.create_topics({name: {"num_partitions": 1, "replication_factor": 1}},
                             validate_only=True)
        broker_accepts = True
    except InvalidTopicError:
        broker_accepts = False
    finally:
        client.close()
    assert (name_problem(name) is None) == broker_accepts, name_problem(name)


# Run in a child process so its stderr shows what a learner would see, at exit included.
AFTER_THE_BROKER_DIED = textwrap.dedent("""
    import gc, json, os, signal, sys, time
    from eda_lab.clients import EventConsumer, EventPublisher
    from eda_lab.errors import WaitTimeout
    from eda_lab.messages import Event
    from eda_lab.settings import Settings

    bootstrap, pid, topic = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    settings = Settings(bootstrap=bootstrap)
    caught, started = [], None
    try:
        with EventConsumer(topic, group="g", settings=settings) as consumer, \\
                EventPublisher(settings) as publisher:
            publisher.publish(topic, Event("Before", {}), key="k")
            assert len(consumer.read(max_events=1, timeout_s=30)) == 1
            dropped, left_open = EventPublisher(settings), EventPublisher(settings)  # never closed
            for forgotten in (dropped, left_open):
                forgotten.publish(topic, Event("Before", {}), key="k")
            committing = EventConsumer(topic, group="g2", settings=settings)
            assert len(committing.read(max_events=1, timeout_s=30)) == 1
            os.kill(pid, signal.SIGKILL)
            closing = time.monotonic()
            committing.close()  # its auto-commit cannot reach the broker any more
            close_took = time.monotonic() - closing
            for forgotten in (dropped, left_open):
                try:
                    forgotten.publish(topic, Event("Lost", {}), key="k", timeout_s=1)
                except WaitTimeout:
                    pass
            started = time.monotonic()
            publisher.publish(topic, Event("After", {}), key="k", timeout_s=3)
    except BaseException as exc:
        caught.append(exc)
    took = None if started is None else time.monotonic() - started
    del dropped  # collected with a record pending; left_open is still open at exit
    gc.collect()
    print(json.dumps({"caught": [f"{type(e).__module__}.{type(e).__name__}" for e in caught],
                      "message": str(caught[0]) if caught else "", "took_s": took,
                      "close_took_s": close_took}))
""")


@pytest.mark.slow
def test_leaving_with_blocks_after_the_broker_died_is_quiet_and_bounded(tmp_path):
    broker = LocalBroker(home=tmp_path / "broker", port=free_port())
    status = broker.start()
    try:
        settings = Settings(bootstrap=status.bootstrap)
        create_topic("orders", settings=settings)
        done = subprocess.run([sys.executable, "-c", AFTER_THE_BROKER_DIED, status.bootstrap,
                               str(status.pid), "orders"], capture_output=True, text=True,
                              timeout=120, check=False)
    finally:
        broker.stop()
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["caught"] == ["eda_lab.errors.WaitTimeout"], outcome
    assert "did not answer" in outcome["message"] and "eda-lab doctor" in outcome["message"]
    # 3 s publish timeout, then at most 2 s (+1 s to stop the sender) each to close both
    assert outcome["took_s"] < 3 + 9, outcome
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    # Once each for the with-block's publisher and the collected one; the exit closes quietly.
    assert done.stderr.count("were not acknowledged") == 2, done.stderr
    assert "1 record(s) to orders" in done.stderr
    assert outcome["close_took_s"] < 5 + 1 + 1, outcome  # commit's bound, then leaving
    assert done.stderr.count("could not commit its position in group 'g2'") == 1, done.stderr


NOWHERE = Settings(bootstrap="127.0.0.1:1")  # nothing listens on port 1
PUBLIC_CALLS = {
    "cluster_info": lambda c: c.cluster_info(NOWHERE, timeout_s=1),
    "list_topics": lambda c: c.list_topics(settings=NOWHERE),
    "describe_topic": lambda c: c.describe_topic("orders", NOWHERE),
    "create_topic": lambda c: c.create_topic("orders", settings=NOWHERE),
    "recreate_topic": lambda c: c.recreate_topic("orders", settings=NOWHERE),
    "delete_topic": lambda c: c.delete_topic("orders", NOWHERE),
    "begin_offsets": lambda c: c.begin_offsets("orders", NOWHERE),
    "end_offsets": lambda c: c.end_offsets("orders", NOWHERE),
    "group_offsets": lambda c: c.group_offsets("billing", NOWHERE),
    "group_lag": lambda c: c.group_lag("billing", "orders", NOWHERE),
    "list_groups": lambda c: c.list_groups(settings=NOWHERE),
    "group_states": lambda c: c.group_states(settings=NOWHERE),
    "describe_group": lambda c: c.describe_group("billing", NOWHERE),
    "delete_group": lambda c: c.delete_group("billing", NOWHERE),
    "reset_namespace": lambda c: c.reset_namespace(Namespace("t", "it"), NOWHERE),
    "wait_for_broker": lambda c: c.wait_for_broker(NOWHERE, timeout_s=1),
    "EventPublisher": lambda c: c.EventPublisher(NOWHERE, bootstrap_timeout_ms=1000),
    "publish": lambda c: c.publish("orders", Event("A", {}), key="k", settings=NOWHERE),
    "EventConsumer": lambda c: c.EventConsumer("orders", settings=NOWHERE, timeout_s=1),
    "consume": lambda c: c.consume("orders", settings=NOWHERE),
}


@pytest.mark.parametrize("call", sorted(PUBLIC_CALLS))
def test_no_broker_is_brokerunreachable_from_every_public_call(call, monkeypatch):
    real = _kafka.connect  # the same function everywhere, looked up before patching

    def impatient(client_type, settings, timeout_s, **config):
        return real(client_type, settings, 1.0, **{**config, "bootstrap_timeout_ms": 1000})

    # Every client is built by connect: give up after 1 s instead of the usual 10 s.
    for module in (_kafka, consuming, producing):
        monkeypatch.setattr(module, "connect", impatient)
    with pytest.raises(BrokerUnreachable, match="No Kafka broker answered at 127.0.0.1:1"):
        PUBLIC_CALLS[call](clients)
