"""offthread: run long work off the GUI thread of a PySide2 or PySide6 + QML app.

The engine's public names are listed in ``__all__``. Three layers, each a
subpackage (docs/python-api.md has the details):

- ``offthread.core``: what a task is and how it runs, in any process; no Qt.
- ``offthread.engine``: the Qt task manager, its signals, model and modes.
- ``offthread.app``: the demo app built on the engine (its QML facade, its
  jobs, the command line); the engine knows nothing of it.

Names are imported on first use (PEP 562): a worker process imports
``offthread.core`` modules, and with them this file, and must not load Qt.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .core.lazy import lazy_names

if TYPE_CHECKING:  # what a user's mypy and IDE see; at run time, each loads on first use (below)
    from .core.context import Partial as Partial
    from .core.context import Progress as Progress
    from .core.context import TaskCancelled as TaskCancelled
    from .core.context import TaskContext as TaskContext
    from .core.coroutines import AsyncContext as AsyncContext
    from .core.errors import TaskError as TaskError
    from .core.errors import TaskFailed as TaskFailed
    from .core.estimate import Estimate as Estimate
    from .core.estimate import Timing as Timing
    from .core.sink import EventSink as EventSink
    from .core.states import CancelReason as CancelReason
    from .core.states import Event as Event
    from .core.states import TaskState as TaskState
    from .core.track import Tracked as Tracked
    from .engine.limits import DEFAULT_SHUTDOWN_TIMEOUT_MS as DEFAULT_SHUTDOWN_TIMEOUT_MS
    from .engine.manager import TaskManager as TaskManager
    from .engine.model import TaskListModel as TaskListModel
    from .engine.modes import AsyncioMode as AsyncioMode
    from .engine.modes import EventsMode as EventsMode
    from .engine.modes import ExecutorMode as ExecutorMode
    from .engine.modes import GuiMode as GuiMode
    from .engine.modes import Mode as Mode
    from .engine.modes import ProcessMode as ProcessMode
    from .engine.modes import ThreadMode as ThreadMode
    from .engine.modes import UnpicklableTask as UnpicklableTask
    from .engine.outcome import TaskFuture as TaskFuture
    from .engine.qmlmodule import register_qml_types as register_qml_types
    from .engine.signals import WorkerSignals as WorkerSignals
    from .engine.task import TaskHandle as TaskHandle
    from .engine.taskobject import TaskObject as TaskObject
    from .engine.tuning import tune_gui_process as tune_gui_process
    from .engine.worker import Worker as Worker

# public name -> the module that defines it, under this package
_HOMES = {
    "AsyncContext": "core.coroutines",
    "AsyncioMode": "engine.modes",
    "CancelReason": "core.states",
    "DEFAULT_SHUTDOWN_TIMEOUT_MS": "engine.limits",
    "Estimate": "core.estimate",
    "Event": "core.states",
    "EventSink": "core.sink",
    "EventsMode": "engine.modes",
    "ExecutorMode": "engine.modes",
    "GuiMode": "engine.modes",
    "Mode": "engine.modes",
    "Partial": "core.context",
    "ProcessMode": "engine.modes",
    "Progress": "core.context",
    "TaskCancelled": "core.context",
    "TaskContext": "core.context",
    "TaskError": "core.errors",
    "TaskFailed": "core.errors",
    "TaskFuture": "engine.outcome",
    "TaskHandle": "engine.task",
    "TaskListModel": "engine.model",
    "TaskManager": "engine.manager",
    "TaskObject": "engine.taskobject",
    "TaskState": "core.states",
    "Timing": "core.estimate",
    "Tracked": "core.track",
    "ThreadMode": "engine.modes",
    "UnpicklableTask": "engine.modes",
    "Worker": "engine.worker",
    "WorkerSignals": "engine.signals",
    "register_qml_types": "engine.qmlmodule",
    "tune_gui_process": "engine.tuning",
}

__all__ = sorted(_HOMES)  # noqa: PLE0605 - a list, made from the table above

__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals())
