"""What a class puts on one broker: run notebooks 00-03 for N namespaces at once.

Starts a broker of its own (fresh data, a free port), runs the notebooks once for a single
learner (the baseline), then for N learners at once (each learner runs them in order, as a
class would), sampling the broker's resident memory every half second. Prints the time per
notebook (median and slowest learner) beside the baseline, and the broker's peak memory.

    .venv/bin/python tools/load_classroom.py [--learners 10] [--notebooks 00 01 02 03]

The notebooks run with nbconvert into a temporary folder: the committed ones are untouched.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eda_lab.local_kafka.broker import LocalBroker, free_port  # noqa: E402


def run_notebook(path: Path, out: Path, env: dict[str, str]) -> tuple[float, bool]:
    """Seconds to execute one notebook, and whether it ran without an error."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
         "--ExecutePreprocessor.timeout=900", "--output-dir", str(out), str(path)],
        env=env, cwd=path.parent, capture_output=True, text=True, check=False)
    if done.returncode:
        print(f"  {env['EDA_LAB_NAMESPACE']} {path.name} FAILED:\n{done.stderr[-1500:]}", flush=True)
    return time.monotonic() - started, done.returncode == 0


def learner(name: str, notebooks: list[Path], work: Path, bootstrap: str) -> dict[str, tuple]:
    env = {**{k: v for k, v in os.environ.items() if k != "MPLBACKEND"},
           "EDA_LAB_BOOTSTRAP": bootstrap, "EDA_LAB_NAMESPACE": name,
           "EDA_LAB_HOME": str(work / "home" / name)}
    return {nb.name: run_notebook(nb, work / name, env) for nb in notebooks}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10)
    parser.add_argument("--notebooks", nargs="+", default=["00", "01", "02", "03"])
    args = parser.parse_args()
    notebooks = [next((ROOT / "notebooks").glob(f"{n}_*.ipynb")) for n in args.notebooks]
    with tempfile.TemporaryDirectory(prefix="eda-lab-load-") as tmp:
        work = Path(tmp)
        broker = LocalBroker(home=work / "broker", port=free_port())
        status = broker.start()
        print(f"Kafka {status.kafka_version} at {status.bootstrap}, {os.cpu_count()} cores; "
              f"idle broker {status.rss_bytes / 2**20:.0f} MiB", flush=True)
        peak, sampling = [status.rss_bytes or 0], threading.Event()

        def sample() -> None:
            proc = psutil.Process(status.pid)
            while not sampling.wait(0.5):
                peak.append(proc.memory_info().rss)

        try:
            t0 = time.monotonic()
            alone = learner("solo", notebooks, work, status.bootstrap)
            print(f"one learner alone: {time.monotonic() - t0:.0f} s", flush=True)
            threading.Thread(target=sample, daemon=True).start()
            t0 = time.monotonic()
            with ThreadPoolExecutor(args.learners) as pool:
                runs = list(pool.map(lambda i: learner(f"learner-{i:02d}", notebooks, work,
                                                       status.bootstrap), range(args.learners)))
            wall = time.monotonic() - t0
            sampling.set()
            after = broker.status().rss_bytes or 0
        finally:
            broker.stop()
    print(f"\n{args.learners} learners at once: {wall:.0f} s wall clock; broker peak "
          f"{max(peak) / 2**20:.0f} MiB resident, {after / 2**20:.0f} MiB at the end")
    print(f"{'notebook':<36} {'alone':>7} {'median':>7} {'slowest':>8} {'failed':>7}")
    for nb in notebooks:
        times = [r[nb.name][0] for r in runs]
        failed = sum(not r[nb.name][1] for r in runs)
        print(f"{nb.name:<36} {alone[nb.name][0]:>6.0f}s {statistics.median(times):>6.0f}s "
              f"{max(times):>7.0f}s {failed:>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
