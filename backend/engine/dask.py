"""An optional mode that sends tasks to a dask.distributed cluster, with a way back.

dask is not a dependency of the app: ``pip install distributed`` (or the
project's ``dask`` extra) makes this mode available.

A task runs on a worker inside :func:`~offthread.core.daskremote.run_on_dask`,
which gives it a :class:`~offthread.core.context.TaskContext` and talks to
this side through dask's own channels (that module's docstring says which):
its progress, partial results and pauses reach the task list, and a cancel
or a pause reaches it at its next check point, as in a thread.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
import logging
import pickle
import sys
import threading
import time
import uuid
from concurrent.futures import CancelledError
from typing import Any, Callable

from ..core import daskremote
from ..core.context import TaskContext
from ..core.daskremote import HELLO, DaskEnding, flags_for, run_on_dask
from ..core.errors import TaskError, safe_str
from ..core.states import CancelReason, Event
from ..core.wire import EVENT_OF, Flag, Kind
from .modes import ExecutorMode
from .modes.base import Call
from .task import TaskHandle

log = logging.getLogger(__name__)

# The local cluster's size: as many single-threaded worker processes as this.
LOCAL_WORKERS = 2

# How long to try to reach a remote scheduler before giving up with a message.
CONNECT_TIMEOUT_S = 5

# How long a running task has, once cancelled, to stop at a check point and
# end as it would in a thread (its finally blocks run, what they report
# arrives): as long as process mode waits before its hard stop. A task still
# running then is cancelled on the cluster (Client.cancel) and ends here as
# cancelled at once; dask cannot stop its thread, so it runs on there until
# it returns or reaches a check point, and its result is dropped.
CANCEL_GRACE_S = 0.5

# How long a task's ending waits for messages it sent before it, should some
# have been lost (they normally arrive first: they leave the worker first).
ENDING_WAIT_S = 2.0

# How long a call to one worker (a control, a forget) may take before it is
# given up and logged. Each worker's calls go on their own, so a worker that
# does not answer holds up no other; one that has left the cluster gets none.
CONTROL_TIMEOUT_S = 5.0

# The number of the control that stops a task found running after it ended
# here: above any other, so that it is never taken for a late one.
_LAST_WORD = 1 << 62


class DaskUnavailable(RuntimeError):
    """dask.distributed is not installed, or the cluster cannot be reached."""


def dask_mode(
    address: str,
    name: str = "dask",
    local_workers: int = LOCAL_WORKERS,
    cancel_grace_s: float = CANCEL_GRACE_S,
) -> DaskMode:
    """A mode on the cluster at ``address`` (e.g. ``tcp://10.0.0.5:8786``), or on a new
    local one if ``address`` is ``"local"``. Closing the backend closes the client
    and the local cluster."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as error:
        raise DaskUnavailable(
            f"dask.distributed is not installed for {sys.executable}: run '{sys.executable} -m pip install distributed'"
        ) from error
    cluster: Any | None = None
    try:
        if address == "local":
            cluster = LocalCluster(
                n_workers=local_workers,
                threads_per_worker=1,  # pure-Python tasks: one per process, as in process mode
                processes=True,
                # Its HTTP endpoint (no dashboard) on a free loopback port: with
                # None, distributed still takes 8787, and fails when that is taken.
                dashboard_address="127.0.0.1:0",
            )
            client = Client(cluster)
            where = f"a local cluster of {local_workers} worker processes"
        else:
            client = Client(address, timeout=CONNECT_TIMEOUT_S)
            where = address
    except Exception as error:  # OSError, TimeoutError, ValueError for a bad address...
        if cluster is not None:
            cluster.close()
        why = str(error) or type(error).__name__  # some of distributed's errors say nothing
        raise DaskUnavailable(f"cannot reach a dask cluster at {address}: {why}") from error

    def close() -> None:
        client.close()
        if cluster is not None:
            cluster.close()

    log.info("dask mode: %s", where)
    return DaskMode(
        name, client, description=f"dask.distributed on {where}", on_shutdown=close, cancel_grace_s=cancel_grace_s
    )


class _Run:
    """What the mode knows of one of its tasks that has not ended."""

    __slots__ = (
        "future",
        "worker",
        "flags",
        "number",
        "spread",
        "reason",
        "cancelling",
        "received",
        "held",
        "gathering",
        "context",
    )

    def __init__(self, flags: int, context: TaskContext) -> None:
        self.future: Any | None = None  # its distributed.Future
        self.worker: str | None = None  # where it runs, once its first message has come
        self.flags = flags  # its controls, as last sent
        self.number = 0  # of its last control
        self.spread = False  # a control went to every worker: they forget it once the task ends
        self.reason = CancelReason.CANCELLED
        self.cancelling = False
        self.received = 0  # messages from it so far
        self.held: DaskEnding | None = None  # its ending, while messages it sent before are on their way
        self.gathering = False  # its result is on its way: its future is no longer cancelled
        self.context = context  # its lifecycle here: started once (dask may run it again elsewhere), ended once


class _Calls:
    """The one thread that waits on the cluster for a dask mode, so that no other thread does.

    It runs the calls it is given in order, each once its delay (if any) has
    passed. Nothing it runs may raise: a failure is logged, and the next goes on.
    """

    def __init__(self, name: str) -> None:
        self._name = name
        self._cond = threading.Condition()
        self._due: list[tuple[float, int, Callable[[], None]]] = []  # a heap: when, order, call
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def put(self, call: Callable[[], None], delay_s: float = 0.0) -> None:
        """Run ``call`` on the thread, after ``delay_s`` (any thread)."""
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._due, (time.monotonic() + delay_s, next(self._order), call))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def close(self) -> None:
        """Drop the calls not yet run; the thread ends after the one it runs, if any."""
        with self._cond:
            self._closed = True
            self._due.clear()
            self._cond.notify()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._closed:
                        return
                    wait: float | None = None
                    if self._due:
                        wait = self._due[0][0] - time.monotonic()
                        if wait <= 0:
                            call = heapq.heappop(self._due)[2]
                            break
                    self._cond.wait(wait)
            try:
                call()
            except Exception as error:  # a worker gone, the client closing...
                log.info("%s: %s: %s", self._name, type(error).__name__, safe_str(error))


