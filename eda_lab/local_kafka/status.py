"""What ``eda-lab broker status`` shows: a snapshot of the local broker."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import psutil

from .classroom import learner_lines


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
    classroom_at: str | None = None  # host:port learners use, when started with --reachable-at
    classroom_bind: str | None = None

    def classroom_lines(self) -> list[str]:
        """The address learners use and the no-authentication warning; none without one."""
        if not (self.running and self.classroom_at):
            return []
        return learner_lines(self.classroom_at, self.classroom_bind or "")

    def describe(self) -> str:
        """A few human-readable lines, as ``eda-lab broker status`` prints them."""
        head = f"running (pid {self.pid})" if self.running else "stopped"
        lines = [
            f"state:      {head}",
            f"bootstrap:  {self.bootstrap}",
            f"kafka:      {self.kafka_version} (KRaft, combined broker+controller)",
            f"data dir:   {self.data_dir}",
            f"log file:   {self.log_file}",
            *self.classroom_lines(),
        ]
        if self.running and self.uptime_s is not None:
            lines.append(f"uptime:     {self.uptime_s:.0f} s")
        if self.running and self.rss_bytes is not None:
            lines.append(f"memory:     {self.rss_bytes / 2**20:.0f} MiB resident")
        return "\n".join(lines)


def running_status(proc: psutil.Process, **info) -> BrokerStatus:
    """The status of a running broker ``proc``, with its uptime and resident memory."""
    try:
        rss = proc.memory_info().rss
        uptime = time.time() - proc.create_time()
    except psutil.Error:
        rss = uptime = None  # it exited a moment ago, or belongs to another user
    return BrokerStatus(True, pid=proc.pid, uptime_s=uptime, rss_bytes=rss, **info)
