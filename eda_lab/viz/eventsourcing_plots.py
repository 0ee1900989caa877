"""Pictures of event-sourced state and of projections: a value over time, a projector's lag.

>>> import matplotlib; matplotlib.use("Agg")
>>> ax = value_over_time(["2026-03-01T09:00:00Z", "2026-03-02T09:00:00Z"], [100, 150], upto=1)
>>> ax.get_title()
'balance over time, up to event 1 of 2'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from matplotlib.axes import Axes

from .style import HIGHLIGHT, LAG, PALETTE, _styled


def _moment(stamp: str | datetime) -> datetime:
    if isinstance(stamp, datetime):
        return stamp
    # Python 3.10 reads neither "Z" nor more than six fraction digits
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", stamp.replace("Z", "+00:00")))


@_styled
def value_over_time(stamps: Sequence[str | datetime], values: Sequence[float], *,
                    upto: int | None = None, label: str = "balance",
                    ax: Axes) -> Axes:
    """A step line of ``values`` after each event; events past ``upto`` (1-based) are greyed."""
    moments = [_moment(s) for s in stamps]
    shown = len(values) if upto is None else upto
    ax.step(moments, values, where="post", color=PALETTE[7], alpha=0.35, linewidth=2)
    ax.step(moments[:shown], values[:shown], where="post", color=PALETTE[0], linewidth=2)
    ax.scatter(moments[:shown], values[:shown], color=PALETTE[0], s=14, zorder=3)
    if shown:
        ax.axvline(moments[shown - 1], color=HIGHLIGHT, linestyle="--", linewidth=1)
    ax.set_ylabel(label)
    ax.set_title(f"{label} over time, up to event {shown} of {len(values)}")
    ax.tick_params(axis="x", labelrotation=30)
    return ax


@_styled
def lag_over_time(seconds: Sequence[float], lag: Sequence[int], *, ax: Axes) -> Axes:
    """A projector's lag (events behind the topic's end) against seconds since it started."""
    ax.fill_between(seconds, lag, step="post", color=LAG, alpha=0.25)
    ax.step(seconds, lag, where="post", color=LAG)
    ax.set_xlabel("seconds since the projector started")
    ax.set_ylabel("events behind")
    ax.set_ylim(bottom=0)
    ax.set_title("projector lag while a burst is projected")
    return ax
