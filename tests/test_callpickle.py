"""A task's call as a worker gets it: its function's pickle made once, and every kind of callable rebuilt."""

from __future__ import annotations

import builtins
import doctest
import functools
import operator
import pickle

import pytest

from offthread.core import callpickle


def scaled(x, factor=1, *, offset=0):
    return x * factor + offset


class Job:
    def __init__(self, base: int) -> None:
        self.base = base

    def add(self, x):
        return self.base + x

    @classmethod
    def named(cls, x):
        return f"{cls.__name__} {x}"

    def __call__(self, x):
        return self.base * x


CALLS = {
    "function": (scaled, (3,), {"factor": 2}),
    "builtin": (operator.mul, (6, 7), {}),
    "partial": (functools.partial(scaled, factor=10, offset=1), (4,), {}),
    "partial, positional": (functools.partial(operator.mul, 5), (5,), {}),
    "method": (Job(40).add, (2,), {}),
    "class method": (Job.named, (1,), {}),
    "callable object": (Job(3), (5,), {}),
    "bound builtin method": (" ".join, (["a", "b"],), {}),
}


def test_the_modules_example_holds():
    assert doctest.testmod(callpickle).failed == 0


@pytest.mark.parametrize("kind", CALLS)
def test_every_kind_of_callable_comes_back_and_gives_the_same_result(kind):
    fn, args, kwargs = CALLS[kind]
    back, back_args, back_kwargs = callpickle.loads(pickle.loads(pickle.dumps(callpickle.dumps((fn, args, kwargs)))))
    assert back(*back_args, **back_kwargs) == fn(*args, **kwargs)
    assert (back_args, back_kwargs) == (args, kwargs)


def test_a_plain_pickle_of_a_call_still_loads():
    fn, args, kwargs = callpickle.loads(pickle.dumps((scaled, (2,), {"offset": 1}), protocol=2))
    assert fn is scaled and fn(*args, **kwargs) == 3


def test_a_functions_module_is_looked_up_once_not_once_per_task(monkeypatch):
    # Pickling a function imports its module through builtins.__import__,
    # which PySide replaces with a function of its own: per task, that cost
    # more than the rest of a tiny call's pickle.
    callpickle.dumps((scaled, (0,), {}))  # its pickle made, before counting
    imports = []
    real_import = builtins.__import__

    def counting_import(name, *args, **kwargs):
        imports.append(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", counting_import)
    for x in range(3):
        callpickle.dumps((scaled, (x,), {}))
        callpickle.dumps((functools.partial(scaled, x), (x,), {}))
    assert imports == []


def test_a_call_that_cannot_be_pickled_raises_as_pickle_does():
    def local(x):
        return x

    with pytest.raises((pickle.PicklingError, AttributeError)):
        callpickle.dumps((local, (1,), {}))
    with pytest.raises((pickle.PicklingError, AttributeError)):
        callpickle.dumps((functools.partial(local, 1), (), {}))
