"""Per-lesson namespaces, so that notebooks, tests and students never share a topic by accident.

A topic called ``orders`` in lesson ``02-producing`` is ``<prefix>.02-producing.orders`` on the
cluster, where the prefix is ``EDA_LAB_NAMESPACE`` (default ``eda-lab``). On a shared workshop
cluster each student sets their own prefix; reruns of a lesson reset only that lesson's names.
"""

from __future__ import annotations

from dataclasses import dataclass

from .settings import Settings, get_settings


@dataclass(frozen=True)
class Namespace:
    """The topic and group names of one lesson for one learner.

    Notebooks get theirs with ``ns = namespace("02-producing")`` (the prefix from
    ``EDA_LAB_NAMESPACE``, ``eda-lab`` by default):

    >>> ns = Namespace(prefix="eda-lab", lesson="02-producing")
    >>> ns.topic("orders"), ns.group("billing")
    ('eda-lab.02-producing.orders', 'eda-lab.02-producing.billing')
    >>> ns.owns("eda-lab.03-consuming.orders"), ns.short("eda-lab.02-producing.orders")
    (False, 'orders')
    """

    prefix: str
    lesson: str

    @property
    def root(self) -> str:
        """The common start of every name in this namespace, ending with a dot."""
        return f"{self.prefix}.{self.lesson}."

    def topic(self, name: str) -> str:
        """The full topic name for a short one."""
        return self.root + name

    def group(self, name: str) -> str:
        """The full consumer group id for a short one."""
        return self.root + name

    def owns(self, full_name: str) -> bool:
        """Whether a topic or group name belongs to this namespace."""
        return full_name.startswith(self.root)

    def short(self, full_name: str) -> str:
        """The short name of a full one (unchanged if it is not in this namespace)."""
        return full_name[len(self.root):] if self.owns(full_name) else full_name


def namespace(lesson: str, settings: Settings | None = None) -> Namespace:
    """The namespace of ``lesson`` under the configured prefix (``EDA_LAB_NAMESPACE``)."""
    if not lesson or "." in lesson:
        raise ValueError(f"lesson name {lesson!r} must be non-empty and hold no dot")
    settings = settings or get_settings()
    return Namespace(prefix=settings.namespace, lesson=lesson)
