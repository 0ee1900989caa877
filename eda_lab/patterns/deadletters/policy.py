"""Where a failed record goes next: a retry topic after a delay, or the dead-letter topic.

Pure decisions, no broker. Topic names follow one rule, shown beside the models it follows:

====================  ==================================  ======================================
eda_lab               Spring Kafka                        meaning
====================  ==================================  ======================================
``orders.DLT``        ``orders.DLT`` (the recoverer's),   dead letters: failed for good, kept as
                      ``orders-dlt`` (retry topics')      they were read
``orders.retry-1``    ``orders-retry-0`` (by index) or    tried again once due, ``delays_s[0]``
                      ``orders-retry-1000`` (by delay)    after the failure
``orders.retry-2``    ``orders-retry-1`` / ``-5000``      ... after the next delay, and so on
====================  ==================================  ======================================

One retry topic per delay keeps the due times of each partition in order, so its consumer
only ever waits for the record at its head (:mod:`.pausing`).
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import MalformedEvent, NonRetryable

DLT_SUFFIX, RETRY_SUFFIX = ".DLT", ".retry-"


def dead_letter_topic(topic: str) -> str:
    """The dead-letter topic of ``topic``: ``dead_letter_topic("orders") == "orders.DLT"``."""
    return topic + DLT_SUFFIX


def retry_topic(topic: str, tier: int) -> str:
    """The retry topic of ``topic`` for tier 1, 2, ...: ``retry_topic("orders", 1) == "orders.retry-1"``."""
    if tier < 1:
        raise ValueError(f"retry tiers count from 1, got {tier}")
    return f"{topic}{RETRY_SUFFIX}{tier}"


@dataclass(frozen=True)
class RetryPolicy:
    """How a dead-letter router treats a handler's failure.

    Example::

        RetryPolicy(delays_s=(1, 5), max_attempts=3)   # try, retry after 1 s, after 5 s, DLT

    ``delays_s``: one retry topic per delay (empty: no retries, failures go to the DLT);
    ``max_attempts``: tries in all, counting the first (default: one more than the delays;
    more than that reuses the last tier); ``non_retryable``: exception classes sent to the
    DLT at once (bad bytes and validation cannot get better by waiting).

    Order: retry topics let later events of a key overtake the failed one. ``in_place``: retry
    inside the handler call instead, keeping the partition's order but blocking it for the
    delays; a stop ends the wait, and the waits for one record must fit in
    ``max_poll_interval_ms`` (:mod:`.inplace`). ``keep_key_order``: keep the retry topics, but
    park a key's later records behind its record in retry, so each key keeps its order while
    other keys flow (:mod:`.keyorder`; within one run of the router, keyed records only).
    """

    delays_s: tuple[float, ...] = (1.0, 5.0)
    max_attempts: int | None = None
    non_retryable: tuple[type[BaseException], ...] = (NonRetryable, MalformedEvent)
    in_place: bool = False
    keep_key_order: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "delays_s", tuple(float(d) for d in self.delays_s))
        if any(d < 0 for d in self.delays_s):
            raise ValueError(f"delays must be 0 s or more, got {self.delays_s}")
        if self.max_attempts is not None and self.max_attempts < 1:
            raise ValueError(f"max_attempts counts the first try: 1 or more, got {self.max_attempts}")
        if self.max_attempts is not None and self.max_attempts > 1 and not self.delays_s:
            raise ValueError("retries need a delay: give delays_s, or max_attempts=1")
        if self.keep_key_order and (self.in_place or not self.delays_s):
            raise ValueError("keep_key_order parks records on retry topics: it needs delays_s, "
                             "and in_place=False (in place keeps every key's order already)")

    @property
    def attempts(self) -> int:
        """Tries in all, the first one included."""
        return len(self.delays_s) + 1 if self.max_attempts is None else self.max_attempts

    @property
    def longest_wait_s(self) -> float:
        """The delays one record can wait through in all, from its first try to its last."""
        return sum(self.delays_s[self.tier(a) - 1] for a in range(1, self.attempts))

    def retryable(self, error: BaseException) -> bool:
        """Whether waiting and trying again may help."""
        return not isinstance(error, self.non_retryable)

    def tier(self, attempt: int) -> int:
        """The retry tier after failed attempt number ``attempt`` (1-based): the last is reused."""
        return min(attempt, len(self.delays_s))

    def route(self, topic: str, attempt: int, error: BaseException, now_ms: int) -> Route:
        """Where the record of ``topic`` goes after failing its ``attempt``-th try.

        >>> RetryPolicy((1, 5)).route("orders", 1, RuntimeError("down"), now_ms=0)
        Route(topic='orders.retry-1', attempt=2, due_ms=1000, why='retry')
        >>> RetryPolicy((1, 5)).route("orders", 3, RuntimeError("down"), now_ms=0).topic
        'orders.DLT'
        """
        if not self.retryable(error):
            return Route(dead_letter_topic(topic), attempt, None, "non-retryable")
        if attempt >= self.attempts:
            return Route(dead_letter_topic(topic), attempt, None, "attempts exhausted")
        tier = self.tier(attempt)
        return Route(retry_topic(topic, tier), attempt + 1,
                     now_ms + round(self.delays_s[tier - 1] * 1000), "retry")

    def topics(self, topic: str) -> list[str]:
        """Every topic the router writes to for ``topic``: its retry topics, then its DLT."""
        tiers = 0 if self.in_place else len(self.delays_s)
        return [*(retry_topic(topic, t) for t in range(1, tiers + 1)), dead_letter_topic(topic)]


@dataclass(frozen=True)
class Route:
    """A failed record's next stop: the ``topic``, the ``attempt`` number written on it (the
    try it goes to on a retry topic; the last try made on the DLT), when it is due, and why."""

    topic: str
    attempt: int
    due_ms: int | None
    why: str
