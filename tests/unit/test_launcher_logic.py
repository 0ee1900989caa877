"""Launcher logic that needs no broker: Java detection, configuration, state, doctor helpers."""

import base64
import os

import pytest

from eda_lab.cli.doctor import Check, _same_address
from eda_lab.errors import JavaNotFound
from eda_lab.local_kafka.broker import BrokerStatus, LocalBroker
from eda_lab.local_kafka.files import BrokerFiles, BrokerState, new_cluster_id
from eda_lab.local_kafka.java import find_java, parse_java_version


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


def test_a_stale_pid_is_not_taken_for_a_running_broker(tmp_path):
    # Our own pid is alive but is not a Kafka broker of this home folder.
    BrokerFiles(tmp_path).write_state(BrokerState(9500, 9501, "4.3.1", "abc", pid=os.getpid()))
    broker = LocalBroker(home=tmp_path)
    assert not broker.status().running
    assert broker.stop() is False


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
