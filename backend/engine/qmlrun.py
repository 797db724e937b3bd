"""``expose()`` and ``run()``: QML starts the Python functions an app names, and gets task objects.

The manager's ``expose``, ``exposed`` and ``run`` come here. A run's
arguments and options arrive as JS values; a mistake in them (an unknown
name, an unknown option, a bad value) gives a task that has already failed,
with a message that names it, as a row in the task list: nothing is thrown
into the caller's JavaScript, and nothing is only printed.

Owners: a run with ``owner: item`` is cancelled when that item is destroyed,
and its callbacks are never called after. One connection per owner, however
many runs it owns. Debounce: a group's runs wait until it has been quiet for
that long; only the last one becomes a task. docs/qml-api.md says it all
for QML developers.
"""

from __future__ import annotations

import functools
import logging
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from ..core.errors import TaskError
from ..core.states import TaskState
from .qt import QtQml, shiboken
from .qt.QtCore import QObject, QTimer
from .qt.QtQml import QJSEngine, QJSValue
from .taskobject import TaskObject
from .values import from_js

if TYPE_CHECKING:
    from .manager import TaskManager

log = logging.getLogger(__name__)

#: What ``expose()`` takes as defaults for every run of a function.
EXPOSE_OPTIONS = ("mode", "timeout", "group", "latest", "limit", "debounce", "priority")
#: What ``run()`` takes in its options object.
RUN_OPTIONS = ("mode", "timeout", "name", "owner", "group", "latest", "limit", "debounce", "priority")


class Refused(Exception):
    """A run that cannot start as asked: its message says why, and the task object shows it."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class Exposed:
    """A function QML may run, and its default options."""

    fn: Callable[..., Any]
    options: dict[str, Any]
    #: What a run with no options of its own uses: ``options``, with the group filled in.
    plain: dict[str, Any]


@dataclass
class _Spec:
    """A run, checked: what to submit."""

    name: str
    fn: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    options: dict[str, Any]


@dataclass
class _Pending:
    """A debounced group's last run, waiting for quiet."""

    task: TaskObject
    spec: _Spec
    timer: QTimer
    replaced: list[TaskObject] = field(default_factory=list)


