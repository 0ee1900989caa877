"""Launcher logic that needs no broker: Java detection, node configuration, state, status text,
doctor helpers. (Anything that starts a process or opens a socket is in tests/integration.)"""

import base64
import importlib
from pathlib import Path

import pytest

from eda_lab.cli.doctor import Check, _same_address
from eda_lab.errors import JavaNotFound
from eda_lab.local_kafka.broker import LocalBroker
from eda_lab.local_kafka.files import BrokerFiles, BrokerState, new_cluster_id
from eda_lab.local_kafka.java import find_java, parse_java_version
from eda_lab.local_kafka.node import ListenerSpec, NodeConfig
from eda_lab.local_kafka.process import KafkaJava
from eda_lab.local_kafka.status import BrokerStatus


@pytest.mark.parametrize("text, major", [
    ('openjdk version "17.0.15" 2025-04-15', 17),
    ('java version "1.8.0_402"', 8),
    ('openjdk version "21" 2023-09-19', 21),
    ('openjdk version "11.0.2" 2019-01-15', 11),
])
def test_parse_java_version(text, major):
    assert parse_java_version(text)[0] == major


def test_java_missing_says_how_to_get_it(tmp_path):
    with pytest.raises(JavaNotFound, match="Install a JDK 17"):
        find_java({"PATH": str(tmp_path)})


def test_cluster_id_is_kafka_shaped():
    cid = new_cluster_id()
    assert len(cid) == 22 and "=" not in cid
    assert len(base64.urlsafe_b64decode(cid + "==")) == 16
    assert cid != new_cluster_id()
    # One id in 64 would start with "-" if drawn naively; 2,000 draws catch that for sure.
    assert not any(new_cluster_id().startswith("-") for _ in range(2000))


def test_config_is_single_node_kraft_on_loopback(tmp_path):
    files = BrokerFiles(tmp_path)
    files.write_config("127.0.0.1", BrokerState(9400, 9401, "4.3.1", "x"))
    props = dict(line.split("=", 1) for line in files.properties.read_text().splitlines())
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:9400,CONTROLLER://127.0.0.1:9401"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:9401"
    assert props["log.dirs"] == str(tmp_path / "data")
    assert props["group.initial.rebalance.delay.ms"] == "0"
    assert props["auto.create.topics.enable"] == "false"
    assert "rootLogger.appenderRef.out.ref=OUT" in files.log4j.read_text()


def test_state_round_trip_and_unreadable_state(tmp_path):
    files = BrokerFiles(tmp_path)
    assert files.read_state() is None
    files.write_state(BrokerState(9400, 9401, "4.3.1", "abc", pid=42, started_at=1.5))
    assert files.read_state() == BrokerState(9400, 9401, "4.3.1", "abc", 42, 1.5)
    files.state_file.write_text("{not json")
    assert files.read_state() is None


def test_stopped_broker_status_and_port_memory(tmp_path):
    broker = LocalBroker(home=tmp_path)
    assert broker.port == 9092
    status = broker.status()
    assert not status.running and status.pid is None
    assert status.bootstrap == "127.0.0.1:9092"
    BrokerFiles(tmp_path).write_state(BrokerState(9500, 9501, "4.3.1", "abc", pid=None))
    assert LocalBroker(home=tmp_path).port == 9500
    assert LocalBroker(home=tmp_path, port=9600).port == 9600


def test_status_text_shows_memory_and_uptime():
    text = BrokerStatus(True, "127.0.0.1:9092", "4.3.1", "/d", "/l", pid=7,
                        uptime_s=12.4, rss_bytes=300 * 2**20).describe()
    assert "running (pid 7)" in text and "300 MiB" in text and "12 s" in text


def test_doctor_line_and_address_matching():
    assert Check("java", False, "missing", "install it").line() == "[FAIL] java: missing -> install it"
    assert Check("java", True, "17").line() == "[ ok ] java: 17"
    assert _same_address("localhost:9092", "127.0.0.1:9092")
    assert not _same_address("kafka:9092", "127.0.0.1:9092")
    assert not _same_address("127.0.0.1:9093", "127.0.0.1:9092")


