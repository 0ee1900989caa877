"""Redrive: publish chosen dead letters to their source topic again, once the cause is fixed.

Each copy keeps the dead letter's key, value and own headers, drops the failure headers, and
carries its attempt number raised by one (``eda-attempt``: a redriven record that fails again
is dead-lettered at once, no new round of retries) and a marker naming the dead letter it
copies (``eda-redrive-of: orders.DLT/0@12``). Before publishing, the source topic is read from
the earliest chosen dead letter's time on, and dead letters already redriven are skipped: so
redriving twice is harmless. (Two redrives *at the same moment* could both publish; the
consumer's idempotency store, keyed by ``eventId``, then handles the event once.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ...clients.consuming import EventConsumer
from ...clients.producing import Delivery, EventPublisher
from ...clients.records import Received
from ...settings import Settings, get_settings
from .headers import ATTEMPT, REDRIVE_OF, raw_headers, raw_key, replace_headers
from .policy import dead_letter_topic


@dataclass(frozen=True)
class RedriveReport:
    """What a redrive did: copies ``published`` (with their deliveries) and dead letters
    ``skipped`` because an earlier redrive already published them."""

    published: list[Delivery] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def redrive(selection: pd.DataFrame, topic: str, settings: Settings | None = None,
            timeout_s: float = 30.0) -> RedriveReport:
    """Publish the dead letters in ``selection`` (rows of :func:`dead_letters` for ``topic``)
    back to ``topic``; the ones redriven before are skipped.

    Example::

        df = dead_letters(ns.topic("orders"))
        redrive(select_dead_letters(df, error="ConnectionError"), ns.topic("orders"))
    """
    settings = settings or get_settings()
    if selection.empty:
        return RedriveReport()
    dlt = dead_letter_topic(topic)
    wanted = {(int(p), int(o)) for p, o in zip(selection["partition"], selection["offset"],
                                                strict=True)}
    records = _read(dlt, wanted, settings, timeout_s)
    done = already_redriven(topic, selection["timestamp"].min(), settings, timeout_s)
    copies, skipped = [], []
    for record in records:
        marker = record.where
        if marker in done:
            skipped.append(marker)
            continue
        attempt = int(record.headers.get(ATTEMPT) or 1) + 1
        headers = replace_headers(raw_headers(record),
                                  [(ATTEMPT, str(attempt)), (REDRIVE_OF, marker)])
        copies.append((raw_key(record), record.value, headers))
    if not copies:
        return RedriveReport([], skipped)
    with EventPublisher(settings) as publisher:
        return RedriveReport(publisher.publish_bytes(topic, copies, timeout_s), skipped)


def already_redriven(topic: str, since: Any, settings: Settings, timeout_s: float) -> set[str]:
    """The dead letters (``topic.DLT/p@o``) already copied to ``topic`` since ``since``."""
    from ...analysis import topic_to_dataframe

    frame = topic_to_dataframe(topic, settings, since=pd.Timestamp(since).to_pydatetime(),
                               progress=False, timeout_s=timeout_s)
    column = f"header.{REDRIVE_OF}"
    return set() if column not in frame else set(frame[column].dropna())


def _read(dlt: str, wanted: set[tuple[int, int]], settings: Settings,
          timeout_s: float) -> list[Received]:
    """The dead letters at ``wanted`` (partition, offset), read with their bytes."""
    firsts: dict[int, int] = {}
    for partition, offset in wanted:
        firsts[partition] = min(offset, firsts.get(partition, offset))
    found: dict[tuple[int, int], Received] = {}
    with EventConsumer(dlt, settings=settings, name="redrive") as consumer:
        for _, partition in consumer.assignment():
            if partition in firsts:
                consumer.seek(dlt, partition, firsts[partition])
            else:
                consumer.pause(dlt, partition)
        for record in consumer.read(idle_s=1.0, timeout_s=timeout_s):
            if (record.partition, record.offset) in wanted:
                found[(record.partition, record.offset)] = record
    missing = wanted - set(found)
    if missing:
        raise LookupError(f"{len(missing)} chosen dead letter(s) are no longer on {dlt} "
                          f"(e.g. partition/offset {min(missing)}): deleted by retention? "
                          "Load the dead letters again and choose from what is there.")
    return [found[where] for where in sorted(found)]
