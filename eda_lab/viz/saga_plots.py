"""Pictures of sagas: one order's messages across services, saga transitions, batch outcomes.

Each takes the plain tables of :mod:`eda_lab.patterns.sagas.reports` (or the same columns).

>>> import matplotlib; matplotlib.use("Agg")
>>> ax = saga_outcomes(["shipped", "shipped", "payment declined"])
>>> ax.get_title()
'Outcomes of 3 orders'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from matplotlib.axes import Axes

from .style import HIGHLIGHT, PALETTE, _rows, _styled, member_colors

_GOOD = ("shipped", "completed")


@_styled
def saga_swimlane(lane: Any, *, ax: Axes, title: str | None = None) -> Axes:
    """A sequence diagram: one column per ``service``, one row per message (``step``), each
    box a ``message`` sent on ``topic``, an arrow from the box of the message that caused it.

    ``lane`` has the columns of :func:`~eda_lab.patterns.sagas.swimlane`.
    """
    rows = _rows(lane, "step", "service", "topic", "message", "id", "caused_by")
    figure = ax.figure
    if len(figure.axes) == 1 and tuple(figure.get_size_inches()) == (6.0, 3.0):
        # A figure of the style's default size, made for this picture: room for each row.
        figure.set_size_inches(6.0, max(3.0, 0.45 * len(rows) + 1.0))
    services = list(dict.fromkeys(rows["service"]))  # lanes in the order they first speak
    colors = member_colors(services)
    at: dict[str, tuple[int, int]] = {}
    for x, service in enumerate(services):
        ax.axvline(x, color="#cccccc", linewidth=1, zorder=0)
        ax.text(x, -0.8, service, ha="center", va="bottom", fontsize=8.5, fontweight="bold")
    for y, row in rows.iterrows():
        x = services.index(row["service"])
        cause = at.get(row["caused_by"])
        if cause is not None:
            ax.annotate("", xy=(x, y - 0.22), xytext=(cause[0], cause[1] + 0.22),
                        arrowprops={"arrowstyle": "-|>", "color": "#777777", "linewidth": 0.9})
        at[row["id"]] = (x, y)
        ax.text(x, y, f'{row["message"]}\n{row["topic"]}', ha="center", va="center", fontsize=7.5,
                bbox={"boxstyle": "round", "facecolor": colors[row["service"]], "alpha": 0.35})
    ax.set(xlim=(-0.6, max(len(services), 1) - 0.4), ylim=(len(rows) - 0.4, -1.3),
           title=title or "One order's saga: who sent what, and what caused it")
    ax.axis("off")
    return ax


@_styled
def saga_transitions_chart(transitions: Any, *, ax: Axes) -> Axes:
    """How many sagas took each transition (``from`` → ``to``, with its ``note``), as bars."""
    rows = _rows(transitions, "from", "to", "note", "sagas")
    labels = [f'{r["from"]} → {r["to"]}\n({r["note"]})' for _, r in rows.iterrows()]
    colors = [HIGHLIGHT if "compensat" in r["to"] or "gave up" in r["note"] else PALETTE[0]
              for _, r in rows.iterrows()]
    ax.barh(range(len(rows)), rows["sagas"], color=colors)
    ax.set_yticks(range(len(rows)), labels, fontsize=7)
    ax.invert_yaxis()
    for y, n in enumerate(rows["sagas"]):
        ax.text(n, y, f" {n}", va="center", fontsize=7.5)
    ax.set(xlabel="sagas", title="Saga transitions (orange: compensating)")
    return ax


@_styled
def saga_outcomes(outcomes: Iterable[str], *, ax: Axes, what: str = "orders") -> Axes:
    """A bar per outcome (e.g. the ``outcome`` column of :func:`~eda_lab.patterns.sagas.outcomes`),
    most frequent first, shipped ones in green."""
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome] = counts.get(outcome, 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    names = [k for k, _ in ordered]
    ax.bar([n.replace(" (", "\n(") for n in names], [v for _, v in ordered],
           color=[PALETTE[2] if n in _GOOD else PALETTE[3] for n in names])
    for x, (_, v) in enumerate(ordered):
        ax.text(x, v, str(v), ha="center", va="bottom", fontsize=8)
    ax.tick_params(axis="x", labelsize=7.5)
    ax.set(ylabel=what, title=f"Outcomes of {sum(counts.values())} {what}")
    return ax
