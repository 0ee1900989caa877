"""The local broker launcher against real Kafka processes: persistence, a restart after SIGKILL,
and every clear error that can be provoked on this machine. Each test runs its own broker (on
a free port, in a temporary folder) or a stand-in process; none touches the shared broker."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import psutil
import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from eda_lab.clients.cluster import admin_client
from eda_lab.errors import BrokerExited, JarsUnavailable, JavaNotFound, PortInUse
from eda_lab.local_kafka.broker import LocalBroker
from eda_lab.local_kafka.files import BrokerState, default_cache
from eda_lab.local_kafka.jars import resolve_kafka_jars
from eda_lab.local_kafka.ports import free_port, port_is_free
from eda_lab.settings import Settings
from tests.helpers import run_cli, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
# What `eda-lab broker start|status|stop` must never import: each costs a second or more.
HEAVY = {"pandas", "matplotlib", "ipywidgets", "IPython", "numpy"}


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


def imported(done: subprocess.CompletedProcess) -> set[str]:
    """The modules a run imported, from the lines PYTHONPROFILEIMPORTTIME writes to stderr."""
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("import time:")]
    return {ln.rsplit("|", 1)[1].strip() for ln in lines[1:]}  # the first line is the header


def light_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the CLI as a learner would and fail if it imported pandas, matplotlib or widgets."""
    done = run_cli(*args, env={**(env or os.environ), "PYTHONPROFILEIMPORTTIME": "1"})
    modules = imported(done)
    assert "eda_lab.cli.commands" in modules, done.stderr[-2000:]  # the profile was read
    assert {m.split(".")[0] for m in modules} & HEAVY == set(), f"eda-lab {' '.join(args)}"
    return done


def test_start_twice_and_stop_twice_both_succeed_without_heavy_imports(broker):
    port = str(broker.port)
    home = str(broker.files.home)
    first = light_cli("broker", "start", "--home", home, "--port", port)
    assert first.returncode == 0, first.stderr
    second = light_cli("broker", "start", "--home", home, "--port", port)
    assert second.returncode == 0 and "already running" in second.stdout
    status = light_cli("broker", "status", "--home", home)
    assert status.returncode == 0
    for field in ("bootstrap:", "kafka:", "data dir:", "uptime:", "MiB resident"):
        assert field in status.stdout
    assert light_cli("broker", "stop", "--home", home).returncode == 0
    again = light_cli("broker", "stop", "--home", home)
    assert again.returncode == 0 and "No broker was running" in again.stdout
    stopped = light_cli("broker", "status", "--home", home)
    assert stopped.returncode == 3 and "stopped" in stopped.stdout


def test_the_heavy_import_check_can_fail():
    done = run_cli("--help", env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"})
    assert {"argparse", "eda_lab.cli.commands"} <= imported(done)
    code = "import eda_lab.analysis"  # DataFrames: pandas, as a lesson wants
    pulled = subprocess.run([sys.executable, "-X", "importtime", "-c", code],
                            capture_output=True, text=True, timeout=120, check=False)
    assert "pandas" in imported(pulled), pulled.stderr[-2000:]


def test_the_console_script_and_python_m_are_the_same_command():
    script = os.path.join(os.path.dirname(sys.executable), "eda-lab")
    by_script = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60,
                               check=False)
    by_module = light_cli("--help")
    assert by_script.returncode == by_module.returncode == 0, by_script.stderr
    assert by_script.stdout == by_module.stdout and "broker" in by_module.stdout


def test_a_broker_killed_with_sigkill_starts_again_at_once(broker):
    status = broker.start()
    settings = Settings(bootstrap=status.bootstrap)
    ports = (broker.port, broker.files.read_state().controller_port)
    admin = admin_client(settings)
    admin.create_topics([NewTopic("kept", 1, 1)])
    admin.close()
    producer = KafkaProducer(**settings.client_kwargs())
    producer.send("kept", b"before the kill").get(timeout=30)  # a live connection to the port

    psutil.Process(status.pid).kill()  # SIGKILL: no shutdown, connections left behind
    wait_for(lambda: not broker.status().running, "the killed broker to be gone")
    producer.close(timeout=5)
    # What made `broker start` refuse for a minute: a plain bind fails on a port nobody
    # listens on, because the killed broker's connections linger (TIME_WAIT, FIN_WAIT2).
    assert any(plain_bind_fails(port) for port in ports), "no leftover connections to test with"
    assert not any(listening(port) for port in ports)

    again = broker.start(timeout_s=90)
    assert again.running and again.pid != status.pid and again.bootstrap == status.bootstrap
    assert broker.files.read_state().controller_port == ports[1]
    consumer = KafkaConsumer("kept", auto_offset_reset="earliest", **settings.client_kwargs())
    values = wait_for(lambda: [r.value for rs in consumer.poll(500).values() for r in rs],
                      "the record written before the kill")
    consumer.close()
    assert values == [b"before the kill"]


