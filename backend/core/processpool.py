"""A pool of worker processes, each with a pipe of its own, run by one manager thread.

Why not pebble (which process mode used before) or ``multiprocessing.Pool``:
their workers share one result queue, and a worker stopped while it writes
(a hard stop, or a kill from outside) keeps that queue's lock and can leave a
torn message in it: every later task then waits forever, and so does the
pool's shutdown. pebble also cancels a queued task that a worker has already
taken (its body runs anyway), declares itself broken for good when an idle
worker dies, and waits 3 s per worker for SIGTERM before SIGKILL. Here:

- each worker has its own duplex pipe (:mod:`backend.wire`); a torn frame
  ends only that worker, which is replaced;
- tasks wait in this pool's own queue and go to a worker only when it is
  idle, so a queued task is withdrawn exactly: it never reaches a worker;
- control requests travel on the task's worker's pipe, so none is lost or
  meant for another task;
- a worker runs in a process group of its own, and a hard stop kills the
  group: whatever the task started ends with it;
- :meth:`ProcessPool.shutdown` keeps its bound, escalating to SIGKILL.

One manager thread is the only reader and writer of the pipes. The other
threads (the GUI thread) change the shared state under ``_lock`` and wake it
through a pipe of its own. Nothing here imports Qt; events go out through
``emit(name, task_id, *args)``, called on the manager thread (or, for tasks
withdrawn or ended by :meth:`ProcessPool.shutdown`, on the caller's).
"""

from __future__ import annotations

import atexit
import collections
import itertools
import logging
import multiprocessing
import os
import pickle
import selectors
import signal
import threading
import time
import weakref
from multiprocessing import resource_tracker
from typing import Any, Callable

from . import proctree, remote, wire
from .errors import TaskError, safe_str, unpicklable
from .lifecycle import Lifecycle
from .ranked import RankedQueue
from .sink import end_task
from .states import ENDINGS, CancelReason, Event

log = logging.getLogger(__name__)

# Not "fork": the GUI process has threads (Qt's, the thread pool's) whose
# locks a forked child would inherit held. A fork server is itself a small
# single-threaded process that forks each worker; "spawn" where there is none.
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"

# How long a running task has to stop by itself once cancelled (or timed
# out) before its worker process is killed.
HARD_STOP_AFTER_S = 0.5

# Workers that die before they are ready, in a row, before the pool gives
# up: it then fails its queued tasks rather than start workers in a loop.
FAILED_STARTS_LIMIT = 3

# Bytes read from one worker in one pass: many messages in one call, and
# a chatty worker cannot keep the manager from the others.
READ_CHUNK = 1 << 16

# While tasks are short, a worker is sent up to this many at once: the next
# one waits in its pipe and starts the moment the last one ends, instead of
# after a round trip through this process (the GUI process's threads, the
# GIL, a wake-up). Tiny tasks then cost about what they cost in pebble.
PREFETCH = 4
# "Short": the recent average from start to end, under this. Long tasks go
# one at a time, so that none waits behind another on a busy worker while
# another worker is idle.
SHORT_TASK_S = 0.005
# A task sent ahead is asked back (wire.Kind.RETRACT) once the one it waits
# behind has run this long, or is paused: the average said "short", this one
# is not. It goes back to the front of the queue, for the first free worker.
RETRACT_AFTER_S = 4 * SHORT_TASK_S

Emit = Callable[..., None]

_PAUSE = int(wire.Flag.PAUSE)  # a plain int: IntFlag's operators cost microseconds
# How long the manager waits for a worker's exit status once its pidfd said it ended.
_STATUS_WAIT_S = 0.5
# Functions whose durations the pool keeps (see ProcessPool._durations).
_KNOWN_FUNCTIONS = 1024
# Buffers per writev call: far below any system's IOV_MAX.
_WRITE_BATCH = 64


class _Task(Lifecycle):
    """One task in the pool. Its lifecycle (see core.lifecycle) ends it once:
    withdrawn by a cancel, or by the one ending that _finish sends."""

    __slots__ = (
        "id",
        "fn",
        "payload",
        "flags",
        "sent_flags",
        "worker",
        "stop_at",
        "reason",
        "failure",
        "started_at",
        "announced",
        "retracting",
        "priority",
    )

    def __init__(self, task_id: int, payload: Any, flags: int, priority: int = 0) -> None:
        super().__init__()
        self.id = task_id
        self.priority = priority  # among the queued tasks, a higher one goes to a worker first
        # Its function, by which the pool learns which tasks are short (None for a pickle).
        self.fn: Any = _function_key(payload)
        # The call, or its pickle; dropped once it has started: one sent ahead
        # may come back (see _take_back), and goes out again as it was.
        self.payload: Any = payload
        self.flags = flags  # the controls asked for
        self.sent_flags = flags  # the controls its worker knows of
        self.worker: _Worker | None = None  # None while it waits in the pool's queue
        self.stop_at: float | None = None  # when its worker is killed if it has not ended
        self.reason: CancelReason | None = None  # why it is being stopped
        self.failure: TaskError | None = None  # it fails with this, whatever it sends
        self.started_at = 0.0  # when its worker began it (the manager's clock), once it has
        self.announced = False  # its "started" went out
        # Asked back from the worker it was sent ahead to: until the answer
        # (RETURNED or TAKEN), whether it started there is not known.
        self.retracting = False


