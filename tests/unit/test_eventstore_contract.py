"""The event store contract (eda_lab/patterns/eventsourcing/store.py), written once.

Any store passes it by subclassing :class:`EventStoreContract` and giving an ``open_store``
fixture: a function that opens a NEW handle (its own connection) on one fresh, empty store and
accepts ``upcasters=``. Nothing here knows about SQLite; ``TestSQLiteEventStore`` at the end adds
only what is SQLite's own (WAL mode). A PostgreSQL store would subclass it in tests/integration.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid

import pytest

from eda_lab.errors import ConcurrencyConflict
from eda_lab.messages import Event
from eda_lab.patterns.eventsourcing import (
    ANY,
    NO_STREAM,
    AppendResult,
    Snapshot,
    SQLiteEventStore,
)
from tests.helpers import random_name


def ev(kind: str = "MoneyDeposited", version: int = 1, **data) -> Event:
    return Event(kind, data or {"amount": 1}, version=version, source="contract-test")


def stream() -> str:
    return random_name("account")


class EventStoreContract:
    @pytest.fixture
    def open_store(self):
        raise NotImplementedError("a store's test class gives open_store(**options) -> store")

    @pytest.fixture
    def store(self, open_store):
        return open_store()

    # 1. stream versions
    def test_a_new_stream_is_at_version_zero_and_empty(self, store):
        assert store.stream_version(stream()) == NO_STREAM == 0
        assert store.read_stream(stream()) == []

    def test_versions_count_from_one_without_gaps(self, store):
        s = stream()
        store.append(s, [ev(), ev()], NO_STREAM)
        store.append(s, [ev(), ev(), ev()], 2)
        assert [r.version for r in store.read_stream(s)] == [1, 2, 3, 4, 5]
        assert store.stream_version(s) == 5

    def test_append_returns_the_new_version_and_the_last_position(self, store):
        s = stream()
        store.append(stream(), [ev()], NO_STREAM)
        result = store.append(s, [ev(), ev()], NO_STREAM)
        last = store.read_stream(s)[-1]
        assert (result.stream_id, result.version, result.position) == (s, 2, last.position)

    # 2. optimistic concurrency
    def test_no_stream_refuses_a_stream_that_exists(self, store):
        s = stream()
        store.append(s, [ev(), ev()], NO_STREAM)
        with pytest.raises(ConcurrencyConflict, match="no stream yet") as caught:
            store.append(s, [ev()], NO_STREAM)
        assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (s, None, 2)

    @pytest.mark.parametrize("expected", [1, 3])
    def test_a_stale_or_future_expected_version_names_stream_expected_and_actual(self, store, expected):
        s = stream()
        store.append(s, [ev(), ev()], NO_STREAM)
        before = store.read_all()
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append(s, [ev()], expected)
        assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (s, expected, 2)
        assert s in str(caught.value) and f"version {expected}" in str(caught.value)
        assert store.read_all() == before

    def test_an_expected_version_on_a_missing_stream_says_it_has_none(self, store):
        with pytest.raises(ConcurrencyConflict) as caught:
            store.append(stream(), [ev()], 4)
        assert (caught.value.expected, caught.value.actual) == (4, None)

    def test_any_skips_the_check(self, store):
        s = stream()
        store.append(s, [ev()], ANY)
        assert store.append(s, [ev()], ANY).version == 2

    @pytest.mark.parametrize("bad", [-1, None, True, "1", 1.0])
    def test_an_expected_version_must_be_a_version_or_any(self, store, bad):
        with pytest.raises(ValueError, match="expected_version"):
            store.append(stream(), [ev()], bad)

    def test_an_empty_append_is_refused(self, store):
        with pytest.raises(ValueError):
            store.append(stream(), [], NO_STREAM)

    # 3. atomic appends
    def test_a_batch_with_one_bad_event_writes_none_of_it(self, store):
        s, other = stream(), stream()
        taken = ev()
        store.append(other, [taken], NO_STREAM)
        before, pending = store.read_all(), store.pending_outbox()
        with pytest.raises(ValueError):
            store.append(s, [ev(), ev(), taken], NO_STREAM)
        with pytest.raises(ValueError):
            store.append(s, [ev(), ev(), ev()][:1] * 2, NO_STREAM)  # the same id twice
        assert store.read_all() == before and store.pending_outbox() == pending
        assert store.stream_version(s) == 0

    # 4. idempotent appends
    def test_retrying_the_same_batch_writes_nothing_and_returns_the_original_result(self, store):
        s = stream()
        batch = [ev(), ev(), ev()]
        first = store.append(s, batch, NO_STREAM)
        store.append(s, [ev()], 3)  # someone else appends in between: the retry is still a retry
        before, pending = store.read_all(), store.pending_outbox()
        assert store.append(s, batch, NO_STREAM) == first
        assert store.append(s, batch, ANY) == first
        assert store.read_all() == before and store.pending_outbox() == pending

    def test_retrying_the_first_events_of_a_batch_returns_where_they_landed(self, store):
        s = stream()
        batch = [ev(), ev()]
        store.append(s, batch, NO_STREAM)
        first = store.read_stream(s)[0]
        assert store.append(s, batch[:1], NO_STREAM) == AppendResult(s, 1, first.position)

    @pytest.mark.parametrize("mix", ["old-new", "new-old", "other-stream", "reordered"])
    def test_a_batch_mixing_stored_and_new_ids_is_refused(self, store, mix):
        s = stream()
        old = [ev(), ev()]
        store.append(s, old, NO_STREAM)
        before = store.read_all()
        batch = {"old-new": [old[0], ev()], "new-old": [ev(), old[1]], "reordered": old[::-1],
                 "other-stream": old}[mix]
        target = stream() if mix == "other-stream" else s
        with pytest.raises(ValueError, match="batch"):
            store.append(target, batch, ANY)
        assert store.read_all() == before

    # 5. global position
    def test_positions_increase_in_commit_order_across_streams(self, store):
        a, b = stream(), stream()
        appended = [ev(), ev(), ev(), ev()]
        store.append(a, appended[:1], NO_STREAM)
        store.append(b, appended[1:3], NO_STREAM)
        store.append(a, appended[3:], 1)
        everything = store.read_all()
        assert [r.event.event_id for r in everything] == [e.event_id for e in appended]
        positions = [r.position for r in everything]
        assert positions == sorted(set(positions)) and positions[0] >= 1
        assert store.last_position() == positions[-1]

    def test_a_failed_append_never_hands_out_a_position_below_one_already_read(self, store):
        s = stream()
        store.append(s, [ev()], NO_STREAM)
        seen = store.last_position()
        with pytest.raises(ConcurrencyConflict):
            store.append(s, [ev()], NO_STREAM)
        assert store.append(s, [ev()], 1).position > seen
        assert store.read_all(from_position=seen + 1)[0].version == 2

    def test_read_all_pages_through_every_event_once(self, store):
        for _ in range(7):
            store.append(stream(), [ev(), ev()], NO_STREAM)
        pages, after = [], 0
        while page := store.read_all(from_position=after + 1, limit=3):
            assert len(page) <= 3
            pages.extend(page)
            after = page[-1].position
        assert pages == store.read_all() and len(pages) == 14

    def test_read_stream_from_and_to_a_version(self, store):
        s = stream()
        store.append(s, [ev(n=i) for i in range(6)], NO_STREAM)
        assert [r.version for r in store.read_stream(s, from_version=3)] == [3, 4, 5, 6]
        assert [r.version for r in store.read_stream(s, 2, to_version=4)] == [2, 3, 4]
        assert store.read_stream(s, to_version=0) == [] and len(store.read_stream(s, 6, 9)) == 1

    # 6. faithful reads
    def test_reads_give_back_the_appended_envelope(self, store, open_store):
        s = stream()
        cause = Event("AccountOpened", {"owner": "Zoë ✓", "initialBalance": 0}, source="bank")
        effect = cause.caused("MoneyDeposited", {"amount": 5, "note": None, "tags": ["a"]})
        store.append(s, [cause, effect], NO_STREAM)
        assert [r.event for r in store.read_stream(s)] == [cause, effect]
        assert [r.event for r in open_store().read_stream(s)] == [cause, effect]  # another reader

    def test_find_event_gives_one_stored_event_by_id(self, store):
        s, wanted = stream(), ev(n=2)
        result = store.append(s, [ev(), wanted], NO_STREAM)
        found = store.find_event(wanted.event_id)
        assert (found.stream_id, found.version, found.position, found.event) == (
            s, 2, result.position, wanted)
        assert store.find_event(str(uuid.uuid4())) is None

    def test_upcasters_lift_stored_v1_events_to_the_current_version(self, store, open_store):
        s = stream()
        store.append(s, [ev(amount=5), ev("MoneyWithdrawn", amount=2)], NO_STREAM)
        steps = {("MoneyDeposited", 1): lambda d: {**d, "currency": "EUR"},
                 ("MoneyDeposited", 2): lambda d: {"cents": d["amount"] * 100,
                                                   "currency": d["currency"]}}
        reader = open_store(upcasters=steps)
        lifted = reader.read_stream(s)[0].event
        assert (lifted.version, dict(lifted.data)) == (3, {"cents": 500, "currency": "EUR"})
        assert reader.read_all()[0].event == lifted
        assert reader.find_event(lifted.event_id).event == lifted
        assert reader.read_stream(s)[1].event.version == 1  # no step for MoneyWithdrawn
        assert store.read_stream(s)[0].event.data == {"amount": 5}  # stored rows unchanged

    # 7. transactional outbox
    def test_every_appended_event_gets_one_pending_outbox_row_in_position_order(self, store):
        a, b = stream(), stream()
        store.append(a, [ev(), ev()], NO_STREAM)
        store.append(b, [ev()], NO_STREAM)
        pending = store.pending_outbox()
        assert [m.event_id for m in pending] == [r.event.event_id for r in store.read_all()]
        assert [m.position for m in pending] == [r.position for r in store.read_all()]
        assert [m.key for m in pending] == [a.encode(), a.encode(), b.encode()]
        assert [m.event for m in pending] == [r.event for r in store.read_all()]
        assert pending[0].payload == store.read_all()[0].event.to_json()

    def test_mark_sent_takes_rows_out_of_pending_and_is_idempotent(self, store):
        for _ in range(5):
            store.append(stream(), [ev()], NO_STREAM)
        first = store.pending_outbox(limit=2)
        assert len(first) == 2
        assert store.mark_sent([m.id for m in first]) == 2
        assert store.mark_sent([m.id for m in first]) == 0
        rest = store.pending_outbox()
        assert len(rest) == 3 and not {m.id for m in rest} & {m.id for m in first}

    def test_the_outbox_sends_events_as_they_were_written_not_upcast(self, store, open_store):
        store.append(stream(), [ev(amount=5)], NO_STREAM)
        reader = open_store(upcasters={("MoneyDeposited", 1): lambda d: {**d, "currency": "EUR"}})
        assert reader.pending_outbox()[0].event.version == 1

    # 8. snapshots apart
    def test_snapshots_are_kept_newest_first_and_change_no_event(self, store):
        s = stream()
        store.append(s, [ev(), ev(), ev()], NO_STREAM)
        before = store.read_all()
        assert store.load_snapshot(s) is None
        store.save_snapshot(Snapshot(s, 3, "BankAccount", {"balance": 3}))
        store.save_snapshot(Snapshot(s, 2, "BankAccount", {"balance": 2}))  # older: ignored
        assert store.load_snapshot(s) == Snapshot(s, 3, "BankAccount", {"balance": 3})
        assert store.read_all() == before

    def test_upcasters_lift_stored_v1_snapshots(self, store, open_store):
        s = stream()
        store.save_snapshot(Snapshot(s, 1, "BankAccount", {"balance": 7}, schema_version=1))
        reader = open_store(upcasters={("BankAccount", 1): lambda st: {**st, "currency": "EUR"}})
        assert reader.load_snapshot(s) == Snapshot(s, 1, "BankAccount",
                                                   {"balance": 7, "currency": "EUR"}, 2)

    # 2 again, for real: writers on their own connections, racing
    def test_racing_writers_exactly_one_wins_each_version(self, open_store):
        writers, rounds, s = 6, 15, stream()
        stores = [open_store() for _ in range(writers)]
        barrier = threading.Barrier(writers, timeout=30)
        wins = [[] for _ in range(writers)]
        losses = [0] * writers

        def write(n: int) -> None:
            for version in range(rounds):
                barrier.wait()  # everyone expects the same version, then all append at once
                try:
                    wins[n].append(stores[n].append(s, [ev(writer=n)], version).version)
                except ConcurrencyConflict as conflict:
                    assert conflict.actual == version + 1
                    losses[n] += 1

        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert sorted(v for won in wins for v in won) == list(range(1, rounds + 1))
        assert sum(losses) == (writers - 1) * rounds
        history = stores[0].read_stream(s)
        assert [r.version for r in history] == list(range(1, rounds + 1))
        assert [r.event.data["writer"] for r in history] == [
            n for v in range(1, rounds + 1) for n in range(writers) if v in wins[n]]

    # 5 again, for real: a reader following read_all while writers commit misses nothing
    def test_a_reader_tailing_read_all_during_concurrent_appends_misses_nothing(self, open_store):
        writers, appends = 4, 40
        stores, reader = [open_store() for _ in range(writers)], open_store()
        seen, after = [], 0

        def write(n: int) -> None:
            for i in range(appends):
                stores[n].append(f"tail-{n}", [ev(), ev()], NO_STREAM if i == 0 else 2 * i)

        threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
        for t in threads:
            t.start()
        while True:  # tail like a projector: everything after the last position seen
            finished = not any(t.is_alive() for t in threads)
            page = reader.read_all(from_position=after + 1, limit=50)
            seen.extend(page)
            after = page[-1].position if page else after
            if finished and not page:
                break
        assert [r.event.event_id for r in seen] == [r.event.event_id for r in reader.read_all()]
        assert len(seen) == writers * appends * 2


class TestSQLiteEventStore(EventStoreContract):
    @pytest.fixture
    def open_store(self, tmp_path):
        path, opened = str(tmp_path / "events.db"), []

        def open_(**options) -> SQLiteEventStore:
            opened.append(SQLiteEventStore(path, **options))
            return opened[-1]

        yield open_
        for store in opened:
            store.close()

    def test_the_file_is_in_wal_mode(self, store):
        assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    def test_events_survive_closing_and_reopening(self, open_store):
        first = open_store()
        s = stream()
        first.append(s, [ev()], NO_STREAM)
        first.close()
        assert open_store().stream_version(s) == 1

    def test_the_unique_keys_refuse_a_second_version_n_or_event_id_even_without_the_checks(
            self, store):
        # What stands behind the version check: a writer that skipped it still cannot land.
        s, first = stream(), ev()
        store.append(s, [first], NO_STREAM)
        insert = ("INSERT INTO events (stream_id, version, event_id, event_type, timestamp, "
                  "payload) VALUES (?, ?, ?, 'X', '', x'')")
        for version, event_id in ((1, str(uuid.uuid4())), (2, first.event_id)):
            with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
                store._db.execute(insert, (s, version, event_id))
