"""Resolving the Kafka broker's jars from Maven Central, cached per user.

The first resolution downloads about 40 jars; after that the classpath is read from a small
file in the cache, so a warm start needs no network and no resolver at all. The resolver is
the pure-Python one in ``jgo`` (installed with eda-lab); ``mvn`` is the fallback.
"""

from __future__ import annotations

import shutil
import subprocess
from importlib import resources
from pathlib import Path

from ..errors import JarsUnavailable
from ..progress_bars import elapsed_status
from ..settings import LocalKafkaSettings

KAFKA_VERSION = "4.3.1"
# The log4j2 binding for slf4j 1.7, at the log4j version Kafka 4.3 itself depends on.
LOG4J_VERSION = "2.25.4"
_CLASSPATH_FILE = "classpath.txt"


def kafka_version() -> str:
    """The Kafka version the local broker runs (``EDA_LAB_KAFKA_VERSION`` overrides the pin)."""
    return LocalKafkaSettings.from_env().kafka_version or KAFKA_VERSION


def _cached(folder: Path) -> list[Path] | None:
    listing = folder / _CLASSPATH_FILE
    if not listing.is_file():
        return None
    jars = [Path(line) for line in listing.read_text().splitlines() if line.strip()]
    return jars if jars and all(j.is_file() for j in jars) else None


def _with_jgo(version: str, folder: Path) -> list[Path]:
    import jgo  # imported here: resolving is rare and jgo is slow to import

    # "!" keeps log4j's own dependency management (it pins kafka-clients 3.x) out of the graph.
    endpoint = (
        f"org.apache.kafka:kafka_2.13:{version}"
        f"+org.apache.logging.log4j:log4j-slf4j-impl:{LOG4J_VERSION}!"
    )
    env = jgo.build(endpoint, cache_dir=folder / "jgo")
    return sorted(Path(p) for p in env.all_jars)


def _with_mvn(version: str, folder: Path) -> list[Path]:
    mvn = shutil.which("mvn")
    if not mvn:
        raise FileNotFoundError("mvn is not on PATH")
    pom = folder / "pom.xml"
    template = resources.files("eda_lab").joinpath("resources/kafka-pom.xml").read_text()
    pom.write_text(
        template.replace("@KAFKA_VERSION@", version).replace("@LOG4J_VERSION@", LOG4J_VERSION)
    )
    lib = folder / "lib"
    shutil.rmtree(lib, ignore_errors=True)  # never two versions of one jar side by side
    done = subprocess.run(
        [mvn, "-B", "-q", "-f", str(pom), "dependency:copy-dependencies",
         "-DincludeScope=runtime", f"-DoutputDirectory={lib}"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError((done.stdout + done.stderr).strip()[-800:])
    return sorted(lib.glob("*.jar"))


def resolve_kafka_jars(cache_dir: Path, version: str | None = None) -> list[Path]:
    """The broker's classpath: from the cache if complete, else resolved and cached.

    ``EDA_LAB_JAR_RESOLVER`` picks ``jgo`` or ``mvn`` only, or ``none`` (the cache only).
    """
    version = version or kafka_version()
    folder = cache_dir / f"kafka-{version}"
    jars = _cached(folder)
    if jars:
        return jars
    folder.mkdir(parents=True, exist_ok=True)
    forced = LocalKafkaSettings.from_env().jar_resolver
    resolvers = [("jgo", _with_jgo), ("mvn", _with_mvn)]
    if forced:
        resolvers = [r for r in resolvers if r[0] == forced]
    failures = [] if resolvers else [f"EDA_LAB_JAR_RESOLVER={forced} allows the cache only"]
    for name, resolver in resolvers:
        try:
            # Neither jgo nor mvn reports progress: a terminal at least sees the time running.
            with elapsed_status(f"Resolving the Kafka {version} jars with {name} "
                                "(first start only)"):
                jars = resolver(version, folder)
        except Exception as exc:  # any failure moves on to the next resolver
            failures.append(f"{name}: {type(exc).__name__}: {str(exc)[:400]}")
            continue
        if any(j.name.startswith("kafka_2.13-") for j in jars):
            (folder / _CLASSPATH_FILE).write_text("".join(f"{j}\n" for j in jars))
            return jars
        failures.append(f"{name}: resolved no kafka_2.13 jar")
    raise JarsUnavailable(
        f"Could not resolve the Kafka {version} jars from Maven Central. The first start needs "
        f"network access to Maven Central (later starts use the cache in {folder}). Check your "
        "connection or proxy (pip's and Maven's settings), then run `eda-lab broker start` again. "
        + " | ".join(failures)
    )
