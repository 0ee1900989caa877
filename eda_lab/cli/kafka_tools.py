"""Kafka's own command-line tools, run from Maven jars against the configured cluster.

``eda-lab kafka consumer-groups --describe --group G`` runs the class behind
``kafka-consumer-groups.sh`` with ``--bootstrap-server`` taken from :class:`Settings`, so a
learner types the commands they will type at work without downloading a Kafka distribution.
The tool classes live in the ``org.apache.kafka:kafka-tools`` artifact (not in the broker's
jars); it is resolved once with ``jgo`` and cached beside the broker's jars.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import JarsUnavailable
from ..local_kafka.files import default_cache
from ..local_kafka.jars import LOG4J_VERSION, kafka_version
from ..local_kafka.java import require_java
from ..settings import Settings, get_settings

# The shell script each tool stands for in Kafka's bin/ folder, and its class in Kafka 4.x.
KAFKA_TOOLS = {
    "topics": "org.apache.kafka.tools.TopicCommand",  # kafka-topics.sh
    "consumer-groups": "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "console-consumer": "org.apache.kafka.tools.consumer.ConsoleConsumer",
    "console-producer": "org.apache.kafka.tools.ConsoleProducer",
    "get-offsets": "org.apache.kafka.tools.GetOffsetShell",  # kafka-get-offsets.sh
    "producer-perf-test": "org.apache.kafka.tools.ProducerPerformance",
}
_CLASSPATH_FILE = "classpath.txt"


def tools_classpath(cache_dir: Path | None = None, version: str | None = None) -> list[Path]:
    """The jars of ``org.apache.kafka:kafka-tools``: from the cache, else resolved and cached."""
    version = version or kafka_version()
    folder = (cache_dir or default_cache()) / f"kafka-tools-{version}"
    listing = folder / _CLASSPATH_FILE
    if listing.is_file():
        jars = [Path(line) for line in listing.read_text().splitlines() if line.strip()]
        if jars and all(j.is_file() for j in jars):
            return jars
    try:
        import jgo  # imported here: resolving is rare and jgo is slow to import

        endpoint = (f"org.apache.kafka:kafka-tools:{version}"
                    f"+org.apache.logging.log4j:log4j-slf4j-impl:{LOG4J_VERSION}!")
        jars = sorted(Path(p) for p in jgo.build(endpoint, cache_dir=folder / "jgo").all_jars)
    except Exception as exc:  # noqa: BLE001  # network, resolver or repository problems
        raise JarsUnavailable(
            f"Could not fetch Kafka's tools (org.apache.kafka:kafka-tools:{version}) from Maven "
            f"Central: {exc}. Connect to the internet once; after that they come from {folder}."
        ) from exc
    folder.mkdir(parents=True, exist_ok=True)
    listing.write_text("\n".join(str(j) for j in jars) + "\n")
    return jars


def _client_config(settings: Settings) -> str | None:
    """A client .properties file for a secured cluster (None for PLAINTEXT)."""
    if settings.security_protocol == "PLAINTEXT":
        return None
    lines = [f"security.protocol={settings.security_protocol}"]
    if settings.sasl_mechanism:
        lines.append(f"sasl.mechanism={settings.sasl_mechanism}")
        module = ("org.apache.kafka.common.security.plain.PlainLoginModule"
                  if settings.sasl_mechanism == "PLAIN"
                  else "org.apache.kafka.common.security.scram.ScramLoginModule")
        lines.append(f'sasl.jaas.config={module} required username="{settings.sasl_username}" '
                     f'password="{settings.sasl_password}";')
    if settings.ssl_cafile:
        lines += ["ssl.truststore.type=PEM", f"ssl.truststore.location={settings.ssl_cafile}"]
    handle, path = tempfile.mkstemp(prefix="eda-lab-client-", suffix=".properties")
    with os.fdopen(handle, "w") as out:
        out.write("\n".join(lines) + "\n")
    return path


def tool_arguments(tool: str, args: Sequence[str], settings: Settings,
                   config_file: str | None = None) -> list[str]:
    """The tool's class and arguments, with the cluster's address added unless already given."""
    if tool not in KAFKA_TOOLS:
        raise ValueError(f"unknown Kafka tool {tool!r}; choose one of {', '.join(KAFKA_TOOLS)}")
    args = list(args)
    extra = [] if "--bootstrap-server" in args else ["--bootstrap-server", settings.bootstrap]
    if config_file:  # every tool of Kafka 4.3 takes its client settings this way
        extra += ["--command-config", config_file]
    return [KAFKA_TOOLS[tool], *args, *extra]


def run_kafka_tool(tool: str, *args: str, settings: Settings | None = None,
                   timeout_s: float = 120.0, capture: bool = True) -> subprocess.CompletedProcess:
    """Run one of Kafka's tools (a key of ``KAFKA_TOOLS``) and return the finished process.

    Example::

        done = run_kafka_tool("consumer-groups", "--describe", "--group", ns.group("billing"))
        print(done.stdout)
    """
    settings = settings or get_settings()
    java = require_java()
    classpath = os.pathsep.join(str(j) for j in tools_classpath())
    config_file = _client_config(settings)
    cmd = [str(java.executable), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
           "-Dlog4j2.level=WARN", "-cp", classpath,
           *tool_arguments(tool, args, settings, config_file)]
    try:
        return subprocess.run(cmd, capture_output=capture, text=True, timeout=timeout_s,
                              check=False)
    finally:
        if config_file:
            os.unlink(config_file)


def describe_group(group: str, settings: Settings | None = None) -> list[dict[str, str]]:
    """``kafka-consumer-groups --describe --group G``, one dict per row of its table.

    Kafka prints ``-`` where a value is unknown (no committed offset, no active member).
    A tool that fails raises ``RuntimeError`` with its own message.
    """
    done = run_kafka_tool("consumer-groups", "--describe", "--group", group, settings=settings)
    if done.returncode != 0:
        raise RuntimeError(f"kafka-consumer-groups failed: {(done.stderr or done.stdout).strip()}")
    return parse_table(done.stdout)


def parse_table(text: str) -> list[dict[str, str]]:
    """The rows of a table a Kafka tool prints: a header line of names, then one line per row."""
    rows: list[dict[str, str]] = []
    header: list[str] | None = None
    for line in text.splitlines():
        cells = line.split()
        if not cells:
            header = None  # a blank line ends a table
        elif header is None:
            header = cells if cells[0] == "GROUP" or cells[0] == "TOPIC" else None
        elif len(cells) == len(header):
            rows.append(dict(zip(header, cells, strict=True)))
    return rows


def producer_perf_test(topic: str, records: int, record_size: int,
                       settings: Settings | None = None, **producer_config: Any) -> float:
    """Records per second of Kafka's own Java producer (``kafka-producer-perf-test``).

    ``producer_config`` uses Java's names with ``_`` for ``.``: ``linger_ms=20`` is
    ``linger.ms=20``. Example::

        rate = producer_perf_test(ns.topic("bench"), 100_000, 250, acks="all")
    """
    props = [f"{k.replace('_', '.')}={v}" for k, v in producer_config.items()]
    done = run_kafka_tool("producer-perf-test", "--topic", topic, "--num-records", str(records),
                          "--record-size", str(record_size), "--throughput", "-1",
                          *(["--command-property", *props] if props else []), settings=settings)
    summary = re.search(r"(\d+) records sent, ([\d.]+) records/sec", done.stdout)
    if done.returncode != 0 or not summary:
        raise RuntimeError(f"kafka-producer-perf-test failed: {(done.stderr or done.stdout).strip()}")
    return float(summary.group(2))


def _run_from_cli(args) -> int:  # noqa: ANN001  # an argparse.Namespace
    return run_kafka_tool(args.tool, *args.tool_args, capture=False, timeout_s=None).returncode


def add_kafka_parser(sub) -> None:  # noqa: ANN001  # argparse's sub-parsers action
    """Register ``eda-lab kafka TOOL [ARGS...]`` on the ``eda-lab`` command."""
    kafka = sub.add_parser(
        "kafka", help="run one of Kafka's own tools against the configured cluster",
        description="Runs Kafka's own tool (kafka-TOOL.sh) from its Maven jars, adding "
                    "--bootstrap-server from EDA_LAB_BOOTSTRAP. Example: "
                    "eda-lab kafka consumer-groups --describe --group G")
    kafka.add_argument("tool", choices=list(KAFKA_TOOLS))
    kafka.add_argument("tool_args", nargs="...", help="the tool's own options (try --help)")
    kafka.set_defaults(func=_run_from_cli)
