"""What a running task may use to talk to its backend: progress and cancellation."""
from __future__ import annotations

import threading

from .progress import to_percent
from .signals import WorkerSignals


class TaskCancelled(Exception):
    """Raised inside a task, at a check point, once its cancellation was requested.

    A task that lets it propagate ends in the ``"cancelled"`` state, not ``"failed"``.
    """


class TaskContext:
    """Handed to a function that declares a ``progress_callback`` parameter.

    It keeps the tutorial's interface (``progress_callback.emit(percent)``) and
    adds cooperative cancellation. ``emit`` is also a check point: once the
    task is cancelled it raises :class:`TaskCancelled`, so a tutorial-style loop
    that reports progress stops at its next report without any change.
    """

    __slots__ = ("_task_id", "_signals", "_cancel")

    def __init__(self, task_id: int, signals: WorkerSignals, cancel: threading.Event) -> None:
        self._task_id = task_id
        self._signals = signals
        self._cancel = cancel

    @property
    def task_id(self) -> int:
        return self._task_id

    @property
    def cancelled(self) -> bool:
        """True once cancellation of this task was requested."""
        return self._cancel.is_set()

    def check(self) -> None:
        """A check point: raise :class:`TaskCancelled` if the task was cancelled."""
        if self._cancel.is_set():
            raise TaskCancelled()

    def emit(self, percent: float) -> None:
        """Report percent done (int or float, clamped to 0-100); a check point."""
        self.check()
        self._signals.send("progress", self._task_id, to_percent(percent))

    def sleep(self, seconds: float) -> None:
        """Wait like ``time.sleep``, but wake at once and raise if cancelled."""
        if self._cancel.wait(seconds):
            raise TaskCancelled()
