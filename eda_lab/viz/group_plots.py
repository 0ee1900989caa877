"""Teaching pictures of consumer groups: lag, who owns which partition, rebalances over time.

Like :mod:`eda_lab.viz.plots`, every function takes plain data, draws on ``ax`` (a new 6x3 in
figure when ``None``) and returns the Axes. :func:`ownership_spans` is the pure part of the
rebalance replay: it turns a timeline of assignments into ownership spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator

from .style import LAG, PALETTE, QUIET, _rows, _styled, member_colors


@_styled
def lag_bars(rows: pd.DataFrame | Iterable[Any], *, ax: Axes | None = None) -> Axes:
    """Per partition, the committed offset with the lag (records after it) stacked on it.

    A committed offset says how far the group has *committed*, which need not be how far it
    has processed (auto commit can run ahead of the handler), so the legend says "committed".
    """
    frame = _rows(rows, "partition", "committed", "end", "lag").sort_values("partition")
    xs = [int(p) for p in frame["partition"]]
    done = [0 if pd.isna(c) else int(c) for c in frame["committed"]]
    lag = [int(x) for x in frame["lag"]]
    ax.bar(xs, done, color=PALETTE[0], label="committed offset")
    ax.bar(xs, lag, bottom=done, color=LAG, label="lag: records after it")
    small = 7 if len(xs) > 4 else 8  # keeps six labels like "2510" apart on a 6 in figure
    for x, d, g in zip(xs, done, lag, strict=True):
        ax.text(x, d + g, f"{g:,}", ha="center", va="bottom", fontsize=small)
    ax.set_xticks(xs, [f"p{p}" for p in xs])
    ax.margins(y=0.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    ax.set(xlabel="partition", ylabel="offset", title="Consumer lag per partition: end offset minus committed offset")
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
        if hasattr(r, "kind"):  # eda_lab.clients.records.RebalanceEvent
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
