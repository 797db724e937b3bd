"""Running an ``async def`` task: its context and its runner (asyncio mode's Qt-free part).

A coroutine task runs on an asyncio event loop shared with many others, so
nothing here may block that loop's thread:

- reporting (``progress``, ``partial``, ``track``) is the same as in a
  thread, and a plain check point still raises once the task is cancelled;
- pausing happens only at *awaitable* check points (``await
  task.check_async()``, ``await task.sleep_async(s)``, ``async for`` over
  ``task.track``): a paused task awaits there, and the loop runs the others;
- cancel reaches the coroutine at once, as ``asyncio.CancelledError`` at
  whatever it awaits, so its ``finally`` blocks run; the task ends
  ``cancelled`` (or ``timed out``).

``asyncio`` is imported where it is used, on the loop's thread: a costly
import, which the app's start-up does not pay for a mode it may never use.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, AsyncGenerator, Callable

from .call import apply_yielded, close_task, ended_before_start, ending_for
from .context import TaskCancelled, TaskContext
from .sink import EventSink
from .states import CancelReason, Event

if TYPE_CHECKING:
    import asyncio


def is_async_callable(fn: Callable[..., Any]) -> bool:
    """Whether calling ``fn`` makes a coroutine or an async generator (checked without calling it)."""
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        return True
    call = inspect.getattr_static(type(fn), "__call__", None)  # an object with an async __call__
    return call is not None and (inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call))


class AsyncContext(TaskContext):
    """The :class:`TaskContext` of a coroutine task, with awaitable check points."""

    __slots__ = ("_async_wake",)

    def __init__(self, task_id: int, signals: EventSink) -> None:
        super().__init__(task_id, signals)
        # While paused: the loop the task awaits on and what wakes it.
        self._async_wake: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

    async def check_async(self) -> None:
        """An awaitable check point: raise :class:`TaskCancelled` if cancelled; await while paused."""
        if self._attention:
            self._attend()
        if self._pause_requested and not self._ended:
            await self._pause_async()

    async def sleep_async(self, seconds: float) -> None:
        """``asyncio.sleep(seconds)``, then a check point; a cancel ends it at once."""
        import asyncio

        await asyncio.sleep(seconds)
        await self.check_async()

    def sleep(self, seconds: float) -> None:
        raise TypeError("a coroutine task must not block the event loop it shares: use await task.sleep_async(seconds)")

    # -- the slow path, without blocking ---------------------------------------

    def _wait_while_paused(self) -> None:
        # A plain check point cannot block here: it would stop every task on
        # the loop. It keeps the slow path, so the next awaitable one pauses.
        self._ask_attention()

    async def _pause_async(self) -> None:
        import asyncio

        self._signals.paused(self.task_id)
        wake = asyncio.Event()
        self._async_wake = (asyncio.get_running_loop(), wake)  # published before the fields are read
        try:
            while True:
                wake.clear()
                if self._cancel_reason is not None:
                    raise TaskCancelled(self._cancel_reason)
                if not self._pause_requested or self._ended:  # ended: a coroutine left paused goes on, unheard
                    break
                await wake.wait()
        finally:
            self._async_wake = None
        if not self._ended:
            self._signals.resumed(self.task_id)

    def _wake_waiters(self) -> None:
        super()._wake_waiters()
        waiting = self._async_wake
        if waiting is not None:
            loop, wake = waiting
            try:
                loop.call_soon_threadsafe(wake.set)
            except RuntimeError:  # the loop is closed: nothing waits on it any more
                pass


async def run_coroutine(
    task_id: int,
    signals: EventSink,
    context: AsyncContext,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """Await ``fn(*args, **kwargs)`` as task ``task_id``; its events go to ``signals``.

    The async twin of :func:`~offthread.core.call.run_call`, with the same
    order of events. An async generator is driven like a generator task:
    each yield is progress or a partial result (it returns nothing, so the
    task's result is None).
    """
    import asyncio

    # Claimed here (or withdrawn first); one cancelled before the loop reached it ends at once.
    if not context.try_claim() or ended_before_start(task_id, signals, context):
        return
    signals.watch(context)
    ending: tuple[Any, ...] | None = None
    try:
        signals.started(task_id)
        try:
            value = fn(*args, **kwargs)
            if inspect.isasyncgen(value):
                await _drive(value, context)
                value = None  # an async generator returns nothing
            elif inspect.isawaitable(value):
                value = await value
            context.send_final_report()
        except asyncio.CancelledError:  # our cancel, a timeout or the shutdown
            ending = ending_for(TaskCancelled(context.cancel_reason or CancelReason.CANCELLED), context)
        except BaseException as exc:
            ending = ending_for(exc, context)
        else:
            ending = (Event.RESULT, value)
    finally:
        close_task(task_id, signals, context, ending)


async def _drive(generator: AsyncGenerator[Any, Any], context: AsyncContext) -> None:
    """Run an async generator task to its end; pause at its yields."""
    try:
        async for item in generator:
            apply_yielded(item, context)
            if context.pause_requested:
                await context.check_async()
    except BaseException:
        await generator.aclose()  # runs its finally blocks
        raise
