"""Several members of one consumer group in one notebook, each polling in its own thread.

A member takes part in a rebalance only while it polls, so members of one group must poll
side by side, as separate processes would. :class:`Team` runs each member's poll loop in a
thread and wakes the notebook whenever a member has news (a rebalance step, a batch read).

Example::

    team = Team(tasks, workers, partitions=6)
    team.join("member-1")
    print(team.wait_settled())        # {'member-1': [0, 1, 2, 3, 4, 5]}
    team.close()                      # every member leaves; the group is Empty
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..clients import EventConsumer, Received
from ..clients.records import RebalanceEvent
from ..settings import Settings

T = TypeVar("T")


class Member:
    """One member of a :class:`Team`: an ``EventConsumer`` polling in its own thread."""

    def __init__(self, team: Team, name: str) -> None:
        self.name, self.records = name, []  # type: list[Received]
        self.failure: Exception | None = None  # what stopped the polling thread, if anything
        self._stop = threading.Event()
        self.consumer = EventConsumer(team.topic, group=team.group, name=name,
                                      on_rebalance=team._nudge, settings=team.settings,
                                      **team.options)
        self._thread = threading.Thread(target=self._poll, args=(team,), name=name, daemon=True)
        self._thread.start()

    def _poll(self, team: Team) -> None:
        try:
            while not self._stop.is_set():
                self.records += self.consumer.read(idle_s=0.2, timeout_s=1.0)
                team._nudge()
        except Exception as exc:  # kept for the team's waits to raise, not printed by the thread
            self.failure = exc
            team._nudge()

    def owned(self) -> list[int]:
        """The partitions this member holds now, from its assignments and revocations."""
        held: set[int] = set()
        for step in self.consumer.rebalances:
            parts = {p for _, p in step.partitions}
            held = held | parts if step.kind == "assigned" else held - parts
        return sorted(held)

    def leave(self) -> None:
        """Stop polling, then close: the member leaves the group and the others rebalance."""
        self._stop.set()
        self._thread.join()
        self.consumer.close()


class Team:
    """Members of one consumer group on one topic, joined and left by name.

    ``options`` go to every member's ``EventConsumer``; the default heartbeat of 0.5 s lets
    members notice a rebalance within half a second (kafka-python's default: 3 s).
    """

    def __init__(self, topic: str, group: str, partitions: int, settings: Settings | None = None,
                 **options: Any) -> None:
        self.topic, self.group, self.partitions, self.settings = topic, group, partitions, settings
        self.options = {"heartbeat_interval_ms": 500, **options}
        self.members: dict[str, Member] = {}
        self.gone: list[Member] = []
        self._news = threading.Condition()

    def _nudge(self, *_: Any) -> None:
        with self._news:
            self._news.notify_all()

    def join(self, name: str) -> Member:
        """Start a member called ``name`` (its client id)."""
        self.members[name] = Member(self, name)
        return self.members[name]

    def leave(self, name: str) -> None:
        """Let member ``name`` leave the group cleanly."""
        member = self.members.pop(name)
        member.leave()
        self.gone.append(member)

    def split(self) -> dict[str, list[int]] | None:
        """Who owns what, once every partition has exactly one owner and no member is empty."""
        shares = {name: m.owned() for name, m in self.members.items()}
        every = sorted(p for ps in shares.values() for p in ps)
        return shares if every == list(range(self.partitions)) and all(shares.values()) else None

    def wait_until(self, predicate: Callable[[], T], timeout_s: float = 30.0) -> T:
        """Wait until ``predicate()`` is truthy and return it; checked at every member's news.
        A member whose polling failed ends the wait with that error."""
        def done() -> object:
            return self._failed() or predicate()

        with self._news:
            result = self._news.wait_for(done, timeout=timeout_s)
        if failed := self._failed():
            raise RuntimeError(f"member {failed.name} of {self.group} stopped polling: "
                               f"{failed.failure!r}; close the team and run the cell again"
                               ) from failed.failure
        if not result:
            raise TimeoutError(f"the members of {self.group} did not get there in {timeout_s:g} s")
        return result

    def _failed(self) -> Member | None:
        return next((m for m in self.members.values() if m.failure is not None), None)

    def wait_settled(self, timeout_s: float = 30.0) -> dict[str, list[int]]:
        """The split once the group has settled (see :meth:`split`)."""
        return self.wait_until(self.split, timeout_s)

    def records(self) -> list[Received]:
        """Everything any member, present or gone, has read."""
        return [r for m in [*self.members.values(), *self.gone] for r in m.records]

    def timeline(self) -> list[RebalanceEvent]:
        """Every rebalance step of every member, present or gone."""
        return [s for m in [*self.members.values(), *self.gone] for s in m.consumer.rebalances]

    def close(self) -> None:
        """Every member leaves; safe to call twice (and after a failed cell)."""
        for name in list(self.members):
            self.leave(name)
