"""Every kind of callable runs as a task, and what is found out about one (its
parameters, whether it pickles) is found once, not for every task."""

from __future__ import annotations

import doctest
import functools
import gc
import inspect
import operator

import pytest

from offthread import TaskState
from offthread.core import call, identity
from offthread.core.identity import IdentityCache

from . import tasks
from .helpers import wait_done


def work(path, flag=False, *, task=None, progress_callback=None):
    return path


class Job:
    def run(self, path, task=None):
        return path

    def __call__(self, path, *, progress_callback=None):
        return path


def kinds() -> dict:
    job = Job()
    return {
        "function": work,
        "partial": functools.partial(work, "a"),
        "partial binding a keyword": functools.partial(work, flag=True),
        "partial binding too much": functools.partial(work, "a", True, 3),
        "partial of a method": functools.partial(job.run, "a"),
        "partial of a partial": functools.partial(functools.partial(work), "a"),
        "bound method": job.run,
        "callable object": job,
        "builtin": operator.mul,
        "bound builtin": [].append,
        "method descriptor": str.upper,
        "itemgetter": operator.itemgetter(1),
        "class": Job,
    }


def by_inspect(fn, names):
    try:
        parameters = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return ()
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return tuple(n for n in names if n in parameters and parameters[n].kind in kinds)


@pytest.mark.parametrize("kind", list(kinds()))
def test_declared_parameters_agrees_with_inspect_for_every_kind(kind):
    fn = kinds()[kind]
    for names in (call.CONTEXT_PARAMETERS, ("flag",), ("path", "task")):
        assert call.declared_parameters(fn, names) == by_inspect(fn, names)
        assert call.declared_parameters(fn, names) == by_inspect(fn, names)  # the cached answer too


@pytest.mark.parametrize("kind", ["partial", "partial of a method", "builtin", "callable object", "itemgetter"])
def test_declared_parameters_does_not_inspect_the_same_kind_of_callable_twice(kind, monkeypatch):
    made = kinds()[kind]
    call.declared_parameters(made, call.CONTEXT_PARAMETERS)
    expected = by_inspect(made, call.CONTEXT_PARAMETERS)
    looked = []
    real = inspect.signature
    monkeypatch.setattr(call.inspect, "signature", lambda fn: looked.append(fn) or real(fn))
    # A new partial for each task, as code often makes, is as known as the first.
    again = kinds()[kind] if kind.startswith("partial") else made
    for _ in range(3):
        assert call.declared_parameters(again, call.CONTEXT_PARAMETERS) == expected
    assert looked == []


def test_the_identity_cache_forgets_a_dead_object_whose_id_is_taken_again():
    cache: IdentityCache[str] = IdentityCache()

    class Thing:
        pass

    first = Thing()
    assert cache.get(first, lambda obj: "first") == "first"
    old_id = id(first)
    del first
    gc.collect()
    # Objects of the same size are often given the freed address: look for one.
    for _ in range(1000):
        other = Thing()
        if id(other) == old_id:
            break
    assert cache.get(other, lambda obj: "other") == "other"


def test_the_identity_cache_is_bounded_and_keeps_no_python_object_alive():
    cache: IdentityCache[int] = IdentityCache(limit=10)
    kept = [functools.partial(work, i) for i in range(25)]
    for i, fn in enumerate(kept):
        cache.put(fn, i)
    assert len(cache) <= 10

    class Slotted:  # cannot be weakly referenced, and is not cached
        __slots__ = ()

        def __call__(self):
            pass

    cache.put(Slotted(), 1)
    assert len(cache) == 5


def test_the_identity_cache_example_runs():
    assert doctest.testmod(identity).failed == 0
    assert doctest.testmod(call).failed == 0


def each_finishes_in_process_mode(backend, qtbot, submitted) -> None:
    """Submit each ``kind: (fn, args, expected)`` in process mode; each must finish with its expected result."""
    handles = {kind: backend.submit_task(fn, args, mode="process") for kind, (fn, args, _) in submitted.items()}
    for kind, handle in handles.items():
        wait_done(qtbot, handle, timeout=15000)
        assert (kind, handle.state, handle.result) == (kind, TaskState.FINISHED, submitted[kind][2])


def test_every_kind_of_callable_runs_in_process_mode(backend, qtbot):
    scale = tasks.Scale(3)
    submitted = {
        "function": (tasks.square, (4,), 16),
        "partial": (functools.partial(tasks.square, 5), (), 25),
        "builtin": (operator.mul, (6, 7), 42),
        "callable object": (scale, (5,), 15),
        "bound method": (scale.times, (7,), 21),
    }
    each_finishes_in_process_mode(backend, qtbot, submitted)


def test_a_plain_object_and_its_method_run_in_process_mode_with_their_state(backend, qtbot):
    # Sent as their class, pickled once, and their __dict__ (core/callpickle.py).
    offset = tasks.Offset(10, "ten")
    submitted = {
        "callable object": (offset, (1,), ("Offset", "ten", 11)),
        "bound method": (offset.shifted, (2,), ("Offset", "ten", 12)),
        "a list in its state": (tasks.Offset([1], "list").__call__, ([2],), ("Offset", "list", [2, 1])),
    }
    each_finishes_in_process_mode(backend, qtbot, submitted)


def test_a_callable_object_is_pickled_once_to_check_it_not_for_every_task(backend, qtbot):
    scale = tasks.Scale(2)
    first = backend.submit_task(scale, (1,), mode="process")
    wait_done(qtbot, first, timeout=15000)
    before = next(tasks.Scale.pickled)
    handles = [backend.submit_task(scale, (i,), mode="process") for i in range(20)]
    for handle in handles:
        wait_done(qtbot, handle, timeout=15000)
    assert [h.result for h in handles] == [2 * i for i in range(20)]
    # Once for each task as it goes to a worker (with its arguments), no more.
    assert next(tasks.Scale.pickled) - before - 1 <= 20


def test_a_method_of_a_class_pickle_cannot_find_fails_at_once(backend, qtbot):
    class Local:
        def run(self):
            return 1

    handle = backend.submit_task(Local().run, (), mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert handle.state == TaskState.FAILED
    assert handle.error.type == "UnpicklableTask"
