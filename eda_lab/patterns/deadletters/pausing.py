"""Holding a retry topic's partition until its next record is due, without blocking the loop.

A retry record carries its due time (:data:`.headers.DUE_AT`). Sleeping until then would stall
every other partition of the consumer, and a consumer that does not poll for
``max.poll.interval.ms`` is thrown out of its group. Instead the consumer *pauses* the
partition (Kafka's ``KafkaConsumer.pause``: it stays assigned, no rebalance, nothing fetched),
seeks back to the record that is not due, and resumes the partition once it is. The records
behind it on that partition wait too: one retry topic per delay keeps them in due order.
"""

from __future__ import annotations

import time

from ...clients.consuming import EventConsumer
from ...clients.records import Received
from .headers import due_at_ms

Partition = tuple[str, int]


def split_due(records: list[Received], now_ms: int) -> tuple[list[Received], dict[Partition, Received]]:
    """The records to handle now, and per partition the first record that is not due yet
    (the ones behind it on its partition are left out: they are read again after it).

    >>> due = lambda o, at: Received("t.retry-1", 0, o, None, 0, {"eda-retry-due-at": str(at)}, b"")
    >>> ready, held = split_due([due(0, 5), due(1, 50), due(2, 6)], now_ms=10)
    >>> [r.offset for r in ready], {p: r.offset for p, r in held.items()}
    ([0], {('t.retry-1', 0): 1})
    """
    ready: list[Received] = []
    held: dict[Partition, Received] = {}
    for record in records:
        where = (record.topic, record.partition)
        if where in held:
            continue
        if due_at_ms(record) > now_ms:
            held[where] = record
        else:
            ready.append(record)
    return ready, held


class HoldUntilDue:
    """A :class:`~eda_lab.patterns.HandlerLoop` ``gate``: hands on the records that are due,
    pauses a partition at its first record that is not, resumes it when that one is due.

    Example::

        HandlerLoop(ns.topic("orders.retry-1"), group=ns.group("billing.retry"),
                    handler=handle, gate=HoldUntilDue())

    ``held`` maps each paused partition to its due time (ms since the epoch), to show.
    """

    def __init__(self) -> None:
        self.held: dict[Partition, int] = {}

    def __call__(self, consumer: EventConsumer, records: list[Received]) -> list[Received]:
        ready, resume, hold = self.decide(consumer.assignment(), records,
                                           int(time.time() * 1000))
        for where in resume:
            consumer.resume(*where)
        for (topic, partition), record in hold.items():
            consumer.seek(topic, partition, record.offset)  # read it again once resumed
            consumer.pause(topic, partition)
        return ready

    def decide(self, assigned: set[Partition], records: list[Received], now_ms: int
               ) -> tuple[list[Received], list[Partition], dict[Partition, Received]]:
        """The pure part: the records to hand on, the partitions to resume, and those to
        hold at a record (updating :attr:`held`).

        >>> gate = HoldUntilDue()
        >>> late = Received("t.retry-1", 0, 4, None, 0, {"eda-retry-due-at": "50"}, b"")
        >>> gate.decide({("t.retry-1", 0)}, [late], now_ms=10)[2], gate.held
        ({('t.retry-1', 0): Received(topic='t.retry-1', partition=0, offset=4, key=None, \
timestamp_ms=0, headers={'eda-retry-due-at': '50'}, value=b'')}, {('t.retry-1', 0): 50})
        >>> gate.decide({("t.retry-1", 0)}, [], now_ms=50)[1], gate.held
        ([('t.retry-1', 0)], {})
        """
        resume = []
        for where, due in list(self.held.items()):
            if where not in assigned:  # revoked meanwhile: its next owner decides afresh
                del self.held[where]
            elif due <= now_ms:
                resume.append(where)
                del self.held[where]
        ready, hold = split_due(records, now_ms)
        self.held.update((where, due_at_ms(record)) for where, record in hold.items())
        return ready, resume, hold
