"""Consumer groups: list them, see their state and members, delete them.

:mod:`eda_lab.clients` re-exports everything public from here.
"""

from __future__ import annotations

from typing import Any

from ..errors import EdaLabError, GroupNotEmpty, GroupNotFound
from ..settings import Settings, get_settings
from ._kafka import KafkaAdminClient, admin_session, group_description, with_coordinator

# Group states in which no consumer is a member (classic and KIP-848 groups alike).
IDLE_STATES = frozenset({"Empty", "Dead"})


def list_groups(prefix: str | None = None, settings: Settings | None = None) -> list[str]:
    """Sorted consumer group ids (starting with ``prefix`` if given)."""
    return sorted(group_states(prefix, settings))


def group_states(prefix: str | None = None, settings: Settings | None = None) -> dict[str, str]:
    """Each group's state (``Empty``, ``Stable``, ``PreparingRebalance``, ...) by group id."""
    with admin_session(settings or get_settings(), "listing consumer groups") as client:
        groups = client.list_groups()
    return {g["group_id"]: g.get("group_state") or "Unknown" for g in groups
            if prefix is None or g["group_id"].startswith(prefix)}


def describe_group(group: str, settings: Settings | None = None, timeout_s: float = 10.0,
                   missing_ok: bool = False) -> dict[str, Any]:
    """The group's state and members, each with its client id, host and assigned partitions.

    kafka-python's answer as a dict: ``group_id``, ``group_state``, and ``members``, each with
    ``member_id``, ``client_id``, ``client_host`` and ``member_assignment``
    (``{"assigned_partitions": [{"topic": ..., "partitions": [...]}]}``). A group that does
    not exist raises :class:`GroupNotFound`, or with ``missing_ok`` is ``Dead`` with no members.
    """
    try:
        with admin_session(settings or get_settings(), f"describing group {group!r}",
                           timeout_s, group=group) as client:
            return group_description(client, group)
    except GroupNotFound:
        if not missing_ok:
            raise
        return {"group_id": group, "group_state": "Dead", "members": []}


def _members(client: KafkaAdminClient, group: str) -> list[str]:
    """``client_id@host`` of each member of a classic group (empty if it cannot be told)."""
    try:
        found = group_description(client, group)
    except Exception:  # KIP-848 groups cannot be described by the classic API; the state is enough
        return []
    return [f"{m['client_id']}@{m['client_host'].lstrip('/')}" for m in found.get("members", [])]


def delete_group(group: str, settings: Settings | None = None, missing_ok: bool = True) -> None:
    """Delete a consumer group and its committed offsets; it must have no active members.

    :class:`GroupNotEmpty` names the members still in it; :class:`GroupNotFound` if it does
    not exist and ``missing_ok`` is False.
    """
    with admin_session(settings or get_settings(), f"deleting group {group!r}",
                       group=group) as client:
        outcome = with_coordinator(lambda: client.delete_groups([group])).get(group, "OK")
        if outcome == "OK" or (outcome == "GroupIdNotFoundError" and missing_ok):
            return
        if outcome == "NonEmptyGroupError":
            members = ", ".join(_members(client, group)) or "unknown"
            raise GroupNotEmpty(
                f"Consumer group {group!r} still has active members ({members}). "
                "Close those consumers (consumer.close(), or stop the kernel running them), "
                "then delete the group."
            )
    if outcome == "GroupIdNotFoundError":
        raise GroupNotFound(group)
    raise EdaLabError(f"Could not delete consumer group {group!r}: {outcome}.")
