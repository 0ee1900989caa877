"""Teaching pictures of topics: where keys land, partitions as logs, offsets, throughput.

Every function takes plain data, draws on ``ax`` (a new 6x3 in figure when ``None``) and
returns the Axes; none calls ``plt.show``. The style lives in :mod:`eda_lab.viz.style`; the
consumer group pictures in :mod:`eda_lab.viz.group_plots`.

>>> ax = key_spread({"alice": 0, "bob": 2, "carol": 0}, num_partitions=3)
>>> ax.get_title(), [label.get_text() for label in ax.get_xticklabels()]
('Keys per partition, by key: each key in one bar', ['p0', 'p1', 'p2'])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .style import HIGHLIGHT, PALETTE, QUIET, _rows, _styled, member_colors


@_styled
def key_spread(partitions_by_key: Mapping[str, int] | pd.DataFrame | Iterable[Any],
               num_partitions: int, *, ax: Axes | None = None) -> Axes:
    """Keys (from a key->partition mapping) or events (rows with key and partition) per partition.

    Up to 8 keys are stacked in their own colors, which shows each key staying on one partition.
    """
    if isinstance(partitions_by_key, Mapping):
        rows = pd.DataFrame(list(partitions_by_key.items()), columns=["key", "partition"])
        unit = "keys"
    else:
        rows, unit = _rows(partitions_by_key, "key", "partition"), "events"
    rows["key"] = rows["key"].astype(str)
    table = pd.crosstab(rows["key"], rows["partition"])
    table = table.reindex(columns=range(num_partitions), fill_value=0)
    xs = list(range(num_partitions))
    if 0 < len(table) <= 8:
        bottom = [0] * num_partitions
        for key, color in member_colors(table.index).items():
            heights = [int(h) for h in table.loc[key]]
            ax.bar(xs, heights, bottom=bottom, color=color, edgecolor="white", label=key)
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        ax.legend(title="key", loc="upper left", bbox_to_anchor=(1, 1))
        title = f"{unit.capitalize()} per partition, by key: each key in one bar"
    else:
        ax.bar(xs, [int(h) for h in table.sum()], color=PALETTE[0])
        title = f"{unit.capitalize()} per partition"
    ax.set_xticks(xs, [f"p{p}" for p in xs])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="partition", ylabel=unit, title=title)
    return ax


@_styled
def topic_layout(num_partitions: int, highlight: tuple[int, int] | None = None,
                 counts: Mapping[int, int] | Iterable[int] | None = None, *,
                 topic: str | None = None, max_boxes: int = 10, ax: Axes | None = None) -> Axes:
    """A topic as one row of offset boxes per partition; the ``highlight`` box is lit."""
    sizes = dict(counts) if isinstance(counts, Mapping) else dict(enumerate(counts or []))
    if highlight is not None:
        sizes[highlight[0]] = max(sizes.get(highlight[0], 0), highlight[1] + 1)
    for p in range(num_partitions):
        count, y = sizes.get(p, 0), num_partitions - 1 - p
        start = max(0, count - max_boxes)
        if highlight is not None and highlight[0] == p:
            start = min(start, highlight[1])
        stop = min(count, start + max_boxes)
        for i, offset in enumerate(range(start, stop)):
            lit = highlight == (p, offset)
            box = Rectangle((i + 0.05, y - 0.35), 0.9, 0.7, gid=f"p{p}o{offset}",
                            facecolor=HIGHLIGHT if lit else QUIET, edgecolor="#333333",
                            linewidth=1.6 if lit else 0.8)
            ax.add_patch(box)
            ax.text(i + 0.5, y, str(offset), ha="center", va="center", fontsize=8)
        if start > 0:
            ax.text(0, y, "…", ha="right", va="center")
        ax.text(stop - start + 0.2, y, f"next: {count}" if stop == count else "…", va="center",
                color="#666666")
    ax.set_xlim(-0.6, max_boxes + 1.6)
    ax.set_ylim(-0.7, num_partitions - 0.3)
    ax.set_yticks(range(num_partitions), [f"partition {p}" for p in range(num_partitions)][::-1])
    ax.set_xticks([])
    ax.tick_params(length=0)
    ax.spines[["left", "bottom"]].set_visible(False)
    name = f"Topic {topic}" if topic else f"A topic with {num_partitions} partitions"
    ax.set(xlabel="offsets, oldest → newest", title=f"{name}: each partition is an ordered log")
    return ax


@_styled
def offsets_over_time(df: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Offset against seconds since the first event, one line per partition."""
    ts = df["timestamp"]
    ts = pd.to_datetime(ts, unit="ms", utc=True) if pd.api.types.is_numeric_dtype(ts) else ts
    seconds = (ts - ts.min()).dt.total_seconds()
    for p in sorted(df["partition"].unique()):
        mask = (df["partition"] == p).to_numpy()
        order = seconds[mask].to_numpy().argsort(kind="stable")
        ax.plot(seconds[mask].to_numpy()[order], df["offset"][mask].to_numpy()[order],
                drawstyle="steps-post", marker="o" if len(df) <= 200 else None, markersize=3,
                color=PALETTE[int(p) % len(PALETTE)], label=f"partition {p}")
    ax.legend(loc="upper left")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="seconds since the first event", ylabel="offset",
           title="Each partition's log grows on its own")
    return ax


@_styled
def throughput_chart(results: pd.DataFrame | Iterable[Any], *, label: str = "setting",
                     value: str = "events_per_s", ax: Axes | None = None) -> Axes:
    """Bars of events per second for each setting (e.g. linger_ms / batch_size choices)."""
    frame = _rows(results, label, value)
    xs = list(range(len(frame)))
    heights = [float(v) for v in frame[value]]
    ax.bar(xs, heights, color=PALETTE[0])
    for x, h in zip(xs, heights, strict=True):
        ax.text(x, h, f"{h:,.0f}/s", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(xs, [str(s) for s in frame[label]])
    ax.margins(y=0.15)
    ax.set(xlabel=label, ylabel="events per second", title="Throughput by producer setting")
    return ax
