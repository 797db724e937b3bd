"""Modes that run tasks in this process: on a thread pool, or on the GUI thread itself."""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Callable, Sequence

from ...core.call import run_call, with_context
from ...core.context import TaskContext
from ...core.ranked import RankedQueue
from ...core.sink import EventSink
from ...core.validate import whole_number_in_range
from .. import qt
from ..lifetime import keep_past_exit
from ..limits import MAX_THREADS
from ..qt.QtCore import QCoreApplication, QEventLoop, QObject, QThreadPool, QTimer
from ..signals import WorkerSignals
from ..task import TaskHandle
from ..threadqueue import Job, TaskQueue
from .base import Call, Mode

log = logging.getLogger(__name__)

# In events mode, how often a task's check points let the event loop run:
# often enough for a smooth UI, rarely enough that a loop reporting on every
# item still runs at nearly full speed.
EVENTS_INTERVAL_S = 0.010


class ThreadMode(Mode):
    """Tasks run on a ``QThreadPool`` owned by the manager: the default.

    Tasks wait in the mode's own queue (see :mod:`offthread.engine.threadqueue`),
    not in the pool's: submitting costs a deque append, and a queued task is
    withdrawn by marking it.
    """

    name = "thread"
    description = "A thread pool: the GUI stays live (pure-Python CPU work still shares the GIL with it)"
    shares_gil = True

    def __init__(self, max_threads: int | None = None) -> None:
        super().__init__()
        self._max_threads = max_threads
        self._pool: QThreadPool | None = None
        self._queue: TaskQueue | None = None
        self._jobs: dict[int, Job] = {}  # tasks not yet ended, to withdraw them

    def attach(self, parent: QObject, signals: WorkerSignals, touch: Callable[[TaskHandle], None]) -> None:
        super().attach(parent, signals, touch)
        self._pool = QThreadPool(parent)
        if self._max_threads is not None:
            self._pool.setMaxThreadCount(max(1, self._max_threads))
        self._queue = TaskQueue(self._pool, self.sink)

    @property
    def pool(self) -> QThreadPool:
        """The thread pool, once attached."""
        if self._pool is None:
            raise RuntimeError("the thread mode is not attached to a TaskManager")
        return self._pool

    @property
    def queue(self) -> TaskQueue:
        if self._queue is None:
            raise RuntimeError("the thread mode is not attached to a TaskManager")
        return self._queue

    @property
    def max_threads(self) -> int:
        """How many tasks run at once; more wait in the queue."""
        return self.queue.max_threads

    @max_threads.setter
    def max_threads(self, count: int) -> None:
        self.queue.max_threads = count  # a larger pool starts queued tasks at once

    def set_max_threads(self, count: Any) -> bool:
        """The ``maxThreadCount`` setting, checked (whole, 1 to MAX_THREADS); True if it changed."""
        current = self.max_threads
        # A "real" from QML, so that what a binding sets arrives as it is: an
        # int property would have Qt wrap 1e10 to 1410065408 and turn NaN to 0.
        threads = whole_number_in_range(count, "maxThreadCount", 1, MAX_THREADS, current)
        self.max_threads = threads
        return threads != current

    def start(self, handle: TaskHandle, call: Call) -> None:
        self.queue.put(self._job(handle, call), handle.priority)

    def start_many(self, batch: Sequence[tuple[TaskHandle, Call]]) -> list[tuple[TaskHandle, Exception]]:
        # One lock for the batch: a put per task, as the pool threads take
        # from the queue, waits for their lock and hands the GIL back and forth.
        jobs: list[tuple[Job, int]] = []
        failed: list[tuple[TaskHandle, Exception]] = []
        for handle, call in batch:
            try:
                jobs.append((self._job(handle, call), handle.priority))
            except Exception as error:
                failed.append((handle, error))
        self.queue.put_many(jobs)
        return failed

    def _job(self, handle: TaskHandle, call: Call) -> Job:
        fn, args, kwargs = call
        job = Job(handle.id, handle.context, (fn, args, with_context(fn, kwargs, handle.context)))
        self._jobs[handle.id] = job
        return job

    def cancel(self, handle: TaskHandle) -> None:
        job = self._jobs.get(handle.id)
        if job is not None and self.queue.withdraw(job):
            del self._jobs[handle.id]
            self.withdrawn(handle)
        # else it runs: the context's cancel request stops it at its next check point

    def ended(self, handle: TaskHandle) -> None:
        self._jobs.pop(handle.id, None)

    def shutdown(self, timeout_s: float) -> bool:
        stopped = bool(self.pool.waitForDone(max(0, int(timeout_s * 1000))))
        if not stopped:
            keep_past_exit(self.pool)  # a task that ignores cancel must not hold the exit
        return stopped


