"""The local Kafka broker: Apache Kafka 4.x in KRaft mode, run from its Maven Central jars.

Example::

    broker = LocalBroker()          # ~/.local/share/eda-lab, port 9092
    status = broker.start()         # resolves jars once, formats storage once, waits for metadata
    print(status.bootstrap)         # 127.0.0.1:9092
    broker.stop()
"""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from ..clients.cluster import wait_for_broker
from ..errors import BrokerExited, BrokerUnreachable, LocalBrokerError, PortInUse
from ..settings import Settings
from .files import BrokerFiles, BrokerState, default_cache, default_home, new_cluster_id
from .jars import kafka_version, resolve_kafka_jars
from .java import require_java

HOST = "127.0.0.1"
DEFAULT_PORT = 9092
DEFAULT_HEAP_MB = 512


@dataclass(frozen=True)
class BrokerStatus:
    """A snapshot of the local broker: whether it runs, where, which version, how big."""

    running: bool
    bootstrap: str
    kafka_version: str
    data_dir: Path
    log_file: Path
    pid: int | None = None
    uptime_s: float | None = None
    rss_bytes: int | None = None
    already_running: bool = False

    def describe(self) -> str:
        """A few human-readable lines, as ``eda-lab broker status`` prints them."""
        head = f"running (pid {self.pid})" if self.running else "stopped"
        lines = [
            f"state:      {head}",
            f"bootstrap:  {self.bootstrap}",
            f"kafka:      {self.kafka_version} (KRaft, combined broker+controller)",
            f"data dir:   {self.data_dir}",
            f"log file:   {self.log_file}",
        ]
        if self.running and self.uptime_s is not None:
            lines.append(f"uptime:     {self.uptime_s:.0f} s")
        if self.running and self.rss_bytes is not None:
            lines.append(f"memory:     {self.rss_bytes / 2**20:.0f} MiB resident")
        return "\n".join(lines)


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class LocalBroker:
    """One local single-node Kafka, its files under ``home`` (see :func:`default_home`).

    Parameters: ``home`` (data, logs, config), ``port`` (client port; default the last one
    used, else 9092), ``heap_mb`` (JVM heap cap), ``cache`` (where resolved jars are kept).
    """

    def __init__(
        self,
        home: Path | None = None,
        port: int | None = None,
        heap_mb: int = DEFAULT_HEAP_MB,
        cache: Path | None = None,
    ) -> None:
        self.files = BrokerFiles(Path(home) if home else default_home())
        self.cache = Path(cache) if cache else default_cache()
        self.heap_mb = heap_mb
        self._asked_port = port
        self._child: subprocess.Popen | None = None

    @property
    def port(self) -> int:
        state = self.files.read_state()
        return self._asked_port or (state.port if state else DEFAULT_PORT)

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"

    def _process(self) -> psutil.Process | None:
        state = self.files.read_state()
        if not state or not state.pid:
            return None
        try:
            proc = psutil.Process(state.pid)
            alive = proc.status() != psutil.STATUS_ZOMBIE
            ours = str(self.files.properties) in proc.cmdline()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            return None
        return proc if alive and ours else None

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
        try:
            rss = proc.memory_info().rss
            uptime = time.time() - proc.create_time()
        except psutil.Error:
            rss = uptime = None
        return BrokerStatus(True, pid=proc.pid, uptime_s=uptime, rss_bytes=rss, **info)

    def start(self, timeout_s: float = 120.0) -> BrokerStatus:
        """Start in the background and wait until a client gets metadata; idempotent."""
        current = self.status()
        if current.running:
            return BrokerStatus(**{**current.__dict__, "already_running": True})
        java = require_java()
        state = self._prepare_state()
        jars = resolve_kafka_jars(self.cache, state.kafka_version)
        self.files.write_config(HOST, state)
        classpath = os.pathsep.join(str(j) for j in jars)
        if not self.files.formatted:
            self._format(java.executable, classpath, state.cluster_id)
        proc = self._launch(java.executable, classpath)
        state.pid, state.started_at = proc.pid, time.time()
        self.files.write_state(state)
        settings = Settings(bootstrap=f"{HOST}:{state.port}")
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
        return self.status()

    def _prepare_state(self) -> BrokerState:
        old = self.files.read_state()
        port = self.port
        if not _port_free(port):
            raise PortInUse(
                f"Port {port} on {HOST} is taken by another program, so the broker cannot listen "
                f"there. Stop that program, or use another port: `eda-lab broker start --port "
                f"{port + 100}` and EDA_LAB_BOOTSTRAP={HOST}:{port + 100}."
            )
        if old and self.files.formatted:
            # The controller port is part of the formatted quorum: keep it.
            cport = old.controller_port
            if not _port_free(cport):
                raise PortInUse(
                    f"Controller port {cport} on {HOST} (fixed when {self.files.data_dir} was "
                    "formatted) is taken by another program. Stop that program, or delete "
                    f"{self.files.home} to start afresh."
                )
            return BrokerState(port, cport, old.kafka_version, old.cluster_id)
        cport = port + 1 if _port_free(port + 1) else free_port()
        return BrokerState(port, cport, kafka_version(), new_cluster_id())

    def _java_command(self, java: Path, classpath: str, *args: str) -> list[str]:
        return [
            str(java), f"-Xmx{self.heap_mb}m", "-Xms128m", "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.files.log4j}",
            f"-Dkafka.logs.dir={self.files.log_file.parent}",
            "-cp", classpath, *args,
        ]

    def _format(self, java: Path, classpath: str, cluster_id: str) -> None:
        cmd = self._java_command(
            java, classpath, "kafka.tools.StorageTool", "format", "--standalone",
            f"--cluster-id={cluster_id}", f"--config={self.files.properties}",
        )
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise LocalBrokerError(
                f"Formatting the broker's storage in {self.files.data_dir} failed:\n"
                f"{(done.stdout + done.stderr).strip()[-1500:]}\n"
                f"If the folder holds an old or broken broker, delete {self.files.home}."
            )

    def _launch(self, java: Path, classpath: str) -> subprocess.Popen:
        log = self.files.log_file
        if log.exists():
            log.replace(log.with_suffix(".log.1"))
        cmd = self._java_command(java, classpath, "kafka.Kafka", str(self.files.properties))
        with open(log, "ab") as out:
            self._child = subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal must not kill the broker
            )
        return self._child

    def stop(self, timeout_s: float = 60.0) -> bool:
        """Stop the broker cleanly (SIGTERM, then SIGKILL after ``timeout_s``); True if it ran."""
        proc = self._process()
        if not proc:
            return False
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout_s)
        except psutil.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        if self._child is not None:
            self._child.wait(10)  # reap our own child so it does not linger as a zombie
        state = self.files.read_state()
        if state:
            state.pid = None
            self.files.write_state(state)
        return True

    def logs(self, lines: int = 50) -> str:
        """The last ``lines`` lines of the broker's log."""
        return self.files.log_tail(lines)
