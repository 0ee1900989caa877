"""``eda-lab reset``: delete a learner's topics and groups (or one lesson's) between sessions.

It lists what it will delete and asks first (``--yes`` skips the question; with no terminal to
ask on it refuses rather than guess). It can only ever touch names under
``<namespace>.`` (or ``<namespace>.<lesson>.``): the scope is a :class:`Namespace`, whose
``owns`` is the one filter every deletion goes through.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TextIO

from ..clients import group_states, list_topics, reset_namespace
from ..errors import EdaLabError
from ..namespace import Namespace
from ..settings import Settings, get_settings


@dataclass(frozen=True)
class WholeNamespace(Namespace):
    """Every lesson of one learner: the names under ``<prefix>.``."""

    lesson: str = "*"

    @property
    def root(self) -> str:
        """``<prefix>.``: one dot, so ``alice`` never reaches ``alice2.…``."""
        return f"{self.prefix}."


def reset_scope(prefix: str, lesson: str | None = None) -> Namespace:
    """The names a reset may delete; ValueError for a prefix or lesson that would reach further.

    >>> reset_scope("alice").root, reset_scope("alice", "02-producing").root
    ('alice.', 'alice.02-producing.')
    """
    for what, value in (("namespace", prefix), ("lesson", lesson)):
        if value is not None and (not value.strip() or "*" in value or value != value.strip()):
            raise ValueError(f"{what} {value!r} must be a plain, non-empty name")
    if lesson is not None and "." in lesson:
        raise ValueError(f"lesson {lesson!r} must hold no dot (a lesson is one name part)")
    return WholeNamespace(prefix) if lesson is None else Namespace(prefix, lesson)


def plan(scope: Namespace, settings: Settings) -> tuple[list[str], list[str]]:
    """The topics and the consumer groups inside ``scope``, sorted."""
    topics = [t for t in list_topics(scope.root, settings) if scope.owns(t)]
    groups = sorted(g for g in group_states(scope.root, settings) if scope.owns(g))
    return topics, groups


def describe_plan(scope: Namespace, topics: list[str], groups: list[str]) -> str:
    """What a reset will delete, as the command prints it before asking."""
    lines = [f"In {scope.root}* this deletes {len(topics)} topic(s) and {len(groups)} "
             "consumer group(s):"]
    lines += [f"  topic  {t}" for t in topics] + [f"  group  {g}" for g in groups]
    return "\n".join(lines)


def confirmed(stdin: TextIO, stdout: TextIO) -> bool:
    """Ask on a terminal; a missing or non-interactive stdin is a refusal, never a yes."""
    if stdin is None or stdin.closed or not stdin.isatty():
        raise EdaLabError("reset asks before deleting, and there is no terminal to ask on; "
                          "run it again with --yes to delete without asking.")
    stdout.write("Delete them? [y/N] ")
    stdout.flush()
    return stdin.readline().strip().lower() in {"y", "yes"}


def run_reset(args: argparse.Namespace, stdin: TextIO | None = None,
              stdout: TextIO | None = None) -> int:
    """The ``reset`` subcommand: list, ask (unless ``--yes``), delete, confirm that all are gone."""
    stdin, stdout = stdin or sys.stdin, stdout or sys.stdout
    settings = get_settings()
    try:
        scope = reset_scope(args.namespace or settings.namespace, args.lesson)
    except ValueError as exc:
        raise EdaLabError(f"{exc}; nothing was deleted.") from None
    topics, groups = plan(scope, settings)
    if not topics and not groups:
        print(f"Nothing to delete in {scope.root}* at {settings.bootstrap}.", file=stdout)
        return 0
    print(describe_plan(scope, topics, groups), file=stdout)
    if not args.yes and not confirmed(stdin, stdout):
        print("Nothing was deleted.", file=stdout)
        return 1
    reset_namespace(scope, settings, timeout_s=args.timeout)  # waits until the topics are gone
    left_topics, left_groups = plan(scope, settings)
    if left_topics or left_groups:  # something joined or was created while deleting
        raise EdaLabError(f"still there after the reset: {left_topics + left_groups}; "
                          "stop the notebooks using them and run reset again.")
    print(f"Deleted {len(topics)} topic(s) and {len(groups)} group(s) of {scope.root}*.",
          file=stdout)
    return 0


def add_reset_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``eda-lab reset``."""
    p = sub.add_parser("reset", help="delete a namespace's topics and groups (or one lesson's)")
    p.add_argument("--namespace", default=None,
                   help="whose names (default EDA_LAB_NAMESPACE, else eda-lab)")
    p.add_argument("--lesson", default=None, help="only this lesson, e.g. 02-producing")
    p.add_argument("--yes", action="store_true", help="delete without asking")
    p.add_argument("--timeout", type=float, default=60.0,
                   help="seconds to wait for busy groups and deletions")
    p.set_defaults(func=run_reset)