def plain_bind_fails(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def listening(port: int) -> bool:
    return any(c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN
               for c in psutil.net_connections("tcp"))


def test_port_taken_by_another_program(broker):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", broker.port))
        squatter.listen()
        with pytest.raises(PortInUse, match=f"Port {broker.port} .* taken .*--port"):
            broker.start()


def test_controller_port_taken_by_another_program(broker):
    cport = free_port()
    broker.files.write_state(BrokerState(broker.port, cport, "4.3.1", "x"))
    broker.files.data_dir.mkdir(parents=True)
    (broker.files.data_dir / "meta.properties").write_text("node.id=1\n")  # as if formatted
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", cport))
        squatter.listen()
        with pytest.raises(PortInUse, match=f"Controller port {cport} .* delete"):
            broker.start()


@pytest.mark.parametrize("where", ["127.0.0.1", "0.0.0.0"])
def test_a_listening_socket_is_taken_but_leftover_connections_are_not(where):
    with socket.socket() as server:
        # The way Java opens a broker's listener on Linux and macOS.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((where, 0))
        server.listen()
        port = server.getsockname()[1]
        assert not port_is_free(port)
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
    accepted.close()  # the server side closes first: its end waits in FIN_WAIT2, then TIME_WAIT
    client.close()
    assert plain_bind_fails(port) and port_is_free(port)


def test_a_port_bound_without_listening_is_taken():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        assert not port_is_free(holder.getsockname()[1])


def stand_in(*argv: str) -> subprocess.Popen:
    """A process that stands in for a broker: it lives until its stdin closes or SIGTERM."""
    proc = subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()", *argv],
                            stdin=subprocess.PIPE)
    # Until it has exec'd, the child still shows the test runner's command line.
    wait_for(lambda: psutil.Process(proc.pid).cmdline()[-len(argv):] == list(argv),
             "the stand-in to run")
    return proc


def test_a_recorded_pid_of_another_program_is_not_taken_for_the_broker(tmp_path):
    broker = LocalBroker(home=tmp_path / "b", port=free_port())
    other = stand_in("not-a-broker")
    try:
        broker.files.write_state(BrokerState(broker.port, broker.port + 1, "4.3.1", "x",
                                             pid=other.pid))
        assert not broker.status().running
        assert broker.stop() is False
        assert other.poll() is None  # stop() left the other program alone
    finally:
        other.stdin.close()
        other.wait(30)


def test_a_recorded_broker_process_is_running_and_stop_ends_it(tmp_path):
    broker = LocalBroker(home=tmp_path / "b", port=free_port())
    fake = stand_in(str(broker.files.properties))  # its command line names this home's config
    try:
        broker.files.write_state(BrokerState(broker.port, broker.port + 1, "4.3.1", "x",
                                             pid=fake.pid))
        status = broker.status()
        assert status.running and status.pid == fake.pid and status.rss_bytes > 0
        assert broker.stop(timeout_s=30) is True
        assert fake.wait(30) == -15  # ended by SIGTERM, the clean way
        assert broker.files.read_state().pid is None and not broker.status().running
    finally:
        fake.stdin.close()
        if fake.poll() is None:
            fake.kill()
            fake.wait(30)


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


def test_jars_that_cannot_be_resolved(tmp_path, monkeypatch):
    with pytest.raises(JarsUnavailable, match="Maven Central") as err:
        resolve_kafka_jars(tmp_path / "cache", version="0.0.1-does-not-exist")
    assert "jgo:" in str(err.value) and "mvn:" in str(err.value)
    monkeypatch.setenv("EDA_LAB_JAR_RESOLVER", "none")
    with pytest.raises(JarsUnavailable, match="allows the cache only"):
        resolve_kafka_jars(tmp_path / "empty-cache")


def test_warm_jar_cache_needs_no_resolver(monkeypatch):
    jars = resolve_kafka_jars(default_cache())
    monkeypatch.setenv("EDA_LAB_JAR_RESOLVER", "none")  # any resolution would now fail
    assert resolve_kafka_jars(default_cache()) == jars
    assert any(j.name.startswith("kafka_2.13-4.") for j in jars)
    assert any(j.name.startswith("log4j-slf4j-impl-") for j in jars)
    assert not any(j.name.startswith("kafka-clients-3.") for j in jars)


def test_free_ports_are_outside_the_ephemeral_range_and_never_handed_out_twice():
    picked = [free_port() for _ in range(40)]
    assert len(set(picked)) == len(picked)
    assert all(20000 <= port < 32000 and port_is_free(port) for port in picked)
