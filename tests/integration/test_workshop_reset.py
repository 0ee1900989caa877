"""`eda-lab reset` on the real broker: lists, asks, deletes only inside the namespace, waits."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from eda_lab.clients import create_topic, group_states, list_topics, reset_namespace
from eda_lab.clients.consuming import EventConsumer
from eda_lab.namespace import Namespace
from tests.helpers import ROOT, publish_orders, random_name, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture
def learners(settings):
    """Two learners whose prefixes share a start (alice, alice2): each has two lessons with a
    topic and a committed group."""
    base = random_name("ws")
    made = {}
    for prefix in (base, base + "2"):
        for lesson in ("02-producing", "03-consuming"):
            ns = Namespace(prefix, lesson)
            create_topic(ns.topic("orders"), partitions=2, settings=settings)
            publish_orders(settings, ns.topic("orders"), ["o-1", "o-2"])
            with EventConsumer(ns.topic("orders"), group=ns.group("billing"),
                               settings=settings) as consumer:
                consumer.read(max_events=2, idle_s=1, timeout_s=30)
                consumer.commit()
            made[(prefix, lesson)] = ns
    yield base, made
    for ns in made.values():
        reset_namespace(ns, settings, timeout_s=15)


def names(settings, prefix):
    return (set(list_topics(prefix + ".", settings)) | set(group_states(prefix + ".", settings)))


def env_for(settings, **extra):
    return {**os.environ, "EDA_LAB_BOOTSTRAP": settings.bootstrap, **extra}


def test_reset_one_lesson_leaves_the_other_lesson_and_the_other_learner(settings, learners):
    base, made = learners
    before_other = names(settings, base + "2")
    done = run_cli("reset", "--namespace", base, "--lesson", "02-producing", "--yes",
                   env=env_for(settings))
    assert done.returncode == 0, done.stderr
    lesson = made[(base, "02-producing")]
    assert f"topic  {lesson.topic('orders')}" in done.stdout
    assert f"group  {lesson.group('billing')}" in done.stdout
    assert "Deleted 1 topic(s) and 1 group(s)" in done.stdout
    kept = made[(base, "03-consuming")]
    assert names(settings, base) == {kept.topic("orders"), kept.group("billing")}
    assert names(settings, base + "2") == before_other and len(before_other) == 4


def test_reset_whole_namespace_never_reaches_a_longer_prefix(settings, learners):
    base, _ = learners
    before_other = names(settings, base + "2")
    done = run_cli("reset", "--yes", env=env_for(settings, EDA_LAB_NAMESPACE=base))
    assert done.returncode == 0, done.stderr
    assert "2 topic(s) and 2 consumer group(s)" in done.stdout
    assert names(settings, base) == set()
    assert names(settings, base + "2") == before_other and len(before_other) == 4


def test_without_a_terminal_and_without_yes_it_refuses(settings, learners):
    base, _ = learners
    before = names(settings, base)
    done = subprocess.run([sys.executable, "-m", "eda_lab", "reset", "--namespace", base],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
                          env=env_for(settings), cwd=ROOT, check=False)
    assert done.returncode == 1
    assert "no terminal to ask on" in done.stderr and "--yes" in done.stderr
    assert "this deletes 2 topic(s)" in done.stdout  # it still says what it would delete
    assert names(settings, base) == before


def test_answering_no_deletes_nothing_and_yes_deletes(settings, learners, monkeypatch):
    from eda_lab.cli import reset as cli_reset

    base, _ = learners
    monkeypatch.setenv("EDA_LAB_BOOTSTRAP", settings.bootstrap)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    args = cli_reset.argparse.Namespace(namespace=base, lesson=None, yes=False, timeout=30.0)
    out = io.StringIO()
    assert cli_reset.run_reset(args, Terminal("n\n"), out) == 1
    assert "Delete them? [y/N]" in out.getvalue() and "Nothing was deleted." in out.getvalue()
    assert len(names(settings, base)) == 4
    assert cli_reset.run_reset(args, Terminal("y\n"), io.StringIO()) == 0
    assert names(settings, base) == set()


def test_a_busy_group_stops_the_reset_with_what_to_do(settings, learners):
    base, made = learners
    ns = made[(base, "03-consuming")]
    with EventConsumer(ns.topic("orders"), group=ns.group("billing"), settings=settings) as c:
        c.read(max_events=1, idle_s=0.5, timeout_s=10)  # a member of the group now
        done = run_cli("reset", "--namespace", base, "--yes", "--timeout", "3",
                       env=env_for(settings))
    assert done.returncode == 1
    assert "still have active members" in done.stderr
    assert ns.topic("orders") in names(settings, base)  # it deleted nothing


def test_a_namespace_that_would_reach_further_is_refused(settings):
    for bad in (["--namespace", "*"], ["--namespace", " "], ["--lesson", "a.b"]):
        done = run_cli("reset", "--yes", *bad, env=env_for(settings))
        assert done.returncode == 1 and "nothing was deleted" in done.stderr, bad
