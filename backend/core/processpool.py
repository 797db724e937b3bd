"""A pool of worker processes, each with a pipe of its own, run by one manager thread.

Why not pebble or ``multiprocessing.Pool``:
their workers share one result queue, and a worker stopped while it writes
(a hard stop, or a kill from outside) keeps that queue's lock and can leave a
torn message in it: every later task then waits forever, and so does the
pool's shutdown. pebble also cancels a queued task that a worker has already
taken (its body runs anyway), declares itself broken for good when an idle
worker dies, and waits 3 s per worker for SIGTERM before SIGKILL. Here:

- each worker has its own duplex pipe (:mod:`.wire`); a torn frame
  ends only that worker, which is replaced;
- tasks wait in this pool's own queue and go to a worker only when it is
  idle, so a queued task is withdrawn exactly: it never reaches a worker;
- control requests travel on the task's worker's pipe, so none is lost or
  meant for another task;
- a worker runs in a process group of its own, and a hard stop kills the
  group: whatever the task started ends with it;
- :meth:`ProcessPool.shutdown` keeps its bound, escalating to SIGKILL.

Three parts, one job each: this facade takes requests from any thread;
:mod:`.poolplan` decides (which task goes to which worker, and when, with
no pipe or process in it); :mod:`.poolmanager` is the one thread that
reads and writes the pipes and carries the plan's decisions out, through
:mod:`.workerprocess` for each worker's process and pipe. Other threads
change the plan under the manager's lock and wake its thread. Nothing here
imports Qt; events go out through ``emit(name, task_id, *args)``, called on
the manager thread (or, for tasks ended by :meth:`ProcessPool.shutdown`, on
the caller's).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import sys
import time
import weakref
from typing import Any

from . import remote, workerprocess
from .poolmanager import Emit, PoolManager
from .poolplan import PoolTask, WorkerPhase
from .portable import START_METHOD_ENV, START_METHODS
from .states import CancelReason, Event

# Not "fork": the GUI process has threads (Qt's, the thread pool's) whose
# locks a forked child would inherit held. A fork server is itself a small
# single-threaded process that forks each worker; "spawn" where there is none.
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"

# How long a running task has to stop by itself once cancelled (or timed
# out) before its worker process is killed.
HARD_STOP_AFTER_S = 0.5


class ProcessPool:
    """Runs pickled calls in ``size`` worker processes; see the module's docstring.

    :meth:`submit`, :meth:`cancel`, :meth:`pause` and :meth:`shutdown` may be
    called from any thread. Per task, ``emit`` receives ``started`` (when a
    worker takes it), then ``progress``, ``partial``, ``paused``, ``resumed``
    as the task sends them, then one of ``result``, ``error`` or
    ``cancelled``, and ``finished`` last: the order of the engine's
    ``WorkerSignals``. A task withdrawn by :meth:`cancel` gets no event at
    all: the caller ends it.
    """

    def __init__(
        self,
        size: int,
        emit: Emit,
        *,
        nice: int = 0,
        start_method: str | None = None,
        hard_stop_after: float = HARD_STOP_AFTER_S,
        max_tasks_per_child: int | None = None,
    ) -> None:
        if max_tasks_per_child is not None and (
            isinstance(max_tasks_per_child, bool) or not isinstance(max_tasks_per_child, int) or max_tasks_per_child < 1
        ):
            raise ValueError(
                f"max_tasks_per_child must be a whole number of 1 or more, or None, not {max_tasks_per_child!r}"
            )
        self.max_tasks_per_child = max_tasks_per_child
        # Any: typeshed's BaseContext lacks Process, which every real context has.
        start_method = check_start_method(start_method) if start_method is not None else chosen_start_method()
        self.start_method = start_method
        context: Any = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # The fork server imports these once; each worker then starts with them
            # loaded (ctypes makes each worker a subreaper).
            context.set_forkserver_preload([remote.__name__, "ctypes"])
        self._manager = PoolManager(size, emit, context, nice, hard_stop_after, max_tasks_per_child)
        _live_pools.add(self)

    @property
    def size(self) -> int:
        """How many worker processes it runs (see :meth:`resize`)."""
        return self._manager.plan.size

    @property
    def started(self) -> bool:
        """Whether the pool has begun to start its worker processes."""
        return self._manager.thread is not None

    def start(self) -> None:
        """Start the worker processes now, in the background, instead of with the first task."""
        manager = self._manager
        with manager.lock:
            if manager.plan.closing:
                return
            manager.ensure_running()
        manager.wake()

    def submit(self, task_id: int, payload: Any, flags: int = 0, priority: int = 0) -> None:
        """Queue a call ``(fn, args, kwargs)``, or its pickle; ``flags`` are controls asked for already.
        It goes to a worker before the queued tasks of a lower ``priority``.

        A call is pickled on the manager thread as it goes to a worker; if it
        cannot be, the task fails with :class:`~offthread.core.errors.UnpicklableTask`.
        """
        manager = self._manager
        with manager.lock:
            if manager.plan.closing:
                raise RuntimeError("the process pool is shut down")
            manager.plan.add(PoolTask(task_id, payload, flags, priority))
            manager.ensure_running()
        manager.wake()

    def cancel(self, task_id: int, reason: CancelReason = CancelReason.CANCELLED) -> bool:
        """Withdraw a queued task (True: it never reaches a worker, and gets no event),
        or ask a running one to stop, killing its worker ``hard_stop_after`` later (False)."""
        manager = self._manager
        with manager.lock:
            withdrawn = manager.plan.cancel(task_id, reason, time.monotonic())
            if withdrawn is not None:
                withdrawn.life.try_end()  # its mode sends its ending: none may come from here
                withdrawn.payload = None
                if not manager.plan.tasks:
                    manager.ended.notify_all()
        if withdrawn is not None:  # sent once, and given back: its arguments may be in shared memory
            manager.held.release(withdrawn)
            return True
        manager.wake()
        return False

    def pause(self, task_id: int, paused: bool) -> None:
        """Ask a task to pause at its next check point, or to go on."""
        with self._manager.lock:
            self._manager.plan.pause(task_id, paused)
        self._manager.wake()

    def resize(self, size: int) -> None:
        """Run ``size`` worker processes from now on: more start at once; extra
        ones take no new task at once and end after their current one (never cut short)."""
        with self._manager.lock:
            self._manager.plan.size = max(1, size)
        self._manager.wake()

    def shutdown(self, timeout: float) -> bool:
        """End every task and worker process within ``timeout`` seconds; True if every task ended.

        Queued tasks end "cancelled" at once. Running ones are asked to stop
        and get the usual grace (shortened to fit), then their workers are
        killed. Idle workers end with their process groups. Nothing here
        waits past the deadline.
        """
        manager = self._manager
        now = time.monotonic()
        deadline = now + max(0.0, timeout)
        with manager.lock:
            if manager.plan.closing:
                return not manager.plan.tasks
            manager.deadline = deadline
            queued = manager.plan.close(now, deadline)
            thread = manager.thread
        for task in queued:
            manager.finish(task, Event.CANCELLED, CancelReason.CANCELLED)
        if thread is None:
            return True
        manager.wake()
        with manager.ended:
            manager.ended.wait_for(lambda: not manager.plan.tasks, timeout=max(0.0, deadline - time.monotonic()))
            manager.stopping = True
        manager.wake()
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():  # stuck writing to a worker that does not read: end them all from here
            self.kill_all()
            thread.join(0.05)
        with manager.lock:
            left = list(manager.plan.tasks.values())
        for task in left:  # their workers were killed; their ends were not seen in time
            manager.finish(task, Event.CANCELLED, task.reason or CancelReason.CANCELLED)
        if not thread.is_alive():
            manager.close()
        return True

    @property
    def unfinished(self) -> int:
        """How many of its tasks have not ended (for tests and diagnostics)."""
        with self._manager.lock:
            return len(self._manager.plan.tasks)

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes now running (for tests and diagnostics)."""
        return [process.pid for process in self._manager.processes() if process.seat.phase is not WorkerPhase.ENDING]

    def release_arguments(self) -> None:
        """Remove the shared-memory segments of every unfinished task's arguments (at exit)."""
        with self._manager.lock:
            left = list(self._manager.plan.tasks.values())
        for task in left:
            self._manager.held.release(task)

    def kill_all(self) -> None:
        """Kill every worker process and its group now (at exit, or when shutdown runs out of time)."""
        self._manager.kill_all()


