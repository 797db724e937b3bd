"""The Python-side view of one submitted task."""
from __future__ import annotations

import threading
from typing import Any, Optional

from .errors import TaskError


class TaskState:
    """The states of a task, as the plain strings that QML and handles show."""

    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"

    ENDED = frozenset({FINISHED, FAILED, CANCELLED})


class TaskHandle:
    """What ``Backend.submit`` returns: the task's id, state and outcome.

    The backend updates a handle on the GUI thread only, as the task's signals
    arrive, so reading it from the GUI thread needs no lock.
    """

    __slots__ = ("id", "name", "state", "progress", "result", "error", "_cancel")

    def __init__(self, task_id: int, name: str) -> None:
        self.id = task_id
        self.name = name
        self.state: str = TaskState.QUEUED
        self.progress: float = 0.0
        self.result: Any = None
        self.error: Optional[TaskError] = None
        self._cancel = threading.Event()  # read by the worker on its pool thread

    @property
    def done(self) -> bool:
        """True once the task has finished, failed or been cancelled."""
        return self.state in TaskState.ENDED

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    def request_cancel(self) -> None:
        """Ask the task to stop: at once if it has not started, else at its next check point."""
        self._cancel.set()

    def __repr__(self) -> str:
        return f"<TaskHandle {self.id} {self.name!r} {self.state}>"