# Today's single node, as the files written before NodeConfig existed spelt it, key by key.
TODAYS_NODE = {
    "process.roles": "broker,controller",
    "node.id": "1",
    "controller.quorum.bootstrap.servers": "127.0.0.1:9401",
    "listeners": "PLAINTEXT://127.0.0.1:9400,CONTROLLER://127.0.0.1:9401",
    "advertised.listeners": "PLAINTEXT://127.0.0.1:9400,CONTROLLER://127.0.0.1:9401",
    "inter.broker.listener.name": "PLAINTEXT",
    "controller.listener.names": "CONTROLLER",
    "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
    "log.dirs": "/data",
    "num.partitions": "1",
    "auto.create.topics.enable": "false",
    "offsets.topic.replication.factor": "1",
    "offsets.topic.num.partitions": "10",
    "transaction.state.log.replication.factor": "1",
    "transaction.state.log.min.isr": "1",
    "transaction.state.log.num.partitions": "4",
    "share.coordinator.state.topic.replication.factor": "1",
    "share.coordinator.state.topic.min.isr": "1",
    "group.initial.rebalance.delay.ms": "0",
    "log.cleaner.backoff.ms": "1000",
}


def test_the_default_node_is_todays_single_combined_node():
    node = NodeConfig.combined(port=9400, controller_port=9401, data_dir=Path("/data"))
    assert node.properties() == TODAYS_NODE
    assert list(node.properties()) == list(TODAYS_NODE)  # the order it is written in
    assert node.render().splitlines()[0] == "process.roles=broker,controller"
    assert node.ports == (9400, 9401)
    assert node.listener("CONTROLLER").address == "127.0.0.1:9401"
    with pytest.raises(KeyError, match="SSL"):
        node.listener("SSL")


def test_another_node_is_other_data_not_other_code():
    # The shape a later three-node or secured cluster needs: a broker-only node 2 with a TLS
    # listener advertised under a host name, three controllers, internal topics replicated.
    node = NodeConfig(
        node_id=2, roles=("broker",),
        listeners=(ListenerSpec("INTERNAL", 19092), ListenerSpec("EXTERNAL", 9094, "0.0.0.0",
                                                                 "SSL", advertised_host="kafka-2")),
        quorum=("c1:9093", "c2:9093", "c3:9093"), data_dir=Path("/d2"),
        inter_broker_listener="INTERNAL", replication_factor=3, min_insync_replicas=2,
        extra=(("ssl.keystore.location", "/k.jks"),),
    )
    props = node.properties()
    assert props["node.id"] == "2" and props["process.roles"] == "broker"
    assert props["listeners"] == "INTERNAL://127.0.0.1:19092,EXTERNAL://0.0.0.0:9094"
    assert props["advertised.listeners"] == "INTERNAL://127.0.0.1:19092,EXTERNAL://kafka-2:9094"
    assert props["listener.security.protocol.map"] == "EXTERNAL:SSL,INTERNAL:PLAINTEXT"
    assert props["controller.quorum.bootstrap.servers"] == "c1:9093,c2:9093,c3:9093"
    assert props["offsets.topic.replication.factor"] == "3"
    assert props["transaction.state.log.min.isr"] == "2"
    assert props["ssl.keystore.location"] == "/k.jks"


def test_write_config_writes_the_combined_node_it_returns(tmp_path):
    files = BrokerFiles(tmp_path)
    node = files.write_config("127.0.0.1", BrokerState(9400, 9401, "4.3.1", "x"))
    assert files.properties.read_text() == node.render()
    assert node == NodeConfig.combined(9400, 9401, tmp_path / "data")


def test_java_command_names_the_heap_log_config_and_classpath(tmp_path):
    files = BrokerFiles(tmp_path)
    cmd = KafkaJava(Path("/jdk/bin/java"), "a.jar:b.jar", files, heap_mb=256).command(
        "kafka.Kafka", str(files.properties))
    assert cmd[0] == "/jdk/bin/java" and "-Xmx256m" in cmd
    assert f"-Dlog4j2.configurationFile={files.log4j}" in cmd
    assert cmd[cmd.index("-cp") + 1] == "a.jar:b.jar"
    assert cmd[-2:] == ["kafka.Kafka", str(files.properties)]


def test_the_console_script_is_the_cli_main():
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: pytest itself depends on tomli there
        import tomli as tomllib
    from eda_lab.cli import commands

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    target = tomllib.loads(pyproject.read_text())["project"]["scripts"]["eda-lab"]
    module, _, name = target.partition(":")
    assert getattr(importlib.import_module(module), name) is commands.main


def test_a_claimed_port_is_not_handed_out_again_until_its_claim_is_old(tmp_path, monkeypatch):
    import os
    import time

    from eda_lab.local_kafka import ports

    monkeypatch.setattr(ports, "_CLAIMS", tmp_path / "claims")
    assert ports.claim_port(21000) is True
    assert ports.claim_port(21000) is False  # another worker, a moment later
    old = time.time() - ports._CLAIM_KEPT_S - 1
    os.utime(tmp_path / "claims" / "21000", (old, old))
    assert ports.claim_port(21000) is True  # a claim from over an hour ago is stale