class QmlRuns:
    """The exposed functions of one manager, and the runs QML started."""

    def __init__(self, manager: TaskManager) -> None:
        self._manager_ref = manager._weak_self  # weak: the manager holds this
        self._exposed: dict[str, Exposed] = {}
        self._pending: dict[str, _Pending] = {}  # by group
        self._owned: dict[int, set[TaskObject]] = {}  # owner's address -> its runs not ended

    @property
    def _manager(self) -> TaskManager:
        manager = self._manager_ref()
        assert manager is not None, "a manager's runs go with it"
        return manager

    # -- expose --------------------------------------------------------------------

    def expose(self, fn: Callable[..., Any], name: str | None, options: dict[str, Any]) -> None:
        if not callable(fn):
            raise TypeError(f"expose() takes a function, not {type(fn).__name__}")
        key = name if name is not None else getattr(fn, "__name__", None)
        if not isinstance(key, str) or not key:
            raise TypeError(f"expose() needs a name for {fn!r}: pass name=")
        unknown = sorted(set(options) - set(EXPOSE_OPTIONS))
        if unknown:
            raise TypeError(f"expose() options are {', '.join(EXPOSE_OPTIONS)}; not {', '.join(unknown)}")
        try:
            checked = self._checked(options)
        except Refused as problem:
            raise (TypeError if problem.kind == "TypeError" else ValueError)(f"expose({key!r}): {problem}") from None
        if key in self._exposed:
            log.info("run(%r) now calls %s (it called %s)", key, _named(fn), _named(self._exposed[key].fn))
        self._exposed[key] = Exposed(fn, checked, with_group(dict(checked), key))

    def exposed(self) -> list[str]:
        return sorted(self._exposed)

    # -- run -------------------------------------------------------------------------

    def run(self, name: Any, args: Any, options: Any) -> TaskObject:
        manager = self._manager
        engine = _engine_of(manager, name)
        text = name.toString() if isinstance(name, QJSValue) else str(name)
        task = TaskObject(manager, engine, text, self)
        try:
            spec = self._spec(text, args, options)
        except Refused as problem:
            self._refuse(task, text, problem)
            return task
        owner = spec.options.pop("owner", None)
        if owner is not None:
            self._watch(owner, task)
        debounce = spec.options.pop("debounce", None)
        if debounce:
            self._debounce(task, spec, debounce)
        else:
            self._submit(task, spec)
        return task

    def _spec(self, name: str, args: Any, options: Any) -> _Spec:
        exposed = self._exposed.get(name)
        if exposed is None:
            known = ", ".join(self.exposed()) or "none (call TaskManager.expose(fn) in Python first)"
            raise Refused("NameError", f"run({name!r}): no function is exposed under that name; exposed: {known}")
        given = _options_of(options, name)
        if given:
            checked = with_group({**exposed.options, **self._checked(given, name)}, name)
        else:
            checked = dict(exposed.plain)  # a copy: run() takes the owner and debounce out of it
        positional, keywords = _arguments(args, name)
        return _Spec(name, exposed.fn, positional, keywords, checked)

    def _checked(self, options: dict[str, Any], name: str = "") -> dict[str, Any]:
        checked: dict[str, Any] = {}
        where = f"run({name!r}): " if name else ""
        for key, value in options.items():
            if key not in RUN_OPTIONS:
                raise Refused("TypeError", f"{where}unknown option {key!r}; the options are {', '.join(RUN_OPTIONS)}")
            if value is None:
                continue
            checked[key] = _check(key, value, self._manager, where)
        return checked

    def _submit(self, task: TaskObject, spec: _Spec) -> None:
        options = spec.options
        try:
            handle = self._manager._flow.submit(
                spec.fn,
                spec.args,
                spec.kwargs,
                options.get("name"),
                options.get("timeout"),
                options.get("mode", "thread"),
                options.get("priority", 0),
                (),
                None,
                options.get("group"),
                options.get("latest", False),
                options.get("limit"),
                True,  # soon: once the JavaScript that called run() has returned
            )
        except (TypeError, ValueError) as error:
            self._refuse(task, spec.name, Refused(type(error).__name__, f"run({spec.name!r}): {error}"))
            return
        except RuntimeError as error:  # shut down: there is no list to show it in any more
            task.end_unstarted(TaskState.FAILED, TaskError(type(error).__name__, str(error), str(error)))
            return
        task.bind(handle)

    def _refuse(self, task: TaskObject, name: str, problem: Refused) -> None:
        message = str(problem)
        error = TaskError(problem.kind, message, f"{problem.kind}: {message}\n")
        try:
            handle = self._manager._flow.refuse(name, error, "thread")
        except RuntimeError:  # shut down
            task.end_unstarted(TaskState.FAILED, error)
            return
        task.bind(handle)

    # -- controls from a task object ---------------------------------------------------

    def post(self, fn: Any, *args: Any) -> None:
        self._manager._calls.post(fn, *args)

    def ended(self, task: TaskObject) -> None:
        self._unwatch(task)

    def control(self, verb: str, task: TaskObject) -> None:
        handle = task.handle
        if handle is None:
            if verb == "cancel":
                self._drop_pending(task)
            return
        manager = self._manager
        if verb == "cancel":
            manager.cancel(handle)
        elif verb == "pause":
            manager.pause(handle)
        else:
            manager.resume(handle)

    # -- debounce --------------------------------------------------------------------

    def _debounce(self, task: TaskObject, spec: _Spec, milliseconds: float) -> None:
        group = spec.options["group"]
        pending = self._pending.get(group)
        if pending is None:
            timer = QTimer(self._manager)
            timer.setSingleShot(True)
            timer.timeout.connect(functools.partial(self._quiet, group))
            pending = self._pending[group] = _Pending(task, spec, timer)
        else:
            replaced = pending.task
            pending.task, pending.spec = task, spec
            self._replace(replaced, task)
        pending.timer.start(max(0, math.ceil(milliseconds)))

    def _replace(self, replaced: TaskObject, by: TaskObject) -> None:
        """``replaced`` never becomes a task: it ends cancelled, and lives as long as ``by``."""
        for child in replaced.findChildren(TaskObject):
            child.setParent(by)
        replaced.setParent(by)
        self._unwatch(replaced)
        replaced.end_unstarted(TaskState.CANCELLED)

    def _quiet(self, group: str) -> None:
        pending = self._pending.pop(group, None)
        if pending is not None:
            pending.timer.deleteLater()
            self._submit(pending.task, pending.spec)

    def _drop_pending(self, task: TaskObject) -> None:
        for group, pending in list(self._pending.items()):
            if pending.task is task:
                del self._pending[group]
                pending.timer.stop()
                pending.timer.deleteLater()
                self._unwatch(task)
                task.end_unstarted(TaskState.CANCELLED)

    # -- owners ----------------------------------------------------------------------

    def _watch(self, owner_js: QJSValue, task: TaskObject) -> None:
        owner = owner_js.toQObject()
        key = _address(owner)
        runs = self._owned.get(key)
        if runs is None:
            runs = self._owned[key] = set()
            owner.destroyed.connect(functools.partial(_owner_gone, self._manager_ref, key))
        runs.add(task)
        task.owner_key = key

    def _unwatch(self, task: TaskObject) -> None:
        key = task.owner_key
        if key is not None:
            task.owner_key = None
            runs = self._owned.get(key)
            if runs is not None:
                runs.discard(task)

    def owner_gone(self, key: int) -> None:
        for task in self._owned.pop(key, ()):
            task.owner_key = None
            task.silence()
            if task.handle is None:
                self._drop_pending(task)
            elif not task.handle.done:
                self._manager.cancel(task.handle)


