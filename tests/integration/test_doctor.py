import os
import subprocess

import pytest

from tests.helpers import run_cli

pytestmark = pytest.mark.integration


def doctor(env: dict) -> subprocess.CompletedProcess:
    return run_cli("doctor", env=env, timeout_s=120)


def test_doctor_passes_against_the_broker_under_test(settings):
    done = doctor({**os.environ, "EDA_LAB_BOOTSTRAP": settings.bootstrap})
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "[ ok ] python", "[ ok ] kafka-python", "[ ok ] java", "[ ok ] broker",
        "[ ok ] advertised listener", "[ ok ] clock"]
    assert "Kafka 4." in lines[3]


def test_doctor_says_what_to_do_when_nothing_answers():
    done = doctor({**os.environ, "EDA_LAB_BOOTSTRAP": "127.0.0.1:1"})
    assert done.returncode == 1
    assert "[FAIL] broker: nothing answers at 127.0.0.1:1 -> " in done.stdout
    assert "eda-lab broker start" in done.stdout
