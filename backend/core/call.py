"""Running one task's function and reporting how it ended: the same code in every mode.

Nothing here imports Qt, so that worker processes can import it cheaply.
"""

from __future__ import annotations

import inspect
import numbers
from typing import Any, Callable, Generator

from .context import Partial, Progress, TaskCancelled, TaskContext
from .errors import TaskError
from .sink import EventSink, end_task
from .states import Event

# A function that names one of these parameters receives the task's TaskContext.
CONTEXT_PARAMETERS = ("task", "progress_callback")


# (code object, names) -> declared names. Code objects outlive most calls
# (a lambda made in a loop shares one), so the cache stays small; it is
# bounded anyway, for code made at run time.
_declared_cache: dict[tuple[Any, tuple[str, ...]], tuple[str, ...]] = {}
_CACHE_LIMIT = 4096


def declared_parameters(fn: Callable[..., Any], names: tuple[str, ...]) -> tuple[str, ...]:
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


def _declared_by_signature(fn: Callable[..., Any], names: tuple[str, ...]) -> tuple[str, ...]:
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return ()
    keyword_kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(n for n in names if n in parameters and parameters[n].kind in keyword_kinds)


def with_context(fn: Callable[..., Any], kwargs: dict[str, Any], context: Any) -> dict[str, Any]:
    """A copy of ``kwargs`` with ``context`` for each context parameter ``fn`` declares and lacks."""
    kwargs = dict(kwargs)
    for name in declared_parameters(fn, CONTEXT_PARAMETERS):
        kwargs.setdefault(name, context)
    return kwargs


def run_call(
    task_id: int,
    signals: EventSink,
    context: TaskContext,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    """Run ``fn(*args, **kwargs)`` as task ``task_id`` and send its events on ``signals``.

    The events come in the order :class:`~offthread.core.states.Event` says,
    whatever ``fn`` raises: the ending is made inside, and sent from the
    ``finally``, so nothing can skip it.
    """
    if not context.try_claim() or ended_before_start(task_id, signals, context):
        return
    signals.watch(context)
    ending: tuple[Any, ...] | None = None
    try:
        signals.started(task_id)
        try:
            value = fn(*args, **kwargs)
            if inspect.isgenerator(value):
                value = _drive(value, context)
            else:
                refuse_coroutine(value, fn)
            context.send_final_report()  # a bad last value fails the task
        except BaseException as exc:  # SystemExit and KeyboardInterrupt fail the task too
            ending = ending_for(exc, context)
        else:
            ending = (Event.RESULT, value)
    finally:
        close_task(task_id, signals, context, ending)


def ended_before_start(task_id: int, signals: EventSink, context: TaskContext) -> bool:
    """End a task cancelled while it was queued (it never starts); True if it was."""
    if context.cancel_reason is None:
        return False
    end_task(signals.carry, context, task_id, Event.CANCELLED, context.cancel_reason)
    return True


def close_task(task_id: int, signals: EventSink, context: TaskContext, ending: tuple[Any, ...] | None) -> None:
    """Stop sampling a task that ran, then send its ending and ``finished`` (from a ``finally``).

    ``ending`` is None only if the channel itself failed: nobody hears any
    more, and ``finished`` alone is tried.
    """
    signals.unwatch(context)
    # try_end ends the context before the ending is sent: what the task left
    # running is not heard after its finished.
    if ending is None:
        if context.try_end():
            signals.carry(Event.FINISHED, task_id)
    else:
        end_task(signals.carry, context, task_id, *ending)


def _drive(generator: Generator[Any, Any, Any], context: TaskContext) -> Any:
    """Run a generator task to its end; return what it returns."""
    try:
        while True:
            try:
                item = next(generator)
            except StopIteration as stop:
                return stop.value
            apply_yielded(item, context)
    except BaseException:
        generator.close()  # runs the generator's finally blocks
        raise


def apply_yielded(item: Any, context: TaskContext) -> None:
    """What a generator task's yield means: a check point, progress, or a partial result."""
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


def refuse_coroutine(value: Any, fn: Callable[..., Any]) -> None:
    """Fail a task whose function turned out to be ``async def`` outside asyncio mode.

    Only asyncio mode runs a coroutine; anywhere else it would be dropped
    unrun, with a "never awaited" warning and a coroutine object as the result.
    """
    if inspect.iscoroutine(value):
        value.close()
    elif not inspect.isasyncgen(value):
        return
    name = getattr(fn, "__qualname__", type(fn).__name__)
    raise TypeError(f'{name} is an async def function: submit it with mode="asyncio", which runs coroutines')


def ending_for(exc: BaseException, context: TaskContext) -> tuple[Any, ...]:
    """How a task that raised ``exc`` ends: cancelled if it was :class:`TaskCancelled`, else failed."""
    _send_final_report_quietly(context)
    if isinstance(exc, TaskCancelled):
        return (Event.CANCELLED, exc.reason)
    return (Event.ERROR, TaskError.from_exception(exc))


def _send_final_report_quietly(context: TaskContext) -> None:
    """Show where a task stopped; a bad value (or one that cannot be sent) no longer
    matters once it has ended, and must not keep its ending from being sent."""
    try:
        context.send_final_report()
    except Exception:
        pass
