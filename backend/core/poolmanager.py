"""The process pool's manager thread: the one reader and writer of the workers' pipes.

Each pass asks the plan (:class:`~.poolplan.PoolPlan`) what to do now and
does it: tasks go out to their workers, frames are sent, workers are killed
or started. Then it waits on every pipe at once (and on its wake pipe, which
other threads write to when they change the plan), and hands what it reads
back to the plan, turning the workers' messages into the pool's events:
``emit(name, task_id, *args)``, on this thread. It moves bytes and carries
out decisions; it makes none of its own.

Events go out with the lock not held, so that whoever receives them may call
the pool back.
"""

from __future__ import annotations

import logging
import selectors
import signal
import threading
import time
from multiprocessing import resource_tracker
from typing import Any, Callable

from . import shared, sharedcall, wire
from .errors import TaskError, safe_str, unpicklable
from .poolplan import Orders, PoolPlan, PoolTask, WorkerPhase
from .poolwait import WakePipe, make_selector
from .sink import end_task
from .states import ENDINGS, CancelReason, Event
from .workerprocess import DEATH, PIPE, WorkerProcess, exit_status, starting_stopped

log = logging.getLogger(__name__)

Emit = Callable[..., None]


class PoolManager:
    """The pool's state (its plan, under ``lock``) and the thread that carries it out."""

    def __init__(self, size: int, emit: Emit, context: Any, nice: int, hard_stop_after: float, max_tasks: int | None):
        self.plan = PoolPlan(size, hard_stop_after)
        self.lock = threading.Lock()
        # Notified when the last task ends (all that anything waits for: a shutdown);
        # a notify_all with nobody waiting still runs Python code, for every task.
        self.ended = threading.Condition(self.lock)
        self.emit = emit
        self.thread: threading.Thread | None = None
        self.stopping = False  # the thread ends its workers and itself
        self.deadline = float("inf")  # of the shutdown
        self._context = context
        self._nice = nice
        self._max_tasks = max_tasks
        self._selector: Any = None  # made with the thread, with its wake pipe
        self._waker: WakePipe | None = None
        self.held = sharedcall.Held()  # the shared-memory segments of tasks' arguments, until each ends

    # -- any thread ---------------------------------------------------------------

    def ensure_running(self) -> None:
        """Start the thread, if it has not been (lock held)."""
        if self.thread is None:
            self._selector = make_selector()
            self._waker = WakePipe(self._selector)
            self.thread = threading.Thread(target=self._run, name="offthread-process-pool", daemon=True)
            self.thread.start()

    def wake(self) -> None:
        if self._waker is not None:
            self._waker.wake()

    def processes(self) -> list[WorkerProcess]:
        with self.lock:
            return [seat.link for seat in self.plan.seats]

    def kill_all(self) -> None:
        for process in self.processes():
            process.kill()

    def finish(self, task: PoolTask, ending: Event, payload: Any) -> None:
        """End a task: its one ending, then ``finished``; the next in its worker's line starts."""
        self.held.release(task)  # before its ending: whoever hears of it finds /dev/shm as it was
        end_task(self.emit, task.life, task.id, ending, payload)
        with self.lock:
            after = self.plan.ended(task, time.monotonic())
            if not self.plan.tasks:
                self.ended.notify_all()
        if after is not None:
            self.emit(Event.STARTED, after.id)

    def close(self) -> None:
        """Once the thread has ended: its wake pipe and selector."""
        if self._waker is not None:
            self._waker.close()
            self._selector.close()

    # -- the thread ---------------------------------------------------------------

    def _run(self) -> None:
        _block_group_signals(self._context)
        _sweep()
        try:
            while self._pass():
                pass
        except BaseException:  # a bug here must not leave tasks waiting forever
            log.exception("the process pool's manager stopped; its tasks fail")
            _fail_all(self)

    def _pass(self) -> bool:
        """One round: carry out the plan's orders, then wait for the pipes. False: the end."""
        assert self._waker is not None
        self._waker.drain()
        if self.stopping:
            self._end_workers()
            return False
        with self.lock:
            orders = self.plan.orders(time.monotonic())
        self._carry_out(orders)
        for key, mask in self._selector.select(orders.timeout):
            if key.data is None:
                self._waker.woken = True  # drained at the top of the next pass
                continue
            process, what = key.data
            if process.gone:
                # Buried earlier in this batch (its death came first): its pipe is
                # closed, and its fd number may be another file's by now.
                continue
            if what == PIPE:
                if mask & selectors.EVENT_WRITE:
                    process.flush()
                if mask & selectors.EVENT_READ:
                    self._read(process)
            else:
                self._bury(process)
        return True

    def _carry_out(self, orders: Orders) -> None:
        batches: dict[WorkerProcess, list[tuple[PoolTask, list[Any]]]] = {}
        for task in orders.runs:
            message = self._run_message(task)
            if message is not None:
                batches.setdefault(task.seat.link, []).append((task, message))  # type: ignore[union-attr]
        for process, batch in batches.items():
            self._hand_over(process, batch)
        for order in orders.sends:
            order.seat.link.send(order.kind, order.task_id, order.flags)
        for seat in orders.kills:
            log.info(
                "task %d did not stop within %.1f s of its cancel: its worker process was killed",
                seat.task.id if seat.task else -1,
                self.plan.hard_stop_after,
            )
            seat.link.kill()
        for _ in range(orders.start):
            if not self._start_worker():
                break

    def _run_message(self, task: PoolTask) -> list[Any] | None:
        """The RUN message of a task placed at a worker; None if its call cannot be pickled (it fails)."""
        payload = task.payload
        if not isinstance(payload, bytes):
            try:
                payload, names = sharedcall.pickled(payload)
            except Exception as error:  # PicklingError, TypeError, AttributeError...
                with self.lock:
                    self.plan.unsendable(task)
                self.finish(task, Event.ERROR, TaskError.from_exception(unpicklable(error)))
                return None
            task.payload = payload
            if names:
                self.held.keep(task, names)
        kind = wire.Kind.SHARED_RUN if task.segments else wire.Kind.RUN
        return wire.run_message(task.id, task.sent_flags, payload, kind)

    def _hand_over(self, process: WorkerProcess, batch: list[tuple[PoolTask, list[Any]]]) -> None:
        """Send tasks to a worker, in one write; the first in its line starts as it reads it."""
        tasks = [task for task, _ in batch]
        if process.write([part for _, parts in batch for part in parts]):
            with self.lock:
                started = self.plan.handed_over(process.seat, tasks, time.monotonic())
            if started is not None:
                self.emit(Event.STARTED, started.id)  # before any event of it: this thread reads those
            return
        with self.lock:  # the worker died before it could take them (say, killed while idle)
            cancelled = self.plan.not_handed_over(process.seat, tasks)
        self._end_cancelled(cancelled)
        self.wake()

    def _read(self, process: WorkerProcess) -> None:
        try:
            messages = process.read()
        except ValueError:  # not a stream of ours: that worker cannot be trusted further
            self._malformed(process)
            return
        for data in messages:
            self._on_frame(process, data)

    def _on_frame(self, process: WorkerProcess, data: bytes | bytearray) -> None:
        try:
            kind, task_id, _flags = wire.header(data)
        except Exception:  # not a frame of ours: that worker cannot be trusted further
            self._malformed(process)
            return
        opened = _open_shared(data)  # at once, whether or not the task still wants it
        seat = process.seat
        if kind == wire.Kind.HELLO:
            with self.lock:
                self.plan.hello(seat, time.monotonic())
            self.wake()  # it can take a task
            return
        if kind == wire.Kind.RETURNED or kind == wire.Kind.TAKEN:
            with self.lock:
                cancelled, started = self.plan.answered(seat, task_id, given_back=kind == wire.Kind.RETURNED)
            self._end_cancelled(cancelled)
            if started is not None:
                self.emit(Event.STARTED, started.id)
            return
        if kind == wire.Kind.WORN:
            orders = Orders()
            with self.lock:
                self.plan.worn(seat, orders)
            self._carry_out(orders)
            self.wake()  # a worker to start in its place
            return
        with self.lock:
            task, began = self.plan.heard_from(seat, task_id)
        if task is None:
            return
        if began:
            self.emit(Event.STARTED, task.id)
        self._on_event(task, kind, data, opened)

    def _on_event(self, task: PoolTask, kind: wire.Kind, data: bytes | bytearray, opened: Any = None) -> None:
        name = wire.EVENT_OF[kind]
        if name in ENDINGS:
            payload: Any
            if task.failure is not None:
                name, payload = Event.ERROR, task.failure
            else:
                try:
                    payload = _shared_value(data, opened)
                except BaseException as error:
                    problem = TypeError(f"the result cannot be rebuilt in the GUI process: {_describe(error)}")
                    name, payload = Event.ERROR, TaskError.from_exception(problem)
            self.finish(task, name, payload)  # the next pass gives its worker the next task
        elif kind in (wire.Kind.PAUSED, wire.Kind.RESUMED):
            self.emit(name, task.id)
        elif task.failure is None:
            try:
                payload = wire.value(data)
            except BaseException as error:
                what = "a partial result" if kind == wire.Kind.PARTIAL else "a progress report"
                failure = TypeError(f"{what} cannot be rebuilt in the GUI process: {_describe(error)}")
                with self.lock:
                    self.plan.fail(task, TaskError.from_exception(failure), time.monotonic())
                self.wake()
                return
            self.emit(name, task.id, payload)

    def _bury(self, process: WorkerProcess) -> None:
        """A worker process ended: read what it sent before, end its task, clean up after it."""
        for data in process.leftovers():
            self._on_frame(process, data)
        code = process.close()
        shared.remove_left_by(process.pid)  # segments it made for a frame it never sent
        seat = process.seat
        with self.lock:
            task, cancelled, requeued = self.plan.gone(seat)
        self._end_cancelled(cancelled)
        if requeued:
            self.wake()  # they go to the other workers
        if task is not None:
            if task.failure is not None:
                self.finish(task, Event.ERROR, task.failure)
            elif task.reason is not None:
                self.finish(task, Event.CANCELLED, task.reason)
            else:
                death = f"the worker process running this task {exit_status(code)}"
                self.finish(task, Event.ERROR, TaskError.from_exception(RuntimeError(death)))
        elif not seat.hello and seat.phase is not WorkerPhase.ENDING and not self.plan.closing:
            self._start_failed(f"a worker process ended as it started ({exit_status(code)})", at_once=False)

    def _start_worker(self) -> bool:
        try:
            process = WorkerProcess.start(self._context, self._nice, self._max_tasks, self._selector)
        except Exception as error:  # e.g. the fork server was killed, or no file descriptors are left
            self._start_failed(safe_str(error), at_once=True)
            return False
        with self.lock:
            self.plan.add_seat(process.seat)
        return True

    def _start_failed(self, why: str, *, at_once: bool) -> None:
        if not starting_stopped():  # at exit every worker is killed, and none starts: no news
            log.warning("worker processes cannot start: %s", why)
        with self.lock:
            queued = self.plan.start_failed(at_once=at_once)
        failure = TaskError.from_exception(RuntimeError(f"worker processes cannot start: {why}"))
        for task in queued:
            self.finish(task, Event.ERROR, failure)

    def _malformed(self, process: WorkerProcess) -> None:
        log.warning("worker process %d sent a malformed message; it is replaced", process.pid)
        with self.lock:
            self.plan.ending(process.seat)
        process.kill()

    def _end_cancelled(self, tasks: list[PoolTask]) -> None:
        """End tasks cancelled before they started (lock not held)."""
        for task in tasks:
            self.finish(task, Event.CANCELLED, task.reason or CancelReason.CANCELLED)

    def _end_workers(self) -> None:
        """At shutdown: idle workers end themselves (and their groups); busy ones are killed."""
        assert self._waker is not None
        processes = self.processes()
        # From now on only deaths count: a pipe at its end would be readable without pause.
        self._waker.unwatch()
        for process in processes:
            process.unwatch()
        for process in processes:
            seat = process.seat
            idle = seat.task is None and seat.hello and seat.phase is not WorkerPhase.ENDING and not process.outbox
            if not (idle and process.send_now(wire.Kind.STOP)):
                process.kill()  # busy, or its pipe full: no waiting for it here
        while processes:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                break
            for key, _mask in self._selector.select(remaining):
                if key.data is not None and key.data[1] == DEATH:
                    self._bury(key.data[0])
            processes = self.processes()
        for process in processes:  # out of time: they were told or killed; make sure
            process.kill()
        self._selector.close()


