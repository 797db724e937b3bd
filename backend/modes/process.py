"""``process`` mode: tasks run in a pebble ``ProcessPool``, as fully as they do in threads.

Why pebble: it is a maintained process pool whose futures can be cancelled
while they run (the worker process is terminated and the pool starts a new
one), which the standard ``ProcessPoolExecutor`` cannot do, and loky can
only do by shutting down the whole pool. That gives the hard stop.

Why not ``fork``: the GUI process has threads (Qt's, the thread pool's), and
a forked child inherits their locks held forever. Workers are started by a
fork server (``spawn`` where there is none), which imports only
:mod:`backend.remote`: no Qt in the workers.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import threading
from concurrent import futures
from typing import Any, Optional

import pebble
from qtpy.QtCore import QTimer

from .. import remote
from ..errors import safe_str
from ..task import TaskHandle
from .base import Call, UnpicklableTask
from .executor import FutureMode

log = logging.getLogger(__name__)

START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"

# How long a running task has to stop by itself once cancelled (or timed
# out) before its worker process is terminated.
HARD_STOP_AFTER_S = 0.5

# Worker processes run at this lower priority (POSIX nice), so that with
# every core busy the GUI thread still gets one as soon as it wakes.
WORKER_NICE = 5


class ProcessMode(FutureMode):
    """Tasks run in worker processes: CPU-bound Python no longer stalls the GUI.

    As in thread mode, a task gets a :class:`~backend.context.TaskContext`
    (progress, partial results, check points, pause), its errors come back
    with the worker's traceback, and timeouts apply. In addition, a task
    that does not stop within ``HARD_STOP_AFTER_S`` of its cancel is ended
    by terminating its process. The function and its arguments are pickled
    when the task is submitted, so one that cannot be sent fails its task at
    once with :class:`UnpicklableTask`. The pool starts with the first task.
    """

    name = "process"
    description = "Worker processes: CPU-bound Python runs without stalling the GUI"
    can_pause = True

    def __init__(self, workers: Optional[int] = None, nice: int = WORKER_NICE) -> None:
        super().__init__()
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.nice = nice
        self._pool: Optional[pebble.ProcessPool] = None
        self._events: Any = None
        self._controls: Any = None
        self._reader: Optional[threading.Thread] = None
        self._closed = False
        self._lock = threading.Lock()  # the pool may be started by a warm-up thread

    def warm_up(self) -> None:
        """Start the pool and its worker processes on a thread of their own, now.

        Starting them takes a tenth of a second or more (a fork server, then
        each worker, each importing what it needs); done by the first task
        instead, it would hold the GUI thread that long. A task submitted
        meanwhile waits for the start to end.
        """
        threading.Thread(target=self._warm_up, name="offthread-process-warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        try:
            pool = self._ensure_pool()
            if pool is not None:
                pool.schedule(len, args=((),)).result()  # the workers are up once one has answered
        except Exception:  # e.g. the pool was stopped meanwhile: the first task will say what is wrong
            log.debug("warming up the process pool failed", exc_info=True)

    @property
    def started(self) -> bool:
        """Whether the pool and its worker processes have been started."""
        return self._pool is not None

    def start(self, handle: TaskHandle, call: Call) -> None:
        if self._closed:
            raise RuntimeError("the process pool is shut down")
        try:
            payload = pickle.dumps(call, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as error:  # PicklingError, or TypeError/AttributeError for local objects
            raise UnpicklableTask(
                f"cannot send this task to a worker process: {safe_str(error)}. Process mode needs a "
                "function defined at the top level of a module, and arguments that pickle can copy"
            ) from error
        pool = self._ensure_pool()
        if pool is None:
            raise RuntimeError("the process pool is shut down")
        future = pool.schedule(remote.run_task, args=(handle.id, payload))
        self._track(handle.id, future)

    def cancel(self, handle: TaskHandle) -> None:
        task_id = handle.id
        future = self._cancel_requested(handle)
        if future is None:
            return
        if not future.running() and future.cancel():
            return  # still queued: withdrawn, it never starts
        flags = remote.CANCEL | (remote.TIMED_OUT if self._reasons.get(task_id) == "timed out" else 0)
        self._write_control(task_id, flags | (remote.PAUSE if handle.context.pause_requested else 0))
        QTimer.singleShot(int(HARD_STOP_AFTER_S * 1000), lambda: self._hard_stop(task_id))

    def pause(self, handle: TaskHandle, paused: bool) -> None:
        if handle.id in self._futures:
            cancel = remote.CANCEL if handle.context.cancelled else 0
            self._write_control(handle.id, cancel | (remote.PAUSE if paused else 0))

    def shutdown(self, timeout_s: float) -> bool:
        with self._lock:
            self._closed = True
        if self._pool is None:
            return True
        # The backend has asked every task to stop; give them the usual grace, then terminate.
        futures.wait(list(self._futures.values()), timeout=min(timeout_s, HARD_STOP_AFTER_S))
        for future in list(self._futures.values()):
            future.cancel()
        self._pool.stop()
        try:
            self._pool.join(timeout=max(1.0, timeout_s))
            stopped = True
        except TimeoutError:
            log.warning("worker processes did not stop within %.1f s", timeout_s)
            stopped = False
        self._events.put(None)  # ends the reader
        self._reader.join(timeout=1.0)
        return stopped

    def on_result(self, task_id: int, value: Any) -> None:
        pass  # the ending came through the event queue, in order after the task's reports

    def explain(self, error: BaseException) -> BaseException:
        if isinstance(error, pebble.ProcessExpired):
            return RuntimeError(f"the worker process running this task died (exit code {error.exitcode})")
        return error

    # -- internals ---------------------------------------------------------

    def _ensure_pool(self) -> Optional[pebble.ProcessPool]:
        """The pool, made on first use; None once shut down."""
        with self._lock:
            if self._pool is None and not self._closed:
                self._make_pool()
            return None if self._closed else self._pool

    def _make_pool(self) -> None:
        context = multiprocessing.get_context(START_METHOD)
        if START_METHOD == "forkserver":
            context.set_forkserver_preload(["backend.remote"])
        self._events = context.SimpleQueue()
        self._controls = context.RawArray("q", remote.CONTROL_SLOTS)
        self._pool = pebble.ProcessPool(
            max_workers=self.workers,
            initializer=remote.init_worker,
            initargs=(self._events, self._controls, self.nice),
            context=context,
        )
        self._reader = threading.Thread(target=self._read, name="offthread-process-events", daemon=True)
        self._reader.start()
        log.info("process pool: %d worker processes (%s)", self.workers, START_METHOD)

    def _read(self) -> None:
        """Forward the workers' events to the GUI thread (a thread of its own)."""
        events, signals = self._events, self.signals
        while True:
            try:
                message = events.get()
            except (EOFError, OSError):
                return
            if message is None:
                return
            name, args = message
            if name in remote.ENDINGS:
                self.finish(args[0], name, *args[1:])
            else:
                signals.send(name, *args)

    def _write_control(self, task_id: int, flags: int) -> None:
        self._controls[remote.control_slot(task_id)] = remote.control_word(task_id, flags)

    def _hard_stop(self, task_id: int) -> None:
        future = self._futures.get(task_id)
        if future is not None and future.cancel():
            log.info("task %d did not stop within %.1f s of its cancel: its worker process was terminated", task_id, HARD_STOP_AFTER_S)
