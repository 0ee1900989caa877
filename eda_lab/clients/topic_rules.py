"""What Kafka accepts as a topic, checked before asking it, so a learner reads the rule.

Kafka's own rules (``org.apache.kafka.common.internals.Topic.validate`` and CreateTopics):
a name is 1 to 249 characters from ``a-z A-Z 0-9 . _ -`` and is neither ``.`` nor ``..``;
a topic has at least one partition and at least one replica.
tests/integration/test_kafka_adapter.py checks these rules against the real broker's answers.
"""

from __future__ import annotations

import re

from ..errors import InvalidTopic

MAX_NAME_LENGTH = 249
_ILLEGAL = re.compile(r"[^a-zA-Z0-9._-]")
RULE = ("A topic name is 1 to 249 characters from a-z A-Z 0-9 and '.', '_', '-' "
        "(no spaces), and is not '.' or '..'")


def name_problem(name: object) -> str | None:
    """What is wrong with ``name`` as a Kafka topic name, or None if Kafka accepts it.

    >>> name_problem("shop.orders-v2") is None
    True
    >>> name_problem("my orders")
    "contains ' '"
    """
    if not isinstance(name, str):
        return f"is a {type(name).__name__}, not a str"
    if not name:
        return "is empty"
    if name in (".", ".."):
        return f"is {name!r}, which Kafka reserves"
    if len(name) > MAX_NAME_LENGTH:
        return f"is {len(name)} characters long, more than {MAX_NAME_LENGTH}"
    bad = sorted(set(_ILLEGAL.findall(name)))
    if bad:
        return "contains " + ", ".join(repr(c) for c in bad)
    return None


def check_topic(name: object, partitions: int = 1, replication_factor: int = 1) -> None:
    """Raise :class:`InvalidTopic` saying what a valid value is, if Kafka would refuse it."""
    problem = name_problem(name)
    if problem:
        suggestion = _ILLEGAL.sub("-", name)[:MAX_NAME_LENGTH] if isinstance(name, str) else ""
        example = (f" For example {suggestion!r}." if suggestion.strip(".")
                   else " For example 'orders'.")
        raise InvalidTopic(f"{name!r} is not a valid topic name: it {problem}. {RULE}.{example}")
    if not isinstance(partitions, int) or partitions < 1:
        raise InvalidTopic(
            f"A topic needs at least 1 partition, not {partitions!r}: its events live in its "
            f"partitions. Use create_topic({name!r}, partitions=1) or more (3 spreads keys).")
    if not isinstance(replication_factor, int) or replication_factor < 1:
        raise InvalidTopic(
            f"A topic needs a replication factor of at least 1, not {replication_factor!r}: "
            "each partition is stored on that many brokers. The local broker is one node: use 1.")
