"""Two drawn diagrams: Kafka at a glance, and a map of services and the topics between them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.patches import FancyBboxPatch

from .style import HIGHLIGHT, PALETTE, QUIET, _styled, member_colors


def _box(ax: Axes, x: float, y: float, w: float, h: float, text: str, color: str,
         size: float = 9, weight: str = "normal") -> None:
    ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=color, edgecolor="#555555", linewidth=0.8))
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size, fontweight=weight)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str = "") -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": "#555555", "linewidth": 1.0,
                            "shrinkA": 2, "shrinkB": 2})
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.12, label, ha="center",
                va="bottom", fontsize=7.5, color="#333333")


@_styled
def kafka_overview(*, ax: Axes) -> Axes:
    """Producers append keyed records to a topic's partitions; each consumer group reads all of
    them, its members sharing the partitions."""
    ax.set(xlim=(0, 12), ylim=(1.2, 6.1))
    ax.axis("off")
    _box(ax, 0.2, 3.6, 2.0, 0.9, "producer\n(order service)", PALETTE[0] + "55")
    _box(ax, 0.2, 1.6, 2.0, 0.9, "producer\n(web shop)", PALETTE[0] + "55")
    ax.text(6.0, 5.75, "topic  orders", ha="center", fontsize=10, fontweight="bold")
    lengths = (6, 4, 5)
    for p, n in enumerate(lengths):
        y = 4.5 - p * 1.35
        ax.text(3.3, y + 0.3, f"partition {p}", ha="right", va="center", fontsize=8)
        for o in range(n):
            _box(ax, 3.45 + o * 0.7, y, 0.62, 0.6, str(o), QUIET if o < n - 1 else HIGHLIGHT, 8)
        ax.text(3.45 + n * 0.7 + 0.05, y + 0.3, "← new", va="center", fontsize=7.5, color="#777")
    _arrow(ax, (2.2, 4.05), (2.45, 4.75))
    _arrow(ax, (2.2, 2.05), (2.45, 2.05))
    ax.text(1.2, 3.0, "the key picks\nthe partition", ha="center", va="center", fontsize=7.5,
            color="#333333")
    groups = {"group billing": ["member 1: p0, p1", "member 2: p2"],
              "group analytics": ["member 1: p0, p1, p2"]}
    y = 4.6
    for g, (name, members) in enumerate(groups.items()):
        height = 0.3 + 0.55 * len(members)
        ax.add_patch(FancyBboxPatch((9.0, y - height + 0.5), 2.9, height + 0.1,
                                    boxstyle="round,pad=0.05", facecolor="white",
                                    edgecolor=PALETTE[2 + g], linewidth=1.2, linestyle="--"))
        ax.text(10.45, y + 0.7, name, ha="center", fontsize=8.5, color=PALETTE[2 + g],
                fontweight="bold")
        for i, member in enumerate(members):
            _box(ax, 9.15, y - 0.05 - i * 0.55, 2.6, 0.45, member, PALETTE[2 + g] + "33", 8)
        _arrow(ax, (8.2, 3.3), (9.0, y), "reads" if g == 0 else "")
        y -= height + 1.0
    ax.set_title("Kafka at a glance: every group reads every record; a group's members share "
                 "the partitions")
    return ax


@_styled
def service_map(services: Mapping[str, tuple[float, float]], topics: Mapping[str, tuple[float, float]],
                flows: Iterable[tuple[str, str, str]], title: str = "services and the topics between them",
                *, ax: Axes) -> Axes:
    """Services (rounded boxes) and topics (pale bars) at the given (x, y) positions, with an
    arrow for each ``(from, to, label)`` flow: a service writing to a topic, or a topic read
    by a service."""
    where = {**services, **topics}
    for name, (x, y) in services.items():
        _box(ax, x - 0.9, y - 0.3, 1.8, 0.6, name, PALETTE[0] + "44", 8.5)
    for name, (x, y) in topics.items():
        _box(ax, x - 0.9, y - 0.22, 1.8, 0.44, name, HIGHLIGHT + "66", 8.5, "bold")
    for start, end, label in flows:
        (x0, y0), (x1, y1) = where[start], where[end]
        dx = 0.92 if x1 > x0 else -0.92 if x1 < x0 else 0
        dy = 0 if dx else (0.32 if y1 > y0 else -0.32)
        _arrow(ax, (x0 + dx, y0 + dy), (x1 - dx, y1 - dy), label)
    xs = [x for x, _ in where.values()]
    ys = [y for _, y in where.values()]
    ax.set(xlim=(min(xs) - 1.1, max(xs) + 1.1), ylim=(min(ys) - 0.6, max(ys) + 0.6), title=title)
    ax.axis("off")
    return ax


VERDICT_COLORS = {"works": "#55A868", "degraded": "#937860", "rejects": "#4C72B0",
                  "wrong": "#E8A33D", "breaks": "#C44E52"}


@_styled
def verdict_matrix(table: Any, title: str = "what a reader makes of each schema change",
                   *, ax: Axes) -> Axes:
    """A table of verdicts (rows: changes, columns: readers) as coloured cells with the word in
    each; the colours are fixed per verdict (``VERDICT_COLORS``)."""
    names = list(VERDICT_COLORS)
    codes = table.apply(lambda column: column.map(names.index))
    ax.imshow(codes, cmap=ListedColormap(list(VERDICT_COLORS.values())), vmin=0,
              vmax=len(names) - 1, aspect="auto")
    for y, row in enumerate(table.itertuples(index=False)):
        for x, word in enumerate(row):
            ax.text(x, y, word, ha="center", va="center", color="white", fontweight="bold")
    ax.set_xticks(range(len(table.columns)), [c.replace(" + ", "\n+ ") for c in table.columns])
    ax.set_yticks(range(len(table.index)), table.index)
    ax.tick_params(length=0, labeltop=True, labelbottom=False)
    ax.spines[["left", "bottom"]].set_visible(False)
    ax.set_title(title)
    return ax


@_styled
def causation_chain(rows: Iterable[Mapping[str, str]], *, ax: Axes) -> Axes:
    """Messages as rows (``message``, ``type``, ``caused by``, ``conversation``), each moved one
    step right of the message that caused it, coloured by conversation."""
    rows = list(rows)
    colors, at = member_colors(row["conversation"] for row in rows), {}
    for y, row in enumerate(rows):
        cause = at.get(row["caused by"])  # (x, y) of the parent, drawn in an earlier row
        x = 0 if cause is None else cause[0] + 1
        at[row["message"]] = (x, y)
        ax.text(x, y, f'{row["message"]}  {row["type"]}', ha="center", va="center",
                bbox={"boxstyle": "round", "facecolor": colors[row["conversation"]], "alpha": 0.3})
        if cause is not None:
            ax.annotate("", xy=(x - 0.42, y), xytext=(cause[0] + 0.3, cause[1] + 0.25),
                        arrowprops={"arrowstyle": "->", "connectionstyle": "angle,angleB=180"})
    ax.set(xlim=(-0.6, 3.6), ylim=(len(rows) - 0.5, -0.5),
           title="Who caused whom: each message one step right of its cause")
    ax.axis("off")
    return ax
