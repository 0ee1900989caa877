"""The projector: the events topic, through the handler loop, into a read model in SQLite.

Each batch is one SQLite transaction that changes the view, moves its checkpoint and records
the ids of the events it applied; Kafka's committed offset follows only afterwards, so the
view's checkpoint is never behind it. On every assignment the projector seeks to the view's own
checkpoint: the database, not Kafka, says where the view stands, even after a crash, a reset
group or a rebuild. The checkpoint skips records redelivered at their old offset; the recorded
ids skip events an outbox relay published again at a new one (it delivers at least once).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

from ..clients import begin_offsets, end_offsets
from ..clients.producing import Delivery
from ..errors import WaitTimeout
from ..progress_bars import progress_bar
from ..settings import Settings, get_settings
from ..waiting import wait_until
from .handler_loop import HandlerLoop
from .progress import LoopReport
from .read_models import Projection, ReadModel

Position = Delivery | Mapping[tuple[str, int], int]


class Projector:
    """Keeps a :class:`ReadModel` up to date with ``topic``, as consumer group ``group``.

    Example::

        projector = Projector("orders.db", ns.topic("orders"), ns.group("summaries"),
                              ORDER_SUMMARIES)
        projector.start()                                   # in a thread
        projector.wait_until_position(delivery, timeout_s=10)   # read your own write
        projector.model.rows(), projector.lag()
        projector.rebuild()                                 # shadow table, then swap
        projector.stop()

    ``run(...)`` projects in the calling thread with the stop rules of
    :class:`~eda_lab.patterns.HandlerLoop`; ``batch_size`` events go in one transaction. Other
    keywords go to the loop (e.g. ``on_malformed=`` a dead-letter router; without one, a
    malformed record stops the projector before it) and on to the consumer. A ``ReadModel``
    given as ``db`` must have ``dedupe_event_ids=True``.
    """

    def __init__(self, db: str | Path | ReadModel, topic: str, group: str,
                 projection: Projection | None = None, settings: Settings | None = None,
                 batch_size: int = 1_000, **consumer_options: object) -> None:
        if isinstance(db, ReadModel):
            if not db.dedupe_event_ids:  # it would double count a relay's republished events
                raise ValueError("a projector's ReadModel must skip duplicates by event id: "
                                 "open it with ReadModel(..., dedupe_event_ids=True)")
            self.model = db
        elif projection is None:
            raise ValueError("give the projection that defines the view, e.g. ORDER_SUMMARIES")
        else:
            self.model = ReadModel(db, projection, dedupe_event_ids=True)
        self.topic, self.group = topic, group
        self.settings = settings or get_settings()
        self.loop = HandlerLoop(
            topic, group=group, settings=self.settings, name=f"projector-{self.model.projection.table}",
            batch_handler=self._project, batch_size=batch_size,
            start_from=lambda t, p: self.model.checkpoints().get((t, p), 0),
            **consumer_options)

    def run(self, max_events: int | None = None, idle_s: float | None = 5.0,
            timeout_s: float = 60.0) -> LoopReport:
        """Project in this thread until a stop rule; returns the loop's report."""
        return self.loop.run(max_events, idle_s, timeout_s)

    def start(self, timeout_s: float = 600.0) -> Projector:
        """Project in a background thread until :meth:`stop` (or ``timeout_s``)."""
        self.loop.start(idle_s=None, timeout_s=timeout_s)
        return self

    def stop(self, timeout_s: float = 30.0) -> LoopReport:
        """Stop the background projection and wait for it; returns its report."""
        return self.loop.stop(timeout_s)

    def lag(self) -> int:
        """How many events of the topic the view has not applied yet."""
        ends, begins = end_offsets(self.topic, self.settings), begin_offsets(self.topic, self.settings)
        marks = self.model.checkpoints()
        return sum(max(0, end - max(marks.get((self.topic, p), 0), begins.get(p, 0)))
                   for p, end in ends.items())

    def wait_until_position(self, position: Position, timeout_s: float = 10.0) -> None:
        """Return once the view has applied ``position`` (a :class:`Delivery`, or offsets per
        ``(topic, partition)``); :class:`WaitTimeout` says where the view is otherwise.

        This is read-your-writes: after publishing an event, wait for its delivery before
        querying the view, and the answer includes it.
        """
        wanted = ({(position.topic, position.partition): position.offset}
                  if isinstance(position, Delivery) else dict(position))

        def behind() -> dict[tuple[str, int], tuple[int, int]]:
            marks = self.model.checkpoints()
            return {w: (marks.get(w, 0), o) for w, o in wanted.items() if marks.get(w, 0) <= o}

        def too_late() -> WaitTimeout:
            missing = ", ".join(f"{t}/{p}: applied up to {done - 1}, not yet {o}"
                                for (t, p), (done, o) in behind().items())
            state = "running" if self.loop.running else "not running: call start() or run()"
            return WaitTimeout(f"The view {self.model.projection.table!r} has not reached the "
                               f"position after {timeout_s:g} s ({missing}); the projector is "
                               f"{state}. Answer from the view as it is, or wait longer.")

        wait_until(lambda: not behind(), timeout_s, too_late)

    def rebuild(self, timeout_s: float = 120.0, progress: bool | None = None) -> str:
        """Project the topic from its start into a shadow table, then swap it in atomically.

        The shadow table has its own checkpoints and applied event ids (duplicates on the topic
        are skipped again). Queries keep reading the old view meanwhile. A running projector
        pauses for the rebuild and resumes from the new view's checkpoint. Returns the new
        view's hash. A rebuild that lasts shows a progress bar of the topic's offsets
        (``progress=False``: none; see :mod:`eda_lab.progress_bars`).
        """
        was_running = self.loop.running
        self.stop()
        try:
            self._rebuild(timeout_s, progress)
        finally:  # a failed rebuild leaves the live view as it was: keep projecting into it
            if was_running:
                self.start()
        return self.model.view_hash()

    def _rebuild(self, timeout_s: float, progress: bool | None = None) -> None:
        self.model.begin_rebuild()
        started = time.monotonic()
        begins = begin_offsets(self.topic, self.settings)
        ends = {(self.topic, p): o for p, o in end_offsets(self.topic, self.settings).items()}
        first = {w: min(begins.get(w[1], 0), end) for w, end in ends.items()}
        total = sum(ends.values()) - sum(first.values())

        def done() -> int:  # offsets, not events: transaction markers and duplicates count too
            marks = self.model.checkpoints(shadow=True)
            return sum(min(max(marks.get(w, 0), at), ends[w]) - at for w, at in first.items())

        def caught_up() -> bool:
            return done() == total

        with progress_bar(total, f"rebuild {self.model.projection.table}", " offsets",
                          show=progress) as bar:
            def project(items: list) -> None:
                self._project(items, ends)
                bar.update(done() - bar.n)

            if not caught_up():
                HandlerLoop(self.topic, group=None, settings=self.settings,
                            name=f"rebuild-{self.model.projection.table}",
                            batch_handler=project, batch_size=self.loop.batch_size,
                            ).run(idle_s=None, timeout_s=timeout_s, until=caught_up)
        if not caught_up():
            raise WaitTimeout(f"The rebuild of {self.model.projection.table!r} did not reach the "
                              f"end of {self.topic!r} in {time.monotonic() - started:.0f} s; the "
                              "live view is unchanged. Try again with a longer timeout_s.")
        self.model.swap()

    def _project(self, items: list, until: dict[tuple[str, int], int] | None = None) -> None:
        # A rebuild (until=...) writes into the shadow table; the live projection never stops.
        self.model.apply_batch(items, shadow=until is not None, until=until)
