"""Running one task's function and reporting how it ended: the same code in every mode.

Nothing here imports Qt, so that worker processes can import it cheaply.
"""

from __future__ import annotations

import functools
import inspect
import numbers
import types
from typing import Any, Callable, Dict, Generator, Tuple

from .context import Partial, Progress, TaskCancelled, TaskContext
from .errors import TaskError
from .identity import IdentityCache, python_call
from .sink import EventSink, end_task
from .states import Event

# A function that names one of these parameters receives the task's TaskContext.
CONTEXT_PARAMETERS = ("task", "progress_callback")


# (code object, names) -> declared names. Code objects outlive most calls
# (a lambda made in a loop shares one), so the cache stays small; it is
# bounded anyway, for code made at run time.
_declared_cache: dict[tuple[Any, ...], tuple[str, ...]] = {}
_CACHE_LIMIT = 4096


def declared_parameters(fn: Callable[..., Any], names: tuple[str, ...]) -> tuple[str, ...]:
    """Those of ``names`` that ``fn`` declares as parameters that can be passed by keyword.

    Only an explicit parameter counts, not ``**kwargs``: injecting an argument
    into a function that never asked for it would break it. This runs for
    every task, so nothing is looked up twice: plain functions, methods and
    callable objects by their code, partials by their function and how many
    arguments they bind, anything else (a builtin) by its identity.

    >>> import functools, operator
    >>> def work(path, task=None): ...
    >>> declared_parameters(work, ("task",)), declared_parameters(functools.partial(work, "a"), ("task",))
    (('task',), ('task',))
    >>> declared_parameters(operator.mul, ("task",))
    ()
    """
    code = _code_of(fn)
    if code is not None:
        return _declared_by_code(code, names)
    if type(fn) is functools.partial:
        key = _partial_key(fn, names)
        if key is not None:
            found = _declared_cache.get(key)
            if found is None:
                found = _remember(key, _declared_by_signature(fn, names))
            return found
    return _declared_by_identity[names].get(fn, lambda obj: _declared_by_signature(obj, names))


def _code_of(fn: Any) -> Any:
    """The code whose parameters are ``fn``'s, if it has one that says so by itself (else None).

    A callable object counts when its class's ``__call__`` is a plain function
    (its ``self`` is not among the names asked about)."""
    code = getattr(fn, "__code__", None) or getattr(getattr(fn, "__func__", None), "__code__", None)
    if code is not None or isinstance(fn, type):
        return code  # a class's signature is its __init__'s or __new__'s: left to inspect
    call = python_call(fn)
    if call is not None and "__signature__" not in getattr(fn, "__dict__", ()):
        return call.__code__
    return None


def _declared_by_code(code: Any, names: tuple[str, ...]) -> tuple[str, ...]:
    key = (code, names)
    found = _declared_cache.get(key)
    if found is None:
        first = code.co_posonlyargcount
        named = code.co_varnames[first : code.co_argcount + code.co_kwonlyargcount]
        found = _remember(key, tuple(name for name in names if name in named))
    return found


def _partial_key(fn: functools.partial[Any], names: tuple[str, ...]) -> tuple[Any, ...] | None:
    """What a partial's signature depends on (its function's code, how many arguments it
    binds and by which keywords), or None if its function's code does not say it alone.

    Each task often makes a partial of its own, so its identity would find nothing."""
    inner = fn.func
    if type(inner) is types.FunctionType:
        if hasattr(inner, "__wrapped__") or hasattr(inner, "__signature__"):
            return None  # inspect follows these: another function with the same code may differ
        code = inner.__code__
    elif type(inner) is types.MethodType and type(inner.__func__) is types.FunctionType:
        if hasattr(inner.__func__, "__wrapped__") or hasattr(inner.__func__, "__signature__"):
            return None
        code = inner.__func__.__code__
    else:
        return None
    return (code, type(inner), len(fn.args), tuple(sorted(fn.keywords)), names)


def _remember(key: tuple[Any, ...], found: tuple[str, ...]) -> tuple[str, ...]:
    if len(_declared_cache) >= _CACHE_LIMIT:
        _declared_cache.clear()
    _declared_cache[key] = found
    return found


class _PerNames(Dict[Tuple[str, ...], IdentityCache[Tuple[str, ...]]]):  # typing's names: Python 3.8 runs this
    """One identity cache for each tuple of names asked about (in practice, one)."""

    def __missing__(self, names: tuple[str, ...]) -> IdentityCache[tuple[str, ...]]:
        cache: IdentityCache[tuple[str, ...]] = IdentityCache(_CACHE_LIMIT)
        self[names] = cache
        return cache


_declared_by_identity = _PerNames()


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
