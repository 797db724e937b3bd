"""The generic QRunnable that runs any callable on a pool thread."""
from __future__ import annotations

import inspect
import logging
import threading
from typing import Any, Callable, Dict, Optional, Tuple

from PySide2.QtCore import QRunnable

from .context import TaskCancelled, TaskContext
from .errors import TaskError
from .signals import WorkerSignals

log = logging.getLogger(__name__)

PROGRESS_PARAMETER = "progress_callback"


def declares_parameter(fn: Callable[..., Any], name: str) -> bool:
    """True if ``fn`` names a parameter ``name`` that can be passed by keyword.

    Only an explicit parameter counts, not ``**kwargs``: injecting an argument
    into a function that never asked for it would break it. Plain functions
    and methods take a fast path, because this runs once per submitted task.
    """
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is not None:
        positional_only = code.co_posonlyargcount
        named = code.co_varnames[positional_only : code.co_argcount + code.co_kwonlyargcount]
        return name in named
    try:
        parameter = inspect.signature(fn).parameters.get(name)
    except (TypeError, ValueError):  # builtins without a signature
        return False
    return parameter is not None and parameter.kind in (
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )


class Worker(QRunnable):
    """Runs ``fn(*args, **kwargs)`` once on a pool thread and reports through ``signals``.

    ``signals`` is shared, created on the GUI thread and owned by something
    that outlives the worker (the backend); the worker only emits on it, so
    nothing Qt-owned is ever destroyed on a pool thread. The pool deletes the
    worker after ``run`` (auto-delete), and the worker drops its references to
    the function, arguments and result before that, so a task holds no memory
    once it has ended.

    If ``fn`` declares a ``progress_callback`` parameter and the caller did not
    pass one, it receives a :class:`TaskContext`. The caller's ``kwargs`` dict
    is never modified.
    """

    def __init__(
        self,
        task_id: int,
        signals: WorkerSignals,
        fn: Callable[..., Any],
        args: Tuple[Any, ...] = (),
        kwargs: Optional[Dict[str, Any]] = None,
        cancel: Optional[threading.Event] = None,
    ) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"a task must be callable, not {type(fn).__name__}")
        self.task_id = task_id
        self.signals = signals
        self._cancel = cancel if cancel is not None else threading.Event()
        kwargs = dict(kwargs or {})
        if PROGRESS_PARAMETER not in kwargs and declares_parameter(fn, PROGRESS_PARAMETER):
            kwargs[PROGRESS_PARAMETER] = TaskContext(task_id, signals, self._cancel)
        self._call: Optional[Tuple[Callable[..., Any], Tuple[Any, ...], Dict[str, Any]]] = (
            fn,
            tuple(args),
            kwargs,
        )
        self.setAutoDelete(True)

    def run(self) -> None:
        """Run the task. Nothing raised here may reach Qt: it would end the app."""
        try:
            self._run()
        except BaseException:  # only reporting can fail here, e.g. during interpreter exit
            log.debug("task %s could not report its end", self.task_id, exc_info=True)

    def _run(self) -> None:
        task_id, signals = self.task_id, self.signals
        call, self._call = self._call, None  # locals only: freed as soon as run ends
        if call is None:  # a runnable is run once
            return
        try:
            if self._cancel.is_set():  # cancelled while queued: never start the work
                signals.send("cancelled", task_id)
                return
            signals.send("started", task_id)
            fn, args, kwargs = call
            try:
                value = fn(*args, **kwargs)
            except TaskCancelled:
                signals.send("cancelled", task_id)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt fail the task too
                signals.send("error", task_id, TaskError.from_exception(exc))
            else:
                signals.send("result", task_id, value)
        finally:
            signals.send("finished", task_id)
