"""Finding Java and reading its version, with a stand-in `java` program in a temporary JDK.

Integration tests because the launcher runs `java -version` as a process (unit tests start none).
"""

from __future__ import annotations

import os
import stat

import pytest

from eda_lab.errors import JavaTooOld
from eda_lab.local_kafka.java import find_java, require_java

pytestmark = pytest.mark.integration


def fake_java(folder, version_line):
    exe = folder / "bin" / "java"
    exe.parent.mkdir(parents=True)
    exe.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    return exe


def test_java_home_wins_over_path(tmp_path):
    exe = fake_java(tmp_path / "jdk", 'openjdk version "21.0.1"')
    assert find_java({"JAVA_HOME": str(tmp_path / "jdk"), "PATH": os.environ["PATH"]}) == exe
    assert require_java(environ={"JAVA_HOME": str(tmp_path / "jdk")}).major == 21


def test_java_too_old_names_the_version_needed(tmp_path):
    fake_java(tmp_path / "jdk", 'openjdk version "11.0.2" 2019-01-15')
    with pytest.raises(JavaTooOld, match=r"11\.0\.2.*needs Java 17"):
        require_java(environ={"JAVA_HOME": str(tmp_path / "jdk")})
