"""``TaskObject``: what ``tasks.run()`` returns to QML, one per run.

It mirrors its task's handle for bindings (each property has a change
signal, emitted on a real change only, when the manager publishes) and
calls ``then()``'s callbacks once the task has ended. Until something
listens to one of its signals (a binding, a ``Connections``, a
``connect()``), it is not kept up to date: a read brings it up to date
first. A loop of 10,000 run()s then costs no work per publish for the
task objects nobody watches. The manager owns it
(its Qt parent), and deletes it when its task leaves the task list (the
history limit, Remove, Clear finished): QML's references to it become null
then. A run that never became a task (replaced while debounced) lives as
long as the run that replaced it. docs/qml-api.md has the whole story.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol, Tuple

from ..core.errors import TaskError
from ..core.states import TaskState
from .qt.QtCore import Property, QObject, Signal, Slot
from .qt.QtQml import QJSEngine, QJSValue
from .task import TaskHandle
from .values import to_js

log = logging.getLogger(__name__)

_NULL = QJSValue.SpecialValue.NullValue
# One null for every task object's partial, result and error until they are
# set: a QJSValue is a value, replaced, never changed in place.
_NULL_VALUE = QJSValue(_NULL)

# then()'s callbacks: on a result, on an error (failed or timed out), on a cancel.
Callbacks = Tuple[QJSValue, QJSValue, QJSValue]


class Runs(Protocol):
    """What a task object asks of the runs that made it (``qmlrun.QmlRuns``)."""

    def post(self, fn: Any, *args: Any) -> None:
        """Run ``fn(*args)`` in a later turn of the GUI thread."""

    def control(self, verb: str, task: TaskObject) -> None:
        """``cancel``, ``pause`` or ``resume`` the task of ``task``."""

    def ended(self, task: TaskObject) -> None:
        """``task``'s task has ended (or it never became one)."""


def error_object(engine: QJSEngine, error: TaskError) -> QJSValue:
    """A task's error for QML: ``{type, message, traceback, summary}``."""
    return to_js(
        engine,
        {"type": error.type, "message": error.message, "traceback": error.traceback, "summary": error.summary},
    )


