"""Each notebook exercise's solution passes its check; a typical wrong answer fails it with the
message that points the learner at the lesson."""

from __future__ import annotations

from types import SimpleNamespace

from eda_lab.exercises import (
    check,
    check_durability,
    check_idle_member,
    check_key_choice,
    check_no_loss,
    check_reader,
    range_assignment,
)


def out(capsys) -> str:
    return capsys.readouterr().out


# 00: keys that move, records in a partition ---------------------------------------------

def test_record_count_end_minus_log_start(capsys):
    end, start = 4, 2
    check("records in partition 1", end - start, 2)
    assert out(capsys) == "✅ records in partition 1\n"
    check("records in partition 1", end, 2, hint="end offset minus log start offset")
    assert out(capsys) == ("❌ records in partition 1: expected 2, got 4. "
                           "Look at: end offset minus log start offset\n")


# 01: a new reader on old events ---------------------------------------------------------

def event(version, **data):
    return SimpleNamespace(version=version, data=data)


EVENTS = [event(1, total=29.99), event(1, amount=149.95), event(2, total=17994)]
CENTS = [2999, 14995, 17994]


def solution_01(e):
    if e.version >= 2:
        return e.data["total"]
    return round(100 * (e.data["total"] if "total" in e.data else e.data["amount"]))


def test_reader_solution_passes(capsys):
    check_reader(solution_01, EVENTS, CENTS)
    assert out(capsys) == "✅ reader handles every version\n"


def test_reader_that_ignores_versions_fails_on_the_old_event(capsys):
    check_reader(lambda e: e.data["total"], EVENTS, CENTS)
    text = out(capsys)
    assert text.startswith("❌ reader handles every version: expected 2999, got 29.99")
    assert "Look at: the version 1 event" in text


def test_reader_that_crashes_reports_the_error(capsys):
    check_reader(lambda e: round(e.data["total"] * 100) if e.version == 1 else e.data["total"],
                 EVENTS, CENTS)
    assert "got \"KeyError: 'total'\"" in out(capsys)


def test_reader_not_answered(capsys):
    check_reader(None, EVENTS, CENTS)
    assert out(capsys).startswith("❌ reader handles every version: not answered yet")


# 02: acks and min.insync.replicas, key choice -------------------------------------------

def test_durability_solution_passes(capsys):
    check_durability("all", 2)
    assert out(capsys) == "✅ acks and min.insync.replicas\n"


def test_acks_all_with_min_insync_one_is_no_safer_than_acks_one(capsys):
    check_durability("all", 1)
    text = out(capsys)
    assert "got acks='all', min.insync.replicas=1" in text
    assert "can lose an acknowledged write" in text


def test_acks_one_and_too_strict_min_insync_fail_with_their_reasons(capsys):
    check_durability(1, 2)
    assert "the leader alone" in out(capsys)
    check_durability("all", 3)
    assert "NotEnoughReplicas" in out(capsys)


def test_key_choice_solution_and_order_id_key(capsys):
    check_key_choice({"cust-0": [1, 1], "cust-1": [0, 0]})
    assert out(capsys) == "✅ every customer's events on one partition\n"
    check_key_choice({"cust-0": [1, 2, 1], "cust-1": [0, 0]})
    text = out(capsys)
    assert "got 1 customers split, e.g. cust-0 on partitions [1, 2]" in text
    assert "Look at: the key" in text


# 03: the seventh member, the crash-safe loop ---------------------------------------------

MEMBERS = [f"member-{n}" for n in range(7)]


def test_range_assignment_matches_kafka_pythons_range_assignor():
    shares = range_assignment(MEMBERS, 6)
    assert shares["member-0"] == [0] and shares["member-5"] == [5] and shares["member-6"] == []


def test_idle_member_solution_and_the_newcomer_guess(capsys):
    check_idle_member("member-6", MEMBERS, 6)
    assert out(capsys) == "✅ the idle member\n"
    check_idle_member("member-0", MEMBERS, 6)
    text = out(capsys)
    assert text.startswith("❌ the idle member: expected 'member-6', got 'member-0'")
    assert "members are sorted by member id" in text


def test_no_loss_passes_with_redelivery_and_fails_with_a_gap(capsys):
    expected = [(0, o) for o in range(5)]
    check_no_loss([(0, 0), (0, 1), (0, 0), (0, 1), (0, 2), (0, 3), (0, 4)], expected, 2)
    assert out(capsys).startswith("✅ no record lost across the crash (some handled twice")
    check_no_loss([(0, 0), (0, 1), (0, 4)], expected, 2)
    text = out(capsys)
    assert "expected all 5 handled, got 2 never handled" in text
    assert "a commit before the handler finishes" in text