class _Worker:
    __slots__ = (
        "process",
        "conn",
        "fd",
        "reader",
        "pid",
        "pidfd",
        "ready",
        "tasks",
        "killed",
        "gone",
        "retiring",
        "worn",
        "outbox",
    )

    def __init__(self, process: Any, conn: Any) -> None:
        self.process = process
        self.conn = conn  # read and written raw, many messages per call (see wire.MessageReader)
        self.fd: int = conn.fileno()
        self.reader = wire.MessageReader()
        self.pid: int = process.pid
        # What says that it ended. Under a fork server, its sentinel is a pipe
        # from the fork server, which also fires when the fork server dies:
        # every running task failed then, in workers that lived on. Where
        # there are pidfds (Linux 5.3+, Python 3.9+), the process's own one.
        self.pidfd = _open_pidfd(process.pid)
        self.ready = False  # it said hello
        # Sent to it and not ended, in order: the first one runs, the others
        # wait in its pipe (see PREFETCH). A worker runs them one at a time,
        # so a task starts when the one before it ends.
        self.tasks: collections.deque[_Task] = collections.deque()
        self.killed = False
        self.gone = False  # it has ended and been reaped: its pid may be another process's now
        self.retiring = False  # one too many after a resize: no new tasks; it stops once idle
        self.worn = False  # it said WORN (max_tasks_per_child, or a task broke it): it retires for good
        # What could not be written yet: the pipe is non-blocking, so that one
        # worker that does not read (a C call holding its GIL) never holds up
        # the manager, and so the other workers. Written as the pipe drains.
        self.outbox: collections.deque[memoryview] = collections.deque()

    @property
    def death(self) -> Any:
        """What becomes readable when it ends: its pidfd, else its sentinel."""
        return self.pidfd if self.pidfd is not None else self.process.sentinel

    @property
    def task(self) -> _Task | None:
        """The task it runs now, if any."""
        return self.tasks[0] if self.tasks else None


