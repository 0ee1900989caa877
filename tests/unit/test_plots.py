"""The teaching pictures draw what their data says: bars, boxes and spans checked on the artists."""

from __future__ import annotations

from collections import namedtuple

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from eda_lab.viz import group_plots, plots  # noqa: E402
from eda_lab.viz import style as plot_style  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def bar_totals(ax) -> dict[float, float]:
    """Total bar height per x position (stacked segments added up)."""
    totals: dict[float, float] = {}
    for container in ax.containers:
        for bar in container:
            x = round(bar.get_x() + bar.get_width() / 2, 6)
            totals[x] = totals.get(x, 0) + bar.get_height()
    return totals


def tick_labels(axis) -> list[str]:
    return [t.get_text() for t in axis.get_ticklabels()]


def by_gid(ax) -> dict[str, object]:
    return {p.get_gid(): p for p in ax.patches if p.get_gid()}


def test_key_spread_from_mapping_counts_keys_per_partition():
    ax = plots.key_spread({"alice": 0, "bob": 2, "carol": 0}, num_partitions=3)
    assert bar_totals(ax) == {0: 2, 1: 0, 2: 1}
    assert tick_labels(ax.xaxis) == ["p0", "p1", "p2"]
    assert ax.get_ylabel() == "keys"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["alice", "bob", "carol"]


def test_key_spread_stacks_each_key_only_on_its_partition():
    rows = [{"key": "a", "partition": 1}] * 3 + [{"key": "b", "partition": 0}] * 2
    ax = plots.key_spread(pd.DataFrame(rows), 2)
    assert ax.get_ylabel() == "events"
    a_bars, b_bars = ax.containers
    assert [bar.get_height() for bar in a_bars] == [0, 3]
    assert [bar.get_height() for bar in b_bars] == [2, 0]


def test_key_spread_many_keys_draws_one_plain_bar_per_partition():
    Delivery = namedtuple("Delivery", "topic partition offset key")
    deliveries = [Delivery("t", i % 4, i, f"k{i}") for i in range(40)]
    ax = plots.key_spread(deliveries, 4)
    assert len(ax.patches) == 4
    assert bar_totals(ax) == {0: 10, 1: 10, 2: 10, 3: 10}
    assert ax.get_legend() is None


def test_topic_layout_highlights_exactly_the_landed_event():
    ax = plots.topic_layout(3, highlight=(1, 4), counts={0: 3, 1: 5})
    boxes = by_gid(ax)
    assert set(boxes) == {"p0o0", "p0o1", "p0o2"} | {f"p1o{i}" for i in range(5)}
    lit = [gid for gid, box in boxes.items()
           if to_hex(box.get_facecolor()) == plot_style.HIGHLIGHT.lower()]
    assert lit == ["p1o4"]
    assert tick_labels(ax.yaxis) == ["partition 2", "partition 1", "partition 0"]
    texts = [t.get_text() for t in ax.texts]
    assert "next: 0" in texts and "next: 5" in texts


def test_topic_layout_shows_the_newest_offsets_of_a_long_partition():
    ax = plots.topic_layout(1, counts=[25], max_boxes=5)
    assert sorted(by_gid(ax)) == [f"p0o{i}" for i in range(20, 25)]
    assert "…" in [t.get_text() for t in ax.texts]


def test_offsets_over_time_one_line_per_partition_in_time_order():
    start = pd.Timestamp("2026-01-01", tz="UTC")
    df = pd.DataFrame({
        "partition": [1, 0, 1, 0],
        "offset": [1, 0, 0, 1],
        "timestamp": [start + pd.Timedelta(seconds=s) for s in (3, 0, 1, 2)],
    })
    ax = plots.offsets_over_time(df)
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert sorted(lines) == ["partition 0", "partition 1"]
    assert list(lines["partition 1"].get_xdata()) == [1.0, 3.0]
    assert list(lines["partition 1"].get_ydata()) == [0, 1]
    assert list(lines["partition 0"].get_xdata()) == [0.0, 2.0]


def test_lag_bars_stack_lag_on_committed():
    rows = [
        {"partition": 1, "committed": None, "end": 6, "lag": 6},
        {"partition": 0, "committed": 10, "end": 14, "lag": 4},
    ]
    ax = group_plots.lag_bars(rows)
    committed, lag = ax.containers
    assert [b.get_height() for b in committed] == [10, 0]
    assert [(b.get_y(), b.get_height()) for b in lag] == [(10, 4), (0, 6)]
    assert tick_labels(ax.xaxis) == ["p0", "p1"]
    assert [t.get_text() for t in ax.texts] == ["4", "6"]
    assert "processed" not in str([t.get_text() for t in ax.get_legend().get_texts()])


def test_assignment_chart_fills_owned_boxes_and_marks_idle_members():
    ax = group_plots.assignment_chart({"bob": [2, 3], "alice": (0, 1), "carol": []}, 4)
    colors = plot_style.member_colors(["alice", "bob", "carol"])
    owned = {gid for gid, box in by_gid(ax).items()
             if to_hex(box.get_facecolor()) == colors[gid.split(":")[0]].lower()}
    assert owned == {"alice:0", "alice:1", "bob:2", "bob:3"}
    assert len(by_gid(ax)) == 12
    assert "idle" in [t.get_text() for t in ax.texts]
    assert tick_labels(ax.yaxis) == ["carol", "bob", "alice"]


