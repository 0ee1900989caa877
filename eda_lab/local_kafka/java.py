"""Finding a Java runtime new enough for the Kafka broker."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..errors import JavaNotFound, JavaTooOld

KAFKA_MIN_JAVA = 17
_HOW_TO_GET = (
    "Install a JDK {need} or newer: `sudo apt install openjdk-17-jre-headless` (Debian/Ubuntu), "
    "`brew install openjdk@17` (macOS), `conda install -c conda-forge openjdk=17`, or "
    "https://adoptium.net; then set JAVA_HOME or put `java` on PATH."
)


@dataclass(frozen=True)
class JavaRuntime:
    """A java executable and its feature version (17 for ``17.0.15``)."""

    executable: Path
    major: int
    version: str


def parse_java_version(text: str) -> tuple[int, str]:
    """The major version and the full version string from ``java -version`` output."""
    match = re.search(r'version "([^"]+)"', text)
    if not match:
        raise ValueError(f"cannot find a version in {text!r}")
    version = match.group(1)
    head = version.split(".")
    major = int(head[1]) if head[0] == "1" else int(re.match(r"\d+", head[0]).group())
    return major, version


def find_java(environ: dict[str, str] | None = None) -> Path:
    """The java executable from JAVA_HOME, else from PATH; :class:`JavaNotFound` if neither."""
    env = os.environ if environ is None else environ
    java_home = env.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / "java"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which("java", path=env.get("PATH", ""))
    if found:
        return Path(found)
    where = f"JAVA_HOME={java_home!r} has no bin/java and " if java_home else ""
    raise JavaNotFound(
        f"Java not found ({where}no `java` on PATH). The Kafka broker runs on Java. "
        + _HOW_TO_GET.format(need=KAFKA_MIN_JAVA)
    )


def require_java(minimum: int = KAFKA_MIN_JAVA, environ: dict[str, str] | None = None) -> JavaRuntime:
    """A Java runtime of at least ``minimum``, or a clear error saying how to get one."""
    exe = find_java(environ)
    try:
        out = subprocess.run(
            [str(exe), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
        major, version = parse_java_version(out.stderr + out.stdout)
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        raise JavaNotFound(
            f"{exe} did not report a Java version ({exc}). "
            + _HOW_TO_GET.format(need=minimum)
        ) from exc
    if major < minimum:
        raise JavaTooOld(
            f"{exe} is Java {version}; Kafka 4 needs Java {minimum} or newer. "
            + _HOW_TO_GET.format(need=minimum)
        )
    return JavaRuntime(executable=exe, major=major, version=version)
