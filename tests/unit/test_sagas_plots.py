"""The saga pictures draw what their tables say (boxes, arrows, bars), in a fixed order."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from eda_lab.viz import saga_outcomes, saga_swimlane, saga_transitions_chart  # noqa: E402

LANE = pd.DataFrame([
    {"step": 0, "ms": 0, "service": "order-service", "topic": "orders", "message": "OrderPlaced",
     "id": "aaaa", "caused_by": ""},
    {"step": 1, "ms": 4, "service": "payment-service", "topic": "payments",
     "message": "PaymentProcessed", "id": "bbbb", "caused_by": "aaaa"},
    {"step": 2, "ms": 9, "service": "inventory-service", "topic": "inventory",
     "message": "InventoryFailed", "id": "cccc", "caused_by": "bbbb"},
    {"step": 3, "ms": 12, "service": "payment-service", "topic": "payments",
     "message": "PaymentRefunded", "id": "dddd", "caused_by": "cccc"},
])


def test_the_swimlane_has_a_lane_per_service_a_box_per_message_and_an_arrow_per_cause():
    ax = saga_swimlane(LANE)
    texts = [t.get_text() for t in ax.texts]
    assert texts[:3] == ["order-service", "payment-service", "inventory-service"]
    assert "PaymentRefunded\npayments" in texts
    arrows = [c for c in ax.get_children() if isinstance(c, matplotlib.text.Annotation)]
    assert len(arrows) == 3  # the first message has no cause
    assert arrows[-1].xy[0] == 1 and arrows[-1].xyann[0] == 2  # inventory back to payment
    plt.close("all")


def test_outcomes_most_frequent_first_shipped_in_green():
    ax = saga_outcomes(["payment declined", "shipped", "shipped", "out of stock (refunded)"])
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "shipped", "out of stock\n(refunded)", "payment declined"]
    assert [p.get_height() for p in ax.patches] == [2, 1, 1]
    assert ax.patches[0].get_facecolor() != ax.patches[1].get_facecolor()
    plt.close("all")


def test_transitions_one_bar_each_in_the_table_order():
    table = pd.DataFrame([("new", "running", "started", 5),
                          ("running", "compensating", "ReserveStock failed", 2)],
                         columns=["from", "to", "note", "sagas"])
    ax = saga_transitions_chart(table)
    assert [p.get_width() for p in ax.patches] == [5, 2]
    assert ax.get_yticklabels()[1].get_text() == "running → compensating\n(ReserveStock failed)"
    plt.close("all")


def test_a_long_saga_gets_a_taller_figure_but_a_given_one_keeps_its_size():
    long = pd.concat([LANE] * 3, ignore_index=True)
    assert saga_swimlane(long).figure.get_size_inches()[1] > 5
    fig, ax = plt.subplots(figsize=(8, 2))
    assert tuple(saga_swimlane(long, ax=ax).figure.get_size_inches()) == (8, 2)
    plt.close("all")
