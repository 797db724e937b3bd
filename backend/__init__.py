"""Run long work off the GUI thread of a PySide2 + QML app.

The public names are listed in ``__all__``; every module not named here is an
implementation detail. ``Backend`` is what QML sees; ``Backend.submit`` is the
Python API; ``Worker`` and ``WorkerSignals`` are the generic building blocks
it is made of.
"""
from .backend import DEFAULT_SHUTDOWN_TIMEOUT_MS, Backend
from .context import Partial, Progress, TaskCancelled, TaskContext
from .errors import TaskError
from .jobs import DemoFailure, danger_job, failing_job
from .lagmeter import LagMeter
from .live import LiveReload
from .model import TaskListModel
from .signals import WorkerSignals
from .task import TaskHandle, TaskState
from .ui import DEFAULT_QML, QmlLoadError, QmlUi, load_ui
from .worker import Worker

__all__ = [
    "Backend",
    "DEFAULT_QML",
    "DEFAULT_SHUTDOWN_TIMEOUT_MS",
    "DemoFailure",
    "LagMeter",
    "LiveReload",
    "Partial",
    "Progress",
    "QmlLoadError",
    "QmlUi",
    "TaskCancelled",
    "TaskContext",
    "TaskError",
    "TaskHandle",
    "TaskListModel",
    "TaskState",
    "Worker",
    "WorkerSignals",
    "danger_job",
    "failing_job",
    "load_ui",
]
