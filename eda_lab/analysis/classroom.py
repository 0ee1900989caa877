"""The instructor's view of a shared cluster: every learner's namespace, lesson by lesson.

Names follow ``<namespace>.<lesson>.<name>`` (:mod:`eda_lab.namespace`), where a lesson is
the notebook's number and topic (``02-producing``). :func:`parse_name` reads them back; the
rest are pure functions from one reading of the cluster (:func:`read_cluster`) to tables:
one row per topic and group (:func:`classroom_frame`), and namespaces by lessons
(:func:`lesson_matrix`), which the CLI prints and the widget draws.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..clients._kafka import OffsetSpec, TopicPartition, admin_session, with_coordinator
from ..settings import Settings, get_settings

# A lesson part: the notebook's two digits, a dash, a word or more (00-setup, 06-cqrs).
LESSON = re.compile(r"\d{2}-[A-Za-z0-9_-]+")
COLUMNS = ["namespace", "lesson", "kind", "name", "events", "lag"]


def parse_name(full: str) -> tuple[str, str, str] | None:
    """``(namespace, lesson, short name)`` of a lesson's topic or group; None for other names.

    The namespace and the short name may hold dots; the lesson is the first part after the
    namespace that looks like one.

    >>> parse_name("alice.02-producing.orders.DLT")
    ('alice', '02-producing', 'orders.DLT')
    >>> parse_name("team.a.03-consuming.workers"), parse_name("__consumer_offsets")
    (('team.a', '03-consuming', 'workers'), None)
    """
    parts = full.split(".")
    for i in range(1, len(parts) - 1):
        if LESSON.fullmatch(parts[i]):
            return ".".join(parts[:i]), parts[i], ".".join(parts[i + 1:])
    return None


@dataclass(frozen=True)
class ClusterReading:
    """One reading of the cluster: events kept per topic, lag per group and topic."""

    events: Mapping[str, int]                 # topic -> records kept (end - begin, summed)
    lag: Mapping[str, Mapping[str, int]]      # group -> topic -> records behind its commits


def classroom_frame(reading: ClusterReading) -> pd.DataFrame:
    """One row per lesson topic and group: namespace, lesson, kind, short name, events, lag.

    A group's ``events`` is what it has committed past; its ``lag`` is what still waits.
    """
    rows = []
    for topic, kept in reading.events.items():
        if found := parse_name(topic):
            rows.append([*found[:2], "topic", found[2], kept, 0])
    for group, per_topic in reading.lag.items():
        if found := parse_name(group):
            lag = sum(per_topic.values())
            rows.append([*found[:2], "group", found[2], 0, lag])
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["namespace", "lesson", "kind", "name"], ignore_index=True)


def lesson_matrix(frame: pd.DataFrame, value: str = "events") -> pd.DataFrame:
    """Namespaces (rows) by lessons (columns): the sum of ``value``; 0 where nothing is."""
    if frame.empty:
        return pd.DataFrame(dtype=int)
    return frame.pivot_table(index="namespace", columns="lesson", values=value, aggfunc="sum",
                             fill_value=0).astype(int)


def namespace_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per namespace: the furthest lesson started (who is where), how many lessons, topics,
    groups, events kept and total lag."""
    if frame.empty:
        return pd.DataFrame(columns=["furthest", "lessons", "topics", "groups", "events", "lag"])
    by = frame.groupby("namespace")
    return pd.DataFrame({
        "furthest": by["lesson"].max(),
        "lessons": by["lesson"].nunique().astype(int),
        "topics": by["kind"].agg(lambda s: int((s == "topic").sum())),
        "groups": by["kind"].agg(lambda s: int((s == "group").sum())),
        "events": by["events"].sum().astype(int),
        "lag": by["lag"].sum().astype(int),
    })


def read_cluster(settings: Settings | None = None, timeout_s: float = 30.0) -> ClusterReading:
    """Events kept in every lesson topic and the lag of every lesson group, in one admin session
    (three batched requests, however many learners)."""
    settings = settings or get_settings()
    with admin_session(settings, "reading the classroom", timeout_s) as client:
        metas = [m for m in client.describe_topics() if parse_name(m["name"])]
        tps = [TopicPartition(m["name"], p["partition_index"]) for m in metas
               for p in m["partitions"]]
        ends = client.list_partition_offsets(dict.fromkeys(tps, OffsetSpec.LATEST)) if tps else {}
        begins = (client.list_partition_offsets(dict.fromkeys(tps, OffsetSpec.EARLIEST))
                  if tps else {})
        groups = [g["group_id"] for g in client.list_groups() if parse_name(g["group_id"])]
        committed = with_coordinator(
            lambda: client.list_group_offsets(dict.fromkeys(groups))) if groups else {}
    events: dict[str, int] = {m["name"]: 0 for m in metas}
    for tp in tps:
        events[tp.topic] += ends[tp].offset - begins[tp].offset
    lag: dict[str, dict[str, int]] = {}
    for group, offsets in committed.items():
        for tp, om in offsets.items():
            if tp in ends and om.offset >= 0:
                per_topic = lag.setdefault(group, {})
                per_topic[tp.topic] = per_topic.get(tp.topic, 0) + max(ends[tp].offset - om.offset, 0)
        lag.setdefault(group, {})
    return ClusterReading(events, lag)
