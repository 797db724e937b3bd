"""``TaskManager``: runs tasks in modes, tracks them, and shows them to QML.

The manager is the facade; its parts each do one job (docs/design.md,
"The manager's parts"):

- :mod:`.registry`: the tasks that have not ended, and the modes;
- :mod:`.flow`: a new task's way to its mode (groups, chains, QML's
  batches), and cancels;
- :mod:`.events`: what each task event does to its handle;
- :mod:`.publisher`: the task list and the counts, published once a frame;
- :mod:`.timeouts`: elapsed times and timeouts while tasks run;
- :mod:`.actions`: cancel, pause, retry, copy and remove, on tasks in the list;
- :mod:`.qmlrun`: ``expose()`` and ``run()``.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any, Callable, Sequence, TypeVar, overload

from .actions import TaskActions
from .affinity import OwnerCall, OwnerThreadCalls, on_owner_thread
from .closing import Closing
from .events import TaskEvents
from .filtering import TaskFilterModel
from .flow import TaskFlow
from .limits import DEFAULT_HISTORY, DEFAULT_SHUTDOWN_TIMEOUT_MS
from .model import TaskListModel
from .modes import default_modes
from .modes.base import Mode
from .publisher import Publisher, history_number
from .qmlrun import QmlRuns
from .qt.QtCore import Property, QObject, Signal, Slot
from .registry import ModeRegistry, TaskRegistry
from .removals import CLEAR_FINISHED, Removals
from .signals import WorkerSignals
from .submission import require_application
from .task import TaskHandle, TaskRef
from .timeouts import Timeouts
from .wakeup import Turns

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])


class TaskManager(QObject):
    """Runs work off the GUI thread in modes, and shows it to QML; any thread may call it. docs/python-api.md."""

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
        parent: QObject | None = None,
        *,
        max_threads: int | None = None,
        processes: int | None = None,
        max_tasks_per_child: int | None = None,
        shutdown_timeout_ms: int = DEFAULT_SHUTDOWN_TIMEOUT_MS,
        history: int = DEFAULT_HISTORY,
    ) -> None:
        require_application()  # else its tasks would stay queued forever
        super().__init__(parent)
        self.shutdown_timeout_ms = shutdown_timeout_ms
        # Calls from other threads, task events and the publish share the GUI
        # thread's turns: one budget, then the window's timers (wakeup.Turns).
        turns = Turns(self)
        self._calls = OwnerThreadCalls(self, turns)
        self._weak_self = weakref.ref(self)  # one for every handle: then() finds its manager through it
        self._registry = TaskRegistry()
        self._modes = ModeRegistry()
        self._publisher = Publisher(self, self._registry, turns, history, self.published)
        self._publisher.pass_signals_on(self)
        self._filter = TaskFilterModel(self._publisher.model, self)
        self._removals = Removals(self, self._publisher)
        self.signals = WorkerSignals(self, after_delivery=self._publisher.schedule, turns=turns)
        self._flow = TaskFlow(
            self._registry, self._modes, self._publisher, self.signals.dispatch, self._calls, self._weak_self
        )
        self._timeouts = Timeouts(self, self._registry, self._publisher, self._flow.cancel)
        events = TaskEvents(self._registry, self._modes, self._publisher, self._flow, self._timeouts, self.task_started)
        self.signals.set_handlers(events.handlers())
        self._events = events  # the signals hold its handlers weakly
        self._qml = QmlRuns(self)  # expose() and run()
        self._actions = TaskActions(self._registry, self._publisher, self._flow, self._calls, self._removals)
        cancel_all = self._actions.cancel_all  # not self.cancelAll: the parts hold no reference back
        self._closing = Closing(
            self._calls, self._registry, self._modes, self.signals, self._timeouts, self._publisher, cancel_all
        )
        self._threads, self._processes, modes = default_modes(max_threads, processes, max_tasks_per_child)
        for mode in modes:
            self.add_mode(mode)
        self._modes.selected = self._threads.name

    # -- Python API -------------------------------------------------------

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> TaskHandle:
        """Run ``fn(*args, **kwargs)`` in thread mode (its ``task`` parameter gets a :class:`TaskContext`)."""
        return self._flow.submit(fn, args, kwargs, None, None, "thread", 0, (), None)

    def submit_task(
        self,
        fn: Callable[..., Any],
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        timeout: float | None = None,
        mode: str = "thread",
        priority: int = 0,
        after: Sequence[TaskHandle] = (),
        group: str | None = None,
        latest: bool = False,
        limit: int | None = None,
    ) -> TaskHandle:
        """:meth:`submit` with options: a row ``name``, a ``timeout`` (s), a ``mode``, a
        ``priority`` (higher starts first), ``after`` (tasks that must finish first), and a
        ``group`` (``latest``: the newest wins; ``limit``: at most N at once).
        docs/python-api.md has each; a task its mode cannot take fails, as a task."""
        return self._flow.submit(fn, args, kwargs, name, timeout, mode, priority, after, None, group, latest, limit)

    # -- QML runs Python: expose() and run() ------------------------------------

    @overload
    def expose(self, fn: F, name: str | None = None, **options: Any) -> F: ...

    @overload
    def expose(self, fn: None = None, name: str | None = None, **options: Any) -> Callable[[F], F]: ...

    def expose(self, fn: F | None = None, name: str | None = None, **options: Any) -> Any:
        """Let QML run ``fn`` by ``name`` (default: its ``__name__``), with ``options`` as
        defaults for every run; a decorator too. Returns ``fn``. GUI thread. docs/qml-api.md."""
        if fn is None:
            return lambda given: self.expose(given, name, **options)
        self._qml.expose(fn, name, options)
        return fn

    def exposed(self) -> list[str]:
        """The names QML may run, sorted."""
        return self._qml.exposed()

    @Slot("QJSValue", result=QObject)
    @Slot("QJSValue", "QJSValue", result=QObject)
    @Slot("QJSValue", "QJSValue", "QJSValue", result=QObject)
    def run(self, name: Any, args: Any = None, options: Any = None) -> QObject:
        """From QML: run the function exposed as ``name`` with ``args`` and ``options``. Returns
        a ``TaskObject``; a mistake gives one that has already failed, saying why. docs/qml-api.md."""
        return self._qml.run(name, args, options)

    @on_owner_thread
    def add_mode(self, mode: Mode) -> OwnerCall | None:
        """Offer another place to run tasks, e.g. ``ExecutorMode("pool", executor)``; ValueError if
        its name is taken (from another thread: a Future of the outcome, see :func:`on_owner_thread`)."""
        self._modes.add(mode)
        mode.attach(self, self.signals, self._publisher.touch)
        self.modesChanged.emit()
        return None

    def mode_named(self, name: str) -> Mode:
        """The mode called ``name`` (KeyError if there is none)."""
        return self._modes[name]

    @property
    def accepting(self) -> bool:
        """Whether it takes new tasks: True until :meth:`shutdown`."""
        return self._registry.accepting

    def tasks(self) -> list[TaskHandle]:
        """The tasks that have not ended yet, oldest first."""
        return list(self._registry)

    @Slot("QVariant")  # not int: see task_number
    def cancel(self, task: TaskRef) -> None:
        """Cancel a task (its id, or handle): a queued one never starts, a running one stops at a check point."""
        self._actions.act(task, "cancel")

    @Slot("QVariant")  # not int: see task_number
    def pause(self, task: TaskRef) -> None:
        """Pause a task at its next check point (a queued one, once it starts)."""
        self._actions.act(task, "pause")

    @Slot("QVariant")  # not int: see task_number
    def resume(self, task: TaskRef) -> None:
        """Let a paused task go on."""
        self._actions.act(task, "resume")

    @Slot("QVariant")  # not int: see task_number
    def retry(self, task: TaskRef) -> TaskHandle | None:
        """Run an ended task again as a new one, with its call and options; None if there is no such task."""
        return self._actions.retry(task)

    @Slot("QVariant")
    def copyDetails(self, task: TaskRef) -> None:
        """Put a task's whole traceback (or, if it did not fail, its whole result) on the clipboard."""
        self._actions.copy_details(task)

    @Slot("QVariant")  # not int: see task_number
    def remove(self, task: TaskRef) -> None:
        """Take an ended task out of ``taskModel`` (a running one stays: cancel it first)."""
        self._actions.remove(task)  # undoable: removals.undo()

    @Slot()
    def cancelAll(self) -> OwnerCall | None:
        """Cancel every task that has not ended (newest first, so that a queued one never starts)."""
        return self._actions.cancel_all()

    @Slot()
    def clearFinished(self) -> None:
        """Remove the tasks that have ended from ``taskModel`` (undoable: ``removals.undo()``)."""
        self._actions.remove_ended(None, CLEAR_FINISHED)

    @Slot(result=int)
    def retryFailed(self) -> int:
        """Retry each failed or timed-out task that ``taskFilter`` shows, once; how many were retried."""
        return self._actions.retry_failed(self._filter)

    @Slot(result=int)
    def clearFailed(self) -> int:
        """Remove the failed and timed-out tasks that ``taskFilter`` shows (undoable); how many."""
        return self._actions.clear_failed(self._filter)

    def shutdown(self, timeout_ms: int | None = None) -> bool:
        """Stop taking work, cancel every task, wait at most ``timeout_ms`` (GUI thread); True if all ended."""
        return self._closing.close(self.shutdown_timeout_ms if timeout_ms is None else timeout_ms)

    # -- settings -------------------------------------------------------------------

    @on_owner_thread
    def _set_max_thread_count(self, count: Any) -> None:
        if self._threads.set_max_threads(count):  # a larger pool starts queued tasks at once
            self.maxThreadCountChanged.emit()

    @on_owner_thread
    def _set_process_count(self, count: Any) -> None:
        if self._processes.set_workers(count):
            self.processCountChanged.emit()

    @property
    def history_limit(self) -> int:
        """How many ended tasks ``taskModel`` keeps (``historyLimit``); older ones leave it, oldest first."""
        return self._publisher.history

    @history_limit.setter
    def history_limit(self, limit: int) -> None:
        self._set_history(history_number(limit))

    @on_owner_thread
    def _set_history(self, limit: int) -> None:
        if self._publisher.set_history(limit):
            self.historyLimitChanged.emit()

    @on_owner_thread
    def _set_mode(self, name: str) -> None:
        if name not in self._modes:  # QML sets it: logged, not raised (select_mode raises)
            log.warning(self._modes.unknown(name))
        elif self._modes.select(name):
            self.modeChanged.emit()

    def select_mode(self, name: str) -> None:
        """Make ``name`` the selected mode (``mode``). ValueError if there is no such mode."""
        self._modes.check(name)
        self._set_mode(name)

    @property
    def selected_mode(self) -> str:
        """The name of the selected mode: the ``mode`` property, for Python."""
        return self._modes.selected

    # -- for QML: properties (named getters: PySide6's metaobjectdump reads them) --

    def _get_busy(self) -> bool:
        return self._publisher.busy

    def _get_active_count(self) -> int:
        return self._publisher.active_count

    def _get_paused_count(self) -> int:
        return self._publisher.paused_count

    def _get_queued_count(self) -> int:
        return self._publisher.queued_count

    def _get_max_thread_count(self) -> int:
        return self._threads.max_threads

    def _get_process_count(self) -> int:
        return self._processes.workers

    def _get_mode(self) -> str:
        return self._modes.selected

    def _get_modes(self) -> list[str]:
        return self._modes.names()

    def _get_mode_description(self) -> str:
        return self._modes[self._modes.selected].description

    def _get_history_limit(self) -> int:
        return self._publisher.history

    def _get_older_removed(self) -> int:
        return self._publisher.older_removed

    def _get_task_model(self) -> TaskListModel:
        return self._publisher.model

    def _get_task_filter(self) -> TaskFilterModel:
        return self._filter

    def _get_removals(self) -> Removals:
        return self._removals

    busy = Property(bool, _get_busy, notify=busyChanged)
    activeCount = Property(int, _get_active_count, notify=activeCountChanged)
    pausedCount = Property(int, _get_paused_count, notify=pausedCountChanged)
    queuedCount = Property(int, _get_queued_count, notify=queuedCountChanged)
    # "real", so that what a binding sets arrives as it is (see ThreadMode.set_max_threads).
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
    taskFilter = Property(QObject, _get_task_filter, constant=True)  # a TaskFilterModel of taskModel
    removals = Property(QObject, _get_removals, constant=True)  # the last removal, to undo

    # -- hooks: a subclass overrides them (docs/python-api.md, "Extending the manager") --

    def task_started(self, handle: TaskHandle) -> None:
        """A task has started (GUI thread, before its row shows it)."""

    def published(self) -> None:
        """The model and the properties were just brought up to date (GUI thread, at most once a frame)."""
