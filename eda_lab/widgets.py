"""Live notebook widgets: a consumer group's assignment and lag, and a publish form.

Nothing connects until a widget starts. Every live loop runs in a background thread and ends
at its ``duration_s`` or when Stop is pressed. The logic sits in small pure functions
(:func:`event_from_form`, :func:`received_row`, :func:`group_snapshot`) so it is tested
without a browser or a broker; :meth:`LiveGroupView.snapshot` gives the same data as text.
"""

from __future__ import annotations

import html
import io
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
from matplotlib.figure import Figure

from . import plots
from .admin import PartitionLag, group_lag
from .connection import admin_client
from .consuming import EventConsumer, Received
from .envelope import Event
from .errors import MalformedEvent
from .producing import Delivery, EventPublisher
from .settings import Settings, get_settings

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


def rows_html(rows: Iterable[Mapping[str, Any]], columns: Iterable[str]) -> str:
    """An HTML table of rows (values escaped), newest last."""
    cols = list(columns)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(r.get(c, '')))}</td>" for c in cols)
                   + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


@dataclass(frozen=True)
class GroupSnapshot:
    """A consumer group at one moment: state, who owns which partition, lag per partition."""

    group: str
    topic: str
    state: str
    members: dict[str, tuple[int, ...]]
    lag: tuple[PartitionLag, ...]

    @property
    def total_lag(self) -> int:
        """Events in ``topic`` the group has not committed yet."""
        return sum(p.lag for p in self.lag)

    def summary(self, short: Callable[[str], str] = str) -> str:
        """Stable text for a notebook: state, members and their partitions, lag per partition."""
        lines = [f"group {short(self.group)} on {short(self.topic)}: {self.state}, "
                 f"{len(self.members)} member(s), total lag {self.total_lag}"]
        lines += [f"  {m}: " + (" ".join(f"p{p}" for p in ps) or "idle")
                  for m, ps in self.members.items()]
        lines += [f"  p{p.partition}: committed {p.committed}, end {p.end}, lag {p.lag}"
                  for p in self.lag]
        return "\n".join(lines)


