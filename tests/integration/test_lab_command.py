"""`eda-lab lab` (what `make lab` runs) brings up the broker and JupyterLab on the notebooks."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from eda_lab.local_kafka.broker import LocalBroker, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"



def wait_for_url(proc: subprocess.Popen, log: Path, timeout_s: float = 90) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = re.search(r"(http://127\.0\.0\.1:\d+/lab\?token=\w+)", log.read_text())
        if found:
            return found.group(1)
        assert proc.poll() is None, f"the lab command exited:\n{log.read_text()[-3000:]}"
        time.sleep(0.3)  # polling a log file for a condition
    raise AssertionError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")


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
