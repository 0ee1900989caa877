"""The ``eda-lab`` command: run the local broker, check the setup, open the lab."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from ..clients.cluster import cluster_info
from ..errors import EdaLabError
from ..local_kafka.broker import LocalBroker
from ..local_kafka.process import DEFAULT_HEAP_MB
from ..settings import get_settings, named_bootstrap


def _broker(args: argparse.Namespace, **more: str | None) -> LocalBroker:
    return LocalBroker(home=args.home, port=args.port, heap_mb=args.heap_mb, **more)


def _start(args: argparse.Namespace) -> int:
    broker = _broker(args, reachable_at=args.reachable_at, bind=args.bind)
    status = broker.start(timeout_s=args.timeout)
    if status.already_running:
        print(f"The broker is already running at {status.bootstrap} (pid {status.pid}).")
    else:
        print(f"Kafka {status.kafka_version} is running at {status.bootstrap} (pid {status.pid}).")
    if status.bootstrap != "127.0.0.1:9092":
        print(f"Point the notebooks at it with: export EDA_LAB_BOOTSTRAP={status.bootstrap}")
    for line in status.classroom_lines():
        print(line)
    return 0


def _stop(args: argparse.Namespace) -> int:
    print("The broker stopped." if _broker(args).stop() else "No broker was running.")
    return 0


def _status(args: argparse.Namespace) -> int:
    status = _broker(args).status()
    print(status.describe())
    return 0 if status.running else 3


def _logs(args: argparse.Namespace) -> int:
    print(_broker(args).logs(args.lines))
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import run_checks

    failed = 0
    for check in run_checks():
        print(check.line())
        failed += not check.ok
    return 1 if failed else 0


def _lab(args: argparse.Namespace) -> int:
    if named_bootstrap():
        # A cluster was named (a workshop's, a real one): use it, start nothing locally.
        settings = get_settings()
        info = cluster_info(settings, timeout_s=args.timeout)
        print(f"Kafka {info.kafka_version} at {settings.bootstrap}; starting JupyterLab.")
    else:
        status = _broker(args).start(timeout_s=args.timeout)
        print(f"Kafka {status.kafka_version} at {status.bootstrap}; starting JupyterLab.")
        os.environ["EDA_LAB_BOOTSTRAP"] = status.bootstrap
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    cmd = [jupyter, "lab", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={args.lab_port}",
           f"--ServerApp.root_dir={args.notebooks}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses root without it (CI, containers)
    if args.no_browser:
        cmd.append("--no-browser")
    os.execv(jupyter, cmd)  # replaces this process; the broker keeps running in the background
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``eda-lab`` command."""
    parser = argparse.ArgumentParser(prog="eda-lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def broker_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--port", type=int, default=None, help="client port (default 9092)")
        p.add_argument("--home", type=Path, default=None, help="data/log folder (EDA_LAB_HOME)")
        p.add_argument("--heap-mb", type=int, default=DEFAULT_HEAP_MB, help="JVM heap cap in MB")
        p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for start")

    broker = sub.add_parser("broker", help="run the local Kafka broker")
    actions = broker.add_subparsers(dest="action", required=True)
    for name, func, text in [
        ("start", _start, "start in the background and wait until it answers"),
        ("stop", _stop, "stop it cleanly"),
        ("status", _status, "address, version, data dir, uptime, memory"),
        ("logs", _logs, "the last lines of its log"),
    ]:
        p = actions.add_parser(name, help=text)
        broker_options(p)
        p.set_defaults(func=func)
        if name == "logs":
            p.add_argument("-n", "--lines", type=int, default=50)
        if name == "start":
            p.add_argument("--reachable-at", metavar="HOST[:PORT]", default=None,
                           help="also listen for learners on the network, who connect to "
                           "HOST:PORT (default port: client port + 2); no authentication")
            p.add_argument("--bind", metavar="ADDRESS", default=None,
                           help="with --reachable-at: the local address that listener binds "
                           "(default 0.0.0.0, every interface)")

    doctor = sub.add_parser("doctor", help="check Python, Java, the broker and the clock")
    doctor.set_defaults(func=_doctor)

    lab = sub.add_parser("lab", help="start the broker, then JupyterLab on the notebooks")
    broker_options(lab)
    lab.add_argument("--lab-port", type=int, default=8888)
    lab.add_argument("--notebooks", type=Path, default=Path("notebooks"))
    lab.add_argument("--no-browser", action="store_true")
    lab.set_defaults(func=_lab)

    from .kafka_tools import add_kafka_parser  # `eda-lab kafka TOOL ...`: Kafka's own tools

    add_kafka_parser(sub)
    from .reset import add_reset_parser  # `eda-lab reset`: between workshop sessions

    add_reset_parser(sub)
    from .instructor import add_classroom_parser  # `eda-lab classroom`: who is where

    add_classroom_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``eda-lab`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EdaLabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
