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
import logging
import pickle
import sys
import time
import uuid
from concurrent.futures import CancelledError
from typing import Any, Callable

from ..core import daskremote
from ..core.daskremote import HELLO, flags_for, run_on_dask
from ..core.errors import TaskError, safe_str
from ..core.states import CancelReason, Event
from ..core.wire import EVENT_OF, Flag, Kind
from .daskcalls import CONTROL_TIMEOUT_S, BlockingCalls, WorkerCalls, describe
from .daskruns import DaskRun, DaskRuns
from .modes.base import Call, Mode
from .modes.executor import close_within
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

# The number of the control that stops a task found running after it ended
# here (see final_stop).
FINAL_CONTROL = 1 << 62


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


class DaskMode(Mode):
    """A dask.distributed client as a mode whose tasks report, and can be cancelled and paused, as they run.

    A task runs on a worker with a :class:`~offthread.core.context.TaskContext`:
    its first progress report comes at once and the latest one about 30
    times a second after that, and every partial result comes, in order. A
    cancel reaches a running task at its next check point, which raises
    ``TaskCancelled`` as in a thread; one that does not stop within
    ``cancel_grace_s`` is cancelled on the cluster (``Client.cancel``) and
    ends at once as cancelled, its result dropped. A task that has not
    started on a worker as far as this side knows is withdrawn at once. A
    pause blocks the task at its next check point until it is resumed.

    Partial results travel through the scheduler, which keeps the last events
    of each topic (``distributed.admin.low-level-log-length``, 1,000): keep
    them small. The result itself comes back as any dask result does.

    It is made of :class:`DaskRuns` (the records, and each task's end, once;
    :mod:`.daskruns` draws a record's states), :class:`WorkerCalls` (controls
    to the workers, from the client's event loop) and :class:`BlockingCalls`
    (its own thread, for what waits on the cluster or the clock).
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
        super().__init__()
        self.name = name
        self.description = description or "dask.distributed"
        self.client = client
        #: The client's executor, for code that wants one; tasks go through ``client.submit``,
        #: which gives the mode each task's dask future, to cancel it.
        self.executor = client.get_executor()
        self.cancel_grace_s = cancel_grace_s
        self._on_shutdown = on_shutdown
        #: The worker events topic that this mode's tasks report on.
        self.topic = f"offthread-{uuid.uuid4().hex}"
        self._workers = WorkerCalls(name, client, self.topic, self._workers_lost)
        self._runs = DaskRuns(self.end, self._workers.forget)
        self._blocking = BlockingCalls(f"offthread-{name}-blocking")
        # Before any task is submitted: the subscription and the tasks go to
        # the scheduler on the same stream, in that order.
        client.subscribe_topic(self.topic, self._on_message)

    # -- what the manager calls (GUI thread) --------------------------------------

    def start(self, handle: TaskHandle, call: Call) -> None:
        fn, args, kwargs = call
        run = DaskRun(flags_for(handle.context.cancel_reason, handle.context.pause_requested), handle.context)
        self._runs.add(handle.id, run)  # before submit: its first message may come before submit returns
        try:
            # Not pure: a key of its own, and nothing hashes the arguments on the GUI thread.
            key = f"{handle.name}-{uuid.uuid4().hex}"
            future = self.client.submit(
                run_on_dask, self.topic, handle.id, run.flags, fn, args, kwargs, key=key, priority=handle.priority
            )
        except BaseException:
            self._runs.discard(handle.id)
            raise
        with self._runs.lock:
            run.future = future
        future.add_done_callback(functools.partial(self._future_done, handle.id))

    def cancel(self, handle: TaskHandle) -> None:
        reason = handle.context.cancel_reason or CancelReason.CANCELLED
        with self._runs.lock:
            run = self._runs.get(handle.id)
            if run is None or run.cancelling:
                return
            run.cancelling = True
            run.reason = reason
            worker = run.worker
            change = run.next_control(flags_for(reason, handle.context.pause_requested))
        if worker is None:  # not started on a worker, as far as we know: withdrawn now
            self._drop(self._runs.end(handle.id, Event.CANCELLED, reason))
            return
        self._workers.control([worker], [change])
        self._blocking.put(functools.partial(self._give_up, handle.id), self.cancel_grace_s)

    def pause(self, handle: TaskHandle, paused: bool) -> None:
        flags = flags_for(handle.context.cancel_reason, handle.context.pause_requested)
        with self._runs.lock:
            run = self._runs.get(handle.id)
            if run is None or run.flags == flags:
                return
            change = run.next_control(flags)
            # Before its first message, the task may start on any worker: each
            # keeps the control until it runs the task (or is told to forget it).
            workers = None if run.worker is None else [run.worker]
            run.spread = run.spread or workers is None
        self._workers.control(workers, [change])

    def shutdown(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + max(0.0, timeout_s)
        # The manager has cancelled every task: the running ones get their
        # grace to end as they would, within the time given.
        settle = min(deadline, time.monotonic() + self.cancel_grace_s)
        for task_id, reason in self._runs.wait_until_none(settle):
            self._runs.end(task_id, Event.CANCELLED, reason)
        self._blocking.close()
        close_within(self.name, self._close_cluster_side, deadline - time.monotonic())
        return True

    # -- the client's event loop -----------------------------------------------------

    def _on_message(self, event: tuple[float, Any]) -> None:
        """A message from one of the mode's tasks (on the client's event loop: it must not raise)."""
        try:
            task_id, _number, kind, body = daskremote.unpack(event[1])
        except Exception:
            log.info("the %s mode's topic carried a message that is not one of its tasks'", self.name)
            return
        with self._runs.lock:
            run = self._runs.get(task_id)
            if run is not None:
                self._take(task_id, run, kind, body)
                return
        if kind == HELLO:
            # It ended here (withdrawn as it started there, say): stop it there too.
            self._workers.control([body.decode()], [final_stop(task_id)], keep=False)

    def _take(self, task_id: int, run: DaskRun, kind: Kind, body: bytes) -> None:
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
                self._workers.control([run.worker], [run.next_control(run.flags)])
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
            self._runs.end(task_id, held[0], *held[1])

    async def _gather(self, task_id: int, future: Any) -> None:
        """Fetch the task's result and end it as it says. It must not raise: it runs on the client's loop."""
        try:
            ending, payload, sent = await self.client.gather(future, asynchronous=True)
        except BaseException as error:  # its worker died, the client closes...
            self._failed(task_id, error)
            return
        with self._runs.lock:
            run = self._runs.get(task_id)
            if run is None:
                return
            if run.received < sent:
                run.held = (ending, payload, sent)
                self._blocking.put(functools.partial(self._release, task_id), ENDING_WAIT_S)
                return
        self._runs.end(task_id, ending, *payload)

    def _workers_lost(self, lost: set[str]) -> None:
        """Workers that ran some of the mode's tasks have left: those tasks are as if not started
        anywhere (dask runs them again, or fails them), so their controls go to every worker."""
        changes = []
        with self._runs.lock:
            for _task_id, run in self._runs.items():
                if run.worker in lost:
                    run.worker = None
                    run.spread = True
                    changes.append(run.next_control(run.flags))
        if changes:
            self._workers.control(None, changes)

    # -- deadlines, on the blocking-calls thread -----------------------------------------

    def _give_up(self, task_id: int) -> None:
        """The task has not stopped within its grace since its cancel: drop it."""
        with self._runs.lock:
            run = self._runs.get(task_id)
            if run is None:
                return
            reason = run.reason
        log.info(
            "task %d did not stop within %.1f s of its cancel: dask cancels it, and drops its result",
            task_id,
            self.cancel_grace_s,
        )
        self._drop(self._runs.end(task_id, Event.CANCELLED, reason))

    def _release(self, task_id: int) -> None:
        """The task's ending waited long enough for its last messages: end it without them."""
        with self._runs.lock:
            run = self._runs.get(task_id)
            if run is None or run.held is None:
                return
            ending, payload, sent = run.held
            log.info("task %d ended, but %d of its %d messages never came", task_id, sent - run.received, sent)
            self._runs.end(task_id, ending, *payload)

    # -- endings ---------------------------------------------------------------------------

    def _drop(self, run: DaskRun | None) -> None:
        """Cancel the future of a task that this side has ended, unless its result is on its way.

        Cancelling a future while its result is fetched makes dask log errors
        (the key is forgotten under the fetch); the task has ended there anyway.
        """
        if run is not None and run.future is not None and not run.gathering:
            self._blocking.put(functools.partial(self.client.cancel, [run.future]))

    def _future_done(self, task_id: int, future: Any) -> None:
        """The task's future is done (on dask's callback thread): fetch its result, or end it as it says."""
        with self._runs.lock:
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
        with self._runs.lock:
            run = self._runs.get(task_id)
            if run is None:
                return
        if run.cancelling or isinstance(error, (CancelledError, asyncio.CancelledError)):
            self._runs.end(task_id, Event.CANCELLED, run.reason)
        else:  # its worker died, its result could not be sent...
            self._runs.end(task_id, Event.ERROR, TaskError.from_exception(error))

    def _fail(self, task_id: int, run: DaskRun, error: TaskError) -> None:
        """End a task that cannot go on as failed, and stop it on its worker."""
        self._drop(self._runs.end(task_id, Event.ERROR, error))
        if run.worker is not None:
            self._workers.control([run.worker], [final_stop(task_id)], keep=False)

    def _close_cluster_side(self) -> None:
        """Stop what the mode's tasks left running on the workers, then close the client (``on_shutdown``)."""
        try:
            self.client.sync(self._workers.stop_all, callback_timeout=CONTROL_TIMEOUT_S)
        except Exception as error:  # the cluster is gone already
            log.info("the %s mode could not stop its tasks on the cluster: %s", self.name, describe(error))
        if self._on_shutdown is not None:
            self._on_shutdown()


def final_stop(task_id: int) -> tuple[int, int, int]:
    """The control that stops, on its worker, a task that has ended here.

    Its number is above any other control's, so that the worker never takes
    it for a late one and lets a later control undo it.
    """
    return (task_id, FINAL_CONTROL, int(Flag.CANCEL))