class ProcessPool:
    """Runs pickled calls in ``size`` worker processes; see the module's docstring.

    :meth:`submit`, :meth:`cancel`, :meth:`pause` and :meth:`shutdown` may be
    called from any thread. Per task, ``emit`` receives ``started`` (when a
    worker takes it), then ``progress``, ``partial``, ``paused``, ``resumed``
    as the task sends them, then one of ``result``, ``error`` or
    ``cancelled``, and ``finished`` last: the order of
    :class:`~backend.signals.WorkerSignals`. A task withdrawn by
    :meth:`cancel` gets no event at all: the caller ends it.
    """

    def __init__(
        self,
        size: int,
        emit: Emit,
        *,
        nice: int = 0,
        start_method: str = START_METHOD,
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
        self.size = max(1, size)
        self._emit = emit
        self._nice = nice
        self._hard_stop_after = hard_stop_after
        # Any: typeshed's BaseContext lacks Process, which every real context has.
        self._context: Any = multiprocessing.get_context(start_method)
        if start_method == "forkserver":
            # The fork server imports these once; each worker then starts with them
            # loaded (ctypes, 7 ms to import, makes each worker a subreaper).
            self._context.set_forkserver_preload([remote.__name__, "ctypes"])
        self._lock = threading.Lock()
        self._ended = threading.Condition(self._lock)  # notified whenever a task ends
        self._tasks: dict[int, _Task] = {}  # every task that has not ended
        # The running tasks with a hard stop due (stop_at set): each pass looks
        # at these only, not at every task (20,000 queued made each pass slow).
        self._deadlines: dict[int, _Task] = {}
        # Waiting for a worker, by priority, then in order (withdrawn ones are skipped).
        self._queue: RankedQueue[_Task] = RankedQueue()
        self._dirty: dict[int, _Task] = {}  # running tasks whose controls changed
        self._workers: list[_Worker] = []
        self._thread: threading.Thread | None = None
        self._closing = False  # no new tasks
        self._stopping = False  # the manager ends its workers and itself
        self._deadline = float("inf")  # of the shutdown
        self._failed_starts = 0
        self._given_up = False  # after FAILED_STARTS_LIMIT, until the next submit
        self._wake_pending = False
        self._woken = True  # the wake pipe may hold bytes: drain it at the top of the next pass
        self._wake_reader = self._wake_writer = -1  # a pipe, made with the manager thread
        self._recent_s = 2 * SHORT_TASK_S  # how long tasks take, lately (start to end, decaying average)
        # The same, per function: a task waits in a worker's pipe only behind
        # one whose function has been short, never behind one not seen yet.
        self._durations: dict[Any, float] = {}
        self._selector: selectors.BaseSelector | None = None
        _live_pools.add(self)

    # -- any thread -----------------------------------------------------------

    @property
    def started(self) -> bool:
        """Whether the pool has begun to start its worker processes."""
        return self._thread is not None

    def start(self) -> None:
        """Start the worker processes now, in the background, instead of with the first task."""
        with self._lock:
            if self._closing:
                return
            self._ensure_manager()
        self._wake()

    def submit(self, task_id: int, payload: Any, flags: int = 0, priority: int = 0) -> None:
        """Queue a call ``(fn, args, kwargs)``, or its pickle; ``flags`` are controls asked for already.
        It goes to a worker before the queued tasks of a lower ``priority``.

        A call is pickled on the manager thread as it goes to a worker; if it
        cannot be, the task fails with :class:`~offthread.core.errors.UnpicklableTask`.
        """
        with self._lock:
            if self._closing:
                raise RuntimeError("the process pool is shut down")
            task = _Task(task_id, payload, flags, priority)
            self._tasks[task_id] = task
            self._queue.append(task, priority)
            self._given_up = False
            self._ensure_manager()
        self._wake()

    def cancel(self, task_id: int, reason: CancelReason = CancelReason.CANCELLED) -> bool:
        """Withdraw a queued task (True: it never reaches a worker, and gets no event),
        or ask a running one to stop, killing its worker ``hard_stop_after`` later (False)."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                return False
            if task.worker is None:
                del self._tasks[task_id]
                task.try_end()  # its mode sends its ending: none may come from here
                task.payload = None
                self._ended.notify_all()
                return True
            self._stop(task, reason, time.monotonic() + self._hard_stop_after)
        self._wake()
        return False

    def pause(self, task_id: int, paused: bool) -> None:
        """Ask a task to pause at its next check point, or to go on."""
        with self._lock:
            task = self._tasks.get(task_id)
            if task is None:
                return
            task.flags = task.flags | wire.Flag.PAUSE if paused else task.flags & ~wire.Flag.PAUSE
            if task.worker is not None:
                self._dirty[task_id] = task
        self._wake()

    def shutdown(self, timeout: float) -> bool:
        """End every task and worker process within ``timeout`` seconds; True if every task ended.

        Queued tasks end "cancelled" at once. Running ones are asked to stop
        and get the usual grace (shortened to fit), then their workers are
        killed. Idle workers end with their process groups. Nothing here
        waits past the deadline.
        """
        now = time.monotonic()
        deadline = now + max(0.0, timeout)
        with self._lock:
            if self._closing:
                return not self._tasks
            self._closing = True
            self._deadline = deadline
            queued = [task for task in self._tasks.values() if task.worker is None]
            for task in queued:
                del self._tasks[task.id]
            for task in self._tasks.values():
                self._stop(task, CancelReason.CANCELLED, min(now + self._hard_stop_after, deadline))
            thread = self._thread
        for task in queued:
            self._finish(task, Event.CANCELLED, CancelReason.CANCELLED)
        if thread is None:
            return True
        self._wake()
        with self._ended:
            self._ended.wait_for(lambda: not self._tasks, timeout=max(0.0, deadline - time.monotonic()))
            self._stopping = True
        self._wake()
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():  # stuck writing to a worker that does not read: end them all from here
            self.kill_all()
            thread.join(0.05)
        with self._lock:
            left = list(self._tasks.values())
        for task in left:  # their workers were killed; their ends were not seen in time
            self._finish(task, Event.CANCELLED, task.reason or CancelReason.CANCELLED)
        if not thread.is_alive():
            self._close_wake_pipe()
        return True

    def resize(self, size: int) -> None:
        """Run ``size`` worker processes from now on: more start at once; extra
        ones take no new task at once and end after their current one (never cut short)."""
        with self._lock:
            self.size = max(1, size)
        self._wake()

    def worker_pids(self) -> list[int]:
        """The pids of the worker processes now running (for tests and diagnostics)."""
        with self._lock:
            return [w.pid for w in self._workers if not w.killed]

    def kill_all(self) -> None:
        """Kill every worker process and its group now (at exit, or when shutdown runs out of time)."""
        with self._lock:
            workers = list(self._workers)
        for worker in workers:
            _kill_group(worker)

    # -- under the lock ---------------------------------------------------------

    def _ensure_manager(self) -> None:
        if self._thread is None:
            self._wake_reader, self._wake_writer = os.pipe()
            os.set_blocking(self._wake_writer, False)
            os.set_blocking(self._wake_reader, False)
            self._selector = selectors.DefaultSelector()
            self._selector.register(self._wake_reader, selectors.EVENT_READ, None)
            self._thread = threading.Thread(target=self._manage, name="offthread-process-pool", daemon=True)
            self._thread.start()

    def _stop(self, task: _Task, reason: CancelReason, kill_at: float) -> None:
        if task.reason is None:
            task.reason = reason
        task.flags |= wire.Flag.CANCEL | (wire.Flag.TIMED_OUT if task.reason == CancelReason.TIMED_OUT else 0)
        self._dirty[task.id] = task
        worker = task.worker
        if worker is not None and worker.task is not task:
            return  # it waits behind another: no hard stop, which would kill that one; it starts cancelled
        task.stop_at = kill_at if task.stop_at is None else min(task.stop_at, kill_at)
        self._deadlines[task.id] = task

    @property
    def _poller(self) -> selectors.BaseSelector:
        """The selector of the manager thread (made with it)."""
        assert self._selector is not None
        return self._selector

    def _wake(self) -> None:
        # Read-then-set is not atomic; the worst case is one extra byte.
        if not self._wake_pending and self._wake_writer >= 0:
            self._wake_pending = True
            try:
                os.write(self._wake_writer, b"\0")
            except OSError:  # full: it will wake anyway
                pass

    def _close_wake_pipe(self) -> None:
        # -1 first: a late _wake() must not write to a number the system gives to another file.
        descriptors, self._wake_reader, self._wake_writer = (self._wake_reader, self._wake_writer), -1, -1
        for descriptor in descriptors:
            os.close(descriptor)
        self._poller.close()

    # -- the manager thread ---------------------------------------------------

    def _manage(self) -> None:
        if hasattr(signal, "pthread_sigmask"):
            # Every process started from this thread (the fork server, or the
            # workers themselves under "spawn") inherits this mask. They share
            # the app's process group until a worker makes its own, so a
            # Ctrl+C or SIGTERM sent to the group would otherwise kill them
            # mid-start, or make a Python that is still importing print a
            # KeyboardInterrupt traceback on the app's stderr. The app's own
            # handlers run on its main thread. multiprocessing's resource
            # tracker is started first: starting it unblocks the two signals
            # in the calling thread again (it protects itself the same way).
            if self._context.get_start_method() != "fork":
                resource_tracker.ensure_running()
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        try:
            while self._pass():
                pass
        except BaseException:  # a bug here must not leave tasks waiting forever
            log.exception("the process pool's manager stopped; its tasks fail")
            self.kill_all()
            with self._lock:
                left = list(self._tasks.values())
            failure = TaskError.from_exception(RuntimeError("the process pool stopped working; see the log"))
            try:
                for task in left:
                    self._finish(task, Event.ERROR, failure)
            except Exception:  # nobody to tell any more (the backend is gone)
                log.debug("could not end the tasks of a stopped pool", exc_info=True)

    def _pass(self) -> bool:
        """One round: act on what other threads asked, then wait for the pipes. False: the end."""
        # Drain first, then clear the flag, then look at the state: a request
        # made after the flag is cleared writes a byte that the next select
        # sees; one made before it is in the state read below. (Cleared
        # first, a byte written meanwhile could be drained here while the
        # flag stays set, and the next request would not wake us.)
        if self._woken:
            self._woken = False
            try:
                while os.read(self._wake_reader, 4096):
                    pass
            except BlockingIOError:
                pass
        self._wake_pending = False
        if self._stopping:
            self._end_workers()
            return False
        now = time.monotonic()
        runs: list[tuple[_Worker, _Task]] = []
        sends: list[tuple[_Worker, Any]] = []
        kills: list[_Worker] = []
        with self._lock:
            missing = self._fit_to_size(sends)
            timeout = self._retract(now, sends)
            # Level by level, so that queued tasks spread over the workers
            # before any worker gets a second one (see PREFETCH).
            depth = PREFETCH if self._recent_s < SHORT_TASK_S else 1
            takers = [w for w in self._workers if w.ready and not w.killed and not w.retiring]
            for level in range(depth):
                for worker in takers:
                    if len(worker.tasks) > level or (level and not self._may_send_ahead(worker, now)):
                        continue
                    task = self._next_queued()
                    if task is None:
                        break
                    task.worker = worker
                    worker.tasks.append(task)
                    task.sent_flags = task.flags
                    runs.append((worker, task))
                else:
                    continue
                break  # the queue is empty
            for task in self._dirty.values():
                if task.worker is not None and task.flags != task.sent_flags and task.id in self._tasks:
                    task.sent_flags = task.flags
                    sends.append((task.worker, wire.frame(wire.Kind.CONTROL, task.id, task.flags)))
            self._dirty.clear()
            for task in list(self._deadlines.values()):
                runner = task.worker
                if task.stop_at is None or runner is None or runner.killed or self._tasks.get(task.id) is not task:
                    del self._deadlines[task.id]  # it ended, or its worker is gone
                    continue
                if task.stop_at <= now:
                    runner.killed = True
                    kills.append(runner)
                else:
                    wait = task.stop_at - now
                    timeout = wait if timeout is None else min(timeout, wait)
        batches = self._frames(runs)
        for worker, batch in batches.items():
            self._hand_over(worker, batch)
        for worker, data in sends:
            self._send(worker, data)
        for worker in kills:
            log.info(
                "task %d did not stop within %.1f s of its cancel: its worker process was killed",
                worker.task.id if worker.task else -1,
                self._hard_stop_after,
            )
            _kill_group(worker)
        for _ in range(missing):
            if not self._start_worker():
                break
        for key, _mask in self._poller.select(timeout):
            if key.data is None:
                self._woken = True  # the wake pipe: drained at the top of the next pass
                continue
            worker, what = key.data
            if worker.gone:
                # Buried earlier in this batch (its death came first): its pipe is
                # closed, and its fd number may be another file's by now.
                continue
            if what == "conn":
                if _mask & selectors.EVENT_WRITE:
                    self._flush(worker)
                if _mask & selectors.EVENT_READ:
                    self._read(worker)
            else:
                self._bury(worker)
        return True

    def _send(self, worker: _Worker, data: Any) -> bool:
        """Send a frame to a worker; False if it is gone (its sentinel will say so)."""
        return self._write(worker, list(wire.message_parts(data)))

    def _write(self, worker: _Worker, parts: list[Any]) -> bool:
        """Write ``parts`` (messages, framed) to a worker's pipe: what fits now, the rest
        as the pipe drains (see _Worker.outbox), in order. False if it is gone."""
        views = collections.deque(memoryview(part).cast("B") for part in parts if len(part))
        if worker.outbox:
            worker.outbox.extend(views)
            return True
        try:
            _write_some(worker.fd, views)
        except (OSError, ValueError):
            return False
        if views:
            worker.outbox = views
            self._watch_writes(worker, True)
        return True

    def _flush(self, worker: _Worker) -> None:
        """The pipe of a worker with an outbox can take more."""
        try:
            _write_some(worker.fd, worker.outbox)
        except (OSError, ValueError):  # gone: its sentinel says the rest
            worker.outbox.clear()
        if not worker.outbox:
            self._watch_writes(worker, False)

    def _watch_writes(self, worker: _Worker, on: bool) -> None:
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if on else 0)
        try:
            self._poller.modify(worker.conn, events, (worker, "conn"))
        except (KeyError, ValueError):  # no longer watched: it has closed its end
            worker.outbox.clear()

    def _may_send_ahead(self, worker: _Worker, now: float) -> bool:
        """Whether a task may wait in ``worker``'s pipe behind the ones it has (lock held):
        only behind one of a function known to be short, that has not run long and is
        not paused, and not while tasks there are being asked back. (A task that has
        turned long in one C call holding its worker's GIL cannot answer a RETRACT
        until the call returns: better not to send ahead of one that might.)"""
        head = worker.tasks[0]
        return (
            not (head.flags & _PAUSE or worker.tasks[-1].retracting)
            and (not head.started_at or now - head.started_at < RETRACT_AFTER_S)  # 0: handed over in this pass
            and self._durations.get(head.fn, SHORT_TASK_S) < SHORT_TASK_S
        )

    def _fit_to_size(self, sends: list[tuple[_Worker, Any]]) -> int:
        """Match the workers to ``size`` (lock held): how many to start. After a shrink
        the least busy retire at once (no new task; they stop once idle)."""
        serving = [w for w in self._workers if not w.killed and not w.retiring]
        missing = 0 if self._closing or self._given_up else self.size - len(serving)
        if missing > 0:  # grown (again): workers on their way out serve on first
            for worker in self._workers:
                if missing and worker.retiring and not worker.killed and not worker.worn:
                    worker.retiring = False
                    missing -= 1
        elif missing < 0:
            for worker in sorted(serving, key=lambda w: len(w.tasks))[:-missing]:
                worker.retiring = True
            missing = 0
        for worker in self._workers:
            if worker.retiring and not worker.killed and worker.ready and not worker.tasks:
                worker.killed = True  # its end is expected
                sends.append((worker, wire.frame(wire.Kind.STOP)))
        return missing

    def _retract(self, now: float, sends: list[tuple[_Worker, Any]]) -> float | None:
        """Ask back the tasks sent ahead to a worker whose task turned out long, is paused,
        or that retires (lock held). Returns how long until the next such check is due."""
        due_in: float | None = None
        for worker in self._workers:
            tasks = worker.tasks
            if len(tasks) < 2 or worker.killed or tasks[-1].retracting:  # the last is asked back first
                continue
            head = tasks[0]
            due = head.started_at + RETRACT_AFTER_S
            if worker.retiring or head.flags & _PAUSE or due <= now:
                for task in reversed(tasks):
                    if task is head or task.retracting:
                        break
                    task.retracting = True
                    sends.append((worker, wire.frame(wire.Kind.RETRACT, task.id)))
            elif due_in is None or due - now < due_in:
                due_in = due - now
        return due_in

    def _frames(self, runs: list[tuple[_Worker, _Task]]) -> dict[_Worker, list[tuple[_Task, list[Any]]]]:
        """The RUN messages of ``runs``, by worker; a task whose call cannot be pickled fails here."""
        batches: dict[_Worker, list[tuple[_Task, list[Any]]]] = {}
        for worker, task in runs:
            payload = task.payload
            if not isinstance(payload, bytes):
                try:
                    payload = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as error:  # PicklingError, TypeError, AttributeError...
                    with self._lock:
                        if task in worker.tasks:
                            worker.tasks.remove(task)
                        task.worker = None
                    self._finish(task, Event.ERROR, TaskError.from_exception(unpicklable(error)))
                    continue
                task.payload = payload
            batches.setdefault(worker, []).append((task, wire.run_message(task.id, task.sent_flags, payload)))
        return batches

    def _hand_over(self, worker: _Worker, batch: list[tuple[_Task, list[Any]]]) -> None:
        """Send tasks to a worker, in one write. The first in its line has started once
        the worker has it; one sent behind others starts when the one before it ends (see _finish)."""
        if self._write(worker, [part for _, parts in batch for part in parts]):
            for task, _ in batch:
                if worker.task is task:
                    # It starts as the worker reads it, whether or not the
                    # whole call has gone into the pipe yet (see _Worker.outbox).
                    task.started_at = time.monotonic()
                    self._announce(task)  # before any event of the task: this thread reads those
            return
        # The worker died before it could take them (say, killed while idle).
        with self._lock:
            worker.ready = False  # nothing more for it; its sentinel will say it ended
            cancelled = self._take_back(worker, [task for task, _ in batch])
        self._end_cancelled(cancelled)
        self._wake()

    def _announce(self, task: _Task) -> None:
        task.announced = True
        task.payload = None
        self._emit(Event.STARTED, task.id)

    def _take_back(self, worker: _Worker, tasks: list[_Task]) -> list[_Task]:
        """Tasks sent to ``worker`` that never started (lock held): back to the front of
        the queue, in their order. Returns those cancelled meanwhile, to end with _end_cancelled."""
        back: list[_Task] = []
        cancelled: list[_Task] = []
        for task in tasks:
            if task in worker.tasks:
                worker.tasks.remove(task)
            task.worker = None
            task.retracting = task.announced = False
            task.started_at = 0.0
            if task.id in self._tasks:  # else it has ended already
                (back if task.reason is None else cancelled).append(task)
        for task in reversed(back):
            self._queue.appendleft(task, task.priority)
        return cancelled

    def _end_cancelled(self, tasks: list[_Task]) -> None:
        """End tasks cancelled before they started (lock not held)."""
        for task in tasks:
            self._finish(task, Event.CANCELLED, task.reason or CancelReason.CANCELLED)

    def _next_queued(self) -> _Task | None:
        while self._queue:
            task = self._queue.popleft()
            if task.id in self._tasks and task.worker is None:
                return task
        return None

    def _start_worker(self) -> bool:
        try:
            conn, child_conn = self._context.Pipe(duplex=True)
            process = self._context.Process(
                target=remote.worker_main,
                args=(child_conn, self._nice, self.max_tasks_per_child),
                name="offthread-worker",
            )
            process.start()
            child_conn.close()
        except Exception as error:  # e.g. the fork server was killed, or no file descriptors are left
            log.warning("cannot start a worker process: %s", safe_str(error))
            self._worker_failed_to_start(safe_str(error), at_once=True)
            return False
        worker = _Worker(process, conn)
        os.set_blocking(worker.fd, False)  # see _Worker.outbox
        self._poller.register(conn, selectors.EVENT_READ, (worker, "conn"))
        self._poller.register(worker.death, selectors.EVENT_READ, (worker, "sentinel"))
        with self._lock:
            self._workers.append(worker)
        return True

    def _worker_failed_to_start(self, why: str, *, at_once: bool = False) -> None:
        """A worker could not start (``at_once``: it could not even be made). Give up on
        the queued tasks, with ``why``, once no worker can serve them."""
        with self._lock:
            self._failed_starts += 1
            if self._workers if at_once else self._failed_starts < FAILED_STARTS_LIMIT:
                return  # the workers there are serve the queue; the next pass tries again
            self._given_up = True
            self._failed_starts = 0
            queued = [task for task in self._tasks.values() if task.worker is None]
            for task in queued:
                del self._tasks[task.id]  # now, so that no worker that starts meanwhile takes one
        failure = TaskError.from_exception(RuntimeError(f"worker processes cannot start: {why}"))
        for task in queued:
            self._finish(task, Event.ERROR, failure)

    def _read(self, worker: _Worker) -> None:
        """What a worker sent: one read of up to READ_CHUNK bytes, and the messages it completes."""
        try:
            chunk = os.read(worker.fd, READ_CHUNK)
        except BlockingIOError:  # nothing after all
            return
        except OSError:
            chunk = b""
        if not chunk:  # gone, or killed in mid-frame: its sentinel says the rest
            self._unregister(worker.conn)
            return
        for data in worker.reader.feed(chunk):
            self._on_frame(worker, data)

    def _on_frame(self, worker: _Worker, data: bytes) -> None:
        try:
            kind, task_id, _flags = wire.header(data)
        except Exception:  # not a frame of ours: that worker cannot be trusted further
            log.warning("worker process %d sent a malformed message; it is replaced", worker.pid)
            _kill_group(worker)
            return
        if kind == wire.Kind.HELLO:
            worker.ready = True
            self._failed_starts = 0
            self._wake()  # it can take a task
            return
        if kind == wire.Kind.RETURNED or kind == wire.Kind.TAKEN:
            self._answered(worker, task_id, given_back=kind == wire.Kind.RETURNED)
            return
        if kind == wire.Kind.WORN:
            self._worn(worker)
            return
        task = worker.task
        if task is None or task.id != task_id:
            return  # cannot happen: a worker runs the task it was given, one at a time
        if not task.announced:  # asked back, it had started: this says so before the TAKEN does
            self._announce(task)
        name = wire.EVENT_OF[kind]
        if name in ENDINGS:
            self._end(task, name, data)
        elif kind in (wire.Kind.PAUSED, wire.Kind.RESUMED):
            self._emit(name, task_id)
        elif task.failure is None:
            try:
                payload = wire.value(data)
            except BaseException as error:
                what = "a partial result" if kind == wire.Kind.PARTIAL else "a progress report"
                self._fail(task, f"{what} cannot be rebuilt in the GUI process: {_describe(error)}")
                return
            self._emit(name, task_id, payload)

    def _answered(self, worker: _Worker, task_id: int, *, given_back: bool) -> None:
        """The worker's answer to a RETRACT: the task comes back to the queue, or it had started."""
        task = next((t for t in worker.tasks if t.id == task_id), None)
        if task is None:
            return  # it has ended
        task.retracting = False
        if given_back:
            with self._lock:
                cancelled = self._take_back(worker, [task])  # the next pass hands it out
            self._end_cancelled(cancelled)
        elif worker.task is task and not task.announced:
            self._announce(task)

    def _worn(self, worker: _Worker) -> None:
        """The worker takes no more tasks once its current one ends (which it sends next):
        those sent ahead are asked back now, before that ending would start the next."""
        worker.worn = worker.retiring = True
        for task in itertools.islice(worker.tasks, 1, None):
            if not task.retracting:
                task.retracting = True
                self._send(worker, wire.frame(wire.Kind.RETRACT, task.id))
        self._wake()  # a worker to start in its place

    def _fail(self, task: _Task, message: str) -> None:
        """Make ``task`` fail with ``message`` however it ends, and stop it now."""
        task.failure = TaskError.from_exception(TypeError(message))
        with self._lock:
            self._stop(task, CancelReason.CANCELLED, time.monotonic() + self._hard_stop_after)
        self._wake()

    def _end(self, task: _Task, ending: Event, data: bytes) -> None:
        payload: Any
        if task.failure is not None:
            ending, payload = Event.ERROR, task.failure
        else:
            try:
                payload = wire.value(data)
            except BaseException as error:
                problem = TypeError(f"the result cannot be rebuilt in the GUI process: {_describe(error)}")
                ending, payload = Event.ERROR, TaskError.from_exception(problem)
        self._finish(task, ending, payload)  # the manager's loop then gives the worker its next task

    def _finish(self, task: _Task, ending: Event, payload: Any) -> None:
        """End a task (its one ending, then ``finished``) and forget it. Lock not held.

        The next task in its worker's line has started then: it gets its ``started``.
        """
        end_task(self._emit, task, task.id, ending, payload)
        after: _Task | None = None
        with self._lock:
            if self._tasks.get(task.id) is task:
                del self._tasks[task.id]
            worker = task.worker
            if worker is not None and task in worker.tasks:
                ran = worker.tasks[0] is task
                worker.tasks.remove(task)
                if ran and task.started_at:
                    now = time.monotonic()
                    took = now - task.started_at
                    self._recent_s = (self._recent_s + took) / 2
                    durations = self._durations
                    if len(durations) >= _KNOWN_FUNCTIONS and task.fn not in durations:
                        durations.clear()  # functions made at run time: keep it bounded
                    durations[task.fn] = (durations.get(task.fn, took) + took) / 2
                    if worker.tasks and not worker.killed:
                        after = worker.tasks[0]
                        after.started_at = now
                        if after.reason is not None:  # cancelled while it waited: the hard stop applies now
                            after.stop_at = now + self._hard_stop_after
                            self._deadlines[after.id] = after
                        if after.retracting:
                            after = None  # it may have been given back: the worker's answer says
            self._ended.notify_all()
        if after is not None:
            self._announce(after)

    def _bury(self, worker: _Worker) -> None:
        """A worker process ended: read what it sent before, end its task, clean up after it."""
        worker.gone = True  # its sentinel fired: it has ended (and, under a fork server, been reaped)
        conn = worker.conn
        try:
            while conn.poll():  # without blocking: what it (or a process it started) left in the pipe
                chunk = os.read(worker.fd, READ_CHUNK)
                if not chunk:
                    break
                for data in worker.reader.feed(chunk):  # a torn last message stays in the reader
                    self._on_frame(worker, data)
        except (EOFError, OSError):
            pass
        self._unregister(conn)
        self._unregister(worker.death)
        conn.close()
        if worker.pidfd is not None:
            os.close(worker.pidfd)
            worker.pidfd = None
            # Its exit status comes through the sentinel, once the fork server
            # has reaped it: at once, unless the fork server is gone too.
            worker.process.join(_STATUS_WAIT_S)
        else:
            worker.process.join(0)
        code = worker.process.exitcode
        # Whatever its tasks started may still run in its group: end it too.
        _kill_group(worker)
        with self._lock:
            self._workers.remove(worker)
            task = worker.task
            waiting = list(worker.tasks)[1:]  # sent behind it: they never started
            cancelled = self._take_back(worker, waiting)
        self._end_cancelled(cancelled)
        if waiting:
            self._wake()  # the others go to the other workers
        if task is not None:
            if task.failure is not None:
                self._finish(task, Event.ERROR, task.failure)
            elif task.reason is not None:
                self._finish(task, Event.CANCELLED, task.reason)
            else:
                death = f"the worker process running this task {_exit_status(code)}"
                self._finish(task, Event.ERROR, TaskError.from_exception(RuntimeError(death)))
        elif not worker.ready and not worker.killed and not self._closing:
            log.warning("a worker process ended as it started (%s)", _exit_status(code))
            self._worker_failed_to_start(f"a worker process ended as it started ({_exit_status(code)})")

    def _end_workers(self) -> None:
        """At shutdown: idle workers end themselves (and their groups); busy ones are killed."""
        with self._lock:
            workers = list(self._workers)
        # From now on only deaths count: a pipe at its end would be readable without pause.
        self._unregister(self._wake_reader)
        for worker in workers:
            self._unregister(worker.conn)
        for worker in workers:
            idle = worker.task is None and worker.ready and not worker.killed and not worker.outbox
            if not (idle and _send_now(worker, wire.frame(wire.Kind.STOP))):
                _kill_group(worker)  # busy, or its pipe full: no waiting for it here
        while workers:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, _mask in self._poller.select(remaining):
                if key.data is not None and key.data[1] == "sentinel":
                    self._bury(key.data[0])
            with self._lock:
                workers = list(self._workers)
        for worker in workers:  # out of time: they were told or killed; make sure
            _kill_group(worker)
        self._poller.close()

    def _unregister(self, fileobj: Any) -> None:
        try:
            self._poller.unregister(fileobj)
        except (KeyError, ValueError):
            pass


def _open_pidfd(pid: int) -> int | None:
    """A pidfd of process ``pid`` (just started, so still this pid's), or None where there are none."""
    try:
        return os.pidfd_open(pid)  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):  # Python 3.8, an old kernel, or not Linux
        return None