def member_names(members: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """A short display name per member id: its client id, numbered when several share one."""
    ordered = sorted(members, key=lambda m: m["member_id"])
    base = {m["member_id"]: "consumer" if m["client_id"].startswith("kafka-python")
            else m["client_id"] for m in ordered}
    counts = Counter(base.values())
    seen: dict[str, int] = {}
    names = {}
    for member_id, name in base.items():
        seen[name] = seen.get(name, 0) + 1
        names[member_id] = f"{name}-{seen[name]}" if counts[name] > 1 else name
    return names


def group_snapshot(description: Mapping[str, Any], topic: str,
                   lag: Iterable[PartitionLag]) -> GroupSnapshot:
    """A snapshot from ``describe_groups()[group]`` and ``group_lag(group, topic)`` rows."""
    members = description.get("members") or []
    names = member_names(members)
    owned: dict[str, tuple[int, ...]] = {}
    for m in members:
        assignment = m.get("member_assignment") or {}
        parts = [p for tp in (assignment.get("assigned_partitions") or []) if tp["topic"] == topic
                 for p in tp["partitions"]] if isinstance(assignment, Mapping) else []
        owned[names[m["member_id"]]] = tuple(sorted(parts))
    state = description.get("group_state") or "Unknown"
    return GroupSnapshot(description["group_id"], topic, state, dict(sorted(owned.items())),
                         tuple(sorted(lag, key=lambda p: p.partition)))


def snapshot_png(snap: GroupSnapshot) -> bytes:
    """Assignment grid beside lag bars, as PNG bytes (no pyplot, so safe in a thread)."""
    fig = Figure(figsize=(10, 3), dpi=80, layout="constrained")
    left, right = fig.subplots(1, 2)
    plots.assignment_chart(snap.members, len(snap.lag), ax=left)
    plots.lag_bars(snap.lag, ax=right)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


class _Live:
    """A background loop with a deadline, a Stop button and a status line."""

    def __init__(self, duration_s: float) -> None:
        self.duration_s = duration_s
        self.status = w.HTML()
        self.stop_button = w.Button(description="Stop", icon="stop", button_style="warning")
        self.stop_button.on_click(lambda _: self.stop())
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.widget: w.Box

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        return self.widget._repr_mimebundle_(**kwargs)

    @property
    def running(self) -> bool:
        """Whether the live loop is running."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the live loop (again) for ``duration_s`` seconds."""
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self._guarded, daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the live loop and wait for it to end."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)

    def _guarded(self) -> None:
        deadline = time.monotonic() + self.duration_s
        try:
            self._loop(lambda: not self._stop.is_set() and time.monotonic() < deadline)
            self.status.value = "<i>stopped</i>"
        except Exception as exc:  # shown in the widget: a thread has nobody else to tell
            self.status.value = f"<b>error:</b> {html.escape(str(exc))}"

    def _loop(self, alive: Callable[[], bool]) -> None:
        raise NotImplementedError


class LiveGroupView(_Live):
    """Who owns which partition of ``topic`` in ``group``, and the lag, refreshed live.

    Example::

        view = LiveGroupView(ns.group("billing"), ns.topic("orders"), duration_s=30)
        view.show()                           # live in JupyterLab, stops after 30 s or on Stop
        print(view.snapshot().summary(ns.short))   # the same data as stable text
    """

    def __init__(self, group: str, topic: str, settings: Settings | None = None,
                 refresh_s: float = 1.0, duration_s: float = 60.0) -> None:
        super().__init__(duration_s)
        self.group, self.topic, self.refresh_s = group, topic, refresh_s
        self.settings = settings or get_settings()
        self.latest: GroupSnapshot | None = None
        self.image = w.Image(format="png", layout=w.Layout(width="800px"))
        self.summary = w.HTML()
        self.start_button = w.Button(description="Start", icon="play")
        self.start_button.on_click(lambda _: self.start())
        self.widget = w.VBox([w.HBox([self.start_button, self.stop_button, self.status]),
                              self.image, self.summary])

    def show(self) -> w.VBox:
        """Start refreshing and return the widget to display."""
        self.start()
        return self.widget

    def snapshot(self, timeout_s: float = 10.0) -> GroupSnapshot:
        """Read the group and its lag now (one short admin connection)."""
        client = admin_client(self.settings, timeout_s)
        try:
            return self._read(client)
        finally:
            client.close()

    def _read(self, client: Any) -> GroupSnapshot:
        description = client.describe_groups([self.group])[self.group]
        lag = group_lag(self.group, self.topic, self.settings)
        return group_snapshot(description, self.topic, lag)

    def _loop(self, alive: Callable[[], bool]) -> None:
        client = admin_client(self.settings)
        try:
            while alive():
                self.latest = snap = self._read(client)
                self.image.value = snapshot_png(snap)
                self.summary.value = f"<pre>{html.escape(snap.summary())}</pre>"
                self.status.value = f"live: {snap.state}, total lag {snap.total_lag}"
                self._stop.wait(self.refresh_s)
        finally:
            client.close()


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
        self._publisher: EventPublisher | None = None
        self.event_type = w.Dropdown(options=list(event_types), description="event")
        self.key = w.Text(description="key", placeholder="e.g. ord-1 (empty: no key)")
        self.amount = w.FloatText(value=10.0, description="amount")
        self.publish_button = w.Button(description="Publish", icon="paper-plane",
                                       button_style="primary")
        self.publish_button.on_click(lambda _: self.publish())
        self.sent = w.HTML()
        self.table = w.HTML(rows_html([], self.COLUMNS))
        form = w.VBox([self.event_type, self.key, self.amount, self.publish_button, self.sent])
        view = w.VBox([w.HTML(f"<b>Received on {html.escape(topic)}</b>"), self.table,
                       w.HBox([self.stop_button, self.status])])
        self.widget = w.HBox([form, view])

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
        return delivery

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the live consumer and close the publisher."""
        super().stop(timeout_s)
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None

    def _loop(self, alive: Callable[[], bool]) -> None:
        with EventConsumer(self.topic, settings=self.settings, name="publish-form") as consumer:
            self.status.value = "listening"
            while alive():
                for record in consumer.read(idle_s=0.2, timeout_s=1.0):
                    self.rows = [*self.rows, received_row(record)][-self.max_rows:]
                    self.table.value = rows_html(self.rows, self.COLUMNS)


def publish_form(topic: str, settings: Settings | None = None, duration_s: float = 300.0,
                 event_types: Iterable[str] = EVENT_TYPES) -> PublishForm:
    """A publish form beside a live view of ``topic``, already listening for ``duration_s``."""
    form = PublishForm(topic, settings, event_types, duration_s)
    form.start()
    return form
