"""The saga knobs widget without a broker: the choice, its orders, the summary, the chart, the
sliders read back, and a stable text for nbval."""

from __future__ import annotations

import matplotlib
import pandas as pd
import pytest

from eda_lab.namespace import Namespace
from eda_lab.widgets import BatchResult, KnobChoice, SagaKnobs
from eda_lab.widgets.saga_knobs import chart_png, summary

matplotlib.use("Agg")


def test_a_choice_becomes_the_services_knobs() -> None:
    knobs = KnobChoice(decline_pct=25, short_units=2, crash="inventory", crash_after=4,
                       seed=3).knobs()
    assert (knobs.decline_rate, knobs.crash_after, knobs.stock["sku-2"], knobs.seed) == (
        0.25, {"inventory": 4}, 2, 3)
    assert KnobChoice().knobs().crash_after == {}


@pytest.mark.parametrize("bad", [dict(crash="billing"), dict(decline_pct=101),
                                 dict(short_units=-1), dict(orders=0)])
def test_impossible_choices_are_refused(bad) -> None:
    with pytest.raises(ValueError):
        KnobChoice(**bad)


def test_each_run_has_new_order_ids_and_every_fifth_order_asks_for_sku_2() -> None:
    first, second = KnobChoice(orders=10).placed(1), KnobChoice(orders=10).placed(2)
    assert [e.data["orderId"] for e in first][:2] == ["b1-order-00", "b1-order-01"]
    assert not {e.data["orderId"] for e in first} & {e.data["orderId"] for e in second}
    assert [e.data["sku"] for e in first].count("sku-2") == 2


def test_declines_are_the_same_for_the_same_seed_and_near_the_rate() -> None:
    choice = KnobChoice(decline_pct=30, orders=200)
    ids = [e.data["orderId"] for e in choice.placed(1)]
    declined = [choice.knobs().declines(o) for o in ids]
    assert declined == [choice.knobs().declines(o) for o in ids]
    assert 40 <= sum(declined) <= 80


def test_the_summary_counts_most_frequent_first_and_names_what_did_not_end() -> None:
    assert summary(["shipped", "payment declined", "shipped"], 3) == (
        "shipped: 2, payment declined: 1\ncrashed and restarted: none")
    text = summary(["shipped", "in flight"], 3, ["payment"], finished=False)
    assert text.splitlines() == ["in flight: 1, shipped: 1", "crashed and restarted: payment",
                                 "not ended within the deadline: 2 of 3 orders "
                                 "(the services were stopped anyway)"]
    assert summary([], 2).startswith("no order ended")


def result() -> BatchResult:
    table = pd.DataFrame({"order": ["b1-order-00", "b1-order-01"],
                          "outcome": ["shipped", "out of stock (refunded)"]})
    return BatchResult(KnobChoice(orders=2), table, ["payment"])


def test_a_result_reads_as_text_and_draws_a_png() -> None:
    assert result().text() == ("out of stock (refunded): 1, shipped: 1\n"
                               "crashed and restarted: payment")
    assert chart_png(result()).startswith(b"\x89PNG")


def test_the_widget_reads_its_sliders_and_shows_a_stable_text(tmp_path) -> None:
    knobs = SagaKnobs(Namespace("eda-lab", "07-sagas"), tmp_path,
                      KnobChoice(decline_pct=10, crash="shipping"), deadline_s=45)
    assert knobs.choice() == KnobChoice(decline_pct=10, crash="shipping")
    knobs.decline.value, knobs.stock.value, knobs.orders.value = 50, 3, 10
    knobs.crash.value = "none"
    assert knobs.choice() == KnobChoice(50, 3, "none", orders=10)
    bundle = knobs._repr_mimebundle_()
    assert bundle["text/plain"] == "SagaKnobs, each batch stopped by 45 s"
