"""The one signals object that carries every task's events to the GUI thread, in batches."""

from __future__ import annotations

import collections
import inspect
import logging
import threading
import time
import weakref
from typing import Any, Callable, Mapping

from ..core.progress import check_report
from ..core.sink import SAMPLE_INTERVAL_S, Channel
from ..core.states import ENDINGS, Event
from . import qt
from .qt.QtCore import QObject, QTimer, Signal, Slot
from .wakeup import Turns, Wakeup

log = logging.getLogger(__name__)

# How often the GUI thread looks at the latest progress of running tasks.
SAMPLE_INTERVAL_MS = round(SAMPLE_INTERVAL_S * 1000)

# How many of the latest finished tasks delivery remembers, to drop what still
# comes for them. A context ignores reports once its task ended, so only a
# report that raced with the end can come, right behind its finished.
FINISHED_REMEMBERED = 4096


class WorkerSignals(QObject):
    """Signals of all workers of one backend, each keyed by task id.

    One object, made on the GUI thread and owned by the backend, serves every
    task and outlives every worker (the tutorial's object per runnable dies
    on a pool thread, which crashes PySide2). Workers call :meth:`send`,
    which only appends to a queue; the first one after a delivery wakes the
    GUI thread once, and it delivers the batch there, in turns (see
    :class:`Wakeup`). Progress is sampled, not sent, except a task's first and
    last report. Delivery calls the owner's ``handlers`` first (plain calls:
    the hot path), then emits the Qt signal only if something is connected,
    then ``after_delivery``. Handlers that are methods are held weakly: a
    cycle through the owner would be freed by the cyclic collector on any
    thread, and its timers with it (a crash). docs/design.md has the why.

    Per task, ``started`` comes first (unless it was cancelled before it
    started), then any ``progress``, ``partial``, ``paused`` and ``resumed``,
    then exactly one of ``result``, ``error`` or ``cancelled``, and
    ``finished`` always last: an event after it is dropped.
    """

    started = Signal(int)  # task id
    progress = Signal(int, float)  # task id, percent done in [0, 100]
    partial = Signal(int, object)  # task id, a partial result (each one, in order)
    paused = Signal(int)  # task id; the task is blocked at a pause point
    resumed = Signal(int)  # task id; it runs again
    result = Signal(int, object)  # task id, the function's return value
    error = Signal(int, object)  # task id, a TaskError
    cancelled = Signal(int, str)  # task id, why: "cancelled" or "timed out"
    finished = Signal(int)  # task id; always the last signal of a task

    NAMES = tuple(event.value for event in Event)

    def __init__(
        self,
        parent: QObject | None = None,
        handlers: Mapping[str, Callable[..., None]] | None = None,
        after_delivery: Callable[[], None] | None = None,
        turns: Turns | None = None,
    ) -> None:
        super().__init__(parent)
        self._handlers: dict[str, Callable[[], Callable[..., None] | None]] = {}
        self.set_handlers(handlers or {})
        self._after_delivery = weakly(after_delivery or (lambda: None))
        meta: Any = self.metaObject()  # not staticMetaObject, whose wrapper may be stale (docs/design.md)
        self._methods = {}
        for index in range(meta.methodOffset(), meta.methodCount()):
            method = meta.method(index)
            name = bytes(method.name()).decode()
            if name in self.NAMES:
                self._methods[name] = method
        self._queue: collections.deque[tuple[str, tuple[Any, ...]]] = collections.deque()
        self._held: dict[int, tuple[str, tuple[Any, ...]]] = {}  # thread id -> an ending awaiting its finished
        self._wakeup = Wakeup(self._deliver, self, turns)
        self._closed = False
        self._draining = False  # a delivery pass is under way (GUI thread)
        self._flush_asked = False  # flush() was called from inside it
        self._owner_thread: int | None = threading.get_ident()  # made on the GUI thread
        self._live: dict[int, Any] = {}  # task id -> TaskContext of running tasks
        self._finished = RecentlyFinished()  # GUI thread: what still comes for them is dropped
        self._sampler = QTimer(self)
        self._sampler.setInterval(SAMPLE_INTERVAL_MS)
        self._sampler.timeout.connect(self._sample)
        self._sampling = False  # whether the sampler runs: asking Qt (isActive) cost a call per task started

    @property
    def sink(self) -> SignalsSink:
        """A new :class:`~offthread.core.sink.EventSink` for tasks on threads of this process:
        take one and keep it (a mode takes one when it is attached).

        The Qt signals have the events' names, so the typed methods live on
        this other object. It holds these signals; they do not hold it. A
        cycle would leave a WorkerSignals without a parent to the cycle
        collector, which may run on a worker thread: a QObject deleted there
        leaves its timers registered on the GUI thread, which then crashes.
        """
        return SignalsSink(self)

    # -- called from pool threads -----------------------------------------

    def send(self, name: Event, *args: Any) -> None:
        """Deliver event ``name`` with ``args`` (the task id first) on the GUI thread, soon. Any thread.

        Events from one thread are delivered in the order they were sent. An
        ending waits for the ``finished`` that follows it from the same thread
        (:func:`~offthread.core.sink.end_task` sends both), and the two are
        delivered in one pass.
        ``progress`` carries a raw report ``(value, maximum, text)``; it is
        delivered as ``progress(task_id, percent)``.
        """
        if self._closed:
            if threading.get_ident() == self._owner_thread:
                # A task left on the GUI thread's stack at shutdown (events
                # mode) ends after it: its events still count.
                held = self._held.pop(threading.get_ident(), None)
                if held is not None:  # its ending, sent before the close
                    self.dispatch(held[0], *held[1])
                self.dispatch(name, *args)
                self._call_after_delivery()
            return  # a thread left behind: nobody may be there to hear it
        if name in ENDINGS:
            # Held until its finished comes from the same thread (end_task
            # sends them one after the other), so that the two enter the queue
            # together: queued alone, the GUI thread could deliver the ending
            # and find the queue empty before the finished came, and a handle
            # would be done with its finished (and done callbacks) still ahead.
            self._held[threading.get_ident()] = (name, args)
            return
        held = self._held.pop(threading.get_ident(), None) if name == Event.FINISHED else None
        if held is None:
            self._queue.append((name, args))
        else:
            self._queue.extend((held, (name, args)))  # one step under the GIL: delivery sees both or neither
        # Read-then-set is not atomic, but the worst case is one extra wake,
        # never a lost event: delivery clears the flag before it drains.
        try:
            self._wakeup.request()
        except RuntimeError:  # its Qt side was deleted with its owner, dropped without shutdown()
            self._owner_gone()

    def _owner_gone(self) -> None:
        """Nobody is left to deliver to: drop what comes from now on (a thread that outlived us)."""
        self._closed = True
        self._owner_thread = None  # not even the GUI thread's sends: the signals are gone
        self._queue.clear()
        log.debug("events for a task manager that is gone are dropped")

    def watch(self, context: Any) -> None:
        """Sample ``context``'s progress while its task runs (worker thread, before ``started``)."""
        self._live[context.task_id] = context

    def unwatch(self, context: Any) -> None:
        """Stop sampling ``context`` (worker thread, before ``finished``)."""
        self._live.pop(context.task_id, None)

    # -- GUI thread -------------------------------------------------------

    def set_handlers(self, handlers: Mapping[str, Callable[..., None]]) -> None:
        """The owner's handlers, called first for each event, by event name (held weakly).

        Set before the first event: at construction, or once the owner's
        parts that need this object (to end tasks) are made.
        """
        unknown = set(handlers) - set(self.NAMES)
        if unknown:
            raise ValueError(f"no such signal: {', '.join(sorted(unknown))}")
        self._handlers = {name: weakly(handler) for name, handler in handlers.items()}

    def dispatch(self, name: str, *args: Any) -> None:
        """Deliver one event now, on the GUI thread, for an event the GUI thread makes itself.

        It is for a task that has no event in the queue (one withdrawn before
        it ran, or one that could not start), so it may go ahead of the
        queue. It must not deliver the queue too: dispatched from a slot in
        the middle of a delivery (a result handler that cancels the other
        tasks), that would deliver a task's ``finished`` before the slots
        connected after this one have seen its result.

        Unlike a delivery pass, it does not call ``after_delivery``: the
        caller publishes when it is done (cancelling 10,000 queued tasks is
        then one refresh, not 10,000).
        """
        if name == Event.PROGRESS:
            self._deliver_report(*args)
        else:
            self._emit(name, args, self._handler(name))

    def flush(self) -> None:
        """Deliver everything sent so far, now, with no time budget (GUI thread only).

        Called from a slot in the middle of a delivery (``shutdown()`` from a
        result slot), it cannot deliver now: the slots connected after that
        one would see the task's ``finished`` before its result. The pass
        under way then delivers everything, with no budget, once that slot returns.
        """
        if self._draining:
            self._flush_asked = True
            return
        self._wakeup.pending = False
        self._drain(deadline=None)
        self._call_after_delivery()

    def close(self) -> None:
        """Stop sampling, and drop events sent from other threads from now on: a task
        left behind there may outlive its backend. Events sent on the GUI thread are
        still delivered, at once."""
        self._closed = True
        self._sampling = False
        self._sampler.stop()

    def _deliver(self) -> None:
        self._wakeup.pending = False  # before draining: an event sent from now on asks again
        if not self._drain(deadline=self._wakeup.deadline):  # a turn's budget (wakeup.TURN_BUDGET_S)
            self._wakeup.again()  # the rest in a later pass
        self._call_after_delivery()

    def _drain(self, deadline: float | None) -> bool:
        """Deliver queued events until the queue is empty (True) or ``deadline`` passes (False).

        A pass never stops between an ending and a ``finished``: a handle
        seen done has had its ``finished`` delivered too (:meth:`send` queues
        the two together, so this holds the pass for an event at most).
        """
        outer, self._draining = self._draining, True  # outer: a slot ran a nested event loop
        try:
            return self._drain_queue(deadline)
        finally:
            self._draining = outer
            if not outer:
                self._flush_asked = False

    def _drain_queue(self, deadline: float | None) -> bool:
        # _emit inlined, and what it reads bound once a pass: this loop runs three or more times per task
        # (docs/performance.md, round eight). Each handler is resolved through its weak reference once a
        # pass, and only for the events the pass meets.
        queue, weak_handlers, finished = self._queue, self._handlers, self._finished.ids
        connected, methods, clock = self.isSignalConnected, self._methods, time.perf_counter
        handlers: dict[str, Callable[..., None] | None] = {}
        endings_open = 0
        while queue:
            name, args = queue.popleft()
            if name == Event.PROGRESS:
                self._deliver_report(*args)
            else:
                if name in ENDINGS:
                    endings_open += 1
                elif name == Event.FINISHED:
                    endings_open = max(0, endings_open - 1)
                elif name == Event.STARTED and not self._sampling and not self._closed:
                    self._sampling = True
                    self._sampler.start()
                if args[0] not in finished:  # after its finished: nothing more for that task
                    handler = handlers.get(name, _UNSEEN)
                    if handler is _UNSEEN:
                        handler = handlers[name] = weak_handlers[name]() if name in weak_handlers else None
                    if name == Event.FINISHED:
                        self._finished.add(args[0])
                    if handler is not None:
                        handler(*args)
                    if connected(methods[name]):
                        getattr(self, name).emit(*args)
            if self._flush_asked:
                deadline = None
            if deadline is not None and not endings_open and clock() > deadline:
                return not queue
        return True

    def _call_after_delivery(self) -> None:
        after = self._after_delivery()
        if after is not None:
            after()

    def _handler(self, name: str) -> Callable[..., None] | None:
        weak = self._handlers.get(name)
        return None if weak is None else weak()

    def _emit(self, name: str, args: tuple[Any, ...], handler: Callable[..., None] | None) -> None:
        """Deliver one event now: to ``handler`` (the owner's for it, if any), then to the Qt signal.
        A delivery pass does the same, inlined in its loop (:meth:`_drain_queue`)."""
        task_id = args[0]
        if task_id in self._finished.ids:
            return  # after its finished: nothing more for that task
        if name == Event.FINISHED:
            self._finished.add(task_id)
        if handler is not None:
            handler(*args)
        if self.isSignalConnected(self._methods[name]):
            getattr(self, name).emit(*args)

    def _deliver_report(self, task_id: int, report: tuple[Any, Any, Any], sampled: bool = False) -> None:
        if task_id in self._finished.ids:
            return
        context = self._live.get(task_id)
        if context is not None and report == context.delivered:
            return  # sampled already: the first or last report caught up with it
        try:
            percent, text = check_report(report)
        except (TypeError, ValueError) as error:
            if sampled and context is not None:  # the worker checks only the first and last reports itself
                context.raise_at_next_check(error)  # the task fails at its next check point
            return
        if context is not None:
            context.delivered = report
        handler = self._handler(Event.PROGRESS)
        if handler is not None:
            handler(task_id, percent, text, report[2] is not None, report[1])  # and the maximum, for the rate
        if self.isSignalConnected(self._methods[Event.PROGRESS]):
            self.progress.emit(task_id, percent)

    @Slot()  # docs/design.md, "One metaobject per class"
    def _sample(self) -> None:
        """Deliver the latest report of each running task whose first report was delivered."""
        if not self._live:
            self._sampling = False
            self._sampler.stop()
            return
        for context in list(self._live.values()):
            if context.delivered is not None:  # else its first report is still queued: keep the order
                self._deliver_report(context.task_id, context.latest(), sampled=True)
        self._call_after_delivery()


