"""The instructor's live picture: namespaces by lessons, events kept and lag, refreshed live.

The drawing (:func:`classroom_png`) and the table (:func:`summary_html`) are pure functions of
a :func:`~eda_lab.analysis.classroom.classroom_frame`, tested without a broker; the view
reads the cluster once per refresh with :func:`~eda_lab.analysis.classroom.read_cluster`.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from ..analysis.classroom import classroom_frame, lesson_matrix, namespace_summary, read_cluster
from ..settings import Settings, get_settings
from .live import _Live


def classroom_png(frame: pd.DataFrame) -> bytes:
    """Namespaces (rows) by lessons (columns), coloured by events kept, each cell labelled
    with its events and, where a group waits, its lag. PNG bytes, no pyplot (thread-safe)."""
    events, lag = lesson_matrix(frame, "events"), lesson_matrix(frame, "lag")
    rows, cols = max(len(events.index), 1), max(len(events.columns), 1)
    fig = Figure(figsize=(max(6.0, 2.5 + 1.1 * cols), 1.4 + 0.35 * rows), dpi=80, layout="constrained")
    ax = fig.subplots()
    if events.empty:
        ax.text(0.5, 0.5, "no learner has started a lesson yet", ha="center", va="center",
                transform=ax.transAxes, color="#666666")
        ax.set_axis_off()
    else:
        ax.imshow(events.to_numpy(), cmap="Blues", aspect="auto", vmin=0)
        top = events.to_numpy().max() or 1
        for (i, ns), (j, lesson) in ((a, b) for a in enumerate(events.index)
                                     for b in enumerate(events.columns)):
            n, behind = int(events.loc[ns, lesson]), int(lag.loc[ns, lesson])
            text = f"{n:,}" + (f"\nlag {behind:,}" if behind else "")
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if n > top / 2 else "#222222")
        ax.set_xticks(range(len(events.columns)), list(events.columns), rotation=30, ha="right")
        ax.set_yticks(range(len(events.index)), list(events.index))
    ax.set_title("Events per learner and lesson (and lag where a group is behind)", fontsize=10)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def summary_html(frame: pd.DataFrame) -> str:
    """Per namespace: lessons, topics, groups, events and lag, as an HTML table."""
    table = namespace_summary(frame)
    if table.empty:
        return "<i>no namespaces on this cluster yet</i>"
    return table.to_html(escape=True, border=0)


class ClassroomView(_Live):
    """Every namespace on the cluster, by lesson, refreshed live.

    Example::

        view = ClassroomView(refresh_s=5, duration_s=3600)
        view.show()                       # in JupyterLab; stops after an hour or on Stop
        view.frame()                      # the same data as a DataFrame, read now
    """

    def __init__(self, settings: Settings | None = None, refresh_s: float = 5.0,
                 duration_s: float = 3600.0) -> None:
        super().__init__(duration_s)
        self.settings, self.refresh_s = settings or get_settings(), refresh_s
        self.latest: pd.DataFrame | None = None
        self.image = w.Image(format="png", layout=w.Layout(max_width="900px"))
        self.table = w.HTML()
        self.widget = w.VBox([self.controls, self.image, self.table])

    def frame(self, timeout_s: float = 30.0) -> pd.DataFrame:
        """One row per lesson topic and group on the cluster, read now."""
        return classroom_frame(read_cluster(self.settings, timeout_s))

    def show(self) -> w.VBox:
        """Start refreshing and return the widget to display."""
        self.start()
        return self.widget

    def _loop(self, alive: Callable[[], bool]) -> None:
        while alive():
            frame = self.frame()
            self.image.value = classroom_png(frame)
            self.table.value = summary_html(frame)
            self.latest = frame  # last: whoever sees it sees the picture and table drawn too
            learners = frame["namespace"].nunique() if not frame.empty else 0
            self.status.value = html.escape(f"live: {learners} namespace(s), "
                                            f"{int(frame['events'].sum()) if learners else 0:,} events")
            self._stop.wait(self.refresh_s)
