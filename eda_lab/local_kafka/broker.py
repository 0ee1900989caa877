"""The local Kafka broker: Apache Kafka 4.x in KRaft mode, run from its Maven Central jars.

Example::

    broker = LocalBroker()          # ~/.local/share/eda-lab, port 9092
    status = broker.start()         # resolves jars once, formats storage once, waits for metadata
    print(status.bootstrap)         # 127.0.0.1:9092
    broker.stop()

    LocalBroker(reachable_at="laptop.local").start().classroom_at   # 'laptop.local:9094'

The node it runs is described by :class:`~eda_lab.local_kafka.node.NodeConfig`; this module
only decides the ports, checks them, and starts, watches and stops the process.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import time
from pathlib import Path

from ..clients.cluster import wait_for_broker
from ..errors import BrokerExited, BrokerUnreachable, LocalBrokerError
from ..settings import Settings
from .classroom import classroom_from_options
from .files import BrokerFiles, BrokerState, default_cache, default_home, new_cluster_id
from .jars import kafka_version, resolve_kafka_jars
from .java import require_java
from .node import DEFAULT_PORT, HOST, NodeConfig
from .ports import check_ports, claim_port, free_port, port_is_free
from .process import DEFAULT_HEAP_MB, KafkaJava, find_process, stop_process
from .status import BrokerStatus, running_status


class LocalBroker:
    """One local single-node Kafka, its files under ``home`` (see :func:`default_home`).

    Parameters: ``home`` (data, logs, config), ``port`` (client port; default the last one
    used, else 9092), ``heap_mb`` (JVM heap cap), ``cache`` (where resolved jars are kept),
    ``reachable_at`` (``HOST[:PORT]``: also listen for learners on the network, see
    :mod:`~eda_lab.local_kafka.classroom`; for this start only) and ``bind`` (the address
    that listener binds, default 0.0.0.0).
    """

    def __init__(
        self,
        home: Path | None = None,
        port: int | None = None,
        heap_mb: int = DEFAULT_HEAP_MB,
        cache: Path | None = None,
        reachable_at: str | None = None,
        bind: str | None = None,
    ) -> None:
        self.classroom = classroom_from_options(reachable_at, bind)  # checked before anything
        self.files = BrokerFiles(Path(home) if home else default_home())
        self.cache = Path(cache) if cache else default_cache()
        self.heap_mb = heap_mb
        self._asked_port = port
        self._child: subprocess.Popen | None = None

    @property
    def port(self) -> int:
        """The client port: the one asked for, else the last one used, else 9092."""
        state = self.files.read_state()
        return self._asked_port or (state.port if state else DEFAULT_PORT)

    @property
    def bootstrap(self) -> str:
        """``host:port`` for clients."""
        return f"{HOST}:{self.port}"

    def _process(self):
        if self._child is not None and self._child.poll() is not None:
            self._child = None  # it exited (killed, crashed); poll() has reaped it
        return find_process(self.files)

    def status(self) -> BrokerStatus:
        """Whether the broker runs, with its address, version, data dir, uptime and memory."""
        state = self.files.read_state()
        proc = self._process()
        port = state.port if (proc and state) else self.port
        info = dict(
            bootstrap=f"{HOST}:{port}",
            kafka_version=state.kafka_version if state else kafka_version(),
            data_dir=self.files.data_dir,
            log_file=self.files.log_file,
        )
        if not proc:
            return BrokerStatus(running=False, **info)
        return running_status(proc, classroom_at=state and state.classroom_at,
                              classroom_bind=state and state.classroom_bind, **info)

    def start(self, timeout_s: float = 120.0) -> BrokerStatus:
        """Start in the background and wait until a client gets metadata; idempotent."""
        current = self.status()
        if current.running:
            self._refuse_another_classroom(current)
            return dataclasses.replace(current, already_running=True)
        java = require_java()
        state = self._prepare_state()
        classroom = (self.classroom.listener(state.port, state.controller_port)
                     if self.classroom else None)
        node = self.files.write_config(HOST, state, (classroom,) if classroom else ())
        check_ports(node, self.files.home)
        jars = resolve_kafka_jars(self.cache, state.kafka_version)
        kafka = KafkaJava(java.executable, os.pathsep.join(str(j) for j in jars), self.files,
                          self.heap_mb)
        if not self.files.formatted:
            kafka.format_storage(state.cluster_id)
        self._child = proc = kafka.launch()
        state.pid, state.started_at = proc.pid, time.time()
        if classroom:
            state.classroom_at, state.classroom_bind = classroom.advertised_address, classroom.address
        self.files.write_state(state)
        self._wait_until_it_answers(proc, node, timeout_s)
        return self.status()

    def _refuse_another_classroom(self, running: BrokerStatus) -> None:
        if not self.classroom:
            return  # a plain start leaves the running broker as it is
        state = self.files.read_state()
        asked = self.classroom.listener(state.port, state.controller_port)
        if (asked.advertised_address, asked.address) == (running.classroom_at,
                                                          running.classroom_bind):
            return
        now = (f"with learners at {running.classroom_at}" if running.classroom_at
               else "on 127.0.0.1 only")
        raise LocalBrokerError(
            f"The broker is already running {now}. To serve learners at "
            f"{asked.advertised_address}, stop it first (`eda-lab broker stop`), then start it "
            "again with --reachable-at.")

    def _prepare_state(self) -> BrokerState:
        old = self.files.read_state()
        port = self.port
        if old and self.files.formatted:
            # The controller port is part of the formatted quorum: keep it.
            return BrokerState(port, old.controller_port, old.kafka_version, old.cluster_id)
        cport = port + 1 if port_is_free(port + 1) and claim_port(port + 1) else free_port()
        return BrokerState(port, cport, kafka_version(), new_cluster_id())

    def _wait_until_it_answers(self, proc: subprocess.Popen, node: NodeConfig,
                               timeout_s: float) -> None:
        settings = Settings(bootstrap=node.listener(node.inter_broker_listener).address)
        try:
            wait_for_broker(settings, timeout_s, alive=lambda: proc.poll() is None)
        except BrokerUnreachable as exc:
            if proc.poll() is not None:
                raise BrokerExited(
                    f"The Kafka broker exited (code {proc.returncode}) while starting. "
                    f"Last lines of {self.files.log_file}:\n{self.files.log_tail()}"
                ) from None
            self.stop()
            raise BrokerExited(
                f"The Kafka broker did not answer within {timeout_s:g} s and was stopped. "
                f"Last lines of {self.files.log_file}:\n{self.files.log_tail()}"
            ) from exc

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the broker cleanly (SIGTERM, then SIGKILL after ``timeout_s``); True if it ran."""
        proc = self._process()
        if not proc:
            return False
        stop_process(proc, timeout_s)
        if self._child is not None:
            self._child.wait(10)  # reap our own child so it does not linger as a zombie
            self._child = None
        state = self.files.read_state()
        if state:
            state.pid = state.classroom_at = state.classroom_bind = None
            self.files.write_state(state)
        return True

    def logs(self, lines: int = 50) -> str:
        """The last ``lines`` lines of the broker's log."""
        return self.files.log_tail(lines)
