"""Calls made from any thread, run on the one thread that owns an object (the GUI thread)."""

from __future__ import annotations

import collections
import functools
import logging
import threading
import time
from typing import Any, Callable, Deque, Optional, Tuple, TypeVar

from .qt.QtCore import QObject
from .wakeup import Turns, Wakeup

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class OwnerThreadCalls(QObject):
    """Runs calls on the thread this object was made on, in the order they were posted.

    A call posted from another thread is queued and the owner thread is woken
    once for the whole batch, as :class:`~backend.signals.WorkerSignals` does
    for task events. The owner's state (task tables, the model, Qt timers) is
    then only ever touched by its own thread: touched from a pool thread it
    would race the GUI thread, and Qt refuses to start timers there.
    """

    def __init__(self, parent: Optional[QObject] = None, turns: Optional[Turns] = None) -> None:
        super().__init__(parent)
        self._owner = threading.get_ident()
        self._queue: Deque[Tuple[Callable[..., Any], Tuple[Any, ...]]] = collections.deque()
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

    On the owner thread it runs at once; from another thread it is posted
    there and returns None at once.
    """

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any) -> Any:
        if self._calls.here():
            return method(self, *args)
        self._calls.post(method, self, *args)
        return None

    return wrapper  # type: ignore[return-value]
