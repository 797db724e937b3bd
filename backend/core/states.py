"""The words of the task contract: states, events, cancel reasons. Strings where QML shows them."""

from __future__ import annotations

import enum


class _Word(str, enum.Enum):
    """A str-valued enum that prints as its value ("running", not "TaskState.RUNNING")."""

    def __str__(self) -> str:
        return str(self.value)


class TaskState(_Word):
    """The states of a task, as handles hold them and QML shows them."""

    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"  # blocked at a pause point
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed out"  # cancelled because its timeout expired


#: The states a task ends in.
ENDED = frozenset({TaskState.FINISHED, TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT})


class Event(_Word):
    """What a task tells its backend, in this order: ``started`` first (unless it was
    cancelled before it started), then any ``progress``, ``partial``, ``paused`` and
    ``resumed``, then exactly one ending (``result``, ``error`` or ``cancelled``),
    and ``finished`` always last."""

    STARTED = "started"
    PROGRESS = "progress"
    PARTIAL = "partial"
    PAUSED = "paused"
    RESUMED = "resumed"
    RESULT = "result"
    ERROR = "error"
    CANCELLED = "cancelled"
    FINISHED = "finished"


#: The events that end a task, one per task.
ENDINGS = frozenset({Event.RESULT, Event.ERROR, Event.CANCELLED})


class CancelReason(_Word):
    """Why a task was asked to stop."""

    CANCELLED = "cancelled"
    TIMED_OUT = "timed out"


def as_cancel_reason(value: object) -> CancelReason:
    """``value`` as a CancelReason; anything that is not one counts as a plain cancel."""
    try:
        return CancelReason(value)
    except ValueError:
        return CancelReason.CANCELLED
