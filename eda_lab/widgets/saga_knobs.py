"""Failure knobs for the choreographed saga: pick how much goes wrong, run a batch, see the ends.

The choice is a frozen :class:`KnobChoice` (a share of declined cards, the units of ``sku-2`` in
stock, a service that crashes once); :func:`run_batch` runs a batch of orders through the four
services of lesson 07 with those knobs and **always** stops them, by a deadline at the latest;
:class:`SagaKnobs` wires sliders to it. The choice, the orders, the summary and the chart are
pure, tested without a broker.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as w
import pandas as pd
from matplotlib.figure import Figure

from ..clients.producing import EventPublisher
from ..errors import WaitTimeout
from ..messages.envelope import Event
from ..namespace import Namespace
from ..patterns.sagas import FailureKnobs, Ledger, choreography, order_placed, outcomes, settled
from ..settings import Settings
from ..viz.saga_plots import saga_outcomes

CRASHABLE = ("none", "order", "payment", "inventory", "shipping")


@dataclass(frozen=True)
class KnobChoice:
    """What goes wrong in one batch: ``decline_pct`` of cards declined, ``short_units`` of
    ``sku-2`` in stock (every fifth order asks for one), ``crash`` names a service that crashes
    once after ``crash_after`` events (``"none"``: no crash), over ``orders`` orders.

    >>> KnobChoice(decline_pct=20, crash="payment").knobs().crash_after
    {'payment': 3}
    """

    decline_pct: int = 20
    short_units: int = 0
    crash: str = "none"
    crash_after: int = 3
    orders: int = 20
    seed: int = 7

    def __post_init__(self) -> None:
        if self.crash not in CRASHABLE:
            raise ValueError(f"crash is one of {CRASHABLE}, got {self.crash!r}")
        if not 0 <= self.decline_pct <= 100 or self.short_units < 0 or self.orders < 1:
            raise ValueError("decline_pct is 0-100, short_units 0 or more, orders 1 or more")

    def knobs(self) -> FailureKnobs:
        """The services' :class:`FailureKnobs` for this choice."""
        crash = {} if self.crash == "none" else {self.crash: self.crash_after}
        return FailureKnobs(decline_rate=self.decline_pct / 100, crash_after=crash,
                            stock={"sku-1": 1_000_000, "sku-2": self.short_units}, seed=self.seed)

    def placed(self, run: int = 1) -> list[Event]:
        """The batch's ``OrderPlaced`` events, ids ``b<run>-order-NN``: new ids in each run."""
        return [order_placed(f"b{run}-order-{n:02}", sku="sku-2" if n % 5 == 4 else "sku-1")
                for n in range(self.orders)]


@dataclass(frozen=True)
class BatchResult:
    """How a batch ended: one row per order (``outcomes``), services that crashed and were
    restarted, and whether every order ended before the deadline."""

    choice: KnobChoice
    table: pd.DataFrame
    crashes: list[str] = field(default_factory=list)
    finished: bool = True

    def text(self) -> str:
        """The batch in a few stable lines: outcomes counted, crashes, the deadline."""
        return summary(self.table["outcome"], self.choice.orders, self.crashes, self.finished)


def summary(ends: Sequence[str] | pd.Series, orders: int, crashes: Sequence[str] = (),
            finished: bool = True) -> str:
    """Outcomes counted (most frequent first), the crashes, and orders not ended in time.

    >>> print(summary(["shipped", "payment declined", "shipped"], 4, ["payment"], False))
    shipped: 2, payment declined: 1
    crashed and restarted: payment
    not ended within the deadline: 1 of 4 orders (the services were stopped anyway)
    """
    counts = pd.Series(list(ends), dtype=object).value_counts()
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    lines = [", ".join(f"{k}: {v}" for k, v in ordered) or "no order ended"]
    lines.append(f"crashed and restarted: {', '.join(crashes) or 'none'}")
    ended = sum(v for k, v in ordered if k != "in flight")
    if not finished or ended < orders:
        lines.append(f"not ended within the deadline: {orders - ended} of {orders} orders "
                     "(the services were stopped anyway)")
    return "\n".join(lines)


