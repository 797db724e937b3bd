"""``process`` mode: tasks run in worker processes, as fully as they do in threads.

The pool is :class:`~offthread.core.processpool.ProcessPool`: one pipe per worker,
tasks queued on this side until a worker is free, hard stops that end the
task's whole process group. Its docstring says why not pebble.
"""

from __future__ import annotations

import logging
import os
import pickle
from typing import TYPE_CHECKING, Any

from ...core import wire
from ...core.errors import unpicklable
from ...core.identity import IdentityCache, inner_function
from ...core.states import CancelReason, Event
from ...core.validate import whole_number_in_range
from ..limits import MAX_PROCESSES
from ..task import TaskHandle
from .base import Call, Mode

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from ...core.processpool import ProcessPool

__all__ = ["WORKER_NICE", "ProcessMode"]

# Worker processes run at this lower priority (POSIX nice), so that with
# every core busy the GUI thread still gets one as soon as it wakes.
WORKER_NICE = 5

_PAUSE = int(wire.Flag.PAUSE)  # a plain int: the pool tests flags per task, and IntFlag's operators are Python code


class ProcessMode(Mode):
    """Tasks run in worker processes: CPU-bound Python no longer stalls the GUI.

    As in thread mode, a task gets a :class:`~offthread.core.context.TaskContext`
    (progress, partial results, check points, pause), its errors come back
    with the worker's traceback, and timeouts apply. In addition, a task
    that does not stop within ``processpool.HARD_STOP_AFTER_S`` of its cancel is ended
    by killing its process, and every process it started. A task that cannot
    be sent fails with :class:`~offthread.core.errors.UnpicklableTask`: at once if its function
    cannot be pickled (only the function is pickled on submit), or as it
    goes to a worker if its arguments cannot (they are pickled there). The
    workers start with the first task, or earlier with :meth:`warm_up`.
    """

    name = "process"
    description = "Worker processes: CPU-bound Python runs without stalling the GUI"
    can_pause = True

    def __init__(
        self, workers: int | None = None, nice: int = WORKER_NICE, *, max_tasks_per_child: int | None = None
    ) -> None:
        """``max_tasks_per_child``: a worker process ends after that many tasks, and a
        new one takes its place (as in concurrent.futures), for code that leaks."""
        super().__init__()
        if max_tasks_per_child is not None and (
            isinstance(max_tasks_per_child, bool) or not isinstance(max_tasks_per_child, int) or max_tasks_per_child < 1
        ):
            raise ValueError(
                f"max_tasks_per_child must be a whole number of 1 or more, or None, not {max_tasks_per_child!r}"
            )
        self._max_tasks_per_child = max_tasks_per_child
        self._workers = max(1, workers or os.cpu_count() or 1)
        self._nice = nice
        self._pool: ProcessPool | None = None
        self._sendable: IdentityCache[bool] = IdentityCache()  # functions known to pickle

    @property
    def pool(self) -> ProcessPool:
        """The pool, made on first use: multiprocessing and the pool's code are imported
        then, not at start-up, where they would delay the window."""
        if self._pool is None:
            from ...core.processpool import ProcessPool

            # Once attached, the pool's events go straight to the manager's
            # signals (three per task, on the pool's thread), not through _emit.
            emit = self._emit if self._signals is None else self._signals.send
            self._pool = ProcessPool(
                self._workers, emit, nice=self._nice, max_tasks_per_child=self._max_tasks_per_child
            )
        return self._pool

    @property
    def workers(self) -> int:
        """How many worker processes run tasks."""
        return self._workers  # the pool's size, kept in step by the setter

    @workers.setter
    def workers(self, count: int) -> None:
        self._workers = max(1, count)
        if self._pool is not None:
            self._pool.resize(count)

    def set_workers(self, count: Any) -> bool:
        """The ``processCount`` setting, checked (whole, 1 to MAX_PROCESSES); True if it changed.

        Extra workers finish their current task, then end."""
        current = self.workers
        workers = whole_number_in_range(count, "processCount", 1, MAX_PROCESSES, current)
        if workers != current:
            self.workers = workers
        return workers != current

    def warm_up(self) -> None:
        """Start the worker processes now, in the background (a tenth of a second or more)."""
        self.pool.start()

    @property
    def started(self) -> bool:
        """Whether the worker processes have been started."""
        return self._pool is not None and self._pool.started

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes now running."""
        return self._pool.worker_pids() if self._pool is not None else []

    def start(self, handle: TaskHandle, call: Call) -> None:
        # Only the function is pickled here, on the caller's (GUI) thread: it
        # is small, and a lambda or a local function then fails at once. The
        # arguments, which may be large, are pickled on the pool's manager
        # thread as the task goes to a worker; one that cannot be pickled
        # fails its task from there, with the same UnpicklableTask.
        self._check_sendable(call[0])
        flags = _PAUSE if handle.context.pause_requested else 0
        self.pool.submit(handle.id, call, flags, handle.priority)

    def _check_sendable(self, fn: Any) -> None:
        """Raise UnpicklableTask if ``fn`` cannot be pickled; each object is checked once.

        Whatever a partial or a bound method carries besides its function
        (bound arguments, the instance) goes with the arguments, checked on the
        manager thread: here only the function inside is, and a new partial for
        each task costs what its function costs. A function pickles by its
        name, and a callable object that pickled once is taken to pickle again
        (if it no longer does, its task fails from the manager thread).
        """
        self._sendable.get(inner_function(fn), _pickle_or_refuse)

    def cancel(self, handle: TaskHandle) -> None:
        if self.pool.cancel(handle.id, handle.context.cancel_reason or CancelReason.CANCELLED):
            self.withdrawn(handle)  # it never reached a worker

    def pause(self, handle: TaskHandle, paused: bool) -> None:
        self.pool.pause(handle.id, paused)

    def shutdown(self, timeout_s: float) -> bool:
        return self._pool.shutdown(timeout_s) if self._pool is not None else True

    def _emit(self, name: Event, task_id: int, *args: Any) -> None:
        """The pool's events (on its manager thread) go out as the manager's."""
        self.send(name, task_id, *args)


def _pickle_or_refuse(fn: Any) -> bool:
    try:
        pickle.dumps(fn, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as error:  # PicklingError, or TypeError/AttributeError for local objects
        raise unpicklable(error) from error
    return True
