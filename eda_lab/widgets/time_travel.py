"""Time travel through one stream: a slider over its events, the value after each, the events so far.

The logic is pure (:func:`travel_points`, :func:`events_up_to`), tested without a browser;
:class:`TimeTravel` only wires a slider to a chart and a table. Nothing connects to anything.

>>> from eda_lab.patterns import eventsourcing as es
>>> from eda_lab.messages import Event
>>> history = [es.Recorded("account-a", 1, 1, Event("AccountOpened", {"accountId": "a",
...            "initialBalance": 100}, timestamp="2026-03-01T09:00:00Z")),
...            es.Recorded("account-a", 2, 2, Event("MoneyWithdrawn", {"amount": 30},
...            timestamp="2026-03-02T09:00:00Z"))]
>>> print(events_up_to(travel_points(es.BANK_ACCOUNT, history), 2))
v1  2026-03-01 09:00  AccountOpened    +100  → 100
v2  2026-03-02 09:00  MoneyWithdrawn    -30  → 70
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import ipywidgets as w
from matplotlib.figure import Figure

from ..patterns.eventsourcing import Aggregate, Recorded, timeline
from ..viz.eventsourcing_plots import value_over_time


@dataclass(frozen=True)
class TravelPoint:
    """One event of the stream and the value right after it."""

    version: int
    timestamp: str
    event_type: str
    change: float
    value: float


def travel_points(aggregate: Aggregate[Any], history: Iterable[Recorded],
                  value: Callable[[Any], float] = attrgetter("balance")) -> list[TravelPoint]:
    """Each event of ``history`` with ``value(state)`` after it and how much it changed."""
    points, before = [], value(aggregate.initial)
    for recorded, state in timeline(aggregate, history):
        after = value(state)
        points.append(TravelPoint(recorded.version, recorded.event.timestamp,
                                  recorded.event.event_type, after - before, after))
        before = after
    return points


def events_up_to(points: Sequence[TravelPoint], version: int) -> str:
    """The events up to ``version`` as stable text: version, minute, type, change, value."""
    return "\n".join(f"v{p.version:<2} {p.timestamp[:10]} {p.timestamp[11:16]}  "
                     f"{p.event_type:<15} {p.change:+5g}  → {p.value:g}"
                     for p in points if p.version <= version)


def chart_png(points: Sequence[TravelPoint], version: int, label: str = "balance") -> bytes:
    """The value over time up to ``version``, as PNG bytes (no pyplot: safe in a callback)."""
    fig = Figure(figsize=(7, 3), dpi=80, layout="constrained")
    value_over_time([p.timestamp for p in points], [p.value for p in points],
                    upto=sum(p.version <= version for p in points), label=label,
                    ax=fig.subplots())
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


class TimeTravel:
    """A slider over a stream's versions: the chart and the events up to the chosen one.

    Example::

        travel = TimeTravel(travel_points(BANK_ACCOUNT, store.read_stream("account-ada")))
        travel                 # in JupyterLab: drag the slider
        print(travel.at(5))    # the same view as text, at version 5
    """

    def __init__(self, points: Sequence[TravelPoint], label: str = "balance") -> None:
        if not points:
            raise ValueError("the stream has no events: there is nothing to travel through")
        self.points, self.label = list(points), label
        last = self.points[-1].version
        self.slider = w.IntSlider(value=last, min=self.points[0].version, max=last,
                                  description="version", continuous_update=False)
        self.image = w.Image(format="png", layout=w.Layout(width="560px"))
        self.table = w.HTML()
        self.slider.observe(lambda change: self._draw(change["new"]), names="value")
        self.widget = w.VBox([self.slider, self.image, self.table])
        self._draw(last)

    def at(self, version: int) -> str:
        """Move the slider to ``version`` and return the events up to it as text."""
        self.slider.value = version
        return events_up_to(self.points, version)

    def _draw(self, version: int) -> None:
        self.image.value = chart_png(self.points, version, self.label)
        self.table.value = f"<pre>{events_up_to(self.points, version)}</pre>"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if bundle is not None:  # the default text is the whole widget tree: keep it stable
            bundle["text/plain"] = (f"TimeTravel over versions {self.slider.min} to "
                                    f"{self.slider.max}")
        return bundle
