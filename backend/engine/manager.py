"""``TaskManager``: runs tasks in modes, tracks them, and shows them to QML."""

from __future__ import annotations

import itertools
import logging
import math
import time
import weakref
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, TypeVar, overload

from ..core.errors import TaskError, safe_str
from ..core.progress import percent_text
from ..core.sink import end_task
from ..core.states import CancelReason, Event, TaskState
from ..core.validate import whole_number_in_range
from .affinity import OwnerThreadCalls, on_owner_thread
from .chains import Dependencies, Waiting, waiting_note, why_not_started
from .groups import Groups, group_note
from .limits import DEFAULT_HISTORY, DEFAULT_SHUTDOWN_TIMEOUT_MS, MAX_HISTORY, MAX_PROCESSES, MAX_THREADS
from .model import TaskListModel
from .modes import AsyncioMode, EventsMode, GuiMode, Mode, ProcessMode, ThreadMode
from .modes.base import Call
from .qmlrun import QmlRuns
from .qt.QtCore import Property, QObject, QTimer, Signal, Slot
from .signals import WorkerSignals
from .task import TaskHandle, TaskRef, task_number
from .wakeup import Turns, Wakeup

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


# While tasks run: how often elapsed times move on and timeouts are checked.
TICK_INTERVAL_MS = 100

# Publishing the task model and the properties happens at most this often
# while events pour in (see TaskManager._schedule_refresh): a frame at 60 Hz.
REFRESH_INTERVAL_S = 0.016

# How many rows a publish takes between looks at the clock. It runs in the
# GUI thread's turns (wakeup.Turns), within their budget: a burst (10,000
# tasks ending at once) is published over several turns, with the window's
# timers run in between. New rows go in larger chunks: each insertion costs
# the view a layout (3,001 rows in 64s took a loaded machine over 10 s), and
# making a row costs some 3 µs.
REFRESH_CHUNK = 64
APPEND_CHUNK = 512


