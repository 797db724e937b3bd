"""``Backend``: what the demo's QML talks to. The engine's TaskManager, plus the demo."""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

from ..core.errors import TaskError
from ..engine.limits import DEFAULT_HISTORY, DEFAULT_SHUTDOWN_TIMEOUT_MS
from ..engine.manager import TaskManager
from ..engine.props import assign
from ..engine.qt.QtCore import Property, QObject, Signal, Slot
from ..engine.signals import weak_slot
from ..engine.task import TaskHandle
from .jobs import DEFAULT_CPU_LIMIT, DEFAULT_FETCHES, DEFAULT_STEP_SECONDS, DEFAULT_STEPS, JOBS, Job
from .lagmeter import LagMeter
from .overall import OverallProgress

log = logging.getLogger(__name__)


class Backend(TaskManager):
    """The engine's :class:`~offthread.engine.manager.TaskManager`, with what the demo adds.

    - the demo's jobs, as slots: ``danger()``, ``fail()``, ``cpu()`` and
      ``fetch()`` start them in the selected ``mode`` (in asyncio mode, their
      ``async def`` twins), with ``steps``, ``step_seconds``, ``cpu_limit``
      and ``fetches`` as their sizes;
    - ``taskId``, ``progress``, ``state``, ``result``, ``error`` and
      ``errorDetails``, which describe the most recent task: the one that
      started last, so that a click that only queues a task does not hide the
      running one (``copyDetails(taskId)`` copies its whole traceback);
    - ``lagMeter``: how late the GUI thread runs (see :class:`LagMeter`);
    - ``overallProgress``: how far the tasks have got as a whole, for the
      window's title (see :class:`OverallProgress`);
    - ``task_watchers``: functions called with each task's handle as it
      starts (the desktop notices of :mod:`.notify` watch this way).

    Everything else (submit, cancel, pause, the modes, ``taskModel``, the
    counts, shutdown) is the manager's.
    """

    taskIdChanged = Signal()
    progressChanged = Signal()
    stateChanged = Signal()
    resultChanged = Signal()
    errorChanged = Signal()
    overallProgressChanged = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_threads: int | None = None,
        processes: int | None = None,
        max_tasks_per_child: int | None = None,
        steps: int = DEFAULT_STEPS,
        step_seconds: float = DEFAULT_STEP_SECONDS,
        cpu_limit: int = DEFAULT_CPU_LIMIT,
        shutdown_timeout_ms: int = DEFAULT_SHUTDOWN_TIMEOUT_MS,
        history: int = DEFAULT_HISTORY,
    ) -> None:
        super().__init__(
            parent,
            max_threads=max_threads,
            processes=processes,
            max_tasks_per_child=max_tasks_per_child,
            shutdown_timeout_ms=shutdown_timeout_ms,
            history=history,
        )
        self._current: TaskHandle | None = None  # what the task properties describe
        self._task_id = 0  # none yet
        self._progress = 0.0
        self._state = ""
        self._result = ""
        self._error: TaskError | None = None
        self._error_texts = ("", "")  # the error as shown: shortened, as a result is
        self._lag_meter = LagMeter(self)
        self._overall = OverallProgress()
        self._overall_progress = 0.0
        self.task_watchers: list[Callable[[TaskHandle], None]] = []
        # Close watch while tasks run; a calm one while idle (see LagMeter.set_calm).
        self.busyChanged.connect(weak_slot(self._pace_lag_meter))  # docs/design.md, "One metaobject per class"
        self._pace_lag_meter()
        self.steps = steps
        self.step_seconds = step_seconds
        self.cpu_limit = cpu_limit
        self.fetches = DEFAULT_FETCHES

    # -- the demo's jobs ------------------------------------------------------

    @Slot()
    def danger(self) -> None:
        """Start the tutorial's long job (``steps`` x ``step_seconds``, returns "Done.") in ``mode``."""
        self._submit_from_ui(JOBS["danger"], (self.steps, self.step_seconds), "DANGER!")

    @Slot()
    def fail(self) -> None:
        """Start a job that fails part-way, to show the error path, in ``mode``."""
        self._submit_from_ui(JOBS["fail"], (self.steps, self.step_seconds), "failing job")

    @Slot()
    def cpu(self) -> None:
        """Start the CPU-bound job (pure Python, holds the GIL) in ``mode``."""
        self._submit_from_ui(JOBS["cpu"], (self.cpu_limit,), "CPU job")

    @Slot()
    def fetch(self) -> None:
        """Start the I/O job in ``mode``: ``fetches`` simulated fetches, each a partial result.

        In asyncio mode they wait all at once, and the job takes about as long
        as the longest one; elsewhere they wait one after another, and it takes
        the sum (:func:`~offthread.app.jobs.fetch_latency`).
        """
        self._submit_from_ui(JOBS["fetch"], (self.fetches,), "I/O job")

    def _submit_from_ui(self, job: Job, args: Sequence[Any], name: str) -> None:
        # A slot called from QML must not raise: the exception would only be printed.
        if not self.accepting:
            log.info("ignored %s: the app is shutting down", name)
            return
        mode = self.selected_mode
        fn = job.coroutine if self.mode_named(mode).runs_coroutines else job.function
        self.submit_task(fn, args, name=name, mode=mode)

    # -- the most recent task ---------------------------------------------------

    def task_started(self, handle: TaskHandle) -> None:
        self._current = handle
        self._overall.started(handle)
        for watch in self.task_watchers:
            watch(handle)

    def published(self) -> None:
        assign(self, "_overall_progress", self._overall.percent(self._get_queued_count()), self.overallProgressChanged)
        current = self._current
        if current is not None:
            assign(self, "_task_id", current.id, self.taskIdChanged)
            assign(self, "_progress", current.progress, self.progressChanged)
            assign(self, "_state", str(current.state), self.stateChanged)
            assign(self, "_result", current.result_text, self.resultChanged)
            if current.error is not self._error:
                self._error_texts = (current.error_text, current.error_details_text)
            assign(self, "_error", current.error, self.errorChanged)

    def _pace_lag_meter(self) -> None:
        self._lag_meter.set_calm(not self.busy)

    def _get_task_id(self) -> int:
        return self._task_id

    def _get_progress(self) -> float:
        return self._progress

    def _get_state(self) -> str:
        return self._state

    def _get_result(self) -> str:
        return self._result

    def _get_overall_progress(self) -> float:
        return self._overall_progress

    def _get_lag_meter(self) -> LagMeter:
        return self._lag_meter

    def _get_error(self) -> str:
        return self._error_texts[0] if self._error else ""

    def _get_error_details(self) -> str:
        return self._error_texts[1] if self._error else ""

    taskId = Property(int, _get_task_id, notify=taskIdChanged)  # 0 until a task has started
    progress = Property(float, _get_progress, notify=progressChanged)
    state = Property(str, _get_state, notify=stateChanged)
    result = Property(str, _get_result, notify=resultChanged)
    error = Property(str, _get_error, notify=errorChanged)
    errorDetails = Property(str, _get_error_details, notify=errorChanged)
    overallProgress = Property(float, _get_overall_progress, notify=overallProgressChanged)
    lagMeter = Property(QObject, _get_lag_meter, constant=True)  # typed for QML tools by scripts/qmltypes.py
