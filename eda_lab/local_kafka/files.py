"""Where the local broker keeps its files, and the configuration it is started with."""

from __future__ import annotations

import base64
import json
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

_LOG4J2 = """\
status=warn
appender.out.type=Console
appender.out.name=OUT
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=OUT
logger.kafka.name=kafka
logger.kafka.level=INFO
logger.state.name=state.change.logger
logger.state.level=WARN
"""


def default_home() -> Path:
    """``EDA_LAB_HOME``, else ``~/.local/share/eda-lab``: the broker's data and logs."""
    env = os.environ.get("EDA_LAB_HOME", "").strip()
    return Path(env).expanduser() if env else Path.home() / ".local" / "share" / "eda-lab"


def default_cache() -> Path:
    """``EDA_LAB_CACHE``, else ``~/.cache/eda-lab``: the resolved Kafka jars."""
    env = os.environ.get("EDA_LAB_CACHE", "").strip()
    return Path(env).expanduser() if env else Path.home() / ".cache" / "eda-lab"


def new_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding (as Kafka's Uuid).

    Like Kafka's own ``Uuid.randomUuid`` it never starts with ``-``, which a command line
    would take for an option.
    """
    while True:
        found = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not found.startswith("-"):
            return found


@dataclass
class BrokerState:
    """What ``broker.json`` remembers between commands."""

    port: int
    controller_port: int
    kafka_version: str
    cluster_id: str
    pid: int | None = None
    started_at: float | None = None


@dataclass(frozen=True)
class BrokerFiles:
    """The paths of one local broker under its home folder."""

    home: Path

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def log_file(self) -> Path:
        return self.home / "logs" / "server.log"

    @property
    def properties(self) -> Path:
        return self.home / "server.properties"

    @property
    def log4j(self) -> Path:
        return self.home / "log4j2.properties"

    @property
    def state_file(self) -> Path:
        return self.home / "broker.json"

    @property
    def formatted(self) -> bool:
        return (self.data_dir / "meta.properties").is_file()

    def read_state(self) -> BrokerState | None:
        try:
            return BrokerState(**json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def write_state(self, state: BrokerState) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(state), indent=2))
        tmp.replace(self.state_file)

    def write_config(self, host: str, state: BrokerState) -> None:
        """Write server.properties for a single combined broker+controller KRaft node."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        port, cport = state.port, state.controller_port
        lines = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"{host}:{cport}",
            "listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}",
            "advertised.listeners": f"PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}",
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir),
            "num.partitions": "1",
            # Topics are created on purpose in every lesson; a typo should fail, not create one.
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Without this every first join of a consumer group waits 3 s.
            "group.initial.rebalance.delay.ms": "0",
        }
        self.properties.write_text("".join(f"{k}={v}\n" for k, v in lines.items()))
        self.log4j.write_text(_LOG4J2)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log yet)"
        return "\n".join(text.splitlines()[-lines:])
