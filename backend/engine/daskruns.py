"""The dask mode's books: a record per task that has not ended here, and the one way a task ends.

A task's record, from its submission to its end here (the ending removes
the record, so nothing is sent for a task after its ending)::

    submitted ─── HELLO from a worker ───▶ running there ─── its result ───▶ ended
        │                                    │    ▲                │
        │ cancel: not on a worker yet,        │    └ its worker     │ messages it sent before
        │ withdrawn at once                   │      died: HELLO    │ are still on their way:
        ▼                                    │      again, its      ▼ its ending is held
      ended                                   │      count anew    held ── they came, or
                                              │                         ENDING_WAIT_S passed ─▶ ended
                                              └ cancel: its worker is told; still running
                                                after the grace: cancelled on the cluster ─▶ ended

Three threads touch the records: the GUI thread (start, cancel, pause), the
client's event loop (messages, results) and the mode's blocking-calls
thread (deadlines). ``lock`` guards them; no thread waits on the cluster
while it holds it.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

from ..core.context import TaskContext
from ..core.daskremote import DaskEnding
from ..core.states import CancelReason, Event


class DaskRun:
    """What the mode knows of one of its tasks that has not ended."""

    __slots__ = (
        "future",
        "worker",
        "flags",
        "number",
        "spread",
        "reason",
        "cancelling",
        "received",
        "held",
        "gathering",
        "context",
    )

    def __init__(self, flags: int, context: TaskContext) -> None:
        self.future: Any | None = None  # its distributed.Future
        self.worker: str | None = None  # where it runs, once its first message has come
        self.flags = flags  # its controls, as last sent
        self.number = 0  # of its last control
        self.spread = False  # a control went to every worker: they forget it once the task ends
        self.reason = CancelReason.CANCELLED
        self.cancelling = False
        self.received = 0  # messages from it so far
        self.held: DaskEnding | None = None  # its ending, while messages it sent before are on their way
        self.gathering = False  # its result is on its way: its future is no longer cancelled
        self.context = context  # its lifecycle here: started once (dask may run it again elsewhere), ended once

    def next_control(self, flags: int) -> tuple[int, int, int]:
        """A new control of this task, numbered after the last one (lock held)."""
        self.flags = flags
        self.number += 1
        return (self.context.task_id, self.number, flags)


class DaskRuns:
    """The records, under one lock, and the end of each task, once."""

    def __init__(
        self,
        end: Callable[..., bool],
        forget: Callable[[list[int]], None],
    ) -> None:
        self.lock = threading.RLock()
        self._ended = threading.Condition(self.lock)  # notified as tasks end
        self._runs: dict[int, DaskRun] = {}
        self._end = end  # Mode.end: the task's ending and finished, unless it has ended already
        self._forget = forget  # WorkerCalls.forget

    def add(self, task_id: int, run: DaskRun) -> None:
        with self.lock:
            self._runs[task_id] = run

    def get(self, task_id: int) -> DaskRun | None:
        return self._runs.get(task_id)

    def discard(self, task_id: int) -> None:
        with self.lock:
            self._runs.pop(task_id, None)

    def items(self) -> list[tuple[int, DaskRun]]:
        """The records, as they are now (lock held, or a copy taken under it)."""
        with self.lock:
            return list(self._runs.items())

    def end(self, task_id: int, ending: Event, *args: Any) -> DaskRun | None:
        """End a task once: later calls for the same task do nothing. Any thread.

        Returns the task's record if this call ended it, else None.
        """
        with self.lock:
            run = self._runs.pop(task_id, None)
            if run is None:
                return None
            self._end(run.context, ending, *args)
            self._ended.notify_all()
        if run.spread:
            self._forget([task_id])
        return run

    def wait_until_none(self, until: float) -> list[tuple[int, CancelReason]]:
        """Wait until every task has ended, or ``until`` (``time.monotonic()``); those left, and why."""
        with self.lock:
            while self._runs:
                left = until - time.monotonic()
                if left <= 0:
                    break
                self._ended.wait(left)
            return [(task_id, run.reason) for task_id, run in self._runs.items()]
