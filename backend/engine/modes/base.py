"""The interface every execution mode implements."""

from __future__ import annotations

from typing import Any, Callable, Dict, Sequence, Tuple

from ...core.context import TaskContext
from ...core.errors import UnpicklableTask
from ...core.sink import EventSink, end_task
from ...core.states import Event
from ..qt.QtCore import QObject
from ..signals import WorkerSignals, weakly
from ..task import TaskHandle

Call = Tuple[Callable[..., Any], Tuple[Any, ...], Dict[str, Any]]

__all__ = ["Call", "Mode", "UnpicklableTask"]


class Mode:
    """Runs tasks somewhere and reports their events on the manager's ``signals``.

    The manager calls every method on the GUI thread: :meth:`attach` once,
    then :meth:`start` per task, :meth:`cancel` and :meth:`pause` after it
    recorded the request on the task's context, :meth:`ended` once the task's
    ``finished`` was delivered, :meth:`warm_up` when the app is idle, and
    :meth:`shutdown` once at the end. Whatever the mode, a task's events
    follow the order :class:`~offthread.core.states.Event` documents, and
    each mode keeps its own bookkeeping of its tasks.
    """

    #: Shown in the mode selector and on each task's row.
    name = ""
    #: One line for the selector's tooltip.
    description = ""
    #: Whether a running task can be paused (it needs a way to reach the task).
    can_pause = True
    #: Whether its tasks are ``async def`` functions (asyncio mode), not plain ones.
    runs_coroutines = False
    #: Whether its tasks run Python on other threads of this process, holding the GIL that the GUI
    #: thread needs (thread and asyncio modes, an executor of threads): while one runs,
    #: :func:`~offthread.engine.tuning.tune_gui_process`'s shorter slice applies. Not worker
    #: processes, nor the GUI thread itself.
    shares_gil = False

    def __init__(self) -> None:
        self._signals: WorkerSignals | None = None
        self._sink: EventSink | None = None
        self._touch_ref: Callable[[], Callable[[TaskHandle], None] | None] = lambda: None

    # -- what the manager calls ------------------------------------------------

    def attach(self, parent: QObject, signals: WorkerSignals, touch: Callable[[TaskHandle], None]) -> None:
        """Bind to a manager: ``parent`` owns any Qt object the mode makes; ``touch`` republishes a task.

        The manager holds its modes, so ``touch`` (its method) is held weakly,
        for the reason :class:`WorkerSignals` holds its handlers weakly.
        """
        self._signals = signals
        self._sink = signals.sink
        self._touch_ref = weakly(touch)

    def make_context(self, task_id: int) -> TaskContext:
        """The context that records the requests made to a task (and, in-process, is its own)."""
        return TaskContext(task_id, self.sink)

    def start(self, handle: TaskHandle, call: Call) -> None:
        """Start (or queue) the task. Raises :class:`UnpicklableTask` if it cannot be sent."""
        raise NotImplementedError

    def start_many(self, batch: Sequence[tuple[TaskHandle, Call]]) -> list[tuple[TaskHandle, Exception]]:
        """Start (or queue) several tasks, in order; return those that cannot start, with why.

        A mode whose queue has a lock overrides it to take the lock once: the
        manager hands over QML's runs a turn's worth at a time.
        """
        failed: list[tuple[TaskHandle, Exception]] = []
        for handle, call in batch:
            try:
                self.start(handle, call)
            except Exception as error:  # it cannot run there: the manager fails it, as a task
                failed.append((handle, error))
        return failed

    def cancel(self, handle: TaskHandle) -> None:
        """Act on ``handle.context.cancel_reason``: withdraw the task if queued, else stop it."""

    def pause(self, handle: TaskHandle, paused: bool) -> None:
        """Act on a pause or resume request already recorded on ``handle.context``."""

    def ended(self, handle: TaskHandle) -> None:
        """The task's ``finished`` was delivered: forget what the mode kept of it."""

    def warm_up(self) -> None:
        """Get ready to run tasks (start worker processes, say), in the background."""

    def shutdown(self, timeout_s: float) -> bool:
        """Take no new work; wait at most ``timeout_s`` for running tasks; True if none is left."""
        return True

    # -- for the modes themselves ------------------------------------------------

    @property
    def signals(self) -> WorkerSignals:
        """The manager's signals, once attached."""
        if self._signals is None:
            raise RuntimeError(f"the {self.name or type(self).__name__} mode is not attached to a TaskManager")
        return self._signals

    @property
    def sink(self) -> EventSink:
        """Where the mode's in-process tasks report, once attached (see ``WorkerSignals.sink``)."""
        if self._sink is None:
            raise RuntimeError(f"the {self.name or type(self).__name__} mode is not attached to a TaskManager")
        return self._sink

    def send(self, name: Event, task_id: int, *args: Any) -> None:
        """Send one of a task's events to the manager. Any thread."""
        self.signals.send(name, task_id, *args)

    def end(self, context: TaskContext, ending: Event, *args: Any) -> bool:
        """Send a task's ending (``result``, ``error`` or ``cancelled``) and ``finished``,
        unless it has ended already (False). Any thread."""
        return end_task(self.signals.send, context, context.task_id, ending, *args)

    def withdrawn(self, handle: TaskHandle) -> None:
        """End a task that was withdrawn before it started, now (GUI thread): cancel is synchronous."""
        end_task(self.signals.dispatch, handle.context, handle.id, Event.CANCELLED, handle.context.cancel_reason)

    def touch(self, handle: TaskHandle) -> None:
        """Have the manager publish ``handle``'s changes (GUI thread)."""
        touch = self._touch_ref()
        if touch is not None:
            touch(handle)
