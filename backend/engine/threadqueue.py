"""Thread mode's own queue: one runnable, run on a few threads, that takes tasks in order.

Handing every task to ``QThreadPool.start`` costs a ``QRunnable`` per task (a
wrapped C++ object, several microseconds to make) and a trip into Qt, on the
GUI thread, even for the 100,000th task of a burst that will wait minutes
for a thread. Here a task is a small Python object appended to a deque; the
queue's one runnable runs on at most ``max_threads`` threads of the pool at
once, and each run takes task after task from the deque until it is empty,
as ``ThreadPoolExecutor``'s threads do. The pool still owns the threads:
idle ones expire, and ``waitForDone`` waits for the runs.
"""

from __future__ import annotations

import collections
import logging
import threading
import weakref
from typing import Any, Callable, Sequence

from ..core.call import run_call
from ..core.context import TaskContext
from ..core.ranked import RankedQueue
from ..core.sink import EventSink
from .qt.QtCore import QRunnable, QThreadPool

log = logging.getLogger(__name__)


class Job:
    """One queued task: run once by a runner, or withdrawn first; never both (its
    context's lifecycle decides: see core.lifecycle)."""

    __slots__ = ("task_id", "context", "call")

    def __init__(
        self,
        task_id: int,
        context: TaskContext,
        call: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]],
    ) -> None:
        self.task_id = task_id
        self.context = context
        self.call: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = call


class TaskQueue:
    """Runs jobs in submission order (by priority, then in order) on at most ``max_threads`` threads of ``pool``.

    The job's lifecycle settles every race: a runner claims its start or
    :meth:`withdraw` takes it back, whichever comes first, as
    ``Future.set_running_or_notify_cancel`` does in ``concurrent.futures``.
    """

    def __init__(self, pool: QThreadPool, signals: EventSink) -> None:
        self._pool = pool
        self._signals = signals
        self._lock = threading.Lock()
        # Jobs of priority 0 (nearly all) in a deque; the others, once there are
        # any, in a RankedQueue. The lock is held around C calls only where it
        # can be: a runner preempted while it holds the lock stalls the GUI
        # thread's put, and lock waits hand the GIL back and forth.
        self._jobs: collections.deque[Job] = collections.deque()
        self._ranked: RankedQueue[Job] | None = None
        self._runners = 0  # runs of the runner started and not yet returned
        self._max = max(1, pool.maxThreadCount())
        self._runner = _Runner(self)

    @property
    def max_threads(self) -> int:
        return self._max

    @max_threads.setter
    def max_threads(self, count: int) -> None:
        """More threads start queued jobs at once; fewer take effect as runners finish a job."""
        self._pool.setMaxThreadCount(count)
        with self._lock:
            self._max = max(1, count)
            starting = self._claim_runners()
        self._start_runners(starting)

    def put(self, job: Job, priority: int = 0) -> None:
        """Queue ``job`` (any thread); it starts at once if a thread is free, else
        before the queued jobs of a lower ``priority`` and after those of its own."""
        with self._lock:
            self._append(job, priority)
            starting = self._claim_runners()
        self._start_runners(starting)

    def put_many(self, jobs: Sequence[tuple[Job, int]]) -> None:
        """Queue each ``(job, priority)`` as :meth:`put` does, in order, under one lock."""
        with self._lock:
            for job, priority in jobs:
                self._append(job, priority)
            starting = self._claim_runners()
        self._start_runners(starting)

    def _append(self, job: Job, priority: int) -> None:
        if priority:
            if self._ranked is None:
                self._ranked = RankedQueue()
            self._ranked.append(job, priority)
        else:
            self._jobs.append(job)

    def withdraw(self, job: Job) -> bool:
        """True if ``job`` will never run (it was still queued); False if it has started."""
        if job.context.try_withdraw():
            job.call = None  # its arguments are freed now, not when a runner passes it
            return True
        return False

    def _claim_runners(self) -> int:
        """How many runners to start now (lock held): one per queued job, up to ``max_threads`` in all."""
        queued = len(self._jobs) if self._ranked is None else len(self._jobs) + len(self._ranked)
        count = max(0, min(queued, self._max - self._runners))
        self._runners += count
        return count

    def _start_runners(self, count: int) -> None:
        for _ in range(count):  # outside the lock: the pool may start a thread
            self._pool.start(self._runner)

    def _take(self) -> Job | None:
        """On a runner: the next job to run, or None when the runner should end."""
        while True:
            with self._lock:
                ranked = self._ranked
                if self._runners > self._max or not (self._jobs or ranked is not None):
                    self._runners -= 1
                    return None
                if ranked is not None and (not self._jobs or ranked.first_priority() > 0):
                    job = ranked.popleft()
                    if not ranked:
                        self._ranked = None
                else:
                    job = self._jobs.popleft()
            if job.context.try_start():  # outside the queue's lock: else withdrawn, and the next one
                return job

    def run_all(self) -> None:
        """A runner's loop: run jobs until none is left for it."""
        while True:
            job = self._take()
            if job is None:
                return
            call, job.call = job.call, None
            assert call is not None, "a running job keeps its call until it runs"
            fn, args, kwargs = call
            del call
            try:
                run_call(job.task_id, self._signals, job.context, fn, args, kwargs)
            except BaseException:  # only reporting can fail here, e.g. during interpreter exit
                log.debug("task %s could not report its end", job.task_id, exc_info=True)
            del fn, args, kwargs, job  # freed before the runner waits for the next


class _Runner(QRunnable):
    """Takes jobs from a :class:`TaskQueue` until it is empty: one per queue, started once per thread it needs.

    One object, run on several threads at once (Qt allows it for a runnable
    that the pool does not delete), not one per start: a Python QRunnable
    made per start and deleted by the pool after ``run`` leaked its Python
    object now and then (PySide6 6.11, PySide2 5.15), when ``run`` ended
    before ``start`` had returned: 12,000 of them after 300,000 tiny tasks.
    It holds its queue weakly: the queue holds it.
    """

    def __init__(self, queue: TaskQueue) -> None:
        super().__init__()
        self._queue = weakref.ref(queue)
        self.setAutoDelete(False)

    def run(self) -> None:
        queue = self._queue()
        if queue is not None:
            queue.run_all()
