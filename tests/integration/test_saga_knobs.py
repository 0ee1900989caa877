"""The saga knobs against the real broker: a batch with declines, a shortage and a crashed
service ends as the knobs say, every order ended; two batches in a row do not mix; the services
are stopped afterwards, also when the deadline comes first."""

from __future__ import annotations

import time

import pytest

from eda_lab.patterns.sagas import create_saga_topics
from eda_lab.widgets import KnobChoice, SagaKnobs, run_batch

pytestmark = pytest.mark.integration


def test_a_batch_ends_as_the_knobs_say_and_a_second_batch_is_its_own(settings, ns, tmp_path):
    create_saga_topics(ns, settings=settings)
    knobs = SagaKnobs(ns, tmp_path, deadline_s=60, settings=settings)
    choice = KnobChoice(decline_pct=30, short_units=1, crash="inventory")
    first = knobs.run(choice)
    declined = sum(choice.knobs().declines(e.data["orderId"]) for e in choice.placed(1))
    counts = first.table["outcome"].value_counts().to_dict()
    assert first.finished and first.crashes == ["inventory"]
    assert counts == {"shipped": 10, "payment declined": declined, "out of stock (refunded)": 1}
    assert bytes(knobs.image.value).startswith(b"\x89PNG") and "shipped: 10" in knobs.status.value

    second = knobs.run(KnobChoice(decline_pct=0, orders=4))
    assert second.finished and second.crashes == []
    assert second.table["order"].str.startswith("b2-").all()
    assert second.table["outcome"].tolist() == ["shipped"] * 4


def test_the_services_stop_at_the_deadline(settings, ns, tmp_path):
    create_saga_topics(ns, settings=settings)
    started = time.monotonic()
    result = run_batch(ns, tmp_path, KnobChoice(orders=50), deadline_s=1.0, settings=settings)
    assert time.monotonic() - started < 45  # the deadline, then stopping the four loops
    assert len(result.text().splitlines()) >= 2
    if not result.finished:
        assert "not ended within the deadline" in result.text()