def _owner_gone(manager_ref: Callable[[], TaskManager | None], key: int, *_destroyed: Any) -> None:
    # Holds the manager weakly: an owner may outlive it.
    manager = manager_ref()
    if manager is not None:
        manager._qml.owner_gone(key)


def _address(item: QObject) -> int:
    """The C++ object's address: one key per item, whichever Python wrapper reached us."""
    return int(shiboken().getCppPointer(item)[0])


_QJS_ENGINE = getattr(QtQml, "qjsEngine", None)  # PySide6 has it, PySide2 does not


def _engine_of(manager: QObject, name: Any) -> QJSEngine:
    """The QML engine that called run(): PySide6 knows the manager's; PySide2's QJSValue knows its own."""
    engine: QJSEngine | None = _QJS_ENGINE(manager) if _QJS_ENGINE is not None else None
    if engine is None and isinstance(name, QJSValue) and hasattr(name, "engine"):
        engine = name.engine()
    if engine is None:
        raise RuntimeError("run() is called from QML, where it returns a task object; from Python, use submit_task()")
    return engine


def _options_of(options: Any, name: str) -> dict[str, Any]:
    if options is None or (isinstance(options, QJSValue) and (options.isUndefined() or options.isNull())):
        return {}
    if not isinstance(options, QJSValue) or not options.isObject() or options.isArray() or options.isCallable():
        raise Refused("TypeError", f'run({name!r}): options must be an object, e.g. {{mode: "process"}}')
    found: dict[str, Any] = {}
    entries = QtQml.QJSValueIterator(options)
    while entries.hasNext():
        entries.next()
        key, value = entries.name(), entries.value()
        # The owner stays a JS value until it is watched: PySide2 marks the
        # wrapper toQObject() returns as deleted once its QJSValue is gone.
        found[key] = value if key == "owner" and value.isQObject() else from_js(value)
    return found


def _arguments(args: Any, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """``args``: an array of positional arguments, or an object of keyword arguments."""
    if args is None or (isinstance(args, QJSValue) and (args.isUndefined() or args.isNull())):
        return (), {}
    value = from_js(args)
    if isinstance(value, list):
        return tuple(value), {}
    if isinstance(value, dict):
        return (), value
    raise Refused("TypeError", f"run({name!r}): args must be an array (or an object of keyword arguments)")


def _check(key: str, value: Any, manager: TaskManager, where: str) -> Any:
    """One option's value, checked; Refused names the option."""

    def refuse(wanted: str) -> Refused:
        return Refused("TypeError", f"{where}option {key!r} must be {wanted}, not {value!r}")

    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if key == "mode":
        modes = manager._get_modes()
        if value not in modes:
            raise Refused("ValueError", f"{where}no mode named {value!r}; the modes are {', '.join(modes)}")
    elif key in ("name", "group"):
        if not isinstance(value, str) or not value:
            raise refuse("a non-empty string")
    elif key == "owner":
        if not isinstance(value, QJSValue):
            raise refuse("an item (a QML object)")
    elif key == "latest":
        if not isinstance(value, bool):
            raise refuse("true or false")
    elif key in ("limit", "priority"):
        if not isinstance(value, int) or isinstance(value, bool) or (key == "limit" and value < 1):
            raise refuse("a whole number" + (" from 1" if key == "limit" else ""))
    elif key == "timeout":
        if not number or not value > 0 or not math.isfinite(value):
            raise refuse("a number of seconds above 0")
    elif key == "debounce":
        if not number or value < 0 or not math.isfinite(value):
            raise refuse("a number of milliseconds, 0 or more")
    return value


def with_group(options: dict[str, Any], name: str) -> dict[str, Any]:
    """``options``, in a group of their own function's name if they need one and name none."""
    if any(options.get(key) for key in ("latest", "limit", "debounce")):
        options.setdefault("group", name)  # latest: the newest run of this function wins
    return options


def _named(fn: Callable[..., Any]) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"
