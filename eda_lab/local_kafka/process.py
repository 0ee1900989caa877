"""The broker's Java process: its command line, formatting its storage, launching, finding and
stopping it."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psutil

from ..errors import LocalBrokerError, WaitTimeout
from ..waiting import wait_until
from .files import BrokerFiles

DEFAULT_HEAP_MB = 512


@dataclass(frozen=True)
class KafkaJava:
    """How to run Kafka's classes for one node: java, the classpath, the heap, the node's files."""

    java: Path
    classpath: str
    files: BrokerFiles
    heap_mb: int = DEFAULT_HEAP_MB

    def command(self, *args: str) -> list[str]:
        """The java command line that runs ``args`` (a main class and its arguments)."""
        return [
            str(self.java), f"-Xmx{self.heap_mb}m", "-Xms128m", "-XX:+UseG1GC",
            "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={self.files.log4j}",
            f"-Dkafka.logs.dir={self.files.log_file.parent}",
            "-cp", self.classpath, *args,
        ]

    def format_storage(self, cluster_id: str, quorum: tuple[str, ...] = ("--standalone",)) -> None:
        """Format the node's data dir once (``quorum``: ``--standalone`` for a lone controller)."""
        cmd = self.command("kafka.tools.StorageTool", "format", *quorum,
                           f"--cluster-id={cluster_id}", f"--config={self.files.properties}")
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise LocalBrokerError(
                f"Formatting the broker's storage in {self.files.data_dir} failed:\n"
                f"{(done.stdout + done.stderr).strip()[-1500:]}\n"
                f"If the folder holds an old or broken broker, delete {self.files.home}."
            )

    def launch(self) -> subprocess.Popen:
        """Start the node in the background, its output in the log (the previous log kept)."""
        log = self.files.log_file
        if log.exists():
            log.replace(log.with_suffix(".log.1"))
        cmd = self.command("kafka.Kafka", str(self.files.properties))
        with open(log, "ab") as out:
            return subprocess.Popen(
                cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C in the terminal must not kill the broker
            )


def find_process(files: BrokerFiles) -> psutil.Process | None:
    """The live process recorded in ``files``' state, if it is still a broker of those files.

    A recorded pid can be reused by any program after a reboot or a crash; only a process whose
    command line names this node's server.properties counts.
    """
    state = files.read_state()
    if not state or not state.pid:
        return None
    try:
        proc = psutil.Process(state.pid)
        if _gone(proc):
            return None
        try:
            cmdline = proc.cmdline()
        except psutil.ZombieProcess:
            cmdline = []
        # A dying process (see _gone) shows no command line: then its start time must match.
        ours = (str(files.properties) in cmdline if cmdline
                else abs(proc.create_time() - (state.started_at or 0)) < 10)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None
    return proc if ours else None


def _gone(proc: psutil.Process) -> bool:
    try:
        # A killed JVM's main thread is a zombie at once, while its other threads still hold
        # the sockets for a moment: gone means no thread but the zombie is left.
        return proc.status() == psutil.STATUS_ZOMBIE and proc.num_threads() <= 1
    except psutil.NoSuchProcess:  # also ZombieProcess, where threads cannot be counted
        return True


def stop_process(proc: psutil.Process, timeout_s: float) -> None:
    """SIGTERM (a clean shutdown), then SIGKILL if it has not exited after ``timeout_s``."""
    with contextlib.suppress(psutil.NoSuchProcess):  # it may exit on its own meanwhile
        proc.send_signal(signal.SIGTERM)
    try:
        wait_until(lambda: _gone(proc), timeout_s,
                   lambda: WaitTimeout(f"pid {proc.pid} ignored SIGTERM"), interval_s=0.1)
    except WaitTimeout:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
        wait_until(lambda: _gone(proc), 10, lambda: LocalBrokerError(
            f"The broker (pid {proc.pid}) did not exit even after SIGKILL; "
            "check it with `ps` and your system's process tools."), interval_s=0.1)
