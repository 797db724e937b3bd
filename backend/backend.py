"""``Backend``: the object that QML talks to. It owns the thread pool and every task."""
from __future__ import annotations

import itertools
import logging
from operator import attrgetter
from typing import Any, Callable, Dict, List, Optional, Set

from PySide2.QtCore import Property, QObject, QThreadPool, QTimer, Signal, Slot

from .errors import TaskError, safe_str
from .jobs import DEFAULT_STEP_SECONDS, DEFAULT_STEPS, danger_job, failing_job
from .lifetime import keep_past_exit
from .signals import WorkerSignals
from .task import TaskHandle, TaskState
from .worker import Worker

log = logging.getLogger(__name__)

DEFAULT_SHUTDOWN_TIMEOUT_MS = 2000


class Backend(QObject):
    """Runs work on a ``QThreadPool`` and shows the most recent task to QML.

    Properties ``progress``, ``state``, ``result``, ``error`` and
    ``errorDetails`` describe the most recent task: the one that started last,
    so that a click that only queues a task does not hide the running one.
    ``busy``, ``activeCount``, ``queuedCount`` and ``maxThreadCount``
    describe the pool.
    Every property's notify signal fires only when its value really changes,
    and at most once per event-loop pass: a burst of task events (10,000
    submits in a loop, a backlog of results) refreshes the properties once,
    not once per event, since each notify costs QML a binding update.

    From Python, :meth:`submit` runs any callable and returns a
    :class:`TaskHandle`; ``signals`` carries every task's events, keyed by id.
    Everything here runs on the GUI thread; only the workers run elsewhere.
    """

    progressChanged = Signal()
    stateChanged = Signal()
    resultChanged = Signal()
    errorChanged = Signal()
    busyChanged = Signal()
    activeCountChanged = Signal()
    queuedCountChanged = Signal()
    maxThreadCountChanged = Signal()

    def __init__(
        self,
        parent: Optional[QObject] = None,
        *,
        max_threads: Optional[int] = None,
        steps: int = DEFAULT_STEPS,
        step_seconds: float = DEFAULT_STEP_SECONDS,
        shutdown_timeout_ms: int = DEFAULT_SHUTDOWN_TIMEOUT_MS,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        if max_threads is not None:
            self._pool.setMaxThreadCount(max(1, max_threads))
        self.signals = WorkerSignals(
            self,
            handlers={
                "started": self._on_started,
                "progress": self._on_progress,
                "result": self._on_result,
                "error": self._on_error,
                "cancelled": self._on_cancelled,
                "finished": self._on_finished,
            },
        )
        self.steps = steps
        self.step_seconds = step_seconds
        self.shutdown_timeout_ms = shutdown_timeout_ms

        self._ids = itertools.count(1)
        self._tasks: Dict[int, TaskHandle] = {}  # tasks not yet ended, by id
        self._running: Set[int] = set()
        self._current: Optional[TaskHandle] = None  # what the task properties describe
        self._accepting = True
        self._shutdown_result: Optional[bool] = None

        self._progress = 0.0
        self._state = ""
        self._result = ""
        self._error: Optional[TaskError] = None
        self._busy = False
        self._active_count = 0
        self._queued_count = 0
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(0)
        self._refresh_timer.timeout.connect(self._refresh)

    # -- Python API -------------------------------------------------------

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> TaskHandle:
        """Run ``fn(*args, **kwargs)`` on the pool and return its handle.

        Tasks beyond ``maxThreadCount`` wait in the pool's queue and start in
        submission order. A ``progress_callback`` parameter of ``fn`` receives
        a :class:`TaskContext`. Raises ``RuntimeError`` after :meth:`shutdown`.
        """
        if not self._accepting:
            raise RuntimeError("the backend is shut down and takes no new work")
        handle = TaskHandle(next(self._ids), getattr(fn, "__name__", type(fn).__name__))
        worker = Worker(handle.id, self.signals, fn, args, kwargs, handle._cancel)
        self._tasks[handle.id] = handle
        self._pool.start(worker)
        self._schedule_refresh()
        return handle

    def tasks(self) -> List[TaskHandle]:
        """The tasks that have not ended yet, oldest first."""
        return list(self._tasks.values())

    def shutdown(self, timeout_ms: Optional[int] = None) -> bool:
        """Stop taking work, cancel every task, and wait at most ``timeout_ms``.

        Queued tasks never start; running ones are asked to stop at their next
        check point. Returns True when every task has ended. Returns False when
        some task ignored the request: its thread is left running, detached
        from this backend and silenced, and the process can still exit at once
        (a task blocked in ``time.sleep(60)`` does not delay it). Calling it
        again returns the first answer.
        """
        if self._shutdown_result is not None:
            return self._shutdown_result
        self._accepting = False
        timeout = self.shutdown_timeout_ms if timeout_ms is None else timeout_ms
        for handle in self._tasks.values():
            handle.request_cancel()
        stopped = self._pool.waitForDone(max(0, int(timeout)))
        # Deliver what the workers sent while we waited, so that handles and
        # properties end in their final state; later reports are dropped.
        self.signals.flush()
        self.signals.close()
        self._refresh()
        if not stopped:
            names = ", ".join(f"{h.id} ({h.name})" for h in self._tasks.values())
            log.warning("tasks still running %d ms after shutdown, left behind: %s", timeout, names)
            keep_past_exit(self._pool)
        self._shutdown_result = stopped
        return stopped

    # -- QML API ----------------------------------------------------------

    @Slot()
    def danger(self) -> None:
        """Start the tutorial's long job (``steps`` x ``step_seconds``, returns "Done.")."""
        self._submit_from_ui(danger_job, self.steps, self.step_seconds)

    @Slot()
    def fail(self) -> None:
        """Start a job that fails part-way, to show the error path."""
        self._submit_from_ui(failing_job, self.steps, self.step_seconds)

    def _submit_from_ui(self, fn: Callable[..., Any], *args: Any) -> None:
        # A slot called from QML must not raise: the exception would only be printed.
        if not self._accepting:
            log.info("ignored %s: the app is shutting down", fn.__name__)
            return
        self.submit(fn, *args)

    def _get_error(self) -> str:
        return self._error.summary if self._error else ""

    def _get_error_details(self) -> str:
        return self._error.traceback if self._error else ""

    def _get_max_thread_count(self) -> int:
        return self._pool.maxThreadCount()

    def _set_max_thread_count(self, count: int) -> None:
        if count < 1:
            log.warning("maxThreadCount must be at least 1, not %s; using 1", count)
            count = 1
        if count != self._pool.maxThreadCount():
            self._pool.setMaxThreadCount(count)  # a larger pool starts queued tasks at once
            self.maxThreadCountChanged.emit()

    # Read-only properties are plain fields, kept current by _refresh().
    progress = Property(float, attrgetter("_progress"), notify=progressChanged)
    state = Property(str, attrgetter("_state"), notify=stateChanged)
    result = Property(str, attrgetter("_result"), notify=resultChanged)
    error = Property(str, _get_error, notify=errorChanged)
    errorDetails = Property(str, _get_error_details, notify=errorChanged)
    busy = Property(bool, attrgetter("_busy"), notify=busyChanged)
    activeCount = Property(int, attrgetter("_active_count"), notify=activeCountChanged)
    queuedCount = Property(int, attrgetter("_queued_count"), notify=queuedCountChanged)
    maxThreadCount = Property(
        int, _get_max_thread_count, _set_max_thread_count, notify=maxThreadCountChanged
    )

    # -- task events, called by self.signals on the GUI thread -------------

    def _on_started(self, task_id: int) -> None:
        handle = self._tasks.get(task_id)
        if handle is None:
            return
        handle.state = TaskState.RUNNING
        log.info("task %d (%s) started", task_id, handle.name)
        self._running.add(task_id)
        self._current = handle
        self._schedule_refresh()

    def _on_progress(self, task_id: int, percent: float) -> None:
        handle = self._tasks.get(task_id)
        if handle is None:
            return
        handle.progress = percent
        if handle is self._current:
            self._schedule_refresh()

    def _on_result(self, task_id: int, value: Any) -> None:
        self._end(task_id, TaskState.FINISHED, result=value)

    def _on_error(self, task_id: int, error: TaskError) -> None:
        self._end(task_id, TaskState.FAILED, error=error)

    def _on_cancelled(self, task_id: int) -> None:
        self._end(task_id, TaskState.CANCELLED)

    def _on_finished(self, task_id: int) -> None:
        if self._tasks.pop(task_id, None) is not None:
            self._running.discard(task_id)
            self._schedule_refresh()

    def _end(self, task_id: int, state: str, result: Any = None, error: Optional[TaskError] = None) -> None:
        handle = self._tasks.get(task_id)
        if handle is None:
            return
        handle.state, handle.result, handle.error = state, result, error
        log.info("task %d (%s) %s", task_id, handle.name, state)
        if state == TaskState.FINISHED:
            handle.progress = 100.0  # done is 100%, whatever the task reported
        if handle is self._current:
            self._schedule_refresh()

    # -- property bookkeeping ---------------------------------------------

    def _schedule_refresh(self) -> None:
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _refresh(self) -> None:
        """Bring every property up to date, emitting notify signals for real changes only."""
        self._refresh_timer.stop()
        active = len(self._running)
        self._assign("_active_count", active, self.activeCountChanged)
        self._assign("_queued_count", len(self._tasks) - active, self.queuedCountChanged)
        self._assign("_busy", bool(self._tasks), self.busyChanged)
        current = self._current
        if current is not None:
            result = "" if current.result is None else safe_str(current.result)
            self._assign("_progress", current.progress, self.progressChanged)
            self._assign("_state", current.state, self.stateChanged)
            self._assign("_result", result, self.resultChanged)
            self._assign("_error", current.error, self.errorChanged)

    def _assign(self, attribute: str, value: Any, changed: Signal) -> None:
        """Set a property's field and emit its notify signal only on a real change."""
        if getattr(self, attribute) != value:
            setattr(self, attribute, value)
            changed.emit()
