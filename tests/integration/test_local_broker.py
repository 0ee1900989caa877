"""The local broker launcher against real Kafka processes: persistence and every clear error
that can be provoked on this machine. Each test runs its own broker in a temporary folder."""

from __future__ import annotations

import os
import socket

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from eda_lab.clients.cluster import admin_client
from eda_lab.errors import BrokerExited, JarsUnavailable, JavaNotFound, PortInUse
from eda_lab.local_kafka.broker import LocalBroker, free_port
from eda_lab.local_kafka.files import default_cache
from eda_lab.local_kafka.jars import resolve_kafka_jars
from eda_lab.settings import Settings
from tests.helpers import run_cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]



@pytest.fixture
def broker(tmp_path):
    local = LocalBroker(home=tmp_path / "broker", port=free_port())
    yield local
    local.stop()


def test_a_message_survives_stop_and_start(broker):
    status = broker.start()
    assert status.running and status.kafka_version.startswith("4.")
    settings = Settings(bootstrap=status.bootstrap)
    admin = admin_client(settings)
    admin.create_topics([NewTopic("durable", 2, 1)])
    admin.close()
    producer = KafkaProducer(**settings.client_kwargs())
    producer.send("durable", key=b"order-1", value=b'{"kept": true}').get(timeout=30)
    producer.close()

    assert broker.stop() is True
    assert not broker.status().running
    again = broker.start()
    assert again.bootstrap == status.bootstrap and again.pid != status.pid

    consumer = KafkaConsumer("durable", auto_offset_reset="earliest", consumer_timeout_ms=10000,
                             **settings.client_kwargs())
    values = [(r.key, r.value) for r in consumer]
    consumer.close()
    assert values == [(b"order-1", b'{"kept": true}')]


def test_start_twice_and_stop_twice_both_succeed(broker):
    port = str(broker.port)
    home = str(broker.files.home)
    first = run_cli("broker", "start", "--home", home, "--port", port)
    assert first.returncode == 0, first.stderr
    second = run_cli("broker", "start", "--home", home, "--port", port)
    assert second.returncode == 0 and "already running" in second.stdout
    status = run_cli("broker", "status", "--home", home)
    assert status.returncode == 0
    for field in ("bootstrap:", "kafka:", "data dir:", "uptime:", "MiB resident"):
        assert field in status.stdout
    assert run_cli("broker", "stop", "--home", home).returncode == 0
    again = run_cli("broker", "stop", "--home", home)
    assert again.returncode == 0 and "No broker was running" in again.stdout


def test_port_taken_by_another_program(broker):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", broker.port))
        squatter.listen()
        with pytest.raises(PortInUse, match=f"Port {broker.port} .* taken .*--port"):
            broker.start()


def test_java_missing_is_a_clear_cli_error(tmp_path, monkeypatch):
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(tmp_path)  # no java here
    done = run_cli("broker", "start", "--home", str(tmp_path / "b"), "--port", str(free_port()),
                   env=env, timeout_s=60)
    assert done.returncode == 1
    assert "Java not found" in done.stderr and "JDK 17" in done.stderr
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JavaNotFound):
        LocalBroker(home=tmp_path / "b").start()


def test_broker_exiting_during_start_shows_its_log(broker):
    broker.start()
    broker.stop()
    meta = broker.files.data_dir / "meta.properties"
    meta.write_text(meta.read_text().replace("node.id=1", "node.id=7"))
    with pytest.raises(BrokerExited, match="exited .* while starting") as err:
        broker.start(timeout_s=60)
    assert "Last lines of" in str(err.value)
    assert "node" in str(err.value).lower()  # the broker's own complaint is shown


def test_jars_that_cannot_be_resolved(tmp_path):
    with pytest.raises(JarsUnavailable, match="Maven Central") as err:
        resolve_kafka_jars(tmp_path / "cache", version="0.0.1-does-not-exist")
    assert "jgo:" in str(err.value) and "mvn:" in str(err.value)


def test_warm_jar_cache_needs_no_resolver(monkeypatch):
    jars = resolve_kafka_jars(default_cache())
    monkeypatch.setenv("EDA_LAB_JAR_RESOLVER", "none")  # any resolution would now fail
    assert resolve_kafka_jars(default_cache()) == jars
    assert any(j.name.startswith("kafka_2.13-4.") for j in jars)
    assert any(j.name.startswith("log4j-slf4j-impl-") for j in jars)
    assert not any(j.name.startswith("kafka-clients-3.") for j in jars)
