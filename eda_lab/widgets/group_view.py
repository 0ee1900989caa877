"""A live picture of a consumer group: who owns which partition of a topic, and the lag.

The logic sits in small pure functions (:func:`member_names`, :func:`group_snapshot`) so it is
tested without a browser or a broker; :meth:`LiveGroupView.snapshot` gives the same data as
text. Nothing connects until the view starts or a snapshot is asked for.
"""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as w
from matplotlib.figure import Figure

from ..clients import PartitionLag, describe_group, group_lag
from ..settings import Settings, get_settings
from ..viz.group_plots import assignment_chart, lag_bars
from .live import _Live, short_name


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


def assignment_title(members: Mapping[str, Iterable[int]]) -> str:
    """The grid's title: an empty group has no owners to show, and says so."""
    if not members:
        return "No consumer in the group"
    return "Each partition has exactly one owner in the group"


def snapshot_png(snap: GroupSnapshot) -> bytes:
    """Assignment grid beside lag bars, as PNG bytes (no pyplot, so safe in a thread)."""
    fig = Figure(figsize=(10, 3), dpi=80, layout="constrained")
    left, right = fig.subplots(1, 2)
    assignment_chart(snap.members, len(snap.lag), ax=left)
    left.set_title(assignment_title(snap.members))
    if not snap.members:  # an empty panel under a title about owners would puzzle
        left.set_yticks([])
        left.text(0.5, 0.5, "no partition has an owner", transform=left.transAxes,
                  ha="center", va="center", color="#666666")
    lag_bars(snap.lag, ax=right)
    # Half a figure is too narrow for the long title, and the label on the tallest bar would
    # touch it: a short title and more head room.
    right.set_title("Lag per partition (end minus committed)")
    right.legend(loc="upper left", bbox_to_anchor=(1, 1), fontsize=8)  # fits beside, not cut
    bottom, top = right.get_ylim()
    right.set_ylim(bottom, top + 0.2 * (top - bottom))
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


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
        self.image = w.Image(format="png", layout=w.Layout(max_width="800px", width="100%"))
        self.summary = w.HTML()
        self.widget = w.VBox([self.controls, self.image, self.summary])

    def short(self, full: str) -> str:
        """A name as the notebook writes it: without ``<namespace>.<lesson>.``."""
        return short_name(full, self.settings.namespace)

    def show(self) -> w.VBox:
        """Start refreshing and return the widget to display."""
        self.start()
        return self.widget

    def snapshot(self, timeout_s: float = 10.0) -> GroupSnapshot:
        """Read the group and its lag now (short admin connections)."""
        description = describe_group(self.group, self.settings, timeout_s, missing_ok=True)
        lag = group_lag(self.group, self.topic, self.settings)
        return group_snapshot(description, self.topic, lag)

    def _loop(self, alive: Callable[[], bool]) -> None:
        while alive():
            self.latest = snap = self.snapshot()
            self.image.value = snapshot_png(snap)
            self.summary.value = f"<pre>{html.escape(snap.summary(self.short))}</pre>"
            self.status.value = f"live: {snap.state}, total lag {snap.total_lag}"
            self._stop.wait(self.refresh_s)
