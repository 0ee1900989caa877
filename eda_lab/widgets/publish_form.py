"""A publish form: events typed into a notebook form, beside the events a consumer reads back.

The logic sits in small pure functions (:func:`event_from_form`, :func:`received_row`,
:func:`rows_html`) so it is tested without a browser or a broker. Nothing connects until the
form starts listening or publishes.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import ipywidgets as w

from ..clients.producing import Delivery, EventPublisher
from ..clients.records import RebalanceEvent, Received
from ..errors import MalformedEvent, WaitTimeout
from ..messages.envelope import Event
from ..patterns.handler_loop import HandlerLoop
from ..settings import Settings, get_settings
from ..waiting import wait_until
from .live import _Live, short_name

EVENT_TYPES = ("OrderPlaced", "OrderPaid", "OrderShipped", "OrderCancelled")


def event_from_form(event_type: str, key: str, amount: Any, key_field: str = "orderId",
                    source: str = "eda-lab.publish-form") -> tuple[str | None, Event]:
    """The ``(key, event)`` a form describes; an empty key means no key. ValueError if invalid."""
    if not event_type or not event_type.strip():
        raise ValueError("choose an event type")
    try:
        value = float(amount)
    except (TypeError, ValueError):
        raise ValueError(f"amount must be a number, got {amount!r}") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"amount must be 0 or more, got {amount!r}")
    clean = key.strip() or None
    data = {key_field: clean, "amount": round(value, 2)} if clean else {"amount": round(value, 2)}
    return clean, Event(event_type.strip(), data, source=source)


def received_row(record: Received) -> dict[str, Any]:
    """One received record as a table row: where it is, its key, type and data (or why not)."""
    row = {"partition": record.partition, "offset": record.offset, "key": record.key}
    try:
        event = record.event
    except MalformedEvent as exc:
        return {**row, "eventType": "(malformed)", "data": exc.problem}
    data = ", ".join(f"{k}={v}" for k, v in event.data.items())
    return {**row, "eventType": event.event_type, "data": data}


# Keys and offsets never wrap mid-word; the data column wraps at commas; a table wider than the
# notebook (a narrow window, the side bar open) scrolls instead of being cut off.
TABLE_STYLE = ("<style>.eda-lab-rows{overflow-x:auto;max-width:100%}"
               ".eda-lab-rows table{border-collapse:collapse}"
               ".eda-lab-rows td,.eda-lab-rows th{padding:2px 8px;text-align:left;"
               "white-space:nowrap;vertical-align:top}"
               ".eda-lab-rows td:last-child{white-space:normal;overflow-wrap:anywhere;"
               "min-width:12em}</style>")


def _cell(value: Any) -> str:
    return "" if value is None else html.escape(str(value))  # a keyless event has no key


def rows_html(rows: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> str:
    """An HTML table of rows (values escaped, None empty), newest last, scrolling if too wide."""
    cols = list(columns)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{_cell(r.get(c))}</td>" for c in cols)
                   + "</tr>" for r in rows)
    return (f'{TABLE_STYLE}<div class="eda-lab-rows"><table><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def arrival_order(received: Iterable[tuple[tuple[int, int, int], dict[str, Any]]]
                  ) -> list[dict[str, Any]]:
    """Rows by (timestamp, partition, offset): a poll hands records over partition by
    partition, but a learner expects the order they were published in."""
    return [row for _, row in sorted(received, key=lambda item: item[0])]


class PublishForm(_Live):
    """A form that publishes events to ``topic``, beside the events a consumer reads back.

    Example::

        form = publish_form(ns.topic("orders"))   # displays itself; live for duration_s
        form.stop()
    """

    COLUMNS = ("partition", "offset", "key", "eventType", "data")

    def __init__(self, topic: str, settings: Settings | None = None,
                 event_types: Iterable[str] = EVENT_TYPES, duration_s: float = 300.0,
                 max_rows: int = 12) -> None:
        super().__init__(duration_s)
        self.topic, self.max_rows = topic, max_rows
        self.settings = settings or get_settings()
        self.rows: list[dict[str, Any]] = []
        # (partition, offset) -> ((timestamp, partition, offset), row): a restarted view
        # reads the topic again, and an event must not show twice.
        self._received: dict[tuple[int, int], tuple[tuple[int, int, int], dict[str, Any]]] = {}
        self._publisher: EventPublisher | None = None
        self.event_type = w.Dropdown(options=list(event_types), description="event")
        self.key = w.Text(description="key", placeholder="e.g. ord-1 (empty: no key)")
        self.amount = w.FloatText(value=10.0, description="amount")
        self.publish_button = w.Button(description="Publish", icon="paper-plane",
                                       button_style="primary")
        self.publish_button.on_click(lambda _: self.publish())
        self.sent = w.HTML()
        self.table = w.HTML(rows_html([], self.COLUMNS), layout=w.Layout(width="100%"))
        form = w.VBox([self.event_type, self.key, self.amount, self.publish_button, self.sent],
                      layout=w.Layout(flex="0 0 auto"))
        # min_width 0 lets the view shrink (and its table scroll) instead of overflowing.
        view = w.VBox([w.HTML(f"<b>Received on {html.escape(short_name(topic, self.settings.namespace))}</b>"),
                       self.table, self.controls],
                      layout=w.Layout(flex="1 1 24em", min_width="0"))
        self.widget = w.HBox([form, view], layout=w.Layout(flex_flow="row wrap"))

    def publish(self) -> Delivery | None:
        """Publish the event the form describes; the result (or the problem) shows under it."""
        try:
            key, event = event_from_form(self.event_type.value or "", self.key.value,
                                         self.amount.value)
            self._publisher = self._publisher or EventPublisher(self.settings)
            delivery = self._publisher.publish(self.topic, event, key)
        except Exception as exc:  # the learner sees the problem beside the button
            self.sent.value = f"<b>not sent:</b> {html.escape(str(exc))}"
            return None
        self.sent.value = f"sent {event.event_type} to partition {delivery.partition}"
        if not self.running:  # else "sent" and an empty view look like a lost event
            self.sent.value += " (the view is not live: press Start to see it)"
        return delivery

    def wait_for_rows(self, count: int, timeout_s: float = 15.0) -> list[dict[str, Any]]:
        """Wait until the live view shows at least ``count`` events; WaitTimeout if it does not."""
        def failed() -> WaitTimeout:
            return WaitTimeout(f"The live view shows {len(self.rows)} of {count} events after "
                               f"{timeout_s:g} s; is the form still running (start())?")

        wait_until(lambda: len(self.rows) >= count or not self.running, timeout_s, failed)
        if len(self.rows) < count:  # the live loop ended before the events arrived
            raise failed()
        return list(self.rows)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the live consumer and close the publisher."""
        super().stop(timeout_s)
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None

    def _loop(self, alive: Callable[[], bool]) -> None:
        # The shared handler loop, without a group: it reads every partition, commits nothing,
        # and shows malformed records as rows instead of stopping.
        def show(record: Received) -> None:
            at = (record.timestamp_ms, record.partition, record.offset)
            self._received[at[1:]] = (at, received_row(record))
            kept = sorted(self._received.values(), key=lambda item: item[0])[-self.max_rows:]
            self._received = {at[1:]: (at, row) for at, row in kept}
            self.rows = arrival_order(kept)
            self.table.value = rows_html(self.rows, self.COLUMNS)

        def listening(step: RebalanceEvent) -> None:
            self.status.value = "listening"

        HandlerLoop(self.topic, group=None, settings=self.settings, name="publish-form",
                    handler=lambda event, record: show(record),
                    on_malformed=lambda record, error: show(record), on_rebalance=listening,
                    ).run(idle_s=None, timeout_s=self.duration_s, until=lambda: not alive())


def publish_form(topic: str, settings: Settings | None = None, duration_s: float = 300.0,
                 event_types: Iterable[str] = EVENT_TYPES) -> PublishForm:
    """A publish form beside a live view of ``topic``, already listening for ``duration_s``."""
    form = PublishForm(topic, settings, event_types, duration_s)
    form.start()
    return form
