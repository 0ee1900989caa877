"""The read model in a SQLite file, without a broker: checkpoint and view in one transaction,
redelivery changes nothing, an event republished at a new offset is skipped by its id, a
rebuild into a shadow table swaps in atomically, view hashes."""

from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from eda_lab.clients.records import Received
from eda_lab.messages.envelope import Event
from eda_lab.patterns import ORDER_SUMMARIES, Projector, ReadModel


def history() -> list[tuple[Event, Received]]:
    """Two orders on two partitions: placed, paid, shipped; one cancelled."""
    plan = [(0, "o-1", "OrderPlaced", 30), (1, "o-2", "OrderPlaced", 12),
            (0, "o-1", "OrderPaid", 30), (1, "o-2", "OrderCancelled", 0),
            (0, "o-1", "OrderShipped", 0), (1, "o-2", "SomethingElse", 0)]
    offsets = {0: 0, 1: 0}
    items = []
    for i, (partition, order, kind, amount) in enumerate(plan):
        event = Event(kind, {"orderId": order, "amount": amount}, event_id=f"e-{i}",
                      timestamp=f"2026-11-27T10:00:0{i}Z")
        items.append((event, Received("orders", partition, offsets[partition], order, 0, {},
                                      event.to_json())))
        offsets[partition] += 1
    return items


def republished(items: list[tuple[Event, Received]], first_offset: int = 3
                ) -> list[tuple[Event, Received]]:
    """The same events again, at new offsets after ``first_offset`` (a restarted outbox relay),
    each on its partition; history() ends at offset 2 on both."""
    return [(event, dataclasses.replace(record, offset=first_offset + i))
            for i, (event, record) in enumerate(items)]


@pytest.fixture
def model(tmp_path):
    # As the Projector opens it: skipping by offset and by event id.
    opened = ReadModel(tmp_path / "orders.db", ORDER_SUMMARIES, dedupe_event_ids=True)
    yield opened
    opened.close()


def test_events_become_rows_and_the_checkpoint_moves_with_them(model):
    assert model.apply_batch(history()) == 6
    assert [(r["order_id"], r["status"], r["total"], r["paid"], r["events"])
            for r in model.rows()] == [("o-1", "shipped", 30.0, 30.0, 3),
                                       ("o-2", "cancelled", 12.0, 0.0, 2)]
    assert model.checkpoints() == {("orders", 0): 3, ("orders", 1): 3}


def test_a_redelivered_event_changes_nothing(model):
    items = history()
    model.apply_batch(items[:4])
    before = model.view_hash()
    assert model.apply_batch(items[:4]) == 0   # the whole batch again, after a crash
    assert model.view_hash() == before
    model.apply_batch(items[2:])                # overlapping: only the new ones count
    assert model.rows()[0]["paid"] == 30.0 and model.rows()[0]["events"] == 3


def test_the_same_event_at_a_new_offset_is_applied_once(model):
    items = history()
    model.apply_batch(items)
    before = model.view_hash()
    copies = republished([items[2], items[2], items[0]])  # o-1 paid, twice; o-1 placed

    assert model.apply_batch(copies) == 0
    assert model.view_hash() == before
    assert model.rows()[0]["paid"] == 30.0 and model.rows()[0]["events"] == 3
    # A skipped copy still moves the checkpoint: a resumed projector does not read it again.
    assert model.checkpoints()[("orders", 0)] == 6


def test_a_copy_in_the_same_batch_as_its_original_is_applied_once(model):
    items = history()
    assert model.apply_batch(items + republished(items[:3])) == 6
    assert [(r["order_id"], r["total"], r["paid"], r["events"]) for r in model.rows()] == [
        ("o-1", 30.0, 30.0, 3), ("o-2", 12.0, 0.0, 2)]


def test_a_batch_mixing_copies_and_new_events_applies_each_new_one_once(model, tmp_path):
    # The batch form (executemany) must give what applying event by event gives.
    items = history()
    model.apply_batch(items[:3])
    mixed = republished([items[1], items[3], items[0], items[4], items[5]])
    assert model.apply_batch(mixed) == 3              # items 3, 4, 5 are new; 0 and 1 copies
    one_by_one = dataclasses.replace(ORDER_SUMMARIES, apply=ORDER_SUMMARIES.apply.__call__)
    reference = ReadModel(tmp_path / "reference.db", one_by_one, dedupe_event_ids=True)
    for item in items:
        reference.apply_batch([item])
    assert model.rows() == reference.rows()
    reference.close()


def test_a_read_model_that_skips_only_by_offset_double_counts_a_republished_event(tmp_path):
    # What the event ids prevent (and what lesson 06's exercise starts from).
    plain = ReadModel(tmp_path / "plain.db", ORDER_SUMMARIES)
    items = history()
    plain.apply_batch(items)
    assert plain.apply_batch(republished([items[2]])) == 1
    assert plain.rows()[0]["paid"] == 60.0
    plain.close()


def test_a_projector_refuses_a_read_model_that_would_double_count(tmp_path):
    plain = ReadModel(tmp_path / "plain.db", ORDER_SUMMARIES)
    with pytest.raises(ValueError, match="dedupe_event_ids=True"):
        Projector(plain, "orders", "summaries")
    plain.close()


