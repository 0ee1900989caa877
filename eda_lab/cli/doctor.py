"""``eda-lab doctor``: one line per check of the learner's setup, with a fix where one fails."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError, version

from ..clients.cluster import ClusterInfo, cluster_info
from ..errors import EdaLabError
from ..local_kafka.java import require_java
from ..settings import Settings, get_settings


@dataclass(frozen=True)
class Check:
    """The outcome of one check: a name, whether it passed, what was seen, and a fix."""

    name: str
    ok: bool
    detail: str
    fix: str = ""

    def line(self) -> str:
        """``[ ok ] name: detail`` or ``[FAIL] name: detail -> fix``."""
        mark = "[ ok ]" if self.ok else "[FAIL]"
        return f"{mark} {self.name}: {self.detail}" + ("" if self.ok else f" -> {self.fix}")


def check_python() -> Check:
    ok = sys.version_info >= (3, 10)
    return Check("python", ok, sys.version.split()[0], "install Python 3.10 or newer")


def check_kafka_python() -> Check:
    try:
        found = version("kafka-python")
    except PackageNotFoundError:
        return Check("kafka-python", False, "not installed", "pip install -e . (or make lab)")
    ok = found.split(".")[0] == "3"
    return Check("kafka-python", ok, found, "pip install 'kafka-python>=3,<4'")


def check_java() -> Check:
    try:
        java = require_java()
    except EdaLabError as exc:
        return Check("java", False, "not usable", str(exc))
    return Check("java", True, f"{java.version} at {java.executable}")


def check_broker(settings: Settings) -> tuple[Check, ClusterInfo | None]:
    try:
        info = cluster_info(settings, timeout_s=5)
    except EdaLabError as exc:
        return Check("broker", False, f"nothing answers at {settings.bootstrap}", str(exc)), None
    return Check("broker", True, f"Kafka {info.kafka_version}, cluster {info.cluster_id} "
                 f"answers at {settings.bootstrap}"), info


def _same_address(a: str, b: str) -> bool:
    local = {"localhost", "127.0.0.1", "::1"}
    (ha, _, pa), (hb, _, pb) = a.rpartition(":"), b.rpartition(":")
    return pa == pb and (ha == hb or (ha in local and hb in local))


def check_advertised(settings: Settings, info: ClusterInfo | None) -> Check:
    if info is None:
        return Check("advertised listener", False, "broker not reachable", "fix the broker first")
    used = settings.bootstrap_servers
    ok = any(_same_address(b, u) for b in info.brokers for u in used) or len(used) > 1
    return Check(
        "advertised listener", ok, f"broker advertises {', '.join(info.brokers)}",
        f"clients connect to {settings.bootstrap} but are sent to {', '.join(info.brokers)}: "
        "set advertised.listeners to an address this machine can reach",
    )


def check_clock() -> Check:
    now = datetime.now(timezone.utc)
    drift = abs(now.timestamp() - time.time())
    zone = datetime.now().astimezone().tzname()
    ok = now.year >= 2024 and drift < 1
    return Check(
        "clock", ok, f"UTC {now:%Y-%m-%d %H:%M}, local zone {zone} (events carry UTC)",
        "set the system clock (e.g. enable NTP): event timestamps come from it",
    )


def run_checks(settings: Settings | None = None) -> Iterator[Check]:
    """Run every check in order, yielding each result as it is known."""
    settings = settings or get_settings()
    yield from (check_python(), check_kafka_python(), check_java())
    broker, info = check_broker(settings)
    yield broker
    yield check_advertised(settings, info)
    yield check_clock()
