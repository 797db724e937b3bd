"""The generic QRunnable that runs any callable, or drives any generator, on a pool thread."""
from __future__ import annotations

import inspect
import logging
import numbers
from typing import Any, Callable, Dict, Generator, Optional, Tuple

from qtpy.QtCore import QRunnable

from .context import Partial, Progress, TaskCancelled, TaskContext
from .errors import TaskError
from .signals import WorkerSignals

log = logging.getLogger(__name__)

# A function that names one of these parameters receives the task's TaskContext.
CONTEXT_PARAMETERS = ("task", "progress_callback")


# (code object, names) -> declared names. Code objects outlive most calls
# (a lambda made in a loop shares one), so the cache stays small; it is
# bounded anyway, for code made at run time.
_declared_cache: Dict[Tuple[Any, Tuple[str, ...]], Tuple[str, ...]] = {}
_CACHE_LIMIT = 4096


def declared_parameters(fn: Callable[..., Any], names: Tuple[str, ...]) -> Tuple[str, ...]:
    """Those of ``names`` that ``fn`` declares as parameters that can be passed by keyword.

    Only an explicit parameter counts, not ``**kwargs``: injecting an argument
    into a function that never asked for it would break it. Plain functions
    and methods take a fast, cached path, because this runs for every task.
    """
    code = getattr(fn, "__code__", None) or getattr(getattr(fn, "__func__", None), "__code__", None)
    if code is None:
        return _declared_by_signature(fn, names)
    key = (code, names)
    found = _declared_cache.get(key)
    if found is None:
        first = code.co_posonlyargcount
        named = code.co_varnames[first : code.co_argcount + code.co_kwonlyargcount]
        found = tuple(name for name in names if name in named)
        if len(_declared_cache) >= _CACHE_LIMIT:
            _declared_cache.clear()
        _declared_cache[key] = found
    return found


def _declared_by_signature(fn: Callable[..., Any], names: Tuple[str, ...]) -> Tuple[str, ...]:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return ()
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(n for n in names if n in parameters and parameters[n].kind in keyword_kinds)


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
    (see :class:`Progress`), and the generator's ``return`` value is the result.
    """

    def __init__(
        self,
        task_id: int,
        signals: WorkerSignals,
        fn: Callable[..., Any],
        args: Tuple[Any, ...] = (),
        kwargs: Optional[Dict[str, Any]] = None,
        context: Optional[TaskContext] = None,
    ) -> None:
        super().__init__()
        if not callable(fn):
            raise TypeError(f"a task must be callable, not {type(fn).__name__}")
        self.task_id = task_id
        self.signals = signals
        self.context = context if context is not None else TaskContext(task_id, signals)
        kwargs = dict(kwargs or {})
        for name in declared_parameters(fn, CONTEXT_PARAMETERS):
            kwargs.setdefault(name, self.context)
        self._call: Optional[Tuple[Callable[..., Any], Tuple[Any, ...], Dict[str, Any]]] = (fn, tuple(args), kwargs)
        self.setAutoDelete(True)

    def run(self) -> None:
        """Run the task. Nothing raised here may reach Qt: it would end the app."""
        try:
            self._run()
        except BaseException:  # only reporting can fail here, e.g. during interpreter exit
            log.debug("task %s could not report its end", self.task_id, exc_info=True)

    def _run(self) -> None:
        task_id, signals, context = self.task_id, self.signals, self.context
        call, self._call = self._call, None  # locals only: freed as soon as run ends
        if call is None:  # a runnable is run once
            return
        if context.cancel_reason is not None:  # cancelled while queued: never start the work
            signals.send("cancelled", task_id, context.cancel_reason)
            signals.send("finished", task_id)
            return
        signals.watch(context)
        try:
            signals.send("started", task_id)
            fn, args, kwargs = call
            try:
                value = fn(*args, **kwargs)
                if inspect.isgenerator(value):
                    value = _drive(value, context)
                context.send_final_report()  # a bad last value fails the task
            except TaskCancelled as stop:
                _send_final_report_quietly(context)
                signals.send("cancelled", task_id, stop.reason)
            except BaseException as exc:  # SystemExit and KeyboardInterrupt fail the task too
                _send_final_report_quietly(context)
                signals.send("error", task_id, TaskError.from_exception(exc))
            else:
                signals.send("result", task_id, value)
        finally:
            signals.unwatch(context)
            signals.send("finished", task_id)


def _drive(generator: Generator[Any, None, Any], context: TaskContext) -> Any:
    """Run a generator task to its end; return what it returns."""
    try:
        while True:
            try:
                item = next(generator)
            except StopIteration as stop:
                return stop.value
            if item is None:
                context.check()
            elif isinstance(item, numbers.Real) and not isinstance(item, bool):
                context.emit(item)
            elif isinstance(item, Progress):
                context.report(item.value, item.maximum, item.text)
            elif isinstance(item, Partial):
                context.partial(item.value)
            else:
                context.partial(item)
    except BaseException:
        generator.close()  # runs the generator's finally blocks
        raise


def _send_final_report_quietly(context: TaskContext) -> None:
    """Show where a task stopped; a bad value no longer matters once it has ended."""
    try:
        context.send_final_report()
    except (TypeError, ValueError):
        pass
