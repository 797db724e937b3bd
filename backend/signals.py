"""The one signals object that carries every task's events to the GUI thread."""
from __future__ import annotations

from PySide2.QtCore import QObject, Signal


class WorkerSignals(QObject):
    """Signals of all workers of one backend, each keyed by task id.

    A QRunnable is not a QObject, so it cannot have signals of its own. The
    tutorial gives every worker its own signals object; that object is then
    destroyed on the pool thread with its runnable, which crashes PySide2, and
    one connection set per task makes submitting quadratic. Here one object,
    created on the GUI thread and owned by the backend, serves every task: its
    connections are made once, and it outlives every worker that emits on it.

    Per task, ``started`` comes first (unless the task was cancelled before it
    started), then any ``progress``, then exactly one of ``result``, ``error``
    or ``cancelled``, and ``finished`` always comes last. Emits from one pool
    thread reach the GUI thread in that order.
    """

    started = Signal(int)  # task id
    progress = Signal(int, float)  # task id, percent done in [0, 100]
    result = Signal(int, object)  # task id, the function's return value
    error = Signal(int, object)  # task id, a TaskError
    cancelled = Signal(int)  # task id; the task stopped on request
    finished = Signal(int)  # task id; always the last signal of a task
