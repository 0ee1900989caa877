"""The handler loop's pure decisions, without a broker: what to commit, when to stop, how a
batch is handled (duplicates, malformed records, errors), and the SQLite idempotency store."""

from __future__ import annotations

import pytest

from eda_lab.clients.records import Received
from eda_lab.errors import MalformedEvent
from eda_lab.messages.envelope import Command, Event
from eda_lab.patterns import (
    IdempotencyStore,
    Send,
    SqliteIdempotencyStore,
    StopRules,
    handle_batch,
    next_offsets,
)


def record(offset: int, value: bytes | None, partition: int = 0, topic: str = "orders") -> Received:
    return Received(topic, partition, offset, "k", 0, {}, value)


def events(n: int, partition: int = 0, start: int = 0) -> list[Received]:
    return [record(start + i, Event("OrderPlaced", {"n": start + i}).to_json(), partition)
            for i in range(n)]


class MemoryIds:
    """A minimal IdempotencyStore, to test the batch logic apart from SQLite."""

    def __init__(self, *ids: str) -> None:
        self.ids = set(ids)

    def seen(self, message_id: str) -> bool:
        return message_id in self.ids

    def remember(self, message_ids) -> None:
        self.ids.update(message_ids)


def test_next_offsets_is_one_past_the_highest_handled_offset_per_partition():
    handled = [*events(3, partition=0), *events(2, partition=1, start=10)]
    assert next_offsets(handled) == {("orders", 0): 3, ("orders", 1): 12}
    assert next_offsets([]) == {}


@pytest.mark.parametrize(("kw", "seen", "last_new", "now", "stop", "why"), [
    ({}, 0, None, 1.0, True, "stopped"),
    ({"max_events": 5}, 5, 0.5, 1.0, False, "max_events"),
    ({"timeout_s": 10}, 0, None, 10.0, False, "timeout"),
    ({"idle_s": 2}, 1, 3.0, 5.0, False, "idle"),
    ({"idle_s": 2}, 0, None, 5.0, False, None),      # still joining the group: not idle
    ({"idle_s": None}, 1, 0.0, 50.0, False, None),   # never idle: only the timeout ends it
    ({"max_events": 5, "idle_s": 2}, 4, 4.0, 5.0, False, None),
])
def test_stop_rules(kw, seen, last_new, now, stop, why):
    rules = StopRules(**kw)
    assert rules.reason(seen=seen, started=0.0, last_new=last_new, now=now,
                        stop_requested=stop) == why


@pytest.mark.parametrize("timeout", [None, float("inf"), 0, -1])
def test_a_loop_must_always_have_a_finite_timeout(timeout):
    with pytest.raises(ValueError, match="end by itself"):
        StopRules(timeout_s=timeout)


def test_poll_wait_never_overshoots_the_idle_or_total_deadline():
    rules = StopRules(idle_s=2, timeout_s=10)
    assert rules.poll_s(started=0, last_new=None, now=1) == 0.5
    assert rules.poll_s(started=0, last_new=7.8, now=9.7) == pytest.approx(0.1)
    assert rules.poll_s(started=0, last_new=9.0, now=9.9) == pytest.approx(0.1)


def test_a_batch_calls_the_handler_in_order_and_collects_its_sends():
    seen = []

    def handler(event, rec):
        seen.append(rec.offset)
        return [Send("out", event.caused("Billed", {}), key=rec.key)]

    batch = events(3)
    outcome = handle_batch(batch, handler=handler)
    assert seen == [0, 1, 2]
    assert outcome.error is None and outcome.handled == 3
    assert [s.message.event_type for s in outcome.sends] == ["Billed"] * 3
    assert outcome.done == [(r, r.event.event_id) for r in batch]


def test_a_handler_error_leaves_the_failing_record_and_the_rest_not_done():
    def handler(event, rec):
        if rec.offset == 2:
            raise RuntimeError("boom")
        return [Send("out", event)]

    outcome = handle_batch(events(5), handler=handler)
    assert str(outcome.error) == "boom"
    assert [r.offset for r, _ in outcome.done] == [0, 1]
    assert len(outcome.sends) == 2   # the results of the records before it still go out
    assert next_offsets(r for r, _ in outcome.done) == {("orders", 0): 2}