TIMELINE = [
    (0, "alice", "assigned", [0, 1]),
    (5, "alice", "revoked", [0, 1]),
    (6, "alice", "assigned", [0]),
    (6, "bob", "assigned", [1]),
]


def test_ownership_spans_close_on_revoke_and_at_the_end():
    assert group_plots.ownership_spans(TIMELINE, end_s=10) == [
        (0, "alice", 0, 5), (0, "alice", 6, 10), (1, "alice", 0, 5), (1, "bob", 6, 10),
    ]


def test_ownership_spans_take_over_without_revoke_and_reject_unknown_events():
    timeline = [(0, "a", "assigned", [0]), (4, "b", "assigned", 0)]
    spans = group_plots.ownership_spans(timeline, end_s=9)
    assert spans == [(0, "a", 0, 4), (0, "b", 4, 9)]
    with pytest.raises(ValueError, match="assigned"):
        group_plots.ownership_spans([(0, "a", "joined", [0])])


def test_rebalance_replay_draws_broken_bars_with_span_extents():
    ax = group_plots.rebalance_replay(TIMELINE, end_s=10)
    extents = {}
    for coll in ax.collections:
        box = coll.get_paths()[0].get_extents()
        extents[coll.get_gid()] = tuple(round(v, 6) for v in (box.x0, box.x1, box.y0, box.y1))
    assert extents == {
        "p0:alice:0": (0, 5, -0.35, 0.35),
        "p0:alice:6": (6, 10, -0.35, 0.35),
        "p1:alice:0": (0, 5, 0.65, 1.35),
        "p1:bob:6": (6, 10, 0.65, 1.35),
    }
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["alice", "bob"]


def test_throughput_chart_one_bar_per_setting():
    results = pd.DataFrame({"setting": ["linger 0", "linger 20"], "events_per_s": [1000.0, 4200.5]})
    ax = plots.throughput_chart(results)
    assert [b.get_height() for b in ax.patches] == [1000.0, 4200.5]
    assert tick_labels(ax.xaxis) == ["linger 0", "linger 20"]
    assert [t.get_text() for t in ax.texts] == ["1,000/s", "4,200/s"]


def test_plots_draw_on_a_given_axes_and_keep_a_fixed_size():
    fig, ax = plt.subplots()
    assert plots.throughput_chart([("a", 1), ("b", 2)], ax=ax) is ax
    own = group_plots.lag_bars(
        pd.DataFrame({"partition": [0], "committed": [1], "end": [2], "lag": [1]}))
    assert tuple(own.figure.get_size_inches()) == (6, 3)


def test_ownership_spans_read_consumer_rebalance_records():
    from eda_lab.clients.records import RebalanceEvent

    records = [
        RebalanceEvent(1000.0, "alice", "assigned", (("t", 0), ("t", 1))),
        RebalanceEvent(1004.0, "alice", "lost", (("t", 1),)),
        RebalanceEvent(1005.0, "bob", "assigned", (("t", 1),)),
    ]
    assert group_plots.ownership_spans(records, end_s=8) == [
        (0, "alice", 0, 8), (1, "alice", 0, 4), (1, "bob", 5, 8),
    ]


def test_key_spread_titles_say_what_the_bars_count():
    many = plots.key_spread({f"k{i}": i % 3 for i in range(20)}, num_partitions=3)
    assert many.get_title() == "Keys per partition"
    few = plots.key_spread([{"key": "a", "partition": 1}], 2)
    assert few.get_title() == "Events per partition, by key: each key in one bar"


def test_short_ids_mask_ids_and_time_and_keep_order():
    from types import SimpleNamespace

    from eda_lab.viz import ShortIds

    ids = ShortIds({"uuid-1": "c1"})
    ids.update({"uuid-2": "e1"})
    message = SimpleNamespace(to_dict=lambda: {"eventId": "uuid-2", "causationId": "uuid-1",
                                               "timestamp": "2026-01-01T00:00:00Z", "version": 1})
    assert ids.masked(message) == {"eventId": "e1", "causationId": "c1", "timestamp": "<time>",
                                   "version": 1}
    assert ids.short("other") == "other" and ids.order() == ["c1", "e1"]


def test_verdict_matrix_and_diagrams_draw_what_they_say():
    from eda_lab.viz import causation_chain, kafka_overview, verdict_matrix

    table = pd.DataFrame({"v1 reader": ["works", "degraded"]}, index=["added", "removed"])
    ax = verdict_matrix(table)
    assert [t.get_text() for t in ax.texts] == ["works", "degraded"]
    rows = [{"message": "c1", "type": "PlaceOrder", "caused by": "-", "conversation": "c1"},
            {"message": "e1", "type": "OrderPlaced", "caused by": "c1", "conversation": "c1"}]
    drawn = [t.get_text() for t in causation_chain(rows).texts if t.get_text()]  # arrows: ""
    assert drawn == ["c1  PlaceOrder", "e1  OrderPlaced"]
    assert "group billing" in [t.get_text() for t in kafka_overview().texts]