class RecentlyFinished:
    """The ids of the latest FINISHED_REMEMBERED finished tasks: a set to look up, a deque to forget the oldest."""

    __slots__ = ("ids", "_order")

    def __init__(self) -> None:
        self.ids: set[int] = set()  # read it, as ``in``; add through add()
        self._order: collections.deque[int] = collections.deque()

    def add(self, task_id: int) -> None:
        self.ids.add(task_id)
        self._order.append(task_id)
        if len(self._order) > FINISHED_REMEMBERED:
            self.ids.discard(self._order.popleft())


class SignalsSink(Channel):
    """The :class:`~offthread.core.sink.EventSink` of tasks that run in this process: it feeds a ``WorkerSignals``."""

    def __init__(self, signals: WorkerSignals) -> None:
        self._signals = signals

    def carry(self, event: Event, task_id: int, *args: Any) -> None:
        self._signals.send(event, task_id, *args)

    def watch(self, context: Any) -> None:
        self._signals.watch(context)

    def unwatch(self, context: Any) -> None:
        self._signals.unwatch(context)


_UNSEEN: Any = object()  # a handler not looked up yet in this pass


def weak_slot(method: Callable[..., Any]) -> Callable[..., None]:
    """A plain function that calls ``method`` (bound to a QObject, say one that QML sees) while its object
    lives, in Python and in C++: what to connect a signal to in place of a method that is no ``@Slot``.

    Connected itself, such a method would give its object a metaobject of its
    own (docs/design.md, "One metaobject per class"); as a ``@Slot`` it would
    show in QML, among the object's API. Unlike a method, it is not
    disconnected when its object is deleted: it then does nothing, so it is
    for a sender that goes with its object, or soon after it (the app's
    ``aboutToQuit``). It passes on all the signal's arguments, where PySide
    would drop those a method does not take.
    """
    owner = weakref.ref(method.__self__)  # type: ignore[attr-defined]  # a bound method, a Qt one too
    name, valid = method.__name__, qt.shiboken().isValid

    def call(*args: Any) -> None:
        alive = owner()
        if alive is not None and valid(alive):
            getattr(alive, name)(*args)

    return call


def weakly(function: Callable[..., Any]) -> Callable[[], Callable[..., Any] | None]:
    """A getter for ``function``: weak for a bound method, strong for anything else."""
    if inspect.ismethod(function):
        return weakref.WeakMethod(function)
    return lambda: function