class TaskObject(QObject):
    """One run from QML: its task's state, progress and outcome, and ``then``/``cancel``/``pause``/``resume``."""

    taskIdChanged = Signal()
    nameChanged = Signal()
    stateChanged = Signal()
    progressChanged = Signal()
    progressTextChanged = Signal()
    partialChanged = Signal()
    resultChanged = Signal()
    errorChanged = Signal()
    doneChanged = Signal()
    elapsedChanged = Signal()
    #: Every partial result, in order, as it arrives (``partial`` shows only the latest at each refresh).
    partialReceived = Signal("QJSValue")  # type: ignore[arg-type]  # PySide2 takes the name only

    # What a new one shows, as class attributes: a run makes one object per
    # call, and each attribute set on a QObject subclass costs (bench/run_qml.py).
    owner_key: int | None = None  # the address of the item that owns it, if any
    handle: TaskHandle | None = None
    _task_id = 0
    _state = str(TaskState.QUEUED)
    _progress = 0.0
    _progress_text = ""
    _partial = _NULL_VALUE
    _partial_of: Any = None  # the Python value _partial was made from
    _result = _NULL_VALUE
    _error = _NULL_VALUE
    _done = False
    _elapsed = 0.0
    _callbacks: list[Callbacks] | None = None
    _silenced = False  # its owner is gone: no callback is called any more
    _heard = False  # something is connected to one of its signals: keep it up to date

    def __init__(self, parent: QObject, engine: QJSEngine, name: str, runs: Runs) -> None:
        super().__init__(parent)
        self._engine = engine
        self._runs = runs
        self._name = name

    # -- for the manager --------------------------------------------------------

    def bind(self, handle: TaskHandle) -> None:
        """From now on it shows ``handle``'s task (the manager calls :meth:`sync` and :meth:`task_ended`)."""
        self.handle = handle
        handle.view = self
        if self._heard:  # a debounced run QML has had for a while
            self._update()

    def task_ended(self) -> None:
        """Its task has ended, and its ``finished`` has been delivered (GUI thread)."""
        self._runs.ended(self)
        if self._heard or self._callbacks:
            self._update()  # the list may publish later: listeners and callbacks see the outcome now
        if self._callbacks:
            self._runs.post(self._call_back)  # in a later turn, as then() promises

    def end_unstarted(self, state: TaskState, error: TaskError | None = None) -> None:
        """End a run that never became a task: a debounced call replaced by a later one
        (cancelled), or one made after the manager shut down (failed, with ``error``)."""
        if error is not None:
            self._error = error_object(self._engine, error)
            self.errorChanged.emit()
        self._set("_state", str(state), self.stateChanged)
        self._set("_done", True, self.doneChanged)
        self._runs.ended(self)
        self._runs.post(self._call_back)

    def silence(self) -> None:
        """Its owner is gone: none of its callbacks will be called."""
        self._silenced = True
        self._callbacks = None

    def sync(self) -> None:
        """The manager published: show the handle's latest state, if anything listens."""
        if self._heard:
            self._update()

    def connectNotify(self, signal: Any) -> None:
        """Something listens now (Qt calls this for bindings and connections alike)."""
        if not self._heard:
            self._update()  # quietly: nothing listened until now
            self._heard = True

    def _fresh(self) -> TaskObject:
        """Itself, up to date (for a read): kept so only while something listens."""
        if not self._heard:
            self._update()
        return self

    def _update(self) -> None:
        """Show the handle's latest state, notifying real changes only (and only if heard)."""
        handle = self.handle
        if handle is None:
            return
        heard = self._heard
        self._set("_task_id", handle.id, self.taskIdChanged)
        self._set("_name", handle.name, self.nameChanged)
        self._set("_progress", float(handle.progress), self.progressChanged)
        self._set("_progress_text", handle.progress_text, self.progressTextChanged)
        self._set("_elapsed", round(handle.elapsed(), 3), self.elapsedChanged)
        done = handle.done
        partial = None if done else handle.partial
        if partial is not self._partial_of:
            self._partial_of = partial
            self._partial = to_js(self._engine, partial)
            if heard:
                self.partialChanged.emit()
        if done and not self._done:
            if handle.state == TaskState.FINISHED:
                self._result = to_js(self._engine, handle.result)
                if heard:
                    self.resultChanged.emit()
            elif handle.error is not None:
                self._error = error_object(self._engine, handle.error)
                if heard:
                    self.errorChanged.emit()
            elif handle.state == TaskState.TIMED_OUT:
                limit = f" after {handle.timeout:g} s" if handle.timeout else ""
                self._error = error_object(self._engine, TaskError("TimeoutError", f"timed out{limit}", ""))
                if heard:
                    self.errorChanged.emit()
        self._set("_state", str(handle.state), self.stateChanged)
        self._set("_done", done, self.doneChanged)

    def receive_partial(self, value: Any) -> None:
        """A partial result arrived (GUI thread): hand it to QML at once, in order; not once
        its owner is gone (a handler connected in the owner's page would find it gone too)."""
        if not self._silenced and self.isSignalConnected(_PARTIAL_RECEIVED):
            self.partialReceived.emit(to_js(self._engine, value))

    def release(self) -> None:
        """Its task has left the list: delete it once what is already posted has run."""
        if self.handle is not None:
            self.handle.view = None
        self._callbacks = None
        self._runs.post(self.deleteLater)

    # -- internals ---------------------------------------------------------------------

    def _set(self, attribute: str, value: Any, changed: Any) -> None:
        if getattr(self, attribute) != value:
            setattr(self, attribute, value)
            if self._heard:
                changed.emit()

    def _call_back(self) -> None:
        callbacks, self._callbacks = self._callbacks, None
        if self._silenced or not callbacks:
            return
        state = self._state
        for on_result, on_error, on_cancelled in callbacks:
            if state == TaskState.FINISHED:
                self._call(on_result, self._result)
            elif state in (TaskState.FAILED, TaskState.TIMED_OUT):
                self._call(on_error, self._error)
            else:
                self._call(on_cancelled, QJSValue(self._state))

    def _call(self, callback: QJSValue, argument: QJSValue) -> None:
        if not callback.isCallable():
            return
        outcome = callback.call([argument])
        if outcome.isError():
            # A mistake in the app's own JavaScript: said where QML says its errors.
            log.warning("a then() callback of task %d (%s) threw: %s", self._task_id, self._name, outcome.toString())

    # -- QML -----------------------------------------------------------------------

    @Slot("QJSValue", result=QObject)
    @Slot("QJSValue", "QJSValue", result=QObject)
    @Slot("QJSValue", "QJSValue", "QJSValue", result=QObject)
    def then(self, on_result: QJSValue, on_error: Any = None, on_cancelled: Any = None) -> TaskObject:
        """Call ``on_result(result)`` once the task has finished, ``on_error(error)`` if it failed
        or timed out, ``on_cancelled(state)`` if it was cancelled: at most once each, on the GUI
        thread, in a later turn of the event loop. Returns this object, so calls chain."""
        if self._silenced:
            return self
        if self._callbacks is None:
            self._callbacks = []
        self._callbacks.append((on_result, _callable(on_error), _callable(on_cancelled)))
        if self._fresh()._done and (self.handle is None or self.handle._settled):
            self._runs.post(self._call_back)
        return self

    @Slot()
    def cancel(self) -> None:
        """Cancel the task: a queued one never starts, a running one stops at its next check point."""
        self._runs.control("cancel", self)

    @Slot()
    def pause(self) -> None:
        """Pause the task at its next check point."""
        self._runs.control("pause", self)

    @Slot()
    def resume(self) -> None:
        """Let the paused task go on."""
        self._runs.control("resume", self)

    def _get_task_id(self) -> int:
        return self._fresh()._task_id

    def _get_name(self) -> str:
        return self._fresh()._name

    def _get_state(self) -> str:
        return self._fresh()._state

    def _get_progress(self) -> float:
        return self._fresh()._progress

    def _get_progress_text(self) -> str:
        return self._fresh()._progress_text

    def _get_partial(self) -> QJSValue:
        return self._fresh()._partial

    def _get_result(self) -> QJSValue:
        return self._fresh()._result

    def _get_error(self) -> QJSValue:
        return self._fresh()._error

    def _get_done(self) -> bool:
        return self._fresh()._done

    def _get_elapsed(self) -> float:
        return self._fresh()._elapsed

    taskId = Property(int, _get_task_id, notify=taskIdChanged)
    name = Property(str, _get_name, notify=nameChanged)
    state = Property(str, _get_state, notify=stateChanged)
    progress = Property(float, _get_progress, notify=progressChanged)
    progressText = Property(str, _get_progress_text, notify=progressTextChanged)
    partial = Property(QJSValue, _get_partial, notify=partialChanged)
    result = Property(QJSValue, _get_result, notify=resultChanged)
    error = Property(QJSValue, _get_error, notify=errorChanged)
    done = Property(bool, _get_done, notify=doneChanged)
    elapsed = Property(float, _get_elapsed, notify=elapsedChanged)


def _signal_method(meta: Any, name: str) -> Any:
    """The QMetaMethod of signal ``name``, to ask cheaply whether anything listens."""
    for index in range(meta.methodOffset(), meta.methodCount()):
        method = meta.method(index)
        if bytes(method.name()).decode() == name:
            return method
    raise LookupError(name)


# The class's own meta-object: self.metaObject() can return a stale wrapper in PySide2.
_PARTIAL_RECEIVED = _signal_method(getattr(TaskObject, "staticMetaObject"), "partialReceived")  # noqa: B009


def _callable(value: Any) -> QJSValue:
    return value if isinstance(value, QJSValue) else QJSValue()
