"""Running a saga's services: one :class:`HandlerLoop` each, in its own group, in the background.

Shared by the choreographed services and the orchestrator's participants. A service stopped by
the crash knob (:class:`.ServiceCrashed`) is started again by :meth:`ServiceLoops.restart_crashed`;
its new loop reads again what the crashed one had not committed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ...clients.offsets import group_lag
from ...errors import WaitTimeout
from ...namespace import Namespace
from ...settings import Settings
from ...waiting import wait_until
from ..batches import Handler, Message, as_event
from ..handler_loop import HandlerLoop
from ..idempotency import SqliteIdempotencyStore
from .knobs import ServiceCrashed


@dataclass(frozen=True)
class ServiceSpec:
    """One service: the short names of the ``topics`` it reads, its ``handler``, how to
    ``decode`` a record (events by default; ``lambda r: r.command`` on a command topic)."""

    topics: tuple[str, ...]
    handler: Handler
    decode: Callable = as_event


class ServiceLoops:
    """Services as background loops, each in group ``<ns>.<name>-service``, each skipping
    message ids it has handled (a :class:`SqliteIdempotencyStore` in ``db_path``).

    Example::

        loops = ServiceLoops(ns, {"shipping": ServiceSpec(("inventory",), ship)}, "shop.db")
        loops.start()
        loops.settle(lambda: all_shipped(), timeout_s=30, what="every order shipped")
        loops.stop()
    """

    def __init__(self, ns: Namespace, specs: dict[str, ServiceSpec], db_path: str,
                 settings: Settings | None = None) -> None:
        self.ns, self.specs, self.db_path, self.settings = ns, specs, str(db_path), settings
        self.loops: dict[str, HandlerLoop] = {}
        self.crashes: list[str] = []
        self.timeout_s = 300.0
        self._seen: dict[str, SqliteIdempotencyStore] = {}

    def _loop(self, name: str) -> HandlerLoop:
        spec = self.specs[name]
        decode: Callable[..., Message] = spec.decode
        if name in self._seen:  # a restart: the crashed loop's store goes with it
            self._seen[name].close()
        self._seen[name] = SqliteIdempotencyStore(self.db_path, f"{name}-service")
        return HandlerLoop(*(self.ns.topic(t) for t in spec.topics),
                           group=self.ns.group(f"{name}-service"), handler=spec.handler,
                           idempotency=self._seen[name], decode=decode, settings=self.settings,
                           name=f"{name}-service")

    def start(self, timeout_s: float = 300.0) -> ServiceLoops:
        """Start every service in a thread of its own (each stops after ``timeout_s``)."""
        self.timeout_s = timeout_s
        for name in self.specs:
            self.loops[name] = self._loop(name).start(timeout_s=timeout_s)
        return self

    def restart_crashed(self) -> list[str]:
        """Start again each service whose loop stopped with :class:`ServiceCrashed`."""
        restarted = []
        for name, loop in list(self.loops.items()):
            if loop.running or loop.report.stopped != "error":
                continue
            try:
                loop.join(1)
            except ServiceCrashed:
                self.crashes.append(name)
                self.loops[name] = self._loop(name).start(timeout_s=self.timeout_s)
                restarted.append(name)
        return restarted

    @property
    def joined(self) -> bool:
        """Whether every service has been given its partitions."""
        return all(loop.joined for loop in self.loops.values())

    def caught_up(self) -> bool:
        """Whether every service has committed everything on every topic it reads (lag 0)."""
        return all(p.lag == 0 for name, spec in self.specs.items() for t in spec.topics
                   for p in group_lag(self.ns.group(f"{name}-service"), self.ns.topic(t),
                                      self.settings))

    def settle(self, done: Callable[[], object], timeout_s: float, what: str) -> None:
        """Wait until ``done()`` is true, restarting crashed services meanwhile."""
        def check() -> object:
            self.restart_crashed()
            return done()

        def too_late() -> WaitTimeout:
            running = sorted(n for n, loop in self.loops.items() if loop.running)
            return WaitTimeout(f"not {what} after {timeout_s:g} s; services running: "
                               f"{running} of {sorted(self.specs)}. Were the topics created and "
                               "start() called? Does the broker answer?")

        wait_until(check, timeout_s, too_late, 0.1)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop every service and wait for them; a crash nobody restarted is only counted."""
        for loop in self.loops.values():
            loop.request_stop()  # all at once: each leaves its group while the others stop too
        for name, loop in self.loops.items():
            try:
                loop.stop(timeout_s)
            except ServiceCrashed:
                self.crashes.append(name)
        for seen in self._seen.values():
            seen.close()
        self._seen.clear()