def test_a_batch_handler_is_all_or_nothing():
    def fails(items):
        raise RuntimeError("no")

    outcome = handle_batch(events(4), batch_handler=fails)
    assert outcome.done == [] and outcome.sends == [] and str(outcome.error) == "no"
    got = []
    ok = handle_batch(events(4), batch_handler=lambda items: got.extend(items))
    assert [r.offset for _, r in got] == [0, 1, 2, 3] and ok.handled == 4 and len(ok.done) == 4


def test_duplicates_seen_before_or_within_the_batch_are_skipped_but_done():
    first = Event("OrderPlaced", {"n": 1})
    again = [record(0, first.to_json()), record(1, first.to_json()),
             record(2, Event("OrderPaid", {}).to_json())]
    calls = []
    outcome = handle_batch(again, handler=lambda e, r: calls.append(r.offset),
                           idempotency=MemoryIds())
    assert calls == [0, 2] and outcome.duplicates == 1
    assert [mid is None for _, mid in outcome.done] == [False, True, False]

    store = MemoryIds(first.event_id)
    outcome = handle_batch(again[:2], handler=lambda e, r: calls.append("again"),
                           idempotency=store)
    assert "again" not in calls and outcome.duplicates == 2 and outcome.handled == 0


def test_malformed_records_go_to_the_callback_and_may_send_to_a_dead_letter_topic():
    bad = [record(0, b"not json"), *events(1, start=1)]
    routed = []

    def dead_letter(rec, error):
        routed.append((rec.offset, error.problem))
        return [Send("orders.dlq", Event("DeadLettered", {"where": rec.where}))]

    outcome = handle_batch(bad, handler=lambda e, r: None, on_malformed=dead_letter)
    assert routed and routed[0][0] == 0 and "not JSON" in routed[0][1]
    assert outcome.malformed == 1 and outcome.handled == 1 and len(outcome.done) == 2
    assert outcome.sends[0].topic == "orders.dlq"


def test_without_a_malformed_callback_a_bad_record_stops_the_batch_undone():
    outcome = handle_batch([*events(1), record(1, b"{}")], handler=lambda e, r: None)
    assert isinstance(outcome.error, MalformedEvent)
    assert [r.offset for r, _ in outcome.done] == [0]


def test_commands_are_decoded_and_deduplicated_by_command_id():
    command = Command("ChargeCard", {"amount": 5})
    got = []
    handle_batch([record(0, command.to_json()), record(1, command.to_json())],
                 handler=lambda c, r: got.append(c), decode=lambda r: r.command,
                 idempotency=MemoryIds())
    assert got == [command]


def test_sqlite_idempotency_store_remembers_per_consumer_and_survives_reopening(tmp_path):
    path = tmp_path / "ids.db"
    store = SqliteIdempotencyStore(path, consumer="billing")
    assert isinstance(store, IdempotencyStore)
    assert not store.seen("e1")
    store.remember(["e1", "e2", "e1"])
    store.remember(["e2"])
    assert store.seen("e1") and store.seen("e2") and store.count() == 2
    other = SqliteIdempotencyStore(path, consumer="shipping")
    assert not other.seen("e1")
    store.close()
    other.close()
    again = SqliteIdempotencyStore(path, consumer="billing")
    assert again.seen("e2") and again.count() == 2
    again.close()


def test_a_handler_may_return_one_send_and_a_wrong_return_is_named():
    one = handle_batch(events(1), handler=lambda e, r: Send("out", e))
    assert [s.topic for s in one.sends] == ["out"]
    wrong = handle_batch(events(2), handler=lambda e, r: [e])  # forgot to wrap it in Send
    assert isinstance(wrong.error, TypeError) and "Send(topic, message, key)" in str(wrong.error)
    assert wrong.done == []
