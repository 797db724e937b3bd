"""What a task's events do to its handle, on the GUI thread, in the order its mode sent them.

``WorkerSignals`` delivers each event here (see :meth:`TaskEvents.handlers`);
the handle changes, and the publisher shows it with its next publish. An
event for a task that has already ended (a late report) changes nothing.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Callable

from ..core.errors import TaskError
from ..core.progress import percent_text
from ..core.states import CancelReason, Event, TaskState
from .flow import TaskFlow
from .publisher import Publisher
from .registry import ModeRegistry, TaskRegistry
from .signals import weakly
from .task import TaskHandle
from .timeouts import Timeouts

log = logging.getLogger(__name__)

_DONE_TEXT = percent_text(100.0)  # a finished task's progress text, unless the task set its own


class TaskEvents:
    """The handlers of every task event: a handle's state, progress and outcome."""

    def __init__(
        self,
        registry: TaskRegistry,
        modes: ModeRegistry,
        publisher: Publisher,
        flow: TaskFlow,
        timeouts: Timeouts,
        started: Callable[[TaskHandle], None],
    ) -> None:
        self._registry = registry
        self._modes = modes
        self._publisher = publisher
        self._flow = flow
        self._timeouts = timeouts
        self._started = weakly(started)  # the manager's hook: held weakly, as the manager holds this

    def handlers(self) -> dict[str, Callable[..., None]]:
        return {
            Event.STARTED: self.on_started,
            Event.PROGRESS: self.on_progress,
            Event.PARTIAL: self.on_partial,
            Event.PAUSED: self.on_paused,
            Event.RESUMED: self.on_resumed,
            Event.RESULT: self.on_result,
            Event.ERROR: self.on_error,
            Event.CANCELLED: self.on_cancelled,
            Event.FINISHED: self.on_finished,
        }

    def on_started(self, task_id: int) -> None:
        handle = self._registry.get(task_id)
        if handle is None:
            return
        handle.state = TaskState.RUNNING
        if handle.started_at is None:  # a mode on the GUI thread notes the real start itself
            handle.started_at = time.monotonic()
        handle.estimate.start(handle.started_at)
        log.info("task %d (%s) started", task_id, handle.name)
        self._registry.started(task_id)
        self._timeouts.task_started()
        started = self._started()
        if started is not None:
            started(handle)
        self._publisher.touch(handle)

    def on_progress(self, task_id: int, percent: float, text: str, own_text: bool, maximum: Any = None) -> None:
        """A progress report: ``percent`` done, its ``text``, and the report's ``maximum`` (None: a percent)."""
        handle = self._registry.get(task_id)
        if handle is not None:
            handle.progress = percent
            handle.progress_text = text
            handle.own_text = own_text
            total = _as_total(maximum)
            # From the percent, already checked and a float whatever the numbers were made of.
            handle.estimate.report(percent if total is None else percent / 100.0 * total, total, text)
            self._publisher.touch(handle)

    def on_partial(self, task_id: int, value: Any) -> None:
        handle = self._registry.get(task_id)
        if handle is not None:
            handle.partial = value
            if handle.view is not None:
                handle.view.receive_partial(value)
            self._publisher.touch(handle)

    def on_paused(self, task_id: int) -> None:
        handle = self._set_state(task_id, TaskState.PAUSED)
        if handle is not None:
            handle.estimate.pause()

    def on_resumed(self, task_id: int) -> None:
        handle = self._set_state(task_id, TaskState.RUNNING)
        if handle is not None:
            handle.estimate.resume()

    def on_result(self, task_id: int, value: Any) -> None:
        self._end(task_id, TaskState.FINISHED, result=value)

    def on_error(self, task_id: int, error: TaskError) -> None:
        self._end(task_id, TaskState.FAILED, error=error)

    def on_cancelled(self, task_id: int, reason: str) -> None:
        self._end(task_id, TaskState.TIMED_OUT if reason == CancelReason.TIMED_OUT else TaskState.CANCELLED)

    def on_finished(self, task_id: int) -> None:
        handle = self._registry.ended(task_id)
        if handle is None:
            return
        self._modes.gil.discard(task_id)
        self._modes[handle.mode].ended(handle)
        self._publisher.schedule()
        self._flow.leaves_group(handle)
        # After the finished signal's slots: the callbacks run in a later turn.
        handle._settle()
        if handle.view is not None:  # a task object QML holds (run())
            handle.view.task_ended()
        self._flow.settled(handle)

    def _set_state(self, task_id: int, state: TaskState) -> TaskHandle | None:
        handle = self._registry.get(task_id)
        if handle is not None:
            handle.state = state
            self._publisher.touch(handle)
        return handle

    def _end(self, task_id: int, state: TaskState, result: Any = None, error: TaskError | None = None) -> None:
        handle = self._registry.get(task_id)
        if handle is None:
            return
        handle.state, handle.result, handle.error = state, result, error
        handle.partial = None
        handle.ended_at = time.monotonic()
        handle.estimate.end(handle.ended_at)
        if state == TaskState.FINISHED:
            handle.progress = 100.0  # done is 100%, whatever the task reported
            if not handle.own_text:
                handle.progress_text = _DONE_TEXT
        log.info("task %d (%s) %s", task_id, handle.name, state)
        self._publisher.touch(handle)


def _as_total(maximum: Any) -> float | None:
    """A report's maximum as a float for the estimate; None for a percent, or one too large for a float."""
    if maximum is None:
        return None
    try:
        total = float(maximum)
    except (OverflowError, TypeError, ValueError):  # 10**400 items: their rate is shown in percent
        return None
    return total if math.isfinite(total) and total > 0 else None
