"""Calls made from any thread, run on the one thread that owns an object (the GUI thread)."""

from __future__ import annotations

import collections
import functools
import logging
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable, TypeVar

from .qt.QtCore import QObject
from .wakeup import Turns, Wakeup

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class OwnerThreadCalls(QObject):
    """Runs calls on the thread this object was made on, in the order they were posted.

    A call posted from another thread is queued and the owner thread is woken
    once for the whole batch, as :class:`~offthread.engine.signals.WorkerSignals` does
    for task events. The owner's state (task tables, the model, Qt timers) is
    then only ever touched by its own thread: touched from a pool thread it
    would race the GUI thread, and Qt refuses to start timers there.
    """

    def __init__(self, parent: QObject | None = None, turns: Turns | None = None) -> None:
        super().__init__(parent)
        self._owner = threading.get_ident()
        self._queue: collections.deque[tuple[Callable[..., Any], tuple[Any, ...]]] = collections.deque()
        self._wakeup = Wakeup(self._run, self, turns)

    def here(self) -> bool:
        """Whether the caller runs on the owner thread."""
        return threading.get_ident() == self._owner

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the owner thread soon. Callable from any thread."""
        self._queue.append((fn, args))
        self._wakeup.request()  # as in WorkerSignals.send: at worst one extra wake, never a lost call

    def _run(self) -> None:
        self._wakeup.pending = False
        queue = self._queue
        # 10,000 submits from a worker thread run over several turns (a turn's
        # budget: wakeup.TURN_BUDGET_S), and the window repaints between them.
        deadline = self._wakeup.deadline
        while queue:
            fn, args = queue.popleft()
            try:
                fn(*args)
            except Exception:  # it was called from elsewhere: nobody there can catch it now
                log.exception("%s, called from another thread, failed", getattr(fn, "__qualname__", fn))
            if queue and time.perf_counter() > deadline:  # the rest in a later pass: paints come between
                self._wakeup.again()
                return


def on_owner_thread(method: F) -> F:
    """Make a method of an object with a ``_calls`` (:class:`OwnerThreadCalls`) safe from any thread.

    On the owner thread it runs at once, and returns or raises as it does.
    From another thread it is posted there, and returns at once an
    :class:`OwnerCall`: a ``concurrent.futures.Future`` of its outcome, so
    that a mistake made from a worker thread (a mode's name already taken)
    reaches the caller who asks. One that nobody asks about is logged when
    the future is dropped, as asyncio does.
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self._calls.here():
            return method(self, *args, **kwargs)
        future = OwnerCall()
        self._calls.post(_PostedCall(future, method, (self, *args), kwargs).run)
        return future

    return wrapper  # type: ignore[return-value]


class OwnerCall(Future):  # type: ignore[type-arg]  # Future[T] is no class on Python 3.8
    """The outcome of a call made from another thread, once the owner thread has run it."""

    _asked = False  # result(), exception() or a callback: someone will see a failure

    def result(self, timeout: float | None = None) -> Any:
        self._asked = True
        return super().result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._asked = True
        return super().exception(timeout)

    def add_done_callback(self, fn: Callable[[Future], object]) -> None:  # type: ignore[type-arg]
        self._asked = True
        super().add_done_callback(fn)

    def __del__(self) -> None:
        if not self._asked and self.done() and not self.cancelled():
            error = super().exception(0)
            if error is not None:
                log.error("a call from another thread failed, and nobody asked", exc_info=error)


class _PostedCall:
    """A call posted to the owner thread, and its future.

    It lets go of its parts as it runs. A failure's traceback holds the
    frames it went through, and those hold whatever posted the call: were
    the future still among their locals, future -> error -> frames ->
    future would be a cycle, and the future (with its log line, if nobody
    asked) would wait for the cycle collector, on whatever thread it runs.
    """

    def __init__(self, future: OwnerCall, method: Callable[..., Any], args: tuple[Any, ...], kwargs: Any) -> None:
        self.future: OwnerCall | None = future
        self._call: tuple[Callable[..., Any], tuple[Any, ...], Any] | None = (method, args, kwargs)

    def run(self) -> None:
        future, self.future = self.future, None
        call, self._call = self._call, None
        assert future is not None and call is not None  # run once
        if not future.set_running_or_notify_cancel():
            return  # cancelled while it waited: it never runs
        method, args, kwargs = call
        try:
            result = method(*args, **kwargs)
        except Exception as error:  # the caller's, through the future
            future.set_exception(error)
            del future  # this frame is in the traceback: it must not hold the future
        else:
            future.set_result(result)
