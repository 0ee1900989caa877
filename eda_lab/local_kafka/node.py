"""One Kafka node as data: its id, roles, listeners and quorum, rendered as server.properties.

The lab runs one combined broker+controller node (:meth:`NodeConfig.combined`), with a second
client listener for a classroom when asked. Three nodes or a secured listener are other values
of these dataclasses, not other code.

Example::

    node = NodeConfig.combined(port=9092, controller_port=9093, data_dir=Path("data"))
    node.properties()["listeners"]   # 'PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093'
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PORT = 9092


@dataclass(frozen=True)
class ListenerSpec:
    """One listener: its name, where it binds, the address it advertises, its security protocol."""

    name: str
    port: int
    host: str = HOST
    protocol: str = "PLAINTEXT"
    advertised_host: str | None = None  # None: the host it binds

    @property
    def address(self) -> str:
        """``host:port`` where it binds."""
        return f"{self.host}:{self.port}"

    @property
    def advertised_address(self) -> str:
        """``host:port`` that clients are told to connect to."""
        return f"{self.advertised_host or self.host}:{self.port}"

    def url(self, advertised: bool = False) -> str:
        """``NAME://host:port``, as ``listeners`` (or ``advertised.listeners``) spells it."""
        return f"{self.name}://{self.advertised_address if advertised else self.address}"


@dataclass(frozen=True)
class NodeConfig:
    """Everything that makes one node's server.properties.

    Parameters: ``node_id``; ``roles`` (``broker``, ``controller`` or both); ``listeners``;
    ``quorum`` (``host:port`` of the controllers a node first asks); ``data_dir``;
    ``replication_factor`` and ``min_insync_replicas`` of Kafka's internal topics;
    ``extra`` properties appended last (TLS or SASL settings, for instance).
    """

    node_id: int
    roles: tuple[str, ...]
    listeners: tuple[ListenerSpec, ...]
    quorum: tuple[str, ...]
    data_dir: Path
    inter_broker_listener: str = "PLAINTEXT"
    controller_listener: str = "CONTROLLER"
    replication_factor: int = 1
    min_insync_replicas: int = 1
    extra: tuple[tuple[str, str], ...] = ()

    @classmethod
    def combined(cls, port: int, controller_port: int, data_dir: Path, host: str = HOST,
                 node_id: int = 1, extra_listeners: tuple[ListenerSpec, ...] = ()) -> NodeConfig:
        """One node that is both broker and its own single controller: the lab's default.

        ``extra_listeners`` are more client listeners (the classroom's); whatever they bind,
        the PLAINTEXT and CONTROLLER listeners stay on ``host``.
        """
        return cls(
            node_id=node_id,
            roles=("broker", "controller"),
            listeners=(ListenerSpec("PLAINTEXT", port, host), *extra_listeners,
                       ListenerSpec("CONTROLLER", controller_port, host)),
            quorum=(f"{host}:{controller_port}",),
            data_dir=Path(data_dir),
        )

    def listener(self, name: str) -> ListenerSpec:
        """The listener called ``name`` (KeyError if the node has none)."""
        for spec in self.listeners:
            if spec.name == name:
                return spec
        raise KeyError(f"node {self.node_id} has no listener {name!r}")

    @property
    def ports(self) -> tuple[int, ...]:
        """Every port the node binds, in listener order."""
        return tuple(spec.port for spec in self.listeners)

    def properties(self) -> dict[str, str]:
        """server.properties as a dict, in the order it is written."""
        rf, isr = str(self.replication_factor), str(self.min_insync_replicas)
        props = {
            "process.roles": ",".join(self.roles),
            "node.id": str(self.node_id),
            "controller.quorum.bootstrap.servers": ",".join(self.quorum),
            "listeners": ",".join(spec.url() for spec in self.listeners),
            "advertised.listeners": ",".join(spec.url(advertised=True) for spec in self.listeners),
            "inter.broker.listener.name": self.inter_broker_listener,
            "controller.listener.names": self.controller_listener,
            "listener.security.protocol.map": ",".join(
                f"{spec.name}:{spec.protocol}" for spec in sorted(self.listeners, key=_by_name)
            ),
            "log.dirs": str(self.data_dir),
            "num.partitions": "1",
            # Topics are created on purpose in every lesson; a typo should fail, not create one.
            "auto.create.topics.enable": "false",
            "offsets.topic.replication.factor": rf,
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.replication.factor": rf,
            "transaction.state.log.min.isr": isr,
            "transaction.state.log.num.partitions": "4",
            "share.coordinator.state.topic.replication.factor": rf,
            "share.coordinator.state.topic.min.isr": isr,
            # Without this every first join of a consumer group waits 3 s.
            "group.initial.rebalance.delay.ms": "0",
            # With nothing to compact, the log cleaner looks again after 1 s, not 15 s (the default),
            # so notebook 01 sees compaction within its time budget.
            "log.cleaner.backoff.ms": "1000",
        }
        props.update(self.extra)
        return props

    def render(self) -> str:
        """The text of server.properties."""
        return "".join(f"{key}={value}\n" for key, value in self.properties().items())


def _by_name(spec: ListenerSpec) -> str:
    return spec.name
