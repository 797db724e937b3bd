"""The generic QRunnable that runs any callable, or drives any generator, on a pool thread."""

from __future__ import annotations

import logging
from typing import Any, Callable

from ..core.call import run_call, with_context
from ..core.context import TaskContext
from .qt.QtCore import QRunnable
from .signals import WorkerSignals

log = logging.getLogger(__name__)


class Worker(QRunnable):
    """Runs ``fn(*args, **kwargs)`` once on a pool thread and reports through ``signals``.

    ``signals`` is shared, created on the GUI thread and owned by something
    that outlives the worker (the backend); the worker only queues reports on
    it, so nothing Qt-owned is ever destroyed on a pool thread. The pool
    deletes the worker after ``run`` (auto-delete); the worker has dropped
    its references to the function and arguments by then.

    If ``fn`` declares a ``task`` or ``progress_callback`` parameter that the
    caller did not pass, it receives the task's :class:`TaskContext`. The
    caller's ``kwargs`` dict is never modified. If ``fn`` returns a generator,
    the worker drives it: each ``yield`` is a progress point and a check point
    (see :class:`~offthread.core.context.Progress`), and the generator's ``return`` value is the result.

    It runs only if it claims its start first: ``worker.context.try_withdraw()``
    from another thread takes it back before it runs (True: it never will;
    see :mod:`offthread.core.lifecycle`).

    For many small tasks, submit them to a :class:`~offthread.engine.manager.TaskManager` instead: its
    thread mode makes no ``QRunnable`` per task. One made per task and
    deleted by the pool now and then outlives its C++ side in PySide (when
    ``run`` ends before ``start`` returns), a Python object lost each time.
    """

    def __init__(
        self,
        task_id: int,
        signals: WorkerSignals,
        fn: Callable[..., Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        context: TaskContext | None = None,
    ) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"a task must be callable, not {type(fn).__name__}")
        self.task_id = task_id
        self.signals = signals
        self._sink = signals.sink
        self.context = context if context is not None else TaskContext(task_id, self._sink)
        kwargs = with_context(fn, kwargs or {}, self.context)
        self._call: tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = (fn, tuple(args), kwargs)
        self.setAutoDelete(True)

    def run(self) -> None:
        """Run the task. Nothing raised here may reach Qt: it would end the app."""
        try:
            self._run()
        except BaseException:  # only reporting can fail here, e.g. during interpreter exit
            log.debug("task %s could not report its end", self.task_id, exc_info=True)

    def _run(self) -> None:
        call, self._call = self._call, None  # locals only: freed as soon as run ends
        if call is None:  # a runnable is run once
            return
        fn, args, kwargs = call  # run_call claims its start: one withdrawn first does not run
        run_call(self.task_id, self._sink, self.context, fn, args, kwargs)
