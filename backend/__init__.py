"""Run long work off the GUI thread of a PySide + QML app.

The public names are listed in ``__all__``; every module not named here is an
implementation detail. ``Backend`` is what QML sees; ``Backend.submit`` is the
Python API; ``Worker`` and ``WorkerSignals`` are the generic building blocks
it is made of; the ``*Mode`` classes say where a task runs.

Names are imported on first use (PEP 562), so that a worker process, which
needs only the Qt-free modules (``call``, ``context``, ``remote``), does not
load Qt: that would cost every worker process time and memory.
"""
from __future__ import annotations

import importlib
from typing import Any, List

# public name -> the module that defines it
_HOMES = {
    "Backend": "backend",
    "DEFAULT_SHUTDOWN_TIMEOUT_MS": "backend",
    "DEFAULT_QML": "ui",
    "DemoFailure": "jobs",
    "EventsMode": "modes",
    "ExecutorMode": "modes",
    "GuiMode": "modes",
    "LagMeter": "lagmeter",
    "LiveReload": "live",
    "Mode": "modes",
    "Partial": "context",
    "ProcessMode": "modes",
    "Progress": "context",
    "QmlLoadError": "ui",
    "QmlUi": "ui",
    "TaskCancelled": "context",
    "TaskContext": "context",
    "TaskError": "errors",
    "TaskHandle": "task",
    "TaskListModel": "model",
    "TaskState": "task",
    "ThreadMode": "modes",
    "Worker": "worker",
    "WorkerSignals": "signals",
    "cpu_job": "jobs",
    "danger_job": "jobs",
    "failing_job": "jobs",
    "load_ui": "ui",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(__all__))
