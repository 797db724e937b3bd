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

from .core.lazy import lazy_names

# public name -> the module that defines it, under this package
_HOMES = {
    "AsyncContext": "core.coroutines",
    "AsyncioMode": "engine.modes",
    "CancelReason": "core.states",
    "DEFAULT_SHUTDOWN_TIMEOUT_MS": "engine.manager",
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
    "TaskHandle": "engine.task",
    "TaskListModel": "engine.model",
    "TaskManager": "engine.manager",
    "TaskState": "core.states",
    "Tracked": "core.track",
    "ThreadMode": "engine.modes",
    "UnpicklableTask": "engine.modes",
    "Worker": "engine.worker",
    "WorkerSignals": "engine.signals",
}

__all__ = sorted(_HOMES)  # noqa: PLE0605 - a list, made from the table above

__getattr__, __dir__ = lazy_names(__name__, _HOMES, globals())
