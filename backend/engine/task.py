"""The Python-side view of one submitted task."""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Optional, Tuple, Union

from ..core.context import TaskContext
from ..core.display import display_text
from ..core.errors import TaskError
from ..core.states import ENDED, TaskState

log = logging.getLogger(__name__)


class TaskHandle:
    """What ``TaskManager.submit`` returns: the task's id, state and outcome.

    The manager updates a handle on the GUI thread only, as the task's events
    arrive, so reading it from the GUI thread needs no lock.
    """

    __slots__ = (
        "id",
        "name",
        "state",
        "progress",
        "progress_text",
        "own_text",
        "partial",
        "result",
        "error",
        "timeout",
        "started_at",
        "ended_at",
        "context",
        "mode",
        "can_pause",
        "note",
        "call",
        "_shown",
        "_shown_text",
        "_shown_error",
        "_error_texts",
        "__weakref__",  # a test checks that a handle removed from the history is freed
    )

    def __init__(
        self,
        task_id: int,
        name: str,
        context: TaskContext,
        timeout: Optional[float] = None,
        mode: str = "thread",
        can_pause: bool = True,
    ) -> None:
        self.id = task_id
        self.name = name
        self.state = TaskState.QUEUED
        self.progress: float = 0.0
        self.progress_text: str = ""
        self.own_text = False  # whether progress_text is the task's own, not made from the numbers
        self.partial: Any = None  # the latest partial result, while it runs
        self.result: Any = None
        self.error: Optional[TaskError] = None
        self.timeout = timeout  # seconds from its start, or None
        self.started_at: Optional[float] = None  # time.monotonic() on the GUI thread
        self.ended_at: Optional[float] = None
        self.context = context
        self.mode = mode  # the name of the mode it runs in
        self.can_pause = can_pause  # whether its mode can pause it
        self.note = ""  # what the mode has to say about it, e.g. that it runs inside another task
        self.call: Any = None  # (fn, args, kwargs): what a retry runs again
        self._shown: Any = None  # the value result_text was made from
        self._shown_text = ""
        self._shown_error: Optional[TaskError] = None  # the error error_text was made from
        self._error_texts = ("", "")

    @property
    def done(self) -> bool:
        """True once the task has finished, failed, or been cancelled or timed out."""
        return self.state in ENDED

    @property
    def result_text(self) -> str:
        """The result as text; while it runs, its latest partial result; "" if there is none.

        Made once per value (the model asks on every refresh), and shortened
        for display: see :func:`~backend.display.display_text`.
        """
        shown = self.result if self.done else self.partial
        if shown is not self._shown:
            self._shown, self._shown_text = shown, display_text(shown)
        return self._shown_text

    @property
    def error_text(self) -> str:
        """The error's one line (``Type: message``), shortened for display as a result is; "" if none."""
        return self._error_display()[0]

    @property
    def error_details_text(self) -> str:
        """The error's traceback, shortened for display as a result is; "" if none.

        A message of megabytes, laid out by a label, held the GUI thread for
        seconds. The whole error stays in :attr:`error` (and Copy copies it).
        """
        return self._error_display()[1]

    def _error_display(self) -> Tuple[str, str]:
        error = self.error
        if error is not self._shown_error:
            self._shown_error = error
            self._error_texts = (display_text(error.summary), display_text(error.traceback)) if error else ("", "")
        return self._error_texts

    @property
    def pause_requested(self) -> bool:
        return self.context.pause_requested

    @property
    def cancel_requested(self) -> bool:
        return self.context.cancelled

    def elapsed(self, now: Optional[float] = None) -> float:
        """Seconds it has run (paused time included), 0 before it starts."""
        if self.started_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else (now if now is not None else time.monotonic())
        return max(0.0, end - self.started_at)

    def __repr__(self) -> str:
        return f"<TaskHandle {self.id} {self.name!r} {self.state}>"


#: How the API names a task: its id, or its handle.
TaskRef = Union[int, TaskHandle]


def task_number(task: Any, verb: str, last_id: int) -> Optional[int]:
    """The id of ``task`` (an id or a handle), or None, with a warning naming the value,
    for anything that is not exactly the id of a task made so far (``last_id``).

    QML passes any JavaScript value: a fraction, a list, a number past 64 bits.
    A slot typed ``int`` wrapped those round to another task's id (4294967297
    reached task 1), so the slots take any value, and this checks it.
    """
    if isinstance(task, TaskHandle):
        return task.id
    number: Any = None
    if isinstance(task, int) and not isinstance(task, bool):
        number = task
    elif isinstance(task, float) and math.isfinite(task) and task.is_integer():
        number = int(task)  # a JavaScript number is a double
    if number is None or not 1 <= number <= last_id:
        log.warning("%s(): %s is not the id of a task; nothing is done", verb, _shown(task))
        return None
    return int(number)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
