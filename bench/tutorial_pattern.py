"""The tutorial's worker pattern, rebuilt here only to be measured against.

One ``WorkerSignals`` QObject per worker, created in the worker's constructor
and owned by the runnable; a QMainWindow owns a ``QThreadPool`` and connects
each worker's signals to its own methods. Do not copy this: it is the
baseline that ``backend/`` improves on.
"""

from __future__ import annotations

import sys
import traceback

from qtpy.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from qtpy.QtWidgets import QMainWindow


class TutorialSignals(QObject):
    finished = Signal()
    error = Signal(tuple)
    result = Signal(object)
    progress = Signal(int)  # the tutorial's int: floats are truncated


class TutorialWorker(QRunnable):
    def __init__(self, fn, *args, **kwargs):
        super().__init__()
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.signals = TutorialSignals()
        self.kwargs["progress_callback"] = self.signals.progress

    @Slot()
    def run(self):
        try:
            result = self.fn(*self.args, **self.kwargs)
        except Exception:
            exctype, value = sys.exc_info()[:2]
            self.signals.error.emit((exctype, value, traceback.format_exc()))
        else:
            self.signals.result.emit(result)
        finally:
            self.signals.finished.emit()


class TutorialWindow(QMainWindow):
    """The tutorial's MainWindow, less its widgets: it owns the pool and the slots."""

    def __init__(self, keep_references: bool) -> None:
        super().__init__()
        self.threadpool = QThreadPool()
        self.keep_references = keep_references
        self.workers = []
        self.results = 0
        self.finished = 0

    def start(self, fn) -> None:
        worker = TutorialWorker(fn)
        worker.signals.result.connect(self.print_output)
        worker.signals.finished.connect(self.thread_complete)
        worker.signals.progress.connect(self.progress_fn)
        if self.keep_references:
            self.workers.append(worker)
        self.threadpool.start(worker)

    def print_output(self, value) -> None:
        self.results += 1

    def thread_complete(self) -> None:
        self.finished += 1

    def progress_fn(self, percent) -> None:
        self.progress = percent
