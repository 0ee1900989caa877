"""What many tests need, written once: random names, test records, the CLI, waiting.

Import them as ``from tests.helpers import ...``; fixtures (``settings``, ``ns``) live in
``tests/conftest.py``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from eda_lab.clients import Delivery, EventPublisher, make_producer
from eda_lab.messages.envelope import Command, Event
from eda_lab.settings import Settings
from eda_lab.waiting import wait_until

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent


def random_name(kind: str = "t") -> str:
    """A short random name part, so tests never collide on shared infrastructure."""
    return f"{kind}-{uuid.uuid4().hex[:10]}"


def wait_for(check: Callable[[], T | None], what: str, timeout_s: float = 20.0,
             interval_s: float = 0.05) -> T:
    """Wait until ``check()`` is truthy and return it; fail the test naming ``what`` if not.

    The tests' face of :func:`eda_lab.waiting.wait_until`: a timeout is an assertion failure.
    """
    def timed_out() -> AssertionError:
        return AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")

    return wait_until(check, timeout_s, timed_out, interval_s)


def orders(n: int, keys: Sequence[str]) -> list[tuple[str, Event]]:
    """n OrderPlaced events, keyed round-robin over ``keys``, each with its sequence number."""
    return [(keys[i % len(keys)], Event("OrderPlaced", {"seq": i, "orderId": keys[i % len(keys)]}))
            for i in range(n)]


def publish_all(settings: Settings, topic: str,
                items: Iterable[tuple[str | None, Event | Command]]) -> list[Delivery]:
    """Publish ``(key, event)`` pairs in order with one publisher; return the deliveries."""
    with EventPublisher(settings) as publisher:
        return publisher.publish_many(topic, list(items))


def publish_orders(settings: Settings, topic: str, keys: Iterable[str]) -> list[Delivery]:
    """Publish one OrderPlaced event per key (``{"orderId": key}``) and return the deliveries."""
    return publish_all(settings, topic, [(k, Event("OrderPlaced", {"orderId": k})) for k in keys])


def produce_raw(settings: Settings, topic: str, values: Iterable[bytes | None], *,
                partition: int | None = None, spread_over: int | None = None, keyed: bool = False,
                headers: Sequence[tuple[str, bytes]] = ()) -> None:
    """Send raw values (any bytes, also not JSON) and wait until every one is acknowledged.

    ``partition`` puts them all on one partition, ``spread_over=n`` puts value ``i`` on
    partition ``i % n``; ``keyed`` gives value ``i`` the key ``k-i``.
    """
    producer = make_producer(settings)
    try:
        for i, value in enumerate(values):
            target = i % spread_over if spread_over else partition
            producer.send(topic, value=value, partition=target, headers=list(headers),
                          key=f"k-{i}".encode() if keyed else None)
        producer.flush(10)
    finally:
        producer.close(timeout=5)


def run_cli(*args: str, env: dict[str, str] | None = None,
            timeout_s: float = 180) -> subprocess.CompletedProcess[str]:
    """Run ``python -m eda_lab ARGS`` as a learner would, capturing its text output."""
    return subprocess.run([sys.executable, "-m", "eda_lab", *args], capture_output=True,
                          text=True, timeout=timeout_s, env=env, check=False)


def kill_when_it_says(script: str | Path, *args: str, says: str, settings: Settings,
                      timeout_s: float = 60) -> None:
    """Run ``python script ARGS`` (a test file run as a program plays a crashing service),
    wait until its first line of output is ``says``, then kill it with SIGKILL.

    The child talks to the broker under test, and can import ``tests.helpers`` too.
    """
    env = {**os.environ, "EDA_LAB_BOOTSTRAP": settings.bootstrap,
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    child = subprocess.Popen([sys.executable, str(script), *args], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = child.stdout.readline()  # the child says it has got there, then blocks
        assert line.strip() == says, f"the child said {line!r}, not {says!r}"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=timeout_s) == -signal.SIGKILL
    finally:
        child.kill()
        child.stdin.close()
        child.stdout.close()
        child.wait(timeout=timeout_s)
