"""`eda-lab lab` (what `make lab` runs) brings up the broker and JupyterLab on the notebooks."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from eda_lab.local_kafka.broker import LocalBroker
from eda_lab.local_kafka.ports import free_port
from tests.helpers import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"



def wait_for_url(proc: subprocess.Popen, log: Path, timeout_s: float = 90) -> str:
    def url() -> str | None:
        found = re.search(r"(http://127\.0\.0\.1:\d+/lab\?token=\w+)", log.read_text())
        assert found or proc.poll() is None, "the lab command exited"
        return found.group(1) if found else None

    try:
        return wait_for(url, "JupyterLab's address in the log", timeout_s, interval_s=0.3)
    except AssertionError as exc:
        raise AssertionError(f"{exc}:\n{log.read_text()[-3000:]}") from None


def test_lab_starts_the_broker_and_jupyterlab(tmp_path):
    home, port, lab_port = tmp_path / "broker", free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if k != "EDA_LAB_BOOTSTRAP"}
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "eda_lab", "lab", "--home", str(home), "--port", str(port),
             "--lab-port", str(lab_port), "--notebooks", str(NOTEBOOKS), "--no-browser"],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    broker = LocalBroker(home=home)
    try:
        url = wait_for_url(proc, log)
        assert broker.status().running and broker.status().bootstrap == f"127.0.0.1:{port}"
        token = url.split("token=")[1]
        api = f"http://127.0.0.1:{lab_port}/api/contents?token={token}"
        listing = json.load(urllib.request.urlopen(api, timeout=30))
        names = {item["name"] for item in listing["content"]}
        assert "00_setup.ipynb" in names
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        assert "JupyterLab" in page
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        broker.stop()
