"""The local broker on an address learners reach, against a real broker of its own.

A learner's machine is played by a client on 127.0.0.2: on Linux all of 127.0.0.0/8 is
loopback, and a machine that allows only loopback binds (CI's) still has a second address to
bind and advertise. The instructor's own client stays on 127.0.0.1."""

from __future__ import annotations

import psutil
import pytest

from eda_lab.cli.doctor import check_advertised
from eda_lab.clients import consume, create_topic
from eda_lab.clients.cluster import cluster_info
from eda_lab.local_kafka.broker import LocalBroker
from eda_lab.local_kafka.ports import free_port
from eda_lab.messages import Event
from eda_lab.settings import Settings
from tests.helpers import publish_all, random_name, run_cli

pytestmark = pytest.mark.slow
LEARNERS_HOST = "127.0.0.2"


def listening(pid: int) -> set[tuple[str, int]]:
    """Every address the process listens on, as IPv4 (Java listens on IPv6 sockets, so it shows
    ``::ffff:127.0.0.1``)."""
    return {(c.laddr.ip.removeprefix("::ffff:"), c.laddr.port)
            for c in psutil.Process(pid).net_connections("tcp") if c.status == psutil.CONN_LISTEN}


def test_learners_use_the_classroom_listener_and_loopback_still_works(tmp_path):
    home, port, classroom_port = tmp_path / "broker", free_port(), free_port(LEARNERS_HOST)
    at = f"{LEARNERS_HOST}:{classroom_port}"
    started = run_cli("broker", "start", "--home", str(home), "--port", str(port),
                      "--reachable-at", at, "--bind", LEARNERS_HOST)
    broker = LocalBroker(home=home)
    try:
        assert started.returncode == 0, started.stderr
        for shown in (started.stdout, run_cli("broker", "status", "--home", str(home)).stdout):
            assert f"export EDA_LAB_BOOTSTRAP={at}" in shown
            assert f"{at} has no authentication" in shown

        learner = Settings(bootstrap=at)
        instructor = Settings(bootstrap=f"127.0.0.1:{port}")
        seen_by_learner, seen_by_instructor = cluster_info(learner), cluster_info(instructor)
        assert seen_by_learner.brokers == (at,)  # each listener advertises its own address
        assert seen_by_instructor.brokers == (f"127.0.0.1:{port}",)
        assert seen_by_learner.cluster_id == seen_by_instructor.cluster_id
        assert check_advertised(learner, seen_by_learner).ok
        assert check_advertised(instructor, seen_by_instructor).ok
        controller_port = broker.files.read_state().controller_port
        assert listening(broker.status().pid) == {
            ("127.0.0.1", port), ("127.0.0.1", controller_port), (LEARNERS_HOST, classroom_port)}

        topic = random_name("orders")
        create_topic(topic, settings=learner)
        sent = Event("OrderPlaced", {"orderId": "o-1"})
        publish_all(learner, topic, [("o-1", sent)])
        for reader in (learner, instructor):
            got = consume(topic, max_events=1, timeout_s=30, settings=reader)
            assert [r.event.event_id for r in got] == [sent.event_id]

        # Exposing the broker is asked for at each start: a plain restart is loopback only.
        assert broker.stop()
        again = broker.start()
        assert again.classroom_at is None and again.classroom_lines() == []
        assert listening(again.pid) == {("127.0.0.1", port), ("127.0.0.1", controller_port)}
        assert "CLASSROOM" not in broker.files.properties.read_text()
    finally:
        broker.stop()