def check_start_method(name: str, source: str = "start_method") -> str:
    """``name`` if the pool can start its workers that way here, else a ValueError that says why.

    >>> check_start_method("spawn")
    'spawn'
    >>> check_start_method("fork")
    Traceback (most recent call last):
    ...
    ValueError: start_method: 'fork' is not a start method of the pool: use forkserver or spawn (a forked worker would inherit the GUI process's threads' locks, held)
    """
    if name not in START_METHODS:
        why = " (a forked worker would inherit the GUI process's threads' locks, held)" if name == "fork" else ""
        raise ValueError(f"{source}: {name!r} is not a start method of the pool: use forkserver or spawn{why}")
    if name not in multiprocessing.get_all_start_methods():
        raise ValueError(f"{source}: {name!r} is not available on this platform ({sys.platform}): use spawn")
    return name


def chosen_start_method() -> str:
    """The start method named by ``OFFTHREAD_START_METHOD``, checked, else :data:`START_METHOD`.

    >>> import os
    >>> os.environ["OFFTHREAD_START_METHOD"] = "spawn"
    >>> chosen_start_method()
    'spawn'
    >>> del os.environ["OFFTHREAD_START_METHOD"]
    """
    named = os.environ.get(START_METHOD_ENV, "")
    return check_start_method(named, START_METHOD_ENV) if named else START_METHOD


# Pools not yet shut down, so that exiting without a shutdown still leaves no
# worker behind: multiprocessing's own exit handler would wait for them
# without limit. Registered after multiprocessing's, so it runs before it.
_live_pools: weakref.WeakSet[ProcessPool] = weakref.WeakSet()


@atexit.register
def _kill_workers_at_exit() -> None:
    left = workerprocess.stop_starting()
    for pool in list(_live_pools):
        pool.kill_all()  # with what their tasks started
        pool.release_arguments()
    for child in left:  # any that was being started, in no pool yet
        if child.is_alive():
            child.kill()
