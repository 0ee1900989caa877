"""``eda-lab classroom``: who is where on a shared cluster, for the instructor.

Prints every namespace with the lessons it has started, its topics and groups, the events
kept and the total lag, then namespaces by lessons (events kept). ``--watch S`` prints it
again every S seconds until Ctrl-C. The notebook face of the same data is
:class:`eda_lab.widgets.classroom_view.ClassroomView`.
"""

from __future__ import annotations

import argparse
import threading
import time
from typing import TYPE_CHECKING

from ..settings import get_settings

if TYPE_CHECKING:
    import pandas as pd


def classroom_text(frame: pd.DataFrame, bootstrap: str) -> str:
    """The report the command prints, from a classroom frame."""
    # pandas is imported here, not at the top: `eda-lab broker start` builds this parser too and
    # must not pay for pandas.
    import pandas as pd

    from ..analysis.classroom import lesson_matrix, namespace_summary

    if frame.empty:
        return f"No lesson topics or groups at {bootstrap} yet."
    summary = namespace_summary(frame)
    with pd.option_context("display.width", 200, "display.max_columns", 50,
                           "display.max_colwidth", 80):
        return "\n".join([
            f"{len(summary)} namespace(s) at {bootstrap}",
            "",
            summary.to_string(),
            "",
            "events kept, namespaces by lessons:",
            lesson_matrix(frame, "events").to_string(),
            "",
            "lag, namespaces by lessons:",
            lesson_matrix(frame, "lag").to_string(),
        ])


def run_classroom(args: argparse.Namespace) -> int:
    """The ``classroom`` subcommand."""
    from ..analysis.classroom import classroom_frame, read_cluster

    settings = get_settings()
    stop = threading.Event()
    shown = 0
    while True:
        report = classroom_text(classroom_frame(read_cluster(settings, args.timeout)),
                                settings.bootstrap)
        if args.watch:
            print(f"--- {time.strftime('%H:%M:%S')} (every {args.watch:g} s, Ctrl-C to stop)")
        print(report, flush=True)
        shown += 1
        if not args.watch or (args.times and shown >= args.times):
            return 0
        stop.wait(args.watch)


def add_classroom_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``eda-lab classroom``."""
    p = sub.add_parser("classroom", help="every namespace on the cluster: lessons, events, lag")
    p.add_argument("--watch", type=float, default=0.0, metavar="S",
                   help="print again every S seconds until Ctrl-C")
    p.add_argument("--times", type=int, default=0, help="with --watch: stop after N reports")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for the cluster")
    p.set_defaults(func=run_classroom)