class GuiMode(Mode):
    """Tasks run on the GUI thread, one per event-loop pass: the window freezes while one runs.

    This is the mistake the app exists to show: the counter stops and the
    lag meter, once the thread is back, shows for how long. Nothing can
    reach a running task (no click is handled), so it cannot be paused;
    cancel works only while it waits its turn.
    """

    name = "gui"
    description = "The GUI thread itself: the window freezes until the task ends (what not to do)"
    can_pause = False

    def __init__(self) -> None:
        super().__init__()
        self._queue: RankedQueue[tuple[TaskHandle, Call]] = RankedQueue()
        self._timer: QTimer | None = None
        self._stack: list[TaskHandle] = []  # the tasks on the GUI thread's stack, outermost first

    def attach(self, parent: QObject, signals: WorkerSignals, touch: Callable[[TaskHandle], None]) -> None:
        super().attach(parent, signals, touch)
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run_next)

    def start(self, handle: TaskHandle, call: Call) -> None:
        self._queue.append((handle, call), handle.priority)  # not now: the click that asked must return first
        self._next_turn()

    def cancel(self, handle: TaskHandle) -> None:
        for queued in self._queue:
            if queued[0] is handle:
                self._queue.remove(queued)
                self.withdrawn(handle)
                return

    def shutdown(self, timeout_s: float) -> bool:
        # The backend cancelled them all first, so none is queued. One still
        # running can only be below this call on the stack (shutdown from an
        # events task's processEvents()): it ends once this call returns.
        return not self._queue and not self._stack

    def _run_next(self) -> None:
        if not self._queue:
            return
        handle, call = self._queue.popleft()
        if self._queue:
            self._next_turn()  # the next one in a later pass, so the window repaints in between
        self._run(handle, call)

    def _next_turn(self) -> None:
        """Run the next queued task in a later pass of the event loop."""
        assert self._timer is not None, "attach() makes the timer"
        self._timer.start()

    def _run(self, handle: TaskHandle, call: Call) -> None:
        fn, args, kwargs = call
        context = handle.context
        # Its events reach the manager only once it has returned (it holds the
        # thread they are delivered on), so it notes its own start: the row
        # then shows how long the window froze, not 0.0 s.
        handle.started_at = time.monotonic()
        self._stack.append(handle)
        try:
            run_call(handle.id, self.sink, context, fn, args, with_context(fn, kwargs, context))
        finally:
            self._stack.pop()


class EventsContext(TaskContext):
    """A task context that lets the GUI thread's event loop run at every check point.

    This is the ``processEvents()`` approach: the window stays live, but
    every event, a click included, is handled *inside* the task's call
    stack. A click that starts another task runs that task to its end
    before the first one can take its next step.
    """

    __slots__ = ("_events_due", "_loop")

    def __init__(self, task_id: int, signals: EventSink) -> None:
        super().__init__(task_id, signals)
        self._events_due = 0.0
        self._loop: QEventLoop | None = None

    def _attend(self) -> None:
        if self._ended:
            return  # a thread the task left behind: it must not run the GUI thread's events
        now = time.monotonic()
        if now >= self._events_due:
            self._events_due = now + EVENTS_INTERVAL_S
            QCoreApplication.processEvents()
        try:
            super()._attend()
        finally:
            self._ask_attention()  # every check point and report takes this path in events mode

    def _arm_wait(self) -> None:
        pass  # requests come from this same thread, inside the nested loop: none can slip in between

    def _wait(self, seconds: float | None) -> None:
        """Run a nested event loop for ``seconds`` (None: until a request wakes it).

        Blocking the thread, as other contexts do, would freeze the GUI: in a
        pause, for good, since nothing could resume it.
        """
        loop = QEventLoop()
        timer = None
        if seconds is not None:
            timer = QTimer()
            timer.setSingleShot(True)
            timer.timeout.connect(loop.quit)
            timer.start(max(1, math.ceil(seconds * 1000)))
        self._loop = loop
        try:
            if qt.run_loop(loop) == -1:  # refused: the application is quitting
                self.request_cancel()
        finally:
            self._loop = None
            if timer is not None:
                timer.stop()

    def _wake_waiters(self) -> None:
        super()._wake_waiters()
        loop = self._loop
        if loop is not None:
            loop.quit()


class EventsMode(GuiMode):
    """Tasks run on the GUI thread and call ``processEvents()`` at their check points.

    The window stays live, and that is the trap: a task started by a click
    during another runs inside it, and the outer one is stuck until the
    inner one ends. Each task's ``note`` says when that happens.
    """

    name = "events"
    description = "The GUI thread, calling processEvents() at check points: live, but a click runs inside the task"
    can_pause = True

    def make_context(self, task_id: int) -> TaskContext:
        return EventsContext(task_id, self.sink)

    def _run(self, handle: TaskHandle, call: Call) -> None:
        outer = self._stack[-1] if self._stack else None
        if outer is not None:
            handle.note = f"started inside #{outer.id}'s processEvents()"
            outer.note = f"stuck: #{handle.id} runs inside its processEvents()"
            self.touch(handle)
            self.touch(outer)
            log.warning(
                "task %d started inside task %d's processEvents(); %d waits until it ends",
                handle.id,
                outer.id,
                outer.id,
            )
        started = time.monotonic()
        try:
            super()._run(handle, call)
        finally:
            if outer is not None:
                outer.note = f"was stuck {time.monotonic() - started:.1f} s while #{handle.id} ran inside it"
                self.touch(outer)
