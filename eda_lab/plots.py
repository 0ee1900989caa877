"""Teaching pictures: partitions, offsets, lag, group assignment, rebalances, throughput.

Every function takes plain data, draws on ``ax`` (a new 6x3 in figure when ``None``) and
returns the Axes; none calls ``plt.show``. One fixed style and palette keep images stable.

Example::

    key_spread({"alice": 0, "bob": 2, "carol": 0}, num_partitions=3)
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

PALETTE = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3",
           "#937860", "#DA8BC3", "#8C8C8C", "#CCB974", "#64B5CD")
HIGHLIGHT, QUIET, LAG = "#E8A33D", "#EEF1F5", "#C44E52"
_STYLE = {"figure.figsize": (6, 3), "figure.dpi": 100, "savefig.dpi": 100, "font.size": 9,
          "font.family": "DejaVu Sans", "axes.titlesize": 10, "legend.frameon": False,
          "svg.hashsalt": "eda-lab"}


def _styled(draw):
    """Draw inside the fixed style; the drawing gets a fresh 6x3 in figure when ``ax`` is None."""
    @functools.wraps(draw)
    def wrapper(*args: Any, ax: Axes | None = None, **kwargs: Any) -> Axes:
        with plt.rc_context(_STYLE):
            if ax is None:
                _, ax = plt.subplots(layout="constrained")
            ax.spines[["top", "right"]].set_visible(False)  # also on Axes made outside the style
            return draw(*args, ax=ax, **kwargs)
    return wrapper


def _rows(data: Any, *cols: str) -> pd.DataFrame:
    """A DataFrame with ``cols`` from a DataFrame, dicts, objects with attributes, or tuples."""
    if isinstance(data, pd.DataFrame):
        return data.loc[:, list(cols)].reset_index(drop=True)
    items = []
    for row in data:
        if isinstance(row, Mapping):
            items.append([row[c] for c in cols])
        elif isinstance(row, tuple) and not hasattr(row, cols[0]):
            items.append(list(row[: len(cols)]))
        else:
            items.append([getattr(row, c) for c in cols])
    return pd.DataFrame(items, columns=list(cols))


def member_colors(members: Iterable[str]) -> dict[str, str]:
    """A fixed color per member name (sorted), so the same name gets the same color everywhere."""
    return {m: PALETTE[i % len(PALETTE)] for i, m in enumerate(sorted(set(members)))}


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
    else:
        ax.bar(xs, [int(h) for h in table.sum()], color=PALETTE[0])
    ax.set_xticks(xs, [f"p{p}" for p in xs])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set(xlabel="partition", ylabel=unit,
           title=f"Where the {unit} land: same key, same partition")
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
def lag_bars(rows: pd.DataFrame | Iterable[Any], *, ax: Axes | None = None) -> Axes:
    """Per partition, the committed offset with the lag (events not yet processed) stacked on it."""
    frame = _rows(rows, "partition", "committed", "end", "lag").sort_values("partition")
    xs = [int(p) for p in frame["partition"]]
    done = [0 if pd.isna(c) else int(c) for c in frame["committed"]]
    lag = [int(x) for x in frame["lag"]]
    ax.bar(xs, done, color=PALETTE[0], label="committed (processed)")
    ax.bar(xs, lag, bottom=done, color=LAG, label="lag (waiting)")
    for x, d, g in zip(xs, done, lag, strict=True):
        ax.text(x, d + g, f"lag {g}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(xs, [f"p{p}" for p in xs])
    ax.margins(y=0.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    ax.set(xlabel="partition", ylabel="offset", title="Consumer lag per partition")
    return ax


@_styled
def assignment_chart(assignment: Mapping[str, Iterable[int]], num_partitions: int, *,
                     ax: Axes | None = None) -> Axes:
    """A member x partition grid: a filled box where the member owns the partition."""
    members = sorted(assignment)
    colors = member_colors(members)
    for row, member in enumerate(members):
        y, owned = len(members) - 1 - row, set(assignment[member])
        for p in range(num_partitions):
            mine = p in owned
            ax.add_patch(Rectangle((p + 0.05, y - 0.4), 0.9, 0.8, gid=f"{member}:{p}",
                                   facecolor=colors[member] if mine else QUIET, edgecolor="white"))
            ax.text(p + 0.5, y, f"p{p}" if mine else "", ha="center", va="center", color="white")
        if not owned:
            ax.text(num_partitions + 0.1, y, "idle", va="center", color="#666666")
    ax.set_xlim(0, num_partitions + 0.8)
    ax.set_ylim(-0.6, max(len(members), 1) - 0.4)
    ax.set_yticks(range(len(members)), list(reversed(members)))
    ax.set_xticks([p + 0.5 for p in range(num_partitions)],
                  [f"p{p}" for p in range(num_partitions)])
    ax.tick_params(length=0)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.set(xlabel="partition", title="Each partition has exactly one owner in the group")
    return ax


def _timeline(timeline: Iterable[Any]) -> list[tuple[float, str, str, list[int]]]:
    """Rows as (t_seconds, member, event, partitions); RebalanceEvents (epoch ``at``) start at 0."""
    rows, epoch = [], []
    for r in timeline:
        if hasattr(r, "kind"):  # eda_lab.consuming.RebalanceEvent
            epoch.append(r.at)
            r = (r.at, r.consumer, r.kind, r.partitions)
        elif isinstance(r, Mapping):
            r = (r["t_seconds"], r["member"], r["event"], r["partitions"])
        parts = [r[3]] if isinstance(r[3], int) else r[3]
        rows.append((float(r[0]), r[1], r[2], [p[1] if isinstance(p, tuple) else p for p in parts]))
    t0 = min(epoch, default=0.0)
    return sorted(((t - t0, m, e, ps) for t, m, e, ps in rows), key=lambda r: r[0])


def ownership_spans(timeline: Iterable[Any], end_s: float | None = None
                    ) -> list[tuple[int, str, float, float]]:
    """``(partition, member, start_s, stop_s)`` ownership spans.

    ``timeline``: ``(t_seconds, member, event, partitions)`` tuples or dicts (event: assigned,
    revoked or lost), or an ``EventConsumer.rebalances`` list (times then start at 0).
    """
    rows = _timeline(timeline)
    open_, spans = {}, []
    for t, member, event, partitions in rows:
        if event not in ("assigned", "revoked", "lost"):
            raise ValueError(f"event {event!r} must be 'assigned', 'revoked' or 'lost'")
        for p in partitions:
            owner = open_.get(p)
            if event == "assigned" and owner and owner[0] == member:
                continue  # still the owner: one unbroken bar
            if owner and (event == "assigned" or owner[0] == member):
                spans.append((p, owner[0], owner[1], t))
                del open_[p]
            if event == "assigned":
                open_[p] = (member, t)
    last = rows[-1][0] if rows else 0.0
    end = max(end_s if end_s is not None else last + 1.0, last)
    spans += [(p, m, start, end) for p, (m, start) in open_.items()]
    return sorted(s for s in spans if s[3] > s[2])


@_styled
def rebalance_replay(timeline: Iterable[Any], *, end_s: float | None = None,
                     ax: Axes | None = None) -> Axes:
    """Partition ownership over time: one row per partition, a bar colored by its owner."""
    spans = ownership_spans(timeline, end_s)
    parts = sorted({s[0] for s in spans})
    colors = member_colors(s[1] for s in spans)
    for p, member, start, stop in spans:
        ax.broken_barh([(start, stop - start)], (p - 0.35, 0.7), color=colors[member],
                       label=member, gid=f"p{p}:{member}:{start:g}")
    for t in sorted({s[2] for s in spans} | {s[3] for s in spans})[1:-1]:
        ax.axvline(t, color="#999999", linewidth=0.6, linestyle=":", zorder=0)
    handles = [Rectangle((0, 0), 1, 1, color=c) for c in colors.values()]
    ax.legend(handles, list(colors), title="owner", loc="upper left", bbox_to_anchor=(1, 1))
    ax.set_yticks(parts, [f"p{p}" for p in parts])
    ax.invert_yaxis()
    ax.set(xlabel="seconds", ylabel="partition", title="Who owned each partition, over time")
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