class TaskManager(QObject):
    """Runs work off the GUI thread (or on it, to show why not), and shows it to QML.

    Each task runs in a mode (see :mod:`offthread.engine.modes`): ``gui``,
    ``events``, ``thread`` (the default), ``process`` or ``asyncio``, or any executor added
    with :meth:`add_mode`. ``mode`` is the one a UI's buttons would use.

    For QML: ``taskModel`` lists every task (see :class:`TaskListModel`);
    ``busy``, ``activeCount``, ``queuedCount`` and ``maxThreadCount``
    describe the work; ``cancel``, ``pause``, ``resume``, ``cancelAll`` and
    ``clearFinished`` are slots. Every property's notify signal fires only
    when its value really changes, and at most once per event-loop pass: a
    burst of task events (10,000 submits in a loop, a backlog of results)
    refreshes the properties and the model once, not once per event, since
    each notify costs QML an update.

    From Python, :meth:`submit` runs any callable and returns a
    :class:`TaskHandle`; ``signals`` carries every task's events, keyed by id.
    The manager lives on the GUI thread; its API may be called from any thread
    (see :mod:`offthread.engine.affinity`). A subclass adds what its own UI
    needs through :meth:`_task_started` and :meth:`_published`.
    """

    busyChanged = Signal()
    activeCountChanged = Signal()
    pausedCountChanged = Signal()
    queuedCountChanged = Signal()
    maxThreadCountChanged = Signal()
    processCountChanged = Signal()
    modeChanged = Signal()
    modesChanged = Signal()
    historyLimitChanged = Signal()
    olderRemovedChanged = Signal()

    def __init__(
        self,
        parent: Optional[QObject] = None,
        *,
        max_threads: Optional[int] = None,
        processes: Optional[int] = None,
        max_tasks_per_child: Optional[int] = None,
        shutdown_timeout_ms: int = DEFAULT_SHUTDOWN_TIMEOUT_MS,
        history: int = DEFAULT_HISTORY,
    ) -> None:
        super().__init__(parent)
        # Calls from other threads, task events and the model's publish share
        # the GUI thread's turns: one budget, then the window's timers (see
        # wakeup.Turns).
        turns = Turns(self)
        self._calls = OwnerThreadCalls(self, turns)
        self._weak_self = weakref.ref(self)  # one for every handle: then() finds its manager through it
        self._deps = Dependencies()  # tasks held back by after= and then()
        self._groups = Groups()  # group=, latest=, limit=
        # QML's runs, given to their modes once the JavaScript that asked has
        # returned (see _launch_soon).
        self._handing: Dict[int, Tuple[TaskHandle, Call]] = {}
        self._publisher = Wakeup(self._publish_some, self, turns)
        self.signals = WorkerSignals(
            self,
            handlers={
                Event.STARTED: self._on_started,
                Event.PROGRESS: self._on_progress,
                Event.PARTIAL: self._on_partial,
                Event.PAUSED: self._on_paused,
                Event.RESUMED: self._on_resumed,
                Event.RESULT: self._on_result,
                Event.ERROR: self._on_error,
                Event.CANCELLED: self._on_cancelled,
                Event.FINISHED: self._on_finished,
            },
            after_delivery=self._schedule_refresh,
            turns=turns,
        )
        self._model = TaskListModel(self)
        self._model.on_removed = self._rows_removed
        self._qml = QmlRuns(self)  # expose() and run()
        self.shutdown_timeout_ms = shutdown_timeout_ms

        self._ids = itertools.count(1)
        self._last_id = 0  # the highest id given so far: an id above it names no task
        self._tasks: Dict[int, TaskHandle] = {}  # tasks not yet ended, by id
        self._running: Set[int] = set()
        self._accepting = True
        self._shutdown_result: Optional[bool] = None
        self._new: List[TaskHandle] = []  # submitted, not yet in the model
        self._changed: Set[TaskHandle] = set()  # to publish to the model

        self._busy = False
        self._active_count = 0
        self._paused_count = 0
        self._queued_count = 0
        self._history = _history_number(history)
        self._older_removed = 0
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.timeout.connect(self._publisher.again)
        self._refresh_pending = False  # a publish is due (a Python flag: asking Qt costs more)
        self._refreshed_at = 0.0
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_INTERVAL_MS)
        self._ticker.timeout.connect(self._tick)

        self._modes: Dict[str, Mode] = {}
        self._threads = ThreadMode(max_threads)
        self._processes = ProcessMode(processes, max_tasks_per_child=max_tasks_per_child)
        for mode in (GuiMode(), EventsMode(), self._threads, self._processes, AsyncioMode()):
            self.add_mode(mode)
        self._mode = self._threads.name

    # -- Python API -------------------------------------------------------

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> TaskHandle:
        """Run ``fn(*args, **kwargs)`` on the thread pool and return its handle.

        Tasks beyond ``maxThreadCount`` wait in the pool's queue and start in
        submission order. A ``task`` or ``progress_callback`` parameter of
        ``fn`` receives a :class:`TaskContext`; a generator function is driven
        to its end. Raises ``RuntimeError`` after :meth:`shutdown`.
        """
        return self._submit(fn, args, kwargs, None, None, "thread", 0, (), None)

    def submit_task(
        self,
        fn: Callable[..., Any],
        args: Sequence[Any] = (),
        kwargs: Optional[Dict[str, Any]] = None,
        *,
        name: Optional[str] = None,
        timeout: Optional[float] = None,
        mode: str = "thread",
        priority: int = 0,
        after: Sequence[TaskHandle] = (),
        group: Optional[str] = None,
        latest: bool = False,
        limit: Optional[int] = None,
    ) -> TaskHandle:
        """:meth:`submit` with options: a display ``name``, a ``timeout`` in seconds, a ``mode``,
        a ``priority`` (among the mode's queued tasks, a higher one starts first), and
        ``after``, handles of tasks that must all finish successfully before this one starts.

        ``group`` names a group of tasks. With ``latest=True`` this task
        cancels the group's earlier tasks that have not ended, and the group
        runs one task at a time; with ``limit=N``, at most N of the group run
        at once, and the rest wait in order (docs/python-api.md, "Groups").

        A task still running ``timeout`` seconds after it started is asked to
        stop; if it stops, its state is ``"timed out"`` (in process mode it is
        stopped anyway). A task that its mode cannot start, such as one that
        cannot be pickled for ``process`` mode, fails at once, with the reason
        as its error. A task of ``after`` that fails, is cancelled or times out
        ends this one cancelled, before it starts (docs/python-api.md, "Chains").
        """
        return self._submit(fn, args, kwargs, name, timeout, mode, priority, after, None, group, latest, limit)

    def _submit(
        self,
        fn: Callable[..., Any],
        args: Sequence[Any],
        kwargs: Optional[Dict[str, Any]],
        name: Optional[str],
        timeout: Optional[float],
        mode: str,
        priority: int,
        after: Sequence[TaskHandle],
        feed: Optional[TaskHandle],
        group: Optional[str] = None,
        latest: bool = False,
        limit: Optional[int] = None,
        soon: bool = False,
    ) -> TaskHandle:
        if not self._accepting:
            raise RuntimeError("the backend is shut down and takes no new work")
        if not callable(fn):
            raise TypeError(f"a task must be callable, not {type(fn).__name__}")
        if timeout is not None and not timeout > 0:
            raise ValueError(f"timeout must be a number of seconds above 0, not {timeout!r}")
        if type(priority) is not int:
            raise TypeError(f"priority must be an int (higher starts first), not {priority!r}")
        after = tuple(after)
        for other in after:
            if not isinstance(other, TaskHandle):
                raise TypeError(f"after= takes the handles of tasks, not {type(other).__name__}")
            if other._owner is not self._weak_self:
                raise ValueError(f"task {other.id} ({other.name}) belongs to another TaskManager")
        grouping = _grouping(group, latest, limit)
        runner = self._modes.get(mode)
        if runner is None:
            raise ValueError(f"no mode named {mode!r}; the modes are {', '.join(self._modes)}")
        task_id = next(self._ids)  # atomic: any thread may submit
        self._last_id = max(self._last_id, task_id)
        context = runner.make_context(task_id)
        display_name = str(name or getattr(fn, "__name__", type(fn).__name__))
        handle = TaskHandle(
            task_id,
            display_name,
            context,
            timeout,
            mode=mode,
            can_pause=runner.can_pause,
            calls=self._calls,
            priority=priority,
            owner=self._weak_self,
        )
        handle.call = (fn, tuple(args), dict(kwargs or {}))
        handle.group = group
        if after:
            handle.waits_for = tuple(other.id for other in after)
            handle.fed = feed is not None
            self._start_after(handle, handle.call, after, feed, grouping)
        elif soon:
            self._add(handle, grouping)
            self._launch_soon(handle, handle.call)
        else:
            self._start(handle, handle.call, grouping)
        return handle

    @on_owner_thread
    def _start(self, handle: TaskHandle, call: Call, grouping: Optional[Grouping] = None) -> None:
        """Give a new task to its mode (GUI thread: from another, it is queued, and starts soon)."""
        self._add(handle, grouping)
        self._launch(handle, call)

    def _add(self, handle: TaskHandle, grouping: Optional[Grouping] = None) -> None:
        self._tasks[handle.id] = handle
        self._new.append(handle)
        # Before the mode starts it: a gui-mode task runs in the next pass, and
        # the refresh (busy, and all that follows it) must come first.
        self._schedule_refresh()
        if handle.group is not None:
            latest, limit = grouping or (False, None)
            for earlier in self._groups.join(handle, latest, limit):
                self._cancel(earlier, CancelReason.CANCELLED)
                earlier.note = f"replaced by #{handle.id}"

    def _launch(self, handle: TaskHandle, call: Call) -> None:
        if self._may_start(handle, call):
            self._hand_over(handle, call)

    def _may_start(self, handle: TaskHandle, call: Call) -> bool:
        """Whether a new task goes to its mode now; if not, it was withdrawn or its group holds it."""
        if not self._accepting:  # shut down while its start was on its way (another thread, a later turn)
            handle.context.request_cancel()
            self._modes[handle.mode].withdrawn(handle)
            return False
        if handle.group is not None and not self._groups.admit(handle, call):
            handle.note = group_note(handle.group, self._groups.limit(handle.group))
            return False
        return True

    def _launch_soon(self, handle: TaskHandle, call: Call) -> None:
        """Launch a task from QML once the JavaScript that asked for it has returned (GUI thread).

        A QML loop of run()s returns to JavaScript after each, and each
        return lets go of the GIL. Launched at once, each task wakes a pool
        thread that takes the GIL then, and the loop waits for it at every
        call: a run() cost 5x a submit_task() (docs/performance.md). Held to
        the end of the turn, the loop runs alone and the batch is launched
        at once; the rows and task ids exist from the call on.
        """
        if not self._handing:
            self._calls.post(self._launch_handed)
        self._handing[handle.id] = (handle, call)

    def _launch_handed(self) -> None:
        batch, self._handing = self._handing, {}
        by_mode: Dict[str, List[Tuple[TaskHandle, Call]]] = {}
        for handle, call in batch.values():
            if self._may_start(handle, call):
                by_mode.setdefault(handle.mode, []).append((handle, call))
        for mode, starting in by_mode.items():
            for handle, error in self._modes[mode].start_many(starting):
                self._not_started(handle, error)

    def _hand_over(self, handle: TaskHandle, call: Call) -> None:
        try:
            self._modes[handle.mode].start(handle, call)
        except Exception as error:  # it cannot run there: it fails, as a task, not as a crash
            self._not_started(handle, error)

    def _not_started(self, handle: TaskHandle, error: Exception) -> None:
        end_task(self.signals.dispatch, handle.context, handle.id, Event.ERROR, TaskError.from_exception(error))

    def _launch_admitted(self, handle: TaskHandle, call: Call) -> None:
        """Start a task its group held back, now that one of the group has ended."""
        handle.note = ""
        self._touch(handle)
        if handle.context.cancelled:  # cancelled between its admission and now: its mode never saw it
            reason = handle.context.cancel_reason or CancelReason.CANCELLED
            end_task(self.signals.dispatch, handle.context, handle.id, Event.CANCELLED, reason)
        else:
            self._hand_over(handle, call)

    @on_owner_thread
    def _start_after(
        self,
        handle: TaskHandle,
        call: Call,
        after: Sequence[TaskHandle],
        feed: Optional[TaskHandle],
        grouping: Optional[Grouping] = None,
    ) -> None:
        """Hold a new task back until every task of ``after`` has finished (GUI thread)."""
        self._add(handle, grouping)
        failed = next((other for other in after if other.done and other.state != TaskState.FINISHED), None)
        if failed is not None:
            self._never_start(handle, why_not_started(failed))
            return
        pending = [other.id for other in after if not other.done]
        if not pending:
            self._launch_waiting(Waiting(handle, call, set(), feed))
            return
        handle.note = waiting_note(pending)
        self._deps.hold(Waiting(handle, call, set(pending), feed))

    def _launch_waiting(self, waiting: Waiting) -> None:
        """Start a task whose wait is over; a then() task gets its result first."""
        handle, call = waiting.handle, waiting.call
        handle.note = ""
        if waiting.feed is not None:
            fn, args, kwargs = call
            call = handle.call = (fn, (waiting.feed.result, *args), kwargs)
        self._touch(handle)
        self._launch(handle, call)

    def _never_start(self, handle: TaskHandle, why: str) -> None:
        """End a held-back task, cancelled, that will never start."""
        handle.note = why
        handle.context.request_cancel(CancelReason.CANCELLED)
        end_task(self.signals.dispatch, handle.context, handle.id, Event.CANCELLED, CancelReason.CANCELLED)

    def _after_ended(self, handle: TaskHandle) -> None:
        """``handle``'s task has ended, and its finished is delivered: start or end what waited for it."""
        ready, doomed = self._deps.ended(handle)
        for waiting in doomed:
            self._never_start(waiting.handle, why_not_started(handle))
        for waiting in ready:
            self._launch_waiting(waiting)
        if ready or doomed:
            self._schedule_refresh()

    # -- QML runs Python: expose() and run() ------------------------------------

    @overload
    def expose(self, fn: F, name: Optional[str] = None, **options: Any) -> F: ...

    @overload
    def expose(self, fn: None = None, name: Optional[str] = None, **options: Any) -> Callable[[F], F]: ...

    def expose(self, fn: Optional[F] = None, name: Optional[str] = None, **options: Any) -> Any:
        """Let QML run ``fn`` by ``name`` (default: its ``__name__``): ``tasks.run(name, args, options)``.

        ``options`` are defaults for every run of it: ``mode``, ``timeout``,
        ``group``, ``latest``, ``limit``, ``debounce`` (ms) and ``priority``;
        a run's own options win. Works as a decorator, with or without
        arguments. Exposing a name again replaces it (and says so in the log).
        Returns ``fn``. GUI thread. docs/qml-api.md.
        """
        if fn is None:
            return lambda given: self.expose(given, name, **options)
        self._qml.expose(fn, name, options)
        return fn

    def exposed(self) -> List[str]:
        """The names QML may run, sorted."""
        return self._qml.exposed()

    @Slot("QJSValue", result=QObject)
    @Slot("QJSValue", "QJSValue", result=QObject)
    @Slot("QJSValue", "QJSValue", "QJSValue", result=QObject)
    def run(self, name: Any, args: Any = None, options: Any = None) -> QObject:
        """From QML: run the function exposed as ``name`` with ``args`` (an array, or an object
        of keyword arguments) and ``options`` (``mode``, ``timeout``, ``name``, ``owner``,
        ``group``, ``latest``, ``limit``, ``debounce``, ``priority``). Returns a
        :class:`~offthread.engine.taskobject.TaskObject`; a mistake in the call gives one that
        has already failed, saying why. docs/qml-api.md."""
        return self._qml.run(name, args, options)

    def _refused(self, name: str, error: TaskError) -> TaskHandle:
        """A task that failed before it could start (a run() with a mistake): a row that says why."""
        if not self._accepting:
            raise RuntimeError("the backend is shut down and takes no new work")
        task_id = next(self._ids)
        self._last_id = max(self._last_id, task_id)
        runner = self._modes[self._threads.name]
        handle = TaskHandle(
            task_id,
            name,
            runner.make_context(task_id),
            mode=runner.name,
            can_pause=False,
            calls=self._calls,
            owner=self._weak_self,
        )
        self._add(handle)
        end_task(self.signals.dispatch, handle.context, handle.id, Event.ERROR, error)
        return handle

    @on_owner_thread
    def add_mode(self, mode: Mode) -> None:
        """Offer another place to run tasks, e.g. ``ExecutorMode("dask", client.get_executor())``."""
        if not mode.name or mode.name in self._modes:
            raise ValueError(f"a mode needs a name of its own, not {mode.name!r}")
        mode.attach(self, self.signals, self._touch)
        self._modes[mode.name] = mode
        self.modesChanged.emit()

    def mode_named(self, name: str) -> Mode:
        """The mode called ``name`` (KeyError if there is none)."""
        return self._modes[name]

    @property
    def accepting(self) -> bool:
        """Whether it takes new tasks: True until :meth:`shutdown`."""
        return self._accepting

    def tasks(self) -> List[TaskHandle]:
        """The tasks that have not ended yet, oldest first."""
        return list(self._tasks.values())

    @Slot("QVariant")  # not int: see task_number
    def cancel(self, task: TaskRef) -> None:
        """Cancel a task (its id, or its handle): a queued one is withdrawn at once
        and never starts; a running or paused one stops at its next check point.
        Does nothing to a task that has ended."""
        task_id = task_number(task, "cancel", self._last_id)
        if task_id is not None:
            self._cancel_by_id(task_id)

    @Slot("QVariant")  # not int: see task_number
    def pause(self, task: TaskRef) -> None:
        """Pause a task at its next check point (a queued one, once it starts)."""
        task_id = task_number(task, "pause", self._last_id)
        if task_id is not None:
            self._request_pause(task_id, True)

    @Slot("QVariant")  # not int: see task_number
    def resume(self, task: TaskRef) -> None:
        """Let a paused task go on."""
        task_id = task_number(task, "resume", self._last_id)
        if task_id is not None:
            self._request_pause(task_id, False)

    @Slot("QVariant")  # not int: see task_number
    def retry(self, task: TaskRef) -> Optional[TaskHandle]:
        """Run an ended task again, as a new task: the same function, arguments, mode,
        name, timeout and priority. One that never started because a task it waited for
        did not finish waits for that task again (and ends as it did, if it has not been
        removed). Returns its handle (None if there is no such ended task)."""
        task_id = task_number(task, "retry", self._last_id)
        old = None if task_id is None else self._model.handle(task_id)
        if old is None or not old.done or old.call is None:
            return None
        fn, args, kwargs = old.call
        after: List[TaskHandle] = []
        if old.waits_for and old.started_at is None:
            for other_id in old.waits_for:
                other = self._tasks.get(other_id) or self._model.handle(other_id)
                if other is None:
                    log.warning("retry(): task %d waited for #%d, which is no longer in the list", old.id, other_id)
                    return None
                after.append(other)
        feed = after[0] if after and old.fed else None
        return self._submit(fn, args, kwargs, old.name, old.timeout, old.mode, old.priority, after, feed, old.group)

    @Slot("QVariant")
    def copyDetails(self, task: TaskRef) -> None:
        """Put a task's whole traceback (or, if it did not fail, its whole result) on the
        clipboard: what the window shows is shortened (see TaskHandle.error_details_text)."""
        task_id = task_number(task, "copyDetails", self._last_id)
        handle = None if task_id is None else (self._tasks.get(task_id) or self._model.handle(task_id))
        if handle is None:
            return
        from .qt.QtGui import QGuiApplication  # the engine itself needs no QtGui

        if QGuiApplication.instance() is None:
            log.warning("copyDetails(): there is no clipboard without a QGuiApplication")
            return
        text = handle.error.traceback if handle.error else safe_str(handle.result if handle.done else handle.partial)
        QGuiApplication.clipboard().setText(text)

    @Slot("QVariant")  # not int: see task_number
    def remove(self, task: TaskRef) -> None:
        """Take an ended task out of ``taskModel`` (a running one stays: cancel it first)."""
        task_id = task_number(task, "remove", self._last_id)
        if task_id is not None:
            self._remove_ended({task_id})

    @on_owner_thread
    def _remove_ended(self, task_ids: Optional[Set[int]]) -> None:
        self._refresh()  # publish pending rows first, so none is missed
        self._model.remove_ended(task_ids)
        if task_ids is None:  # Clear finished: nothing older is hidden any more
            self._assign("_older_removed", 0, self.olderRemovedChanged.emit)

    @Slot()
    @on_owner_thread
    def cancelAll(self) -> None:
        """Cancel every task that has not ended (newest first, so that a queued one never starts)."""
        for task_id in reversed(list(self._tasks)):
            self._cancel_by_id(task_id)

    @Slot()
    def clearFinished(self) -> None:
        """Remove the tasks that have ended from ``taskModel``."""
        self._remove_ended(None)

    def shutdown(self, timeout_ms: Optional[int] = None) -> bool:
        """Stop taking work, cancel every task, and wait at most ``timeout_ms``.

        Queued tasks never start; running ones are asked to stop at their next
        check point (process tasks that do not are killed). Returns True when
        every task has ended. Returns False when some task ignored the
        request: its thread is left running, detached from this backend and
        silenced, and the process can still exit at once (a task blocked in
        ``time.sleep(60)`` does not delay it). Also False when called from
        inside an events-mode task's ``processEvents()``: that task is below
        this call on the stack, and ends once it returns. Calling it again
        returns the first answer. GUI thread only: it waits for the tasks.
        Called from a slot of ``signals`` ("the last result is in"), the
        events still queued are delivered once that slot returns, so that
        the slots connected after it see each task's ending before its
        ``finished``.
        """
        if not self._calls.here():
            raise RuntimeError(
                "shutdown() waits for the tasks to stop, so it runs on the GUI thread; "
                "from another thread, use cancelAll()"
            )
        if self._shutdown_result is not None:
            return self._shutdown_result
        self._accepting = False
        timeout = self.shutdown_timeout_ms if timeout_ms is None else timeout_ms
        self.cancelAll()
        deadline = time.monotonic() + max(0, timeout) / 1000
        stopped = True
        for mode in self._modes.values():  # every mode gets what time the ones before it left
            stopped = mode.shutdown(max(0.0, deadline - time.monotonic())) and stopped
        # Deliver what the workers sent while we waited, so that handles and
        # properties end in their final state; later reports are dropped.
        self.signals.flush()
        self.signals.close()
        self._ticker.stop()
        self._refresh()
        if not stopped:
            names = ", ".join(f"{h.id} ({h.name})" for h in self._tasks.values())
            log.warning("tasks still running %d ms after shutdown, left behind: %s", timeout, names)
        self._shutdown_result = stopped
        return stopped

    @on_owner_thread
    def _cancel_by_id(self, task_id: int) -> None:
        handle = self._tasks.get(task_id)
        if handle is not None:
            self._cancel(handle, CancelReason.CANCELLED)

    def _cancel(self, handle: TaskHandle, reason: CancelReason) -> None:
        handle.context.request_cancel(reason)
        if (
            self._handing.pop(handle.id, None) is not None
            or self._deps.withdraw(handle.id) is not None
            or self._groups.withdraw(handle)
        ):
            handle.note = ""  # held back: its mode has never seen it
            end_task(self.signals.dispatch, handle.context, handle.id, Event.CANCELLED, reason)
        else:
            self._modes[handle.mode].cancel(handle)
        # What waits for it will never start: ended now, not once it has stopped.
        for task_id in self._deps.dependents(handle.id):
            dependent = self._tasks.get(task_id)
            if dependent is not None and self._deps.withdraw(task_id) is not None:
                self._never_start(dependent, why_not_started(handle, stopping=reason))
        self._touch(handle)

    @on_owner_thread
    def _request_pause(self, task_id: int, paused: bool) -> None:
        handle = self._tasks.get(task_id)
        if handle is None:
            return
        if not handle.can_pause:
            log.info("task %d runs in %s mode, which cannot pause it", task_id, handle.mode)
            return
        handle.context.request_pause(paused)
        self._modes[handle.mode].pause(handle, paused)
        self._touch(handle)

    def _get_max_thread_count(self) -> int:
        return self._threads.max_threads

    def _set_max_thread_count(self, count: Any) -> None:
        # A "real" for QML, so that what a binding sets arrives as it is: an
        # int property would have Qt wrap 1e10 to 1410065408 and turn NaN to 0.
        current = self._threads.max_threads
        self._resize_thread_pool(whole_number_in_range(count, "maxThreadCount", 1, MAX_THREADS, current))

    @on_owner_thread
    def _resize_thread_pool(self, threads: int) -> None:
        if threads != self._threads.max_threads:
            self._threads.max_threads = threads  # a larger pool starts queued tasks at once
            self.maxThreadCountChanged.emit()

    @property
    def history_limit(self) -> int:
        """How many ended tasks ``taskModel`` keeps (``historyLimit``); older ones leave it, oldest first."""
        return self._history

    @history_limit.setter
    def history_limit(self, limit: int) -> None:
        self._set_history(_history_number(limit))

    @on_owner_thread
    def _set_history(self, limit: int) -> None:
        if limit != self._history:
            self._history = limit
            self.historyLimitChanged.emit()
            self._refresh()

    def _get_history_limit(self) -> int:
        return self._history

    def _get_older_removed(self) -> int:
        return self._older_removed

    def _get_process_count(self) -> int:
        return self._processes.workers

    def _set_process_count(self, count: Any) -> None:
        current = self._processes.workers
        self._resize_process_pool(whole_number_in_range(count, "processCount", 1, MAX_PROCESSES, current))

    @on_owner_thread
    def _resize_process_pool(self, processes: int) -> None:
        if processes != self._processes.workers:
            self._processes.workers = processes  # extra ones finish their current task, then end
            self.processCountChanged.emit()

    def _get_mode(self) -> str:
        return self._mode

    @on_owner_thread
    def _set_mode(self, name: str) -> None:
        # QML sets it: an unknown name is logged, not raised (select_mode raises).
        if name not in self._modes:
            log.warning("no mode named %r; the modes are %s", name, ", ".join(self._modes))
            return
        self._apply_mode(name)

    def select_mode(self, name: str) -> None:
        """Make ``name`` the selected mode (``mode``). ValueError if there is no such mode."""
        if name not in self._modes:
            raise ValueError(f"no mode named {name!r}; the modes are {', '.join(self._modes)}")
        self._apply_mode(name)

    @on_owner_thread
    def _apply_mode(self, name: str) -> None:
        if name != self._mode:
            self._mode = name
            self.modeChanged.emit()

    @property
    def selected_mode(self) -> str:
        """The name of the selected mode: the ``mode`` property, for Python."""
        return self._mode

    def _get_modes(self) -> List[str]:
        return list(self._modes)

    def _get_mode_description(self) -> str:
        return self._modes[self._mode].description

    # Read-only properties are plain fields, kept current by _refresh(); the
    # getters are named functions so that PySide6's metaobjectdump can read them.
    def _get_busy(self) -> bool:
        return self._busy

    def _get_active_count(self) -> int:
        return self._active_count

    def _get_paused_count(self) -> int:
        return self._paused_count

    def _get_queued_count(self) -> int:
        return self._queued_count

    def _get_task_model(self) -> TaskListModel:
        return self._model

    busy = Property(bool, _get_busy, notify=busyChanged)
    activeCount = Property(int, _get_active_count, notify=activeCountChanged)
    pausedCount = Property(int, _get_paused_count, notify=pausedCountChanged)
    queuedCount = Property(int, _get_queued_count, notify=queuedCountChanged)
    maxThreadCount = Property(float, _get_max_thread_count, _set_max_thread_count, notify=maxThreadCountChanged)
    processCount = Property(float, _get_process_count, _set_process_count, notify=processCountChanged)
    mode = Property(str, _get_mode, _set_mode, notify=modeChanged)
    modes = Property(list, _get_modes, notify=modesChanged)
    modeDescription = Property(str, _get_mode_description, notify=modeChanged)
    historyLimit = Property(int, _get_history_limit, notify=historyLimitChanged)
    olderRemoved = Property(int, _get_older_removed, notify=olderRemovedChanged)
    # QObject: a Python model class as the type fails in PySide2 (an unregistered
    # QAbstractListModel*); scripts/qmltypes.py gives QML tools the real type.
    taskModel = Property(QObject, _get_task_model, constant=True)

    # -- task events, called by self.signals on the GUI thread -------------

    def _on_started(self, task_id: int) -> None:
        handle = self._tasks.get(task_id)
        if handle is None:
            return
        handle.state = TaskState.RUNNING
        if handle.started_at is None:  # a mode on the GUI thread notes the real start itself
            handle.started_at = time.monotonic()
        log.info("task %d (%s) started", task_id, handle.name)
        self._running.add(task_id)
        self._task_started(handle)
        if not self._ticker.isActive():
            self._ticker.start()
        self._touch(handle)

    def _on_progress(self, task_id: int, percent: float, text: str, own_text: bool) -> None:
        handle = self._tasks.get(task_id)
        if handle is not None:
            handle.progress = percent
            handle.progress_text = text
            handle.own_text = own_text
            self._touch(handle)

    def _on_partial(self, task_id: int, value: Any) -> None:
        handle = self._tasks.get(task_id)
        if handle is not None:
            handle.partial = value
            if handle.view is not None:
                handle.view.receive_partial(value)
            self._touch(handle)

    def _on_paused(self, task_id: int) -> None:
        self._set_state(task_id, TaskState.PAUSED)

    def _on_resumed(self, task_id: int) -> None:
        self._set_state(task_id, TaskState.RUNNING)

    def _on_result(self, task_id: int, value: Any) -> None:
        self._end(task_id, TaskState.FINISHED, result=value)

    def _on_error(self, task_id: int, error: TaskError) -> None:
        self._end(task_id, TaskState.FAILED, error=error)

    def _on_cancelled(self, task_id: int, reason: str) -> None:
        self._end(task_id, TaskState.TIMED_OUT if reason == CancelReason.TIMED_OUT else TaskState.CANCELLED)

    def _on_finished(self, task_id: int) -> None:
        handle = self._tasks.pop(task_id, None)
        if handle is not None:
            self._running.discard(task_id)
            self._modes[handle.mode].ended(handle)
            self._schedule_refresh()
            if handle.group is not None:
                # Posted, not nested: held tasks that fail at once would recurse.
                for admitted, call in self._groups.ended(handle):
                    self._calls.post(self._launch_admitted, admitted, call)
            # After the finished signal's slots: the callbacks run in a later turn.
            handle._settle()
            if handle.view is not None:  # a task object QML holds (run())
                handle.view.task_ended()
            if task_id in self._deps.waited_for:
                # After its finished too, and not nested in this delivery: a
                # long chain ends link by link, never deeper on the stack.
                self._calls.post(self._after_ended, handle)

    def _set_state(self, task_id: int, state: TaskState) -> None:
        handle = self._tasks.get(task_id)
        if handle is not None:
            handle.state = state
            self._touch(handle)

    def _end(self, task_id: int, state: TaskState, result: Any = None, error: Optional[TaskError] = None) -> None:
        handle = self._tasks.get(task_id)
        if handle is None:
            return
        handle.state, handle.result, handle.error = state, result, error
        handle.partial = None
        handle.ended_at = time.monotonic()
        if state == TaskState.FINISHED:
            handle.progress = 100.0  # done is 100%, whatever the task reported
            if not handle.own_text:
                handle.progress_text = percent_text(100.0)
        log.info("task %d (%s) %s", task_id, handle.name, state)
        self._touch(handle)

    def _tick(self) -> None:
        """While tasks run: move their elapsed times on and enforce timeouts."""
        if not self._running:
            self._ticker.stop()
            return
        now = time.monotonic()
        for task_id in list(self._running):  # a timeout may end a task in this loop
            handle = self._tasks[task_id]
            self._changed.add(handle)
            if (
                handle.timeout is not None
                and now - (handle.started_at or now) >= handle.timeout
                and not handle.cancel_requested
            ):
                self._cancel(handle, CancelReason.TIMED_OUT)
        self._schedule_refresh()

    # -- property and model bookkeeping -------------------------------------

    def _touch(self, handle: TaskHandle) -> None:
        self._changed.add(handle)
        self._schedule_refresh()

    def _schedule_refresh(self) -> None:
        """Publish soon: in the next pass, or, right after a publish, REFRESH_INTERVAL_S after it.

        Every publish costs the GUI thread: the model's signals, the views'
        updates, the properties' notifications. While tasks end by the
        thousand, a pass of the event loop delivers the events of a few tasks
        only (process mode's results come one by one); publishing after each
        pass cost 0.2 ms per task, more than running a tiny task in a worker.
        The window cannot show more than a frame's worth of change anyway.
        """
        if not self._refresh_pending:
            self._refresh_pending = True
            wait = self._refreshed_at + REFRESH_INTERVAL_S - time.monotonic()
            if wait > 0:
                self._refresh_timer.start(math.ceil(wait * 1000))
            else:
                self._publisher.again()  # in the next turn

    def _publish_some(self) -> None:
        self._refresh(deadline=self._publisher.deadline)

    def _refresh(self, deadline: float = math.inf) -> None:
        """Bring the model and every property up to date, notifying real changes only.

        Until ``deadline`` (``time.perf_counter()``; none: all of it): new
        rows first, in order, then changed ones; what is left waits for the
        next turn, which comes at once. A row changed before it was added
        needs no update (it is made from the handle as it is then).
        """
        self._refresh_timer.stop()
        self._refresh_pending = False
        self._refreshed_at = time.monotonic()
        model, new, changed = self._model, self._new, self._changed
        taken = 0
        while taken < len(new) and time.perf_counter() < deadline:
            model.append(new[taken : taken + APPEND_CHUNK])
            taken += APPEND_CHUNK
        del new[:taken]
        while changed and not new and time.perf_counter() < deadline:
            chunk = [changed.pop() for _ in range(min(REFRESH_CHUNK, len(changed)))]
            model.update(chunk)
            for handle in chunk:
                if handle.view is not None:  # a task object QML holds (run())
                    handle.view.sync()
        if new or changed:
            self._refresh_pending = True
            self._publisher.again()  # the rest in the next turn
        removed = model.trim(self._history)
        if removed:
            self._assign("_older_removed", self._older_removed + removed, self.olderRemovedChanged.emit)
        started = len(self._running)
        paused = sum(1 for task_id in self._running if self._tasks[task_id].state == TaskState.PAUSED)
        self._assign("_active_count", started - paused, self.activeCountChanged.emit)
        self._assign("_paused_count", paused, self.pausedCountChanged.emit)
        self._assign("_queued_count", len(self._tasks) - started, self.queuedCountChanged.emit)
        self._assign("_busy", bool(self._tasks), self.busyChanged.emit)
        self._published()

    @staticmethod
    def _rows_removed(handles: List[TaskHandle]) -> None:
        """Rows left the list: their task objects go too (QML's references become null)."""
        for handle in handles:
            if handle.view is not None:
                handle.view.release()

    # -- for subclasses -----------------------------------------------------

    def _task_started(self, handle: TaskHandle) -> None:
        """A task has started (GUI thread)."""

    def _published(self) -> None:
        """The model and the properties were just brought up to date (GUI thread)."""

    def _assign(self, attribute: str, value: Any, notify: Callable[[], None]) -> None:
        """Set a property's field and call ``notify`` (its signal's ``emit``) only on a real change."""
        if getattr(self, attribute) != value:
            setattr(self, attribute, value)
            notify()


# A group's options, checked: (latest, limit).
Grouping = Tuple[bool, Optional[int]]


def _grouping(group: Optional[str], latest: bool, limit: Optional[int]) -> Optional[Grouping]:
    """``submit_task``'s group options, checked (None: no group)."""
    if group is None:
        if latest or limit is not None:
            raise ValueError("latest= and limit= apply to a group: give group= a name too")
        return None
    if not isinstance(group, str) or not group:
        raise TypeError(f"group must be a name (a non-empty str), not {group!r}")
    if not isinstance(latest, bool):
        raise TypeError(f"latest must be True or False, not {latest!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a whole number of tasks from 1, not {limit!r}")
    return (latest, limit)


def _history_number(value: Any) -> int:
    """A history limit from Python code: a whole number of ended tasks, 0 to MAX_HISTORY."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"history must be a whole number of tasks, not {type(value).__name__}")
    if not 0 <= value <= MAX_HISTORY:
        raise ValueError(f"history must be from 0 (keep no ended task) to {MAX_HISTORY:,}, not {value:,}")
    return value
