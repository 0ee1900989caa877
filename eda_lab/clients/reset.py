"""Resetting a namespace: delete every topic and consumer group a lesson (or a learner) owns.

Every notebook calls :func:`reset_namespace` first, so that a rerun starts from empty topics
and fresh groups; it never touches a name outside the namespace.
"""

from __future__ import annotations

from ..errors import EdaLabError, WaitTimeout
from ..namespace import Namespace
from ..settings import Settings, get_settings
from ..waiting import wait_until
from ._kafka import admin_session
from ._kafka import with_coordinator as _with_coordinator
from .groups import IDLE_STATES, _members
from .topics import _delete_topics

__all__ = ["reset_namespace"]


def reset_namespace(ns: Namespace, settings: Settings | None = None, timeout_s: float = 60.0) -> int:
    """Delete every topic and consumer group that ``ns`` owns; returns how many were deleted.

    A group can only be deleted once no consumer is a member, so this first waits up to
    ``timeout_s`` for the namespace's groups to become idle, and raises
    :class:`~eda_lab.errors.WaitTimeout` naming the busy ones (having deleted nothing).

    In a notebook: ``reset_namespace(namespace("02-producing"))``. Here ``ns`` holds one topic:

    >>> reset_namespace(ns)
    1
    >>> reset_namespace(ns)
    0
    """
    with admin_session(settings or get_settings(), f"resetting {ns.root}*", timeout_s) as client:
        states: dict[str, str] = {}

        def idle() -> bool:
            states.clear()
            states.update((g["group_id"], g.get("group_state") or "Unknown")
                          for g in client.list_groups() if ns.owns(g["group_id"]))
            return all(state in IDLE_STATES for state in states.values())

        def still_busy() -> WaitTimeout:
            detail = "; ".join(
                f"{ns.short(g)} is {state} with members "
                f"{', '.join(_members(client, g)) or 'unknown'}"
                for g, state in sorted(states.items()) if state not in IDLE_STATES
            )
            return WaitTimeout(
                f"Consumer groups of {ns.root}* still have active members after "
                f"{timeout_s:g} s ({detail}). Close those consumers (consumer.close(), "
                "or restart the kernel that runs them) and call reset_namespace again."
            )

        # Members that just closed may still hold a session for a moment.
        wait_until(idle, timeout_s, still_busy, interval_s=0.2)
        outcomes = (_with_coordinator(lambda: client.delete_groups(sorted(states)))
                    if states else {})
        refused = {g: o for g, o in outcomes.items() if o not in ("OK", "GroupIdNotFoundError")}
        if refused:
            raise EdaLabError(
                f"Could not delete consumer groups {refused}: a consumer joined while resetting. "
                "Stop it and call reset_namespace again."
            )
        topics = sorted(t["name"] for t in client.describe_topics() if ns.owns(t["name"]))
        _delete_topics(client, topics, timeout_s)
    return sum(o == "OK" for o in outcomes.values()) + len(topics)