class DaskMode(ExecutorMode):
    """A dask.distributed client as a mode whose tasks report, and can be cancelled and paused, as they run.

    A task runs on a worker with a :class:`~offthread.core.context.TaskContext`:
    its first progress report comes at once and the latest one about 30
    times a second after that, and every partial result comes, in order. A
    cancel reaches a running task at its next check point (``task.check()``,
    ``task.progress()``, ``task.sleep()``...), which raises ``TaskCancelled``
    as in a thread; one that does not stop within ``cancel_grace_s`` is
    cancelled on the cluster (``Client.cancel``) and ends at once as
    cancelled, its result dropped. A task that has not started on a worker
    as far as this side knows is withdrawn at once. A pause blocks the task
    at its next check point until it is resumed.

    Partial results travel through the scheduler, which keeps the last events
    of each topic (``distributed.admin.low-level-log-length``, 1,000): keep
    them small. The result itself comes back as any dask result does.

    Tasks go through ``client.submit``, not through :attr:`executor` (the
    client's, kept for code that wants one): the mode keeps each task's dask
    future, to cancel it, and awaits its result on the client's event loop.

    Three threads touch a task's record: the GUI thread (start, cancel,
    pause), the client's event loop (messages from the workers, the results,
    and the calls to the workers: controls go out from there, one call per
    worker side by side, each with a time limit, so that a worker that has
    died holds up no other) and the mode's own thread (:class:`_Calls`:
    cancels on the scheduler, deadlines). ``_lock`` guards the records; an
    event is sent under it only while its task's record exists, and the
    ending removes the record under it, so no event follows its task's
    ending. No thread waits on the cluster while it holds the lock.
    """

    can_pause = True

    def __init__(
        self,
        name: str,
        client: Any,
        *,
        description: str = "",
        on_shutdown: Callable[[], None] | None = None,
        cancel_grace_s: float = CANCEL_GRACE_S,
    ) -> None:
        super().__init__(
            name,
            client.get_executor(),
            description=description or "dask.distributed",
            on_shutdown=functools.partial(self._close_cluster_side, on_shutdown),
        )
        self.client = client
        self.cancel_grace_s = cancel_grace_s
        #: The worker events topic that this mode's tasks report on.
        self.topic = f"offthread-{uuid.uuid4().hex}"
        self._lock = threading.RLock()
        self._ended = threading.Condition(self._lock)  # notified as tasks end
        self._runs: dict[int, _Run] = {}
        self._calls = _Calls(f"offthread-{name}-calls")
        # Calls to the workers, waiting to go out from the client's loop: (the
        # workers, None for every one; the changes, or the ids to forget; keep).
        self._outgoing: list[tuple[list[str] | None, list[Any], bool | None]] = []
        self._sending = False
        # Before any task is submitted: the subscription and the tasks go to
        # the scheduler on the same stream, in that order.
        client.subscribe_topic(self.topic, self._on_message)

    # -- what the manager calls (GUI thread) --------------------------------------

    def start(self, handle: TaskHandle, call: Call) -> None:
        fn, args, kwargs = call
        run = _Run(flags_for(handle.context.cancel_reason, handle.context.pause_requested), handle.context)
        with self._lock:
            self._runs[handle.id] = run  # before submit: its first message may come before submit returns
        try:
            # Not pure: a key of its own, and nothing hashes the arguments on the GUI thread.
            key = f"{handle.name}-{uuid.uuid4().hex}"
            future = self.client.submit(
                run_on_dask, self.topic, handle.id, run.flags, fn, args, kwargs, key=key, priority=handle.priority
            )
        except BaseException:
            with self._lock:
                self._runs.pop(handle.id, None)
            raise
        with self._lock:
            run.future = future
        future.add_done_callback(functools.partial(self._future_done, handle.id))

    def cancel(self, handle: TaskHandle) -> None:
        reason = handle.context.cancel_reason or CancelReason.CANCELLED
        flags = flags_for(reason, handle.context.pause_requested)
        with self._lock:
            run = self._runs.get(handle.id)
            if run is None or run.cancelling:
                return
            run.cancelling = True
            run.reason = reason
            run.flags = flags
            worker = run.worker
            run.number += 1
            change = (handle.id, run.number, flags)
        if worker is None:  # not started on a worker, as far as we know: withdrawn now
            self._drop(self._end_run(handle.id, Event.CANCELLED, reason))
            return
        self._control([worker], [change])
        self._calls.put(functools.partial(self._give_up, handle.id), self.cancel_grace_s)

    def pause(self, handle: TaskHandle, paused: bool) -> None:
        flags = flags_for(handle.context.cancel_reason, handle.context.pause_requested)
        with self._lock:
            run = self._runs.get(handle.id)
            if run is None or run.flags == flags:
                return
            run.flags = flags
            run.number += 1
            change = (handle.id, run.number, flags)
            # Before its first message, the task may start on any worker: each
            # keeps the control until it runs the task (or is told to forget it).
            workers = None if run.worker is None else [run.worker]
            run.spread = run.spread or workers is None
        self._control(workers, [change])

    def shutdown(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout_s)
        with self._lock:
            # The manager has cancelled every task: the running ones get their
            # grace to end as they would, within the time given.
            settle = min(deadline, time.monotonic() + self.cancel_grace_s)
            while self._runs:
                left = settle - time.monotonic()
                if left <= 0:
                    break
                self._ended.wait(left)
            remaining = [(task_id, run.reason) for task_id, run in self._runs.items()]
        for task_id, reason in remaining:
            self._end_run(task_id, Event.CANCELLED, reason)
        self._calls.close()
        self._close_within(deadline - time.monotonic())
        return True

    # -- the client's event loop -----------------------------------------------------

    def _on_message(self, event: tuple[float, Any]) -> None:
        """A message from one of the mode's tasks (on the client's event loop: it must not raise)."""
        try:
            task_id, _number, kind, body = daskremote.unpack(event[1])
        except Exception:
            log.info("the %s mode's topic carried a message that is not one of its tasks'", self.name)
            return
        with self._lock:
            run = self._runs.get(task_id)
            if run is not None:
                self._take(task_id, run, kind, body)
                return
        if kind == HELLO:
            # It ended here (withdrawn as it started there, say): stop it there too.
            self._control([body.decode()], [(task_id, _LAST_WORD, int(Flag.CANCEL))], keep=False)

    def _take(self, task_id: int, run: _Run, kind: Kind, body: bytes) -> None:
        """Deliver a message of a task that has not ended (lock held)."""
        run.received += 1
        if kind == HELLO:  # it has started on a worker: it runs from now on (its timeout too)
            run.worker = body.decode()
            again = not run.context.try_start()  # dask runs it again, its worker gone
            if again:
                run.received = 1  # its messages count anew
            else:
                self.send(Event.STARTED, task_id)
            # Controls sent to every worker may have come too late there; and
            # one kept there from before may be stale (a pause since resumed).
            if run.flags or again:
                run.number += 1
                self._control([run.worker], [(task_id, run.number, run.flags)])
        elif kind in (Kind.PAUSED, Kind.RESUMED):
            self.send(EVENT_OF[kind], task_id)
        elif kind in (Kind.PROGRESS, Kind.PARTIAL):
            try:
                value = pickle.loads(body)
            except BaseException as error:
                what = "a partial result" if kind == Kind.PARTIAL else "a progress report"
                problem = TypeError(
                    f"{what} cannot be rebuilt in the GUI process: {type(error).__name__}: {safe_str(error)}"
                )
                self._fail(task_id, run, TaskError.from_exception(problem))
                return
            self.send(EVENT_OF[kind], task_id, value)
        held = run.held
        if held is not None and run.received >= held[2]:
            self._end_run(task_id, held[0], *held[1])

    async def _gather(self, task_id: int, future: Any) -> None:
        """Fetch the task's result and end it as it says. It must not raise: it runs on the client's loop."""
        try:
            ending, payload, sent = await self.client.gather(future, asynchronous=True)
        except BaseException as error:  # its worker died, the client closes...
            self._failed(task_id, error)
            return
        with self._lock:
            run = self._runs.get(task_id)
            if run is None:
                return
            if run.received < sent:
                run.held = (ending, payload, sent)
                self._calls.put(functools.partial(self._release, task_id), ENDING_WAIT_S)
                return
        self._end_run(task_id, ending, *payload)

    # -- calls to the workers (queued by any thread, sent from the client's loop) -------

    def _control(self, workers: list[str] | None, changes: list[tuple[int, int, int]], keep: bool = True) -> None:
        """Send controls to ``workers`` (None: every worker); they keep those for tasks not
        running there if ``keep``. Returns at once (any thread)."""
        self._queue_call(workers, changes, keep)

    def _forget(self, task_ids: list[int]) -> None:
        """Every worker drops the controls it keeps for these tasks, which have ended."""
        self._queue_call(None, task_ids, None)

    def _queue_call(self, workers: list[str] | None, items: list[Any], keep: bool | None) -> None:
        with self._lock:
            self._outgoing.append((workers, items, keep))
            if self._sending:
                return
            self._sending = True
        try:
            self.client.loop.add_callback(self._send_out)
        except RuntimeError:  # the client's loop has closed: nothing can reach the workers now
            with self._lock:
                self._outgoing.clear()
                self._sending = False

    async def _send_out(self) -> None:
        """Send the queued calls, one per worker, side by side (the client's loop: it must not raise).

        A call to a worker that has left the cluster is not made: the
        scheduler would try to reach it for 30 s, and log an error. A task
        that ran there is as if not started anywhere (dask runs it again, or
        fails it), so its controls go to every worker, which keep them.
        """
        with self._lock:
            batch, self._outgoing = self._outgoing, []
            self._sending = False
        try:
            living = set(await asyncio.wait_for(self.client.scheduler.ncores(), CONTROL_TIMEOUT_S))
        except Exception as error:  # the scheduler is gone, or the client closes
            log.info("the %s mode cannot reach the scheduler: %s", self.name, _describe(error))
            return
        controls: dict[tuple[str, bool], list[tuple[int, int, int]]] = {}
        forgets: dict[str, list[int]] = {}
        lost: set[str] = set()
        for workers, items, keep in batch:
            if workers is not None:
                lost.update(w for w in workers if w not in living)
            for worker in living if workers is None else [w for w in workers if w in living]:
                if keep is None:
                    forgets.setdefault(worker, []).extend(items)
                else:
                    controls.setdefault((worker, keep), []).extend(items)
        if lost:
            self._workers_lost(lost)
        calls = [self._call(w, daskremote.control, self.topic, c, keep) for (w, keep), c in controls.items()]
        calls += [self._call(w, daskremote.forget, self.topic, ids) for w, ids in forgets.items()]
        await asyncio.gather(*calls)

    async def _call(self, worker: str, fn: Callable[..., None], *args: Any) -> None:
        try:
            await self.client.run(fn, *args, workers=[worker], asynchronous=True, callback_timeout=CONTROL_TIMEOUT_S)
        except Exception as error:  # it left meanwhile, or does not answer
            log.info("the %s mode could not reach worker %s: %s", self.name, worker, _describe(error))

    def _workers_lost(self, lost: set[str]) -> None:
        """Workers that ran some of the mode's tasks have left: those tasks' controls go to every worker."""
        changes = []
        with self._lock:
            for task_id, run in self._runs.items():
                if run.worker in lost:
                    run.worker = None
                    run.spread = True
                    run.number += 1
                    changes.append((task_id, run.number, run.flags))
        if changes:
            self._control(None, changes)

    # -- the mode's own thread ---------------------------------------------------------

    def _cancel_futures(self, futures: list[Any]) -> None:
        """dask withdraws these tasks, or forgets their results (``Client.cancel``)."""
        self.client.cancel(futures)

    def _give_up(self, task_id: int) -> None:
        """The task has not stopped within its grace since its cancel: drop it."""
        with self._lock:
            run = self._runs.get(task_id)
            if run is None:
                return
            reason = run.reason
        log.info(
            "task %d did not stop within %.1f s of its cancel: dask cancels it, and drops its result",
            task_id,
            self.cancel_grace_s,
        )
        self._drop(self._end_run(task_id, Event.CANCELLED, reason))

    def _release(self, task_id: int) -> None:
        """The task's ending waited long enough for its last messages: end it without them."""
        with self._lock:
            run = self._runs.get(task_id)
            if run is None or run.held is None:
                return
            ending, payload, sent = run.held
            log.info("task %d ended, but %d of its %d messages never came", task_id, sent - run.received, sent)
            self._end_run(task_id, ending, *payload)

    # -- internals -------------------------------------------------------------------------

    def _end_run(self, task_id: int, ending: Event, *args: Any) -> _Run | None:
        """End a task once: later calls for the same task do nothing. Any thread.

        Returns the task's record if this call ended it, else None.
        """
        with self._lock:
            run = self._runs.pop(task_id, None)
            if run is None:
                return None
            self.end(run.context, ending, *args)
            self._ended.notify_all()
        if run.spread:
            self._forget([task_id])
        return run

    def _drop(self, run: _Run | None) -> None:
        """Cancel the future of a task that this side has ended, unless its result is on its way.

        Cancelling a future while its result is fetched makes dask log errors
        (the key is forgotten under the fetch); the task has ended there anyway.
        """
        if run is not None and run.future is not None and not run.gathering:
            self._calls.put(functools.partial(self._cancel_futures, [run.future]))

    def _future_done(self, task_id: int, future: Any) -> None:
        """The task's future is done (on dask's callback thread): fetch its result, or end it as it says."""
        with self._lock:
            run = self._runs.get(task_id)
            if run is None:
                return
            run.gathering = future.status == "finished"
        if run.gathering:
            self.client.loop.add_callback(self._gather, task_id, future)
            return
        try:
            error = future.exception() if future.status == "error" else CancelledError()
        except BaseException as problem:  # cancelled meanwhile, or the client closes
            error = problem
        self._failed(task_id, error)

    def _failed(self, task_id: int, error: BaseException) -> None:
        """The task's future failed or was cancelled: it ends cancelled if it was asked to stop, else failed."""
        with self._lock:
            run = self._runs.get(task_id)
            if run is None:
                return
        if run.cancelling or isinstance(error, (CancelledError, asyncio.CancelledError)):
            self._end_run(task_id, Event.CANCELLED, run.reason)
        else:  # its worker died, its result could not be sent...
            self._end_run(task_id, Event.ERROR, TaskError.from_exception(error))

    def _fail(self, task_id: int, run: _Run, error: TaskError) -> None:
        """End a task that cannot go on as failed, and stop it on its worker."""
        self._drop(self._end_run(task_id, Event.ERROR, error))
        if run.worker is not None:
            self._control([run.worker], [(task_id, _LAST_WORD, int(Flag.CANCEL))], keep=False)

    def _close_cluster_side(self, then: Callable[[], None] | None) -> None:
        """Stop what the mode's tasks left running on the workers, then ``then`` (closing the client)."""
        try:
            self.client.sync(self._stop_all, callback_timeout=CONTROL_TIMEOUT_S)
        except Exception as error:  # the cluster is gone already
            log.info("the %s mode could not stop its tasks on the cluster: %s", self.name, _describe(error))
        if then is not None:
            then()

    async def _stop_all(self) -> None:
        """Every living worker cancels the mode's tasks there, side by side."""
        living = await self.client.scheduler.ncores()
        await asyncio.gather(*(self._call(w, daskremote.stop_all, self.topic) for w in living))


def _describe(error: BaseException) -> str:
    return safe_str(error) or type(error).__name__  # some of distributed's errors say nothing
