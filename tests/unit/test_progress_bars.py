"""Progress bars for long work: when they show, the no-op bar, and the totals replays and
rebuilds report (through a fake bar factory: nothing is drawn)."""

from __future__ import annotations

import io
import time

import pytest

from eda_lab import progress_bars
from eda_lab.clients.records import Received
from eda_lab.errors import SettingsError
from eda_lab.messages import Event
from eda_lab.patterns import ORDER_SUMMARIES, Projector, ReadModel, projection
from eda_lab.patterns.eventsourcing import BANK_ACCOUNT, SQLiteEventStore, load
from eda_lab.progress_bars import elapsed_status, progress_bar, progress_enabled, show_progress


class FakeBar:
    """Records what a caller asked of its bar."""

    made: list[FakeBar] = []

    def __init__(self, total=None, desc="", unit="", **options):
        self.total, self.desc, self.unit, self.options = total, desc, unit, options
        self.n, self.updates, self.refreshes = 0, [], 0
        FakeBar.made.append(self)

    def update(self, n=1):
        self.n += n
        self.updates.append(n)

    def refresh(self):
        self.refreshes += 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.fixture
def bars(monkeypatch):
    """Fake bars instead of tqdm, progress on as for a person at a terminal or notebook."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("EDA_LAB_PROGRESS", raising=False)
    monkeypatch.setattr(progress_bars, "bar_factory", FakeBar)
    monkeypatch.setattr(progress_bars, "terminal_bar_factory", FakeBar)
    FakeBar.made = []
    return FakeBar.made


@pytest.mark.parametrize(("env", "shown"), [
    ({}, True),
    ({"CI": "true"}, False),
    ({"CI": "1"}, False),
    ({"CI": ""}, True),
    ({"CI": "false"}, True),
    ({"EDA_LAB_PROGRESS": "0"}, False),
    ({"EDA_LAB_PROGRESS": "off"}, False),
    ({"EDA_LAB_PROGRESS": "0", "CI": "true"}, False),
    ({"EDA_LAB_PROGRESS": "1"}, True),
    ({"EDA_LAB_PROGRESS": "1", "CI": "true"}, True),  # asked for by name: wins over CI
    ({"EDA_LAB_PROGRESS": " ", "CI": "true"}, False),  # blank is unset
])
def test_progress_shows_for_people_and_not_in_ci_or_with_progress_0(env, shown):
    assert progress_enabled(env) is shown


def test_a_caller_s_choice_wins_and_a_bad_value_says_what_is_allowed():
    assert show_progress(True, {"CI": "true"}) and not show_progress(False, {})
    assert show_progress(None, {}) and not show_progress(None, {"EDA_LAB_PROGRESS": "0"})
    with pytest.raises(SettingsError, match="EDA_LAB_PROGRESS='maybe' is not 0"):
        progress_enabled({"EDA_LAB_PROGRESS": "maybe"})


def test_without_progress_the_bar_counts_and_shows_nothing(bars, monkeypatch):
    monkeypatch.setenv("EDA_LAB_PROGRESS", "0")
    with progress_bar(10, "load", " rows") as bar:
        bar.update(4)
        bar.update(6)
    assert bar.n == 10 and bars == []
    with progress_bar(10, "load", show=False) as bar:
        bar.update(1)
    assert bars == []


def test_an_automatic_bar_is_only_for_long_work_and_appears_late(bars):
    with progress_bar(5, "short", at_least=100):
        pass
    assert bars == []
    with progress_bar(5, "short", at_least=100, show=True), progress_bar(500, "long", at_least=100):
        pass
    assert [(b.desc, b.total, b.options["delay"]) for b in bars] == [
        ("short", 5, progress_bars.DELAY_S), ("long", 500, progress_bars.DELAY_S)]


def test_elapsed_status_is_drawn_on_a_terminal_only(bars):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    with elapsed_status("Resolving jars", stream=io.StringIO()):
        pass
    assert bars == []
    with elapsed_status("Resolving jars", stream=Terminal(), every_s=0.01):
        deadline = time.monotonic() + 10
        while (not bars or bars[0].refreshes < 2) and time.monotonic() < deadline:
            time.sleep(0.01)  # the work, which reports nothing: the time is redrawn meanwhile
    assert bars[0].refreshes >= 2
    assert bars[0].desc == "Resolving jars" and bars[0].total is None


@pytest.fixture
def long_account(tmp_path):
    with SQLiteEventStore(str(tmp_path / "bank.db")) as store:
        store.append("account-a", [Event("AccountOpened", {"accountId": "a", "owner": "Ada",
                                                           "initialBalance": 0})], 0)
        store.append("account-a", [Event("MoneyDeposited", {"accountId": "a", "amount": 1})
                                   for _ in range(2_499)], 1)
        yield store


def test_a_replay_with_progress_reports_every_event_it_folds(bars, long_account):
    loaded = load(long_account, BANK_ACCOUNT, "account-a", progress=True)
    assert loaded.state.balance == 2_499 and loaded.replayed == 2_500
    [bar] = bars
    assert (bar.total, bar.desc, bar.updates) == (2_500, "replay account-a", [1_000, 1_000, 500])


def test_a_short_replay_shows_no_bar_unless_asked(bars, long_account):
    assert load(long_account, BANK_ACCOUNT, "account-a").replayed == 2_500  # < LONG_REPLAY
    assert load(long_account, BANK_ACCOUNT, "account-a", progress=False).replayed == 2_500
    assert bars == []


class FakeLoop:
    """The rebuild's HandlerLoop: hands the batch handler the topic's records, two at a time."""

    records: list[tuple[Event, Received]] = []

    def __init__(self, topic, batch_handler=None, batch_size=1_000, **options):
        self.batch_handler, self.batch_size, self.running = batch_handler, batch_size, False

    def stop(self, timeout_s=30.0):
        return None

    def run(self, idle_s=None, timeout_s=60.0, until=None):
        for first in range(0, len(self.records), 2):
            self.batch_handler(self.records[first:first + 2])
            if until():
                return


def _order(offset: int, partition: int) -> tuple[Event, Received]:
    event = Event("OrderPlaced", {"orderId": f"o-{partition}-{offset}", "total": 1})
    return event, Received("orders", partition, offset, None, 0, {}, b"")


def test_a_rebuild_with_progress_counts_the_topic_s_offsets(bars, tmp_path, monkeypatch):
    # Partition 0 holds offsets 2..4 (0 and 1 deleted by retention), partition 1 offsets 0..2.
    FakeLoop.records = [_order(o, 0) for o in (2, 3, 4)] + [_order(o, 1) for o in (0, 1, 2)]
    monkeypatch.setattr(projection, "HandlerLoop", FakeLoop)
    monkeypatch.setattr(projection, "begin_offsets", lambda topic, settings: {0: 2, 1: 0})
    monkeypatch.setattr(projection, "end_offsets", lambda topic, settings: {0: 5, 1: 3})
    model = ReadModel(tmp_path / "orders.db", ORDER_SUMMARIES, dedupe_event_ids=True)
    try:
        Projector(model, "orders", "summaries").rebuild(progress=True)
        assert len(model.rows()) == 6
    finally:
        model.close()
    [bar] = bars
    assert (bar.total, bar.desc) == (6, "rebuild order_summaries")
    assert bar.updates == [2, 2, 2] and bar.n == bar.total


def test_a_rebuild_without_progress_draws_no_bar(bars, tmp_path, monkeypatch):
    FakeLoop.records = [_order(0, 0)]
    monkeypatch.setattr(projection, "HandlerLoop", FakeLoop)
    monkeypatch.setattr(projection, "begin_offsets", lambda topic, settings: {0: 0})
    monkeypatch.setattr(projection, "end_offsets", lambda topic, settings: {0: 1})
    monkeypatch.setenv("CI", "true")
    model = ReadModel(tmp_path / "orders.db", ORDER_SUMMARIES, dedupe_event_ids=True)
    try:
        Projector(model, "orders", "summaries").rebuild()
        assert len(model.rows()) == 1
    finally:
        model.close()
    assert bars == []