def _block_group_signals(context: Any) -> None:
    """Block SIGINT and SIGTERM in the calling thread, and so in every process started from it.

    The fork server, or the workers themselves under "spawn", inherit this
    mask. They share the app's process group until a worker makes its own,
    so a Ctrl+C or SIGTERM sent to the group would otherwise kill them
    mid-start, or make a Python that is still importing print a
    KeyboardInterrupt traceback on the app's stderr. The app's own handlers
    run on its main thread. multiprocessing's resource tracker is started
    first: starting it unblocks the two signals in the calling thread again
    (it protects itself the same way).
    """
    if hasattr(signal, "pthread_sigmask"):
        if context.get_start_method() != "fork":
            resource_tracker.ensure_running()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def _fail_all(manager: PoolManager) -> None:
    """The manager thread met a bug: its workers are killed, its tasks fail."""
    manager.kill_all()
    with manager.lock:
        left = list(manager.plan.tasks.values())
    failure = TaskError.from_exception(RuntimeError("the process pool stopped working; see the log"))
    try:
        for task in left:
            manager.finish(task, Event.ERROR, failure)
    except Exception:  # nobody to tell any more (the backend is gone)
        log.debug("could not end the tasks of a stopped pool", exc_info=True)


def _sweep() -> None:
    """Remove what GUI processes killed before they could clean up left in /dev/shm (see shmowner)."""
    if not shared.available():
        return
    try:
        swept = shared.sweep()
    except Exception:  # never a reason for the pool not to start
        log.debug("could not sweep /dev/shm", exc_info=True)
        return
    if swept:
        log.info("removed %d shared-memory segments left by ended processes", len(swept))


def _open_shared(data: bytes | bytearray) -> Any:
    """The shared buffers a frame names (see wire.open_shared), or the OSError that opening them raised:
    opened as the frame arrives, so that nothing stays in /dev/shm whatever becomes of the frame."""
    if data[0] != wire.SHARED_RESULT:  # most frames: no look further, and wire.value unpickles it at once
        return None
    try:
        return wire.open_shared(data)
    except OSError as error:
        return error


def _shared_value(data: bytes | bytearray, opened: Any) -> Any:
    """The value of a frame whose shared buffers :func:`_open_shared` opened (raises what it met)."""
    if isinstance(opened, OSError):
        raise opened
    return wire.value(data, opened)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {safe_str(error)}"