def _function_key(payload: Any) -> Any:
    """What stands for a call's function in ProcessPool._durations: itself, if it can be a key."""
    if type(payload) is not tuple:
        return None
    fn = payload[0]
    try:
        hash(fn)
    except TypeError:  # say, an instance with __eq__ and no __hash__
        return type(fn)
    return fn


def _send_now(worker: _Worker, data: Any) -> bool:
    """Send a frame to a worker at once, whole, or not at all (False)."""
    views = collections.deque(memoryview(part).cast("B") for part in wire.message_parts(data))
    try:
        _write_some(worker.fd, views)
    except (OSError, ValueError):
        return False
    return not views


def _write_some(fd: int, views: collections.deque[memoryview]) -> None:
    """Write ``views`` in order, in as few calls as it takes, until the pipe is full
    (what is left stays in ``views``). Raises OSError if the reader is gone."""
    writev = getattr(os, "writev", None)
    while views:
        try:
            if writev is not None:
                written = writev(fd, list(itertools.islice(views, _WRITE_BATCH)))
            else:
                written = os.write(fd, views[0])
        except BlockingIOError:
            return
        while written:
            first = views[0]
            if written >= len(first):
                written -= len(first)
                views.popleft()
            else:
                views[0] = first[written:]
                written = 0


def _kill_group(worker: _Worker) -> None:
    """SIGKILL a worker, every process its tasks started, and its process group.

    A ready worker is stopped first (SIGSTOP, so it starts nothing more), then
    its tree is ended from the leaves' side (see :mod:`.proctree`: what left
    its group is found by parent pid), then the group and the worker. Never a
    signal to a number that may have gone to another process: once a worker
    has ended and been reaped (``gone``), its pid is free, and only its group,
    while it still has members, keeps that number from being reused.
    """
    worker.killed = True
    try:
        if not hasattr(os, "killpg"):
            if not worker.gone:
                worker.process.kill()
        elif worker.gone:
            if proctree.group_has_members(worker.pid):  # what its tasks started, left running
                os.killpg(worker.pid, signal.SIGKILL)
        elif worker.ready:  # it said hello after making its own group: the group is there
            os.killpg(worker.pid, signal.SIGSTOP)
            try:
                proctree.kill_descendants(worker.pid)
            finally:  # whatever happened there, nothing stays stopped
                os.killpg(worker.pid, signal.SIGKILL)
        else:  # still starting, perhaps in the app's group: the process alone
            worker.process.kill()
    except (ProcessLookupError, PermissionError, ValueError):
        pass  # ended just now


def _exit_status(code: int | None) -> str:
    """How a process ended, from its exit code: "died (exit code 3)", "was killed by SIGKILL"."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"died (exit code {code})"


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {safe_str(error)}"


# Pools not yet shut down, so that exiting without a shutdown still leaves no
# worker behind: multiprocessing's own exit handler would wait for them
# without limit. Registered after multiprocessing's, so it runs before it.
_live_pools: weakref.WeakSet[ProcessPool] = weakref.WeakSet()


@atexit.register
def _kill_workers_at_exit() -> None:
    for pool in list(_live_pools):
        pool.kill_all()
