"""Lesson 06's check: the model answer passes, typical mistakes get the intended message."""

from __future__ import annotations

import pytest

from eda_lab.patterns.cqrs_exercises import apply_payment, check_idempotent_projection


def apply_once(db, table, event, record) -> None:
    db.execute(f"CREATE TABLE IF NOT EXISTS {table}_seen (event_id TEXT PRIMARY KEY)")
    if db.execute(f"INSERT OR IGNORE INTO {table}_seen VALUES (?)", (event.event_id,)).rowcount:
        apply_payment(db, table, event, record)


def apply_once_one_table(db, table, event, record) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS seen_events (event_id TEXT PRIMARY KEY)")
    if db.execute("INSERT OR IGNORE INTO seen_events VALUES (?)", (event.event_id,)).rowcount:
        apply_payment(db, table, event, record)


def test_the_solution_passes(capsys: pytest.CaptureFixture[str]) -> None:
    check_idempotent_projection(apply_once)
    assert capsys.readouterr().out == "✅ each payment counted once\n"


@pytest.mark.parametrize(("answer", "says"), [
    (None, "not answered yet"),
    (apply_payment, "at new offsets but with the same event ids"),
    (apply_once_one_table, "remember the ids per table"),
    (lambda db, table, event, record: db.execute("SELECT nope"), "OperationalError"),
])
def test_typical_mistakes_are_named(answer, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    check_idempotent_projection(answer)
    out = capsys.readouterr().out
    assert out.startswith("❌ each payment counted once"), out
    assert says in out, out
