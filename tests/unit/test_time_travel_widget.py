"""The time-travel widget's logic, without a browser: points, the text view, the slider wiring."""

from __future__ import annotations

import matplotlib
import pytest

from eda_lab.databases import lesson_db_dir
from eda_lab.messages import Event
from eda_lab.namespace import Namespace
from eda_lab.patterns.eventsourcing import BANK_ACCOUNT, Recorded
from eda_lab.viz import lag_over_time, value_over_time
from eda_lab.widgets import TimeTravel, events_up_to, travel_points

matplotlib.use("Agg")


def history() -> list[Recorded]:
    steps = [("AccountOpened", {"accountId": "a", "owner": "A", "initialBalance": 100}),
             ("MoneyDeposited", {"amount": 50}), ("MoneyWithdrawn", {"amount": 120}),
             ("SomethingNewer", {"x": 1})]
    return [Recorded("account-a", n, 10 + n, Event(kind, data,
                                                   timestamp=f"2026-03-0{n}T08:15:00.123456789Z"))
            for n, (kind, data) in enumerate(steps, start=1)]


def test_points_carry_the_value_after_each_event_and_the_change() -> None:
    points = travel_points(BANK_ACCOUNT, history())
    assert [(p.version, p.change, p.value) for p in points] == [
        (1, 100, 100), (2, 50, 150), (3, -120, 30), (4, 0, 30)]


def test_the_text_stops_at_the_chosen_version() -> None:
    text = events_up_to(travel_points(BANK_ACCOUNT, history()), 2)
    assert text.splitlines() == ["v1  2026-03-01 08:15  AccountOpened    +100  → 100",
                                 "v2  2026-03-02 08:15  MoneyDeposited    +50  → 150"]


def test_the_slider_moves_the_chart_and_the_table() -> None:
    travel = TimeTravel(travel_points(BANK_ACCOUNT, history()))
    assert (travel.slider.min, travel.slider.max, travel.slider.value) == (1, 4, 4)
    last_image = travel.image.value
    assert travel.at(1).startswith("v1 ") and "v2" not in travel.table.value
    assert travel.image.value != last_image and bytes(travel.image.value).startswith(b"\x89PNG")
    bundle = travel._repr_mimebundle_()
    assert bundle is not None and bundle["text/plain"] == "TimeTravel over versions 1 to 4"


def test_an_empty_stream_is_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="no events"):
        TimeTravel([])


def test_the_charts_draw() -> None:
    ax = value_over_time(["2026-03-01T09:00:00Z", "2026-03-02T09:00:00.5Z"], [1, 2], upto=2)
    assert ax.get_title() == "balance over time, up to event 2 of 2"
    assert lag_over_time([0, 0.5, 1.0], [100, 40, 0]).get_ylabel() == "events behind"


def test_lesson_folders_are_per_namespace_and_reset(tmp_path) -> None:
    ns = Namespace("alice", "05-event-sourcing")
    folder = lesson_db_dir(ns, home=tmp_path)
    (folder / "bank.db").write_text("x")
    assert folder == tmp_path / "db" / "alice" / "05-event-sourcing"
    assert lesson_db_dir(ns, home=tmp_path).joinpath("bank.db").exists()
    assert list(lesson_db_dir(ns, reset=True, home=tmp_path).iterdir()) == []