def test_without_the_checkpoint_the_same_projection_double_counts(tmp_path):
    # What the checkpoint prevents: apply is additive, so applying twice counts twice.
    db = sqlite3.connect(tmp_path / "naive.db")
    db.execute(f"CREATE TABLE order_summaries ({ORDER_SUMMARIES.columns})")
    for _ in range(2):
        for event, record in history()[:3]:
            ORDER_SUMMARIES.apply(db, "order_summaries", event, record)
    assert db.execute("SELECT paid, events FROM order_summaries WHERE order_id = 'o-1'"
                      ).fetchone() == (60.0, 4)


def test_a_failing_apply_leaves_view_and_checkpoint_as_they_were(model):
    items = history()
    model.apply_batch(items[:2])
    before = (model.view_hash(), model.checkpoints())
    broken = (Event("OrderPaid", {"orderId": "o-1", "amount": "lots"}), items[2][1])
    with pytest.raises(ValueError):
        model.apply_batch([items[3], broken])
    assert (model.view_hash(), model.checkpoints()) == before
    assert model.apply_batch([items[3]]) == 1  # its id was rolled back with the view


def test_the_view_survives_reopening_the_file(model, tmp_path):
    model.apply_batch(history())
    again = ReadModel(tmp_path / "orders.db", ORDER_SUMMARIES)
    assert again.view_hash() == model.view_hash()
    assert again.checkpoints() == model.checkpoints()
    again.close()


def test_a_rebuild_fills_a_shadow_table_then_swaps_it_in(model, tmp_path):
    items = history()
    model.apply_batch(items)
    incremental = model.view_hash()
    model.begin_rebuild()
    assert model.rows(shadow=True) == [] and model.checkpoints(shadow=True) == {}
    model.apply_batch(items[:3], shadow=True)
    assert model.view_hash() == incremental        # queries still read the live view
    model.apply_batch(items[3:], shadow=True)
    model.swap()
    assert model.view_hash() == incremental
    assert model.checkpoints() == {("orders", 0): 3, ("orders", 1): 3}
    assert model.checkpoints(shadow=True) == {}
    tables = {r[0] for r in sqlite3.connect(tmp_path / "orders.db").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"order_summaries", "projection_checkpoints", "projection_event_ids"}


def test_a_rebuild_from_a_log_with_duplicates_reaches_the_incremental_views_hash(model,
                                                                                  tmp_path):
    items = history()
    log = items[:4] + republished(items[:4]) + items[4:]  # a relay restarted mid-history
    log = [(e, dataclasses.replace(r, offset=i)) for i, (e, r) in enumerate(log)]
    for start in range(0, len(log), 3):   # incrementally, in batches, as a projector does
        model.apply_batch(log[start:start + 3])
    incremental = model.view_hash()
    reference = ReadModel(tmp_path / "reference.db", ORDER_SUMMARIES)
    reference.apply_batch(items)          # each event once
    assert incremental == reference.view_hash()
    reference.close()

    model.begin_rebuild()                 # fresh ids: the live ones must not skip the rebuild
    assert model.apply_batch(log, shadow=True) == 6
    model.swap()

    assert model.view_hash() == incremental
    # The shadow's ids came with it: a copy published after the rebuild is still skipped.
    assert model.apply_batch([(items[2][0], dataclasses.replace(items[2][1],
                                                                 offset=len(log)))]) == 0
    assert model.view_hash() == incremental
    ids = sqlite3.connect(tmp_path / "orders.db").execute(
        "SELECT view, COUNT(*) FROM projection_event_ids GROUP BY view").fetchall()
    assert ids == [("order_summaries", 6)]


def test_a_rebuild_stops_at_the_offsets_it_was_asked_to_reach(model):
    items = history()
    model.begin_rebuild()
    applied = model.apply_batch(items, shadow=True, until={("orders", 0): 2, ("orders", 1): 3})
    assert applied == 5
    assert model.checkpoints(shadow=True) == {("orders", 0): 2, ("orders", 1): 3}


def test_different_views_have_different_hashes(model, tmp_path):
    model.apply_batch(history()[:5])
    other = ReadModel(tmp_path / "other.db", ORDER_SUMMARIES)
    other.apply_batch(history()[:4])
    assert other.view_hash() != model.view_hash()
    other.close()


def test_the_order_aggregates_own_events_project_into_a_summary(model):
    from eda_lab.messages.envelope import Command
    from eda_lab.patterns.eventsourcing import ORDER, Order

    state, items = Order(), []
    for command in (Command("PlaceOrder", {"orderId": "o-7", "customerId": "c-7", "total": 2500}),
                    Command("PayOrder", {"orderId": "o-7", "amount": 2500}),
                    Command("CancelOrder", {"orderId": "o-7", "reason": "changed mind"})):
        for event in ORDER.decide(state, command):
            state = ORDER.evolve(state, event)
            items.append((event, Received("orders", 0, len(items), "o-7", 0, {}, b"")))
    model.apply_batch(items)
    (row,) = model.rows()
    assert (row["customer_id"], row["status"], row["total"], row["paid"], row["events"]) == (
        "c-7", "cancelled", 2500.0, 0.0, 3)
