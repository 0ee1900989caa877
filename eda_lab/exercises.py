"""Automatic checks for the exercises at the end of each notebook.

A check never raises and returns nothing (so a cell that ends in one shows only its message):
it prints ``✅ name`` when the answer is right, and otherwise ``❌ name``, what it expected
beside what it got, and what to look at. Learners can run a check as often as they like.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from types import SimpleNamespace
from typing import Any


def verdict(name: str, ok: bool, expected: Any = None, got: Any = None, look: str = "") -> None:
    """Print ``✅ name``, or ``❌ name`` with what was expected beside what came, and where to look.

    Every lesson's checks print through here and the two helpers below, so they read alike.
    """
    if ok:
        print(f"✅ {name}")
    else:
        print(f"❌ {name}: expected {expected}, got {got}" + (f". Look at: {look}" if look else ""))


def not_answered(name: str, look: str = "") -> None:
    """Print that an exercise has no answer yet, and where to start."""
    print(f"❌ {name}: not answered yet" + (f". Look at: {look}" if look else ""))


def described(exc: BaseException) -> str:
    """A learner's exception as a check shows it in the "got" place."""
    return f"{type(exc).__name__}: {exc}"


def answer_of(answer: Callable[..., Any], *args: Any) -> Any:
    """What the learner's function returns for ``args``; a raised error is an answer too."""
    try:
        return answer(*args)
    except Exception as exc:  # the learner's error is the answer being checked
        return described(exc)


def check(name: str, answer: Any, expected: Any, hint: str = "") -> None:
    """Print ``✅ name`` when ``answer == expected``, else expected beside got and the hint.

    >>> check("records in partition 1", 3, 3)
    ✅ records in partition 1
    >>> check("records in partition 1", 4, 3, hint="end offset minus log start offset")
    ❌ records in partition 1: expected 3, got 4. Look at: end offset minus log start offset
    >>> check("records in partition 1", ..., 3)
    ❌ records in partition 1: not answered yet
    """
    if answer is None or answer is Ellipsis:
        not_answered(name, hint)
        return
    verdict(name, answer == expected, repr(expected), repr(answer), hint)


# --- 01: a new reader on old events ---------------------------------------------------------

def check_reader(reader: Callable[[Any], Any] | None, events: Sequence[Any],
                 expected: Sequence[Any], name: str = "reader handles every version") -> None:
    """Run ``reader`` on every event and compare what it returns with ``expected``, in order.

    An exception counts as a wrong answer for that event; the first difference is reported
    with the event's version, so the learner knows which shape to handle.
    """
    if reader is None:
        not_answered(name, "event.version, then the fields of that version")
        return
    for event, want in zip(events, expected, strict=True):
        got = answer_of(reader, event)
        if got != want:
            verdict(name, False, repr(want), repr(got),
                    f"the version {event.version} event {dict(event.data)}")
            return
    verdict(name, True)


# --- 02: acks and min.insync.replicas --------------------------------------------------------

def durability_problem(acks: Any, min_insync_replicas: int, replication_factor: int = 3,
                       survive_broker_losses: int = 1) -> str | None:
    """Why ``acks`` and ``min.insync.replicas`` miss the goal, or None if they meet it.

    The goal: an acknowledged write survives ``survive_broker_losses`` brokers dying, and
    writes go on while that many brokers are down (replication factor as given).
    """
    acks = {"all": -1, "-1": -1, "1": 1, "0": 0}.get(str(acks), acks)
    if acks == 0:
        return "acks=0 never waits for the broker: the producer cannot even know a write failed"
    if acks == 1:
        return ("acks=1 answers once the leader alone has the write: it is lost if the leader "
                "dies before a follower copied it")
    if acks != -1:
        return f"acks must be 0, 1 or 'all', not {acks!r}"
    if min_insync_replicas <= survive_broker_losses:
        return (f"with min.insync.replicas={min_insync_replicas} the in-sync set may shrink to "
                f"{min_insync_replicas} replica(s), and acks=all then waits for no more than that: "
                f"losing {min_insync_replicas} broker(s) can lose an acknowledged write")
    if min_insync_replicas > replication_factor - survive_broker_losses:
        return (f"with min.insync.replicas={min_insync_replicas} and {replication_factor} replicas, "
                f"{survive_broker_losses} broker(s) down leaves too few in sync: the leader refuses "
                "writes with NotEnoughReplicas")
    return None


def check_durability(acks: Any, min_insync_replicas: Any, replication_factor: int = 3) -> None:
    """Does (acks, min.insync.replicas) keep every acknowledged write and keep writing with
    one of ``replication_factor`` brokers down?"""
    name = "acks and min.insync.replicas"
    if acks is None or min_insync_replicas is None:
        not_answered(name, "what acks=all waits for when replicas fall out of sync")
        return
    problem = durability_problem(acks, min_insync_replicas, replication_factor)
    verdict(name, problem is None, "a setting that meets both goals",
            f"acks={acks!r}, min.insync.replicas={min_insync_replicas!r}", problem or "")


# --- 02: choosing a key -----------------------------------------------------------------------

