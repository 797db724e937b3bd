"""Modes whose tasks run elsewhere and end as a ``concurrent.futures.Future``."""
from __future__ import annotations

import functools
import logging
import threading
from concurrent.futures import CancelledError, Executor, Future
from typing import Any, Callable, Dict, Optional

from ..errors import TaskError
from ..remote import run_detached
from ..task import TaskHandle
from .base import Call, Mode

log = logging.getLogger(__name__)


class FutureMode(Mode):
    """What every future-based mode shares: exactly one ending per task, from any thread.

    A task can end by several routes at once (its own ending, a cancel, its
    process dying); whichever claims it first by removing its future from
    ``_futures`` (atomic) sends the ending, and the others do nothing.
    """

    can_pause = False

    def __init__(self) -> None:
        super().__init__()
        self._futures: Dict[int, Future] = {}  # tasks not yet ended
        self._reasons: Dict[int, str] = {}  # why a task was cancelled

    def finish(self, task_id: int, ending: str, *args: Any) -> None:
        """End a task once: later calls for the same task do nothing. Callable from any thread."""
        if self._futures.pop(task_id, None) is not None:
            self._reasons.pop(task_id, None)
            self.end(task_id, ending, *args)

    def _cancel_requested(self, handle: TaskHandle) -> Optional[Future]:
        """Note why ``handle`` is cancelled; return its future, or None if it has ended."""
        future = self._futures.get(handle.id)
        if future is not None:
            self._reasons[handle.id] = handle.context.cancel_reason or "cancelled"
        return future

    def _track(self, task_id: int, future: Future) -> None:
        self._futures[task_id] = future
        future.add_done_callback(functools.partial(self._future_done, task_id))

    def _future_done(self, task_id: int, future: Future) -> None:
        """Runs on whichever thread completed the future."""
        if task_id not in self._futures:
            return
        if future.cancelled():
            self.finish(task_id, "cancelled", self._reasons.get(task_id, "cancelled"))
            return
        error = future.exception()
        if isinstance(error, CancelledError):  # some executors fail a cancelled task instead
            self.finish(task_id, "cancelled", self._reasons.get(task_id, "cancelled"))
        elif error is not None:
            self.finish(task_id, "error", TaskError.from_exception(self.explain(error)))
        else:
            self.on_result(task_id, future.result())

    def on_result(self, task_id: int, value: Any) -> None:
        """The future's result arrived (any thread)."""
        raise NotImplementedError

    def explain(self, error: BaseException) -> BaseException:
        """The error to show for a future that failed outside the task's own code."""
        return error


class ExecutorMode(FutureMode):
    """Plugs any ``concurrent.futures.Executor`` in as a mode (for instance dask.distributed's).

    Such an executor offers no way back while a task runs, so a task reports
    no progress (it goes from 0 to 100 % when it ends) and cannot be paused;
    a queued task is withdrawn by ``Future.cancel()``, and a running one
    that cannot be stopped ends at once as cancelled, its result dropped.
    The function and its arguments travel as the executor sends them (dask
    uses cloudpickle, so a lambda works there). A task shows as running from
    the moment it is handed over, since the executor does not say when it starts.
    """

    def __init__(
        self,
        name: str,
        executor: Executor,
        *,
        description: str = "",
        on_shutdown: Optional[Callable[[], None]] = None,
    ) -> None:
        super().__init__()
        self.name = name
        self.description = description or f"Tasks go to {type(executor).__name__}"
        self.executor = executor
        self._on_shutdown = on_shutdown

    def start(self, handle: TaskHandle, call: Call) -> None:
        fn, args, kwargs = call
        self.signals.send("started", handle.id)  # first: the future may be done before submit returns
        future = self.executor.submit(run_detached, handle.id, fn, args, kwargs)
        self._track(handle.id, future)

    def cancel(self, handle: TaskHandle) -> None:
        future = self._cancel_requested(handle)
        if future is None or future.cancel() or future.done():  # withdrawn, or its ending is on its way
            return
        log.info("task %d is running in %s, which cannot stop it; its result will be dropped", handle.id, self.name)
        self.finish(handle.id, "cancelled", self._reasons.get(handle.id, "cancelled"))

    def on_result(self, task_id: int, value: Any) -> None:
        ending, args = value
        self.finish(task_id, ending, *args)

    def shutdown(self, timeout_s: float) -> bool:
        for task_id, future in list(self._futures.items()):
            future.cancel()
            self.finish(task_id, "cancelled", "cancelled")
        if self._on_shutdown is None:
            return True
        # On a thread of its own, so that the bound holds: closing may wait
        # for a task that cannot be stopped, or for a cluster far away.
        closer = threading.Thread(target=self._close, name=f"offthread-close-{self.name}", daemon=True)
        closer.start()
        closer.join(max(0.0, timeout_s))
        if closer.is_alive():
            log.warning("closing the %s executor did not end within %.1f s; it goes on without us", self.name, timeout_s)
        return True

    def _close(self) -> None:
        try:
            self._on_shutdown()
        except Exception:  # closing a remote client must not stop the app's exit
            log.warning("closing the %s executor failed", self.name, exc_info=True)