def chart_png(result: BatchResult) -> bytes:
    """The batch's outcomes as a bar chart, PNG bytes (no pyplot: safe in a callback)."""
    fig = Figure(figsize=(6, 3), dpi=80, layout="constrained")
    saga_outcomes(result.table["outcome"], ax=fig.subplots())
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def run_batch(ns: Namespace, db_dir: Path, choice: KnobChoice, run: int = 1,
              deadline_s: float = 60.0, settings: Settings | None = None) -> BatchResult:
    """Run ``choice.orders`` orders through the choreography (topics made by
    ``create_saga_topics``) with ``choice``'s knobs; the services stop by ``deadline_s``."""
    end = time.monotonic() + deadline_s
    knobs, placed = choice.knobs(), choice.placed(run)
    ids = [e.data["orderId"] for e in placed]
    ledger = Ledger(str(Path(db_dir) / f"knobs-{run}.db"), knobs.stock)
    services = choreography(ns, ledger, knobs, settings).start(timeout_s=deadline_s + 5)
    finished = True
    try:
        services.settle(lambda: services.joined, max(1.0, end - time.monotonic()),
                        "every service joined")
        with EventPublisher(settings) as publisher:
            publisher.publish_many(ns.topic("orders"), [(i, e) for i, e in zip(ids, placed,
                                                                              strict=True)])
        services.settle(lambda: settled(ledger, ids), max(1.0, end - time.monotonic()),
                        "every order settled")
    except WaitTimeout:
        finished = False
    finally:
        services.stop()
        table = outcomes(ledger)
        ledger.close()
    mine = table[table["order"].isin(ids)].reset_index(drop=True)
    return BatchResult(choice, mine, list(services.crashes), finished)


class SagaKnobs:
    """Sliders for the knobs and a Run button: each run is a new batch of orders, in a
    background thread that ends by ``deadline_s``; the outcomes show as a chart and text.

    Example::

        knobs = SagaKnobs(ns, db_dir)
        knobs                                       # in JupyterLab: move the knobs, press Run
        print(knobs.run(KnobChoice(crash="inventory")).text())   # the same, in this thread
    """

    def __init__(self, ns: Namespace, db_dir: Path, choice: KnobChoice | None = None,
                 deadline_s: float = 60.0, settings: Settings | None = None) -> None:
        choice = choice or KnobChoice()
        self.ns, self.db_dir, self.deadline_s, self.settings = ns, db_dir, deadline_s, settings
        self.runs, self.result, self._thread = 0, None, None
        self.decline = w.IntSlider(choice.decline_pct, 0, 100, 5, description="declined %")
        self.stock = w.IntSlider(choice.short_units, 0, 10, description="sku-2 stock")
        self.crash = w.Dropdown(options=CRASHABLE, value=choice.crash, description="crash")
        self.orders = w.IntSlider(choice.orders, 5, 50, 5, description="orders")
        self.button = w.Button(description="Run a batch", icon="play", button_style="success")
        self.button.on_click(lambda _: self.start())
        self.status, self.image = w.HTML(), w.Image(format="png", layout=w.Layout(width="480px"))
        self.widget = w.VBox([w.HBox([self.decline, self.stock]),
                              w.HBox([self.crash, self.orders]), w.HBox([self.button,
                                                                         self.status]),
                              self.image])

    def choice(self) -> KnobChoice:
        """The knobs as set on the sliders."""
        return KnobChoice(self.decline.value, self.stock.value, self.crash.value,
                          orders=self.orders.value)

    def run(self, choice: KnobChoice | None = None) -> BatchResult:
        """Run one batch here and now (the sliders' choice by default) and show it."""
        self.runs += 1
        self.button.disabled, self.status.value = True, f"batch {self.runs} running..."
        try:
            self.result = run_batch(self.ns, self.db_dir, choice or self.choice(), self.runs,
                                    self.deadline_s, self.settings)
            self.image.value = chart_png(self.result)
            self.status.value = "<pre>" + self.result.text() + "</pre>"
            return self.result
        finally:
            self.button.disabled = False

    def start(self) -> None:
        """Run a batch in a background thread (what the button does); one at a time."""
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._guarded, daemon=True)
            self._thread.start()

    def _guarded(self) -> None:
        try:
            self.run()
        except Exception as exc:  # shown in the widget: a thread has nobody else to tell
            self.status.value = f"<b>error:</b> {exc}"

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = self.widget._repr_mimebundle_(**kwargs)
        if bundle is not None:  # the default text is the whole widget tree: keep it stable
            bundle["text/plain"] = f"SagaKnobs, each batch stopped by {self.deadline_s:g} s"
        return bundle