def check_key_choice(partitions_by_owner: Mapping[str, Iterable[int]] | None,
                     owner: str = "customer") -> None:
    """Every owner's events were stored on one partition (``{owner: partitions used}``)."""
    name = f"every {owner}'s events on one partition"
    if partitions_by_owner is None:
        not_answered(name, "which field names the thing whose order matters")
        return
    split = {o: sorted(set(ps)) for o, ps in partitions_by_owner.items() if len(set(ps)) > 1}
    if not split:
        verdict(name, True)
        return
    first = min(split)
    verdict(name, False, "1 partition per " + owner,
            f"{len(split)} {owner}s split, e.g. {first} on partitions {split[first]}",
            "the key: records with different keys may go to different partitions, "
            "and a consumer can read those in any order")


# --- 03: which member a seventh consumer leaves idle ------------------------------------------

def range_assignment(members: Iterable[str], partitions: int, topic: str = "t") -> dict[str, list[int]]:
    """kafka-python's own range assignor on one topic, members given by client id.

    The broker makes each member id from the client id plus ``-`` and a random UUID, so the
    assignor's sort by member id is a sort by client id (for ids that are not prefixes of one
    another).
    """
    from kafka.coordinator.assignors.range import RangePartitionAssignor

    ids = {f"{m}-00000000": m for m in members}
    cluster = SimpleNamespace(partitions_for_topic=lambda _t: set(range(partitions)))
    group = [SimpleNamespace(member_id=i, group_instance_id=None,
                             metadata=SimpleNamespace(topics=[topic])) for i in ids]
    done = RangePartitionAssignor.assign(cluster, group)
    return {ids[i]: sorted(p for _t, ps in a.assignment for p in ps) for i, a in done.items()}


def check_idle_member(answer: str | None, members: Iterable[str], partitions: int) -> None:
    """The answer names the member that the range assignor leaves without a partition."""
    name = "the idle member"
    shares = range_assignment(members, partitions)
    idle = sorted(m for m, ps in shares.items() if not ps)
    if answer is None:
        not_answered(name, "how the range assignor orders the members")
        return
    verdict(name, answer in idle, " or ".join(map(repr, idle)), repr(answer),
            "members are sorted by member id (client id + random suffix), then each takes "
            f"a run of partitions: {shares}")


# --- 03: a loop that survives a crash ---------------------------------------------------------

def count_handled(handled: Iterable[Any], expected: Iterable[Any]) -> tuple[list[Any], list[Any]]:
    """(missing, handled more than once) of what a handler saw, against what the topic holds."""
    seen: dict[Any, int] = {}
    for item in handled:
        seen[item] = seen.get(item, 0) + 1
    missing = [e for e in expected if e not in seen]
    twice = sorted(e for e, n in seen.items() if n > 1)
    return missing, twice


def check_no_loss(handled: Iterable[Any] | None, expected: Iterable[Any], crashed_after: int) -> None:
    """After a crash and a restart, every record was handled at least once."""
    name = "no record lost across the crash"
    if handled is None:
        not_answered(name, "poll, handle every record, then commit")
        return
    expected = list(expected)
    missing, twice = count_handled(handled, expected)
    if missing:
        verdict(name, False, f"all {len(expected)} handled", f"{len(missing)} never handled "
                f"(e.g. {missing[0]!r}) after a crash at record {crashed_after}",
                "when the commit runs: a commit before the handler finishes marks "
                "unhandled records as done")
        return
    redone = "some handled twice after the restart: at-least-once" if twice else "none twice"
    print(f"✅ {name} ({redone})")


class Crash(Exception):
    """Raised by the crash test's handler: the process dies in the middle of a batch."""


def crash_test(loop: Callable[[Any, Callable[[Any], None]], None] | None, topic: str, group: str,
               settings: Any = None, crash_at: int = 7) -> None:
    """Run ``loop(consumer, handle)`` until the handler crashes, restart it, and count.

    ``loop`` gets a plain kafka-python ``KafkaConsumer`` of ``group`` that reads every
    partition of ``topic`` (assigned directly, so no rebalance slows the test; commits work
    as in a subscribed member), with auto commit off and the earliest offset where the group
    has none. It must return once a poll brings nothing new. The first run's handler raises :class:`Crash` at record ``crash_at``;
    that consumer is closed without a commit, as a killed process would be. A second run with
    a fresh consumer in the same group must then handle whatever the first one did not finish.
    """
    if loop is None:
        check_no_loss(None, [], crash_at)
        return
    from kafka import KafkaConsumer, TopicPartition

    from .settings import get_settings

    settings = settings or get_settings()
    handled: list[tuple[int, int]] = []
    probe = KafkaConsumer(**settings.client_kwargs())
    try:
        partitions = sorted(probe.partitions_for_topic(topic) or ())
        tps = [TopicPartition(topic, p) for p in partitions]
        starts, ends = probe.beginning_offsets(tps), probe.end_offsets(tps)
    finally:
        probe.close()

    def run(crash: bool) -> None:
        consumer = KafkaConsumer(**settings.client_kwargs(), group_id=group,
                                 enable_auto_commit=False, auto_offset_reset="earliest",
                                 session_timeout_ms=10_000)
        consumer.assign([TopicPartition(topic, p) for p in partitions])

        def handle(record: Any) -> None:
            handled.append((record.partition, record.offset))
            if crash and len(handled) == crash_at:
                raise Crash(f"killed while handling record {crash_at}")

        try:
            loop(consumer, handle)
        except Crash:
            pass
        finally:
            consumer.close(autocommit=False)

    run(crash=True)
    run(crash=False)
    expected = [(tp.partition, o) for tp in tps for o in range(starts[tp], ends[tp])]
    check_no_loss(handled, expected, crash_at)
