"""The test command behind `make test`: a broker for the tests, then every test suite, then stop.

Installs Debian's chromium for the browser test when it is missing (as root, with apt-get).
Starts a throw-away local broker (fresh data, a free port) unless EDA_LAB_BOOTSTRAP is set,
then runs ruff, the unit and integration tests with the examples in eda_lab's docstrings as
doctests (those that talk to Kafka use this broker, see conftest.py), and nbval over every
notebook twice (the second pass proves a notebook gives the same outputs when rerun against
the same broker), with EDA_LAB_PROGRESS=0 (notebooks/conftest.py) so that no progress bar
lands in an output. The broker it started is stopped whatever happens. Exits non-zero on any
failure. The tests need no display: their plots draw with matplotlib's Agg backend.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eda_lab.local_kafka.broker import LocalBroker, free_port  # noqa: E402

# Most tests wait on Kafka (group joins, brokers starting), not on the CPU: three workers halve
# the run on two cores. loadfile keeps a file's tests (and a notebook's cells) on one worker.
PARALLEL = ["-n", "3", "--dist", "loadfile"]
NBVAL = ["-n", "2", "--dist", "loadfile", "--nbval", "--nbval-current-env", "--nbval-cell-timeout=300",
         "--nbval-sanitize-with", str(ROOT / "notebooks" / "sanitize.cfg"), "-p", "no:cacheprovider"]


def _run(title: str, cmd: list[str], **env: str) -> bool:
    print(f"\n=== {title}: {' '.join(cmd)}", flush=True)
    started = time.monotonic()
    ok = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, check=False).returncode == 0
    print(f"=== {title}: {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s",
          flush=True)
    return ok


def ensure_chromium() -> None:
    """The browser test drives Debian's chromium: install it when missing and we may (root with
    apt-get, as CI is). If it cannot be had, the browser test fails saying so; never skipped."""
    if shutil.which("chromium") or shutil.which("chromium-browser"):
        return
    if not (shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0):
        print("chromium is missing and cannot be installed here (needs root and apt-get): "
              "the browser test will fail. Install it with: apt-get install -y chromium", flush=True)
        return
    quiet = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    _run("install chromium", ["apt-get", "update", "-qq"], **quiet)
    _run("install chromium", ["apt-get", "install", "-y", "-qq", "chromium"], **quiet)


def main() -> int:
    py = sys.executable
    started = time.monotonic()
    ensure_chromium()
    broker = None
    if not os.environ.get("EDA_LAB_BOOTSTRAP"):
        home = ROOT / ".eda-lab-test" / "broker"
        shutil.rmtree(home, ignore_errors=True)  # each test run starts from an empty cluster
        broker = LocalBroker(home=home, port=free_port())
        t0 = time.monotonic()
        status = broker.start()
        print(f"Test broker: Kafka {status.kafka_version} at {status.bootstrap}, "
              f"started in {time.monotonic() - t0:.1f} s", flush=True)
        os.environ["EDA_LAB_BOOTSTRAP"] = status.bootstrap
    try:
        results = [
            _run("lint", [py, "-m", "ruff", "check", "."]),
            # One pytest run for all three: a second start-up would cost more than the doctests.
            _run("unit + integration + doctests",
                 [py, "-m", "pytest", "tests", "eda_lab", "--doctest-modules", "-p", "no:cacheprovider",
                  "--durations=15", *PARALLEL],
                 MPLBACKEND="Agg"),  # not for nbval: the kernel's inline backend draws its outputs
            # notebooks/conftest.py sets EDA_LAB_PROGRESS=0: no progress bar in the outputs.
            _run("notebooks (nbval)", [py, "-m", "pytest", "notebooks", *NBVAL]),
            _run("notebooks rerun (nbval)", [py, "-m", "pytest", "notebooks", *NBVAL]),
        ]
    finally:
        if broker is not None:
            rss = broker.status().rss_bytes
            broker.stop()
            print(f"Test broker stopped (resident memory at the end: "
                  f"{(rss or 0) / 2**20:.0f} MiB)", flush=True)
    print(f"\nTest command total time: {time.monotonic() - started:.0f} s")
    print(f"suites: {sum(results)} passed, {len(results) - sum(results)} failed", flush=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
