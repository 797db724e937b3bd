"""``asyncio`` mode: ``async def`` tasks on one event loop, on a thread of the backend's own."""

from __future__ import annotations

import collections
import functools
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Tuple

from ...core.call import with_context
from ...core.context import TaskContext
from ...core.coroutines import AsyncContext, is_async_callable, run_coroutine
from ...core.sink import end_task
from ...core.states import CancelReason, Event
from ..task import TaskHandle
from .base import Call, Mode

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)

# What the loop is handed: a task's id, its context, and its call (kwargs with the context).
_Start = Tuple[int, AsyncContext, Call]


class AsyncioMode(Mode):
    """Runs ``async def`` functions (and async generators) as tasks, all on one asyncio loop.

    The loop runs on a thread of its own, never on the GUI thread: a long
    step between two awaits delays the other coroutines, never the window.
    The thread starts with the first task (it imports asyncio, an import
    that the app's start-up does not pay for) and the loop is closed by
    :meth:`shutdown`. Tasks start as soon as they are submitted: a thousand
    tasks waiting on I/O wait together, on one thread, where thread mode
    runs as many at once as it has threads.

    Submitting costs a deque append on the submitting thread; the loop is
    woken once for all the tasks submitted before it gets to them. Every
    asyncio object is touched on the loop's thread only; other threads
    reach it through ``call_soon_threadsafe``.
    """

    name = "asyncio"
    description = "An asyncio event loop on a thread of its own: for async def tasks, thousands can wait at once"
    runs_coroutines = True
    shares_gil = True  # its loop's thread runs them

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()  # guards starting and closing the loop
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()  # set once _loop is published
        self._loop: asyncio.AbstractEventLoop | None = None
        self._incoming: collections.deque[_Start] = collections.deque()
        self._wake_scheduled = False
        self._running: dict[int, asyncio.Task[None]] = {}  # the loop thread's own
        self._closed = False

    def make_context(self, task_id: int) -> TaskContext:
        return AsyncContext(task_id, self.sink)

    def start(self, handle: TaskHandle, call: Call) -> None:
        fn, args, kwargs = call
        if not is_async_callable(fn):
            name = getattr(fn, "__qualname__", type(fn).__name__)
            raise TypeError(
                f"asyncio mode runs async def functions, and {name} is not one: "
                'submit it with mode="thread" (or "process"), or make it async def'
            )
        context = handle.context
        assert isinstance(context, AsyncContext), "make_context() made it"
        self._start_thread()
        self._incoming.append((handle.id, context, (fn, args, with_context(fn, kwargs, context))))
        # Before the loop is published, the thread takes every task queued by
        # then as it starts (it publishes the loop first, then looks).
        loop = self._loop
        if loop is not None and not self._wake_scheduled:
            self._wake_scheduled = True
            loop.call_soon_threadsafe(self._take_incoming)

    def cancel(self, handle: TaskHandle) -> None:
        # A task the loop has not reached yet sees the request recorded on its
        # context and ends at once, cancelled, without running a line.
        self._on_loop(self._cancel_on_loop, handle.id)

    def shutdown(self, timeout_s: float) -> bool:
        """Wait for the cancelled tasks to end (their ``finally`` blocks run), then close the loop."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is None:
            return True
        deadline = time.monotonic() + max(0.0, timeout_s)
        ended = threading.Event()
        if self._ready.wait(max(0.0, deadline - time.monotonic())):
            self._on_loop(self._stop_when_all_ended, ended)
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            log.warning("the asyncio loop is still busy after %.1f s; it goes on without us", timeout_s)
            return False
        return ended.is_set()

    # -- the loop's thread -------------------------------------------------------

    def _start_thread(self) -> None:
        with self._lock:
            if self._closed:
                raise RuntimeError("asyncio mode is shut down and takes no new work")
            if self._thread is None:
                self._thread = threading.Thread(target=self._run_loop, name="offthread-asyncio", daemon=True)
                self._thread.start()

    def _run_loop(self) -> None:
        import asyncio

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        self._ready.set()
        loop.call_soon(self._take_incoming)
        try:
            loop.run_forever()
        finally:
            try:
                # What the tasks started and left behind ends as asyncio.run
                # ends it: cancelled, and awaited, so that nothing is
                # "destroyed but pending" when the loop closes.
                leftovers = asyncio.all_tasks(loop)
                for leftover in leftovers:
                    leftover.cancel()
                loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    def _on_loop(self, callback: Callable[..., None], *args: Any) -> None:
        """Run ``callback(*args)`` on the loop's thread soon, if the loop runs (any thread)."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(callback, *args)
            except RuntimeError:  # closed in between
                pass

    def _take_incoming(self) -> None:
        """Start every task submitted so far (loop thread)."""
        import asyncio

        self._wake_scheduled = False  # first: a task submitted from now on wakes the loop again
        loop = asyncio.get_running_loop()
        while self._incoming:
            task_id, context, (fn, args, kwargs) = self._incoming.popleft()
            task = loop.create_task(run_coroutine(task_id, self.sink, context, fn, args, kwargs))
            self._running[task_id] = task
            task.add_done_callback(functools.partial(self._task_done, task_id, context))

    def _task_done(self, task_id: int, context: AsyncContext, task: asyncio.Task[None]) -> None:
        del self._running[task_id]
        if task.cancelled():
            # Cancelled before its first step: run_coroutine never ran, so
            # nothing was sent. It ends here, as one cancelled while queued.
            end_task(
                self.signals.send, context, task_id, Event.CANCELLED, context.cancel_reason or CancelReason.CANCELLED
            )

    def _cancel_on_loop(self, task_id: int) -> None:
        task = self._running.get(task_id)
        if task is not None:
            task.cancel()

    def _stop_when_all_ended(self, ended: threading.Event) -> None:
        import asyncio

        self._take_incoming()  # any still on their way end at once: they were cancelled
        running = list(self._running.values())
        loop = asyncio.get_running_loop()

        def stop(*_: object) -> None:
            ended.set()
            loop.stop()

        if running:
            asyncio.ensure_future(asyncio.wait(running)).add_done_callback(stop)
        else:
            stop()
