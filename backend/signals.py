"""The one signals object that carries every task's events to the GUI thread, in batches."""
from __future__ import annotations

import collections
import time
from typing import Any, Callable, Deque, Dict, Mapping, Optional, Tuple

from PySide2.QtCore import QObject, Qt, Signal, Slot

# Longest time one delivery pass may hold the GUI thread; a larger backlog is
# delivered over several passes, so paints and timers get their turn between.
DELIVERY_BUDGET_S = 0.008


class WorkerSignals(QObject):
    """Signals of all workers of one backend, each keyed by task id.

    A QRunnable is not a QObject, so it cannot have signals of its own. The
    tutorial gives every worker its own signals object; that object is then
    destroyed on a pool thread along with its runnable, which crashes PySide2,
    and each task costs a new set of connections. Here one object, created on
    the GUI thread and owned by the backend, serves every task, and outlives
    every worker that reports to it.

    Workers do not emit these signals: they call :meth:`send`, which only
    appends to a queue (thread-safe, a few hundred nanoseconds). The first
    ``send`` after a delivery wakes the GUI thread once; it then delivers every
    queued event there. A burst of events from many threads costs one
    cross-thread wake instead of one queued call each.

    Delivery first calls the owner's ``handlers`` (plain Python calls: the
    owner's bookkeeping is the hot path), then emits the Qt signal, but only
    if something is connected to it: an emit costs microseconds even unheard.

    Per task, ``started`` comes first (unless the task was cancelled before it
    started), then any ``progress``, then exactly one of ``result``, ``error``
    or ``cancelled``, and ``finished`` always comes last.
    """

    started = Signal(int)  # task id
    progress = Signal(int, float)  # task id, percent done in [0, 100]
    result = Signal(int, object)  # task id, the function's return value
    error = Signal(int, object)  # task id, a TaskError
    cancelled = Signal(int)  # task id; the task stopped on request
    finished = Signal(int)  # task id; always the last signal of a task

    _wake = Signal()  # queued to this object's (the GUI) thread

    NAMES = ("started", "progress", "result", "error", "cancelled", "finished")

    def __init__(
        self,
        parent: Optional[QObject] = None,
        handlers: Optional[Mapping[str, Callable[..., None]]] = None,
    ) -> None:
        super().__init__(parent)
        unknown = set(handlers or ()) - set(self.NAMES)
        if unknown:
            raise ValueError(f"no such signal: {', '.join(sorted(unknown))}")
        self._handlers: Dict[str, Callable[..., None]] = dict(handlers or {})
        meta = type(self).staticMetaObject  # self.metaObject() can return a stale wrapper in PySide2
        self._methods = {}
        for index in range(meta.methodOffset(), meta.methodCount()):
            method = meta.method(index)
            name = bytes(method.name()).decode()
            if name in self.NAMES:
                self._methods[name] = method
        self._queue: Deque[Tuple[str, Tuple[Any, ...]]] = collections.deque()
        self._wake_pending = False
        self._closed = False
        self._wake.connect(self._deliver, Qt.QueuedConnection)

    def send(self, name: str, *args: Any) -> None:
        """Emit signal ``name`` with ``args`` on the GUI thread, soon. Callable from any thread.

        Events from one thread are emitted in the order they were sent.
        """
        if self._closed:
            return
        self._queue.append((name, args))
        # Read-then-set is not atomic, but the worst case is one extra wake,
        # never a lost event: delivery clears the flag before it drains.
        if not self._wake_pending:
            self._wake_pending = True
            self._wake.emit()

    def flush(self) -> None:
        """Emit everything sent so far, now, with no time budget (GUI thread only)."""
        self._wake_pending = False
        self._drain(deadline=None)

    def close(self) -> None:
        """Drop events sent from now on: nobody is listening any more."""
        self._closed = True

    @Slot()
    def _deliver(self) -> None:
        self._wake_pending = False
        if not self._drain(deadline=time.perf_counter() + DELIVERY_BUDGET_S):
            self._wake_pending = True
            self._wake.emit()  # the rest in a later pass

    def _drain(self, deadline) -> bool:
        """Emit queued events until the queue is empty (True) or ``deadline`` passes (False)."""
        queue, handlers, methods = self._queue, self._handlers, self._methods
        signals = {name: getattr(self, name) for name in self.NAMES}
        while queue:
            name, args = queue.popleft()
            handler = handlers.get(name)
            if handler is not None:
                handler(*args)
            if self.isSignalConnected(methods[name]):
                signals[name].emit(*args)
            if deadline is not None and time.perf_counter() > deadline:
                return not queue
        return True
