"""``ExecutorMode``: any ``concurrent.futures.Executor`` as a mode."""

from __future__ import annotations

import functools
import logging
import threading
from concurrent.futures import CancelledError, Executor, Future, ProcessPoolExecutor
from typing import Any, Callable

from ...core.context import TaskContext
from ...core.errors import TaskError
from ...core.remote import Ending, run_detached
from ...core.states import CancelReason, Event
from ..task import TaskHandle
from .base import Call, Mode

log = logging.getLogger(__name__)


class ExecutorMode(Mode):
    """Plugs any ``concurrent.futures.Executor`` in as a mode.

    Such an executor offers no way back while a task runs, so a task reports
    no progress (it goes from 0 to 100 % when it ends) and cannot be paused;
    a queued task is withdrawn by ``Future.cancel()``, and a running one
    that cannot be stopped ends at once as cancelled, its result dropped.
    The function and its arguments travel as the executor sends them (dask
    uses cloudpickle, so a lambda works there). A task shows as running from
    the moment it is handed over, since the executor does not say when it starts.

    A task can end by several routes at once (its future's end, a cancel, the
    shutdown); whichever claims its lifecycle's ending first sends it, and
    the others send nothing (see :mod:`offthread.core.lifecycle`).

    dask.distributed has channels of its own to reach a running task:
    :class:`offthread.engine.dask.DaskMode` uses them, and its tasks report
    progress and can be cancelled and paused as they run.
    """

    can_pause = False

    def __init__(
        self,
        name: str,
        executor: Executor,
        *,
        description: str = "",
        on_shutdown: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.name = name
        self.description = description or f"Tasks go to {type(executor).__name__}"
        self.executor = executor
        # Any executor but a pool of processes may run its tasks' Python in this process (a pool of threads,
        # most often): set it False for one whose tasks run elsewhere (a dask client).
        self.shares_gil = not isinstance(executor, ProcessPoolExecutor)
        self._on_shutdown = on_shutdown
        self._futures: dict[int, Future[Ending]] = {}  # tasks not yet ended
        self._reasons: dict[int, CancelReason] = {}  # why a task was cancelled
        self._contexts: dict[int, TaskContext] = {}  # whose lifecycle ends each task once

    def start(self, handle: TaskHandle, call: Call) -> None:
        fn, args, kwargs = call
        # An executor that refuses the task raises here; the manager then
        # fails it, and it must not have been said to start.
        future = self.executor.submit(run_detached, handle.id, fn, args, kwargs)
        self._futures[handle.id] = future
        self._contexts[handle.id] = handle.context
        if handle.context.try_start():
            self.send(Event.STARTED, handle.id)
        # Only now: the future may be done already, and then its ending is sent
        # at once, from here, after started.
        future.add_done_callback(functools.partial(self._future_done, handle.id))

    def cancel(self, handle: TaskHandle) -> None:
        future = self._futures.get(handle.id)
        if future is None:
            return  # it has ended
        self._reasons[handle.id] = handle.context.cancel_reason or CancelReason.CANCELLED
        if future.cancel() or future.done():  # withdrawn, or its ending is on its way
            return
        log.info("task %d is running in %s, which cannot stop it; its result will be dropped", handle.id, self.name)
        self._finish(handle.id, Event.CANCELLED, self._reason(handle.id))

    def shutdown(self, timeout_s: float) -> bool:
        for task_id, future in list(self._futures.items()):
            future.cancel()
            self._finish(task_id, Event.CANCELLED, CancelReason.CANCELLED)
        self._close_within(timeout_s)
        return True

    # -- internals ---------------------------------------------------------------

    def _close_within(self, timeout_s: float) -> None:
        if self._on_shutdown is not None:
            close_within(self.name, self._on_shutdown, timeout_s)

    def _finish(self, task_id: int, ending: Event, *args: Any) -> None:
        """End a task: its lifecycle lets only the first call send an ending. Any thread."""
        context = self._contexts.get(task_id)
        if context is not None and self.end(context, ending, *args):
            self._futures.pop(task_id, None)
            self._reasons.pop(task_id, None)
            self._contexts.pop(task_id, None)

    def _reason(self, task_id: int) -> CancelReason:
        return self._reasons.get(task_id, CancelReason.CANCELLED)

    def _future_done(self, task_id: int, future: Future[Ending]) -> None:
        """Runs on whichever thread completed the future."""
        if task_id not in self._futures:
            return
        if future.cancelled():
            self._finish(task_id, Event.CANCELLED, self._reason(task_id))
            return
        error = future.exception()
        if isinstance(error, CancelledError):  # some executors fail a cancelled task instead
            self._finish(task_id, Event.CANCELLED, self._reason(task_id))
        elif error is not None:
            self._finish(task_id, Event.ERROR, TaskError.from_exception(error))
        else:
            ending, payload = future.result()
            self._finish(task_id, ending, *payload)


def close_within(name: str, close: Callable[[], None], timeout_s: float) -> None:
    """Call ``close`` (a mode's ``on_shutdown``), waiting for it at most ``timeout_s``.

    On a thread of its own, so that the bound holds: closing may wait for a
    task that cannot be stopped, or for a cluster far away.
    """

    def run() -> None:
        try:
            close()
        except Exception:  # closing a remote client must not stop the app's exit
            log.warning("closing the %s executor failed", name, exc_info=True)

    closer = threading.Thread(target=run, name=f"offthread-close-{name}", daemon=True)
    closer.start()
    closer.join(max(0.0, timeout_s))
    if closer.is_alive():
        log.warning("closing the %s executor did not end within %.1f s; it goes on without us", name, timeout_s)
