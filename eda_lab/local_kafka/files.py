"""Where the local broker keeps its files, and the configuration it is started with."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from ..settings import LocalKafkaSettings
from .node import ListenerSpec, NodeConfig

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
    return LocalKafkaSettings.from_env().home


def default_cache() -> Path:
    """``EDA_LAB_CACHE``, else ``~/.cache/eda-lab``: the resolved Kafka jars."""
    return LocalKafkaSettings.from_env().cache


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
    # While it runs with a classroom listener: the address learners use, and where it binds.
    # Never reused by the next start: exposing the broker is asked for each time.
    classroom_at: str | None = None
    classroom_bind: str | None = None


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

    def write_config(self, host: str, state: BrokerState,
                     extra_listeners: tuple[ListenerSpec, ...] = ()) -> NodeConfig:
        """Write the configuration of the lab's single combined broker+controller node."""
        node = NodeConfig.combined(state.port, state.controller_port, self.data_dir, host,
                                   extra_listeners=extra_listeners)
        self.write_node(node)
        return node

    def write_node(self, node: NodeConfig) -> None:
        """Write server.properties for ``node``, and the log4j2 configuration beside it."""
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        node.data_dir.mkdir(parents=True, exist_ok=True)
        self.properties.write_text(node.render())
        self.log4j.write_text(_LOG4J2)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return "(no log yet)"
        return "\n".join(text.splitlines()[-lines:])
