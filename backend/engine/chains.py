"""Tasks that wait for others: ``submit_task(..., after=[...])`` and ``handle.then(fn)``.

The manager keeps such a task out of its mode until every task it waits for
has finished (successfully); then it starts it. One that failed, was
cancelled or timed out ends its dependents, cancelled, before they start,
and so on down the chain. This object only keeps the books: which task
waits for which. It runs on the GUI thread, as the manager does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..core.states import CancelReason, TaskState
from .modes.base import Call
from .task import TaskHandle


@dataclass
class Waiting:
    """A task held back until the tasks it waits for have finished."""

    handle: TaskHandle
    call: Call
    pending: set[int]  # ids of the tasks it still waits for
    feed: TaskHandle | None = None  # then(): its result goes first in the call's arguments


def waiting_note(ids: Sequence[int]) -> str:
    """What a waiting task's row says: "waiting for #3, #4"."""
    return "waiting for " + ", ".join(f"#{i}" for i in ids)


def why_not_started(dependency: TaskHandle, stopping: CancelReason | None = None) -> str:
    """What a dependent's row says when ``dependency`` did not finish: "not started: #3 (load) failed".
    ``stopping``: it has only been asked to stop (it may not have ended yet), and why."""
    if stopping is None:
        how = str(dependency.state)
    else:
        how = "timed out" if stopping == CancelReason.TIMED_OUT else "was cancelled"
    return f"not started: #{dependency.id} ({dependency.name}) {how}"


class Dependencies:
    """Which held-back task waits for which (GUI thread only)."""

    def __init__(self) -> None:
        self._waiting: dict[int, Waiting] = {}
        #: task id -> ids of the held-back tasks waiting for it (a dict: the manager
        #: asks "is anything waiting for this one?" of every task that ends).
        self.waited_for: dict[int, list[int]] = {}

    def hold(self, waiting: Waiting) -> None:
        """Hold ``waiting.handle`` back until every task in ``waiting.pending`` has finished."""
        self._waiting[waiting.handle.id] = waiting
        for task_id in waiting.pending:
            self.waited_for.setdefault(task_id, []).append(waiting.handle.id)

    def withdraw(self, task_id: int) -> Waiting | None:
        """Take a held-back task out (it is cancelled): it will never start."""
        waiting = self._waiting.pop(task_id, None)
        if waiting is not None:
            for other in waiting.pending:
                dependents = self.waited_for.get(other)
                if dependents is not None and task_id in dependents:
                    dependents.remove(task_id)
                    if not dependents:
                        del self.waited_for[other]
        return waiting

    def dependents(self, task_id: int) -> list[int]:
        """The held-back tasks that wait for ``task_id``."""
        return list(self.waited_for.get(task_id, ()))

    def ended(self, handle: TaskHandle) -> tuple[list[Waiting], list[Waiting]]:
        """``handle``'s task has ended: the held-back tasks that can start now, and those
        that never will (it did not finish). Both are no longer held."""
        ready: list[Waiting] = []
        doomed: list[Waiting] = []
        for task_id in self.waited_for.pop(handle.id, ()):
            waiting = self._waiting.get(task_id)
            if waiting is None:
                continue
            if handle.state != TaskState.FINISHED:
                self.withdraw(task_id)
                doomed.append(waiting)
                continue
            waiting.pending.discard(handle.id)
            if not waiting.pending:
                del self._waiting[task_id]
                ready.append(waiting)
        return ready, doomed
