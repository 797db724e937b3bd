"""A task's call as a worker gets it: its function's pickle made once, and every kind of callable rebuilt."""

from __future__ import annotations

import builtins
import copyreg
import doctest
import functools
import operator
import pickle
import sys
import types

import pytest

from offthread.core import callpickle


def scaled(x, factor=1, *, offset=0):
    return x * factor + offset


class Job:
    def __init__(self, base: int) -> None:
        self.base = base

    def add(self, x):
        return self.base + x

    def same(self, other):
        return other is self

    def count(self, items):
        return self.base + len(items)

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


def counted_imports(monkeypatch) -> list:
    """The names imported through ``builtins.__import__`` from now on (the test's end undoes it)."""
    imports: list = []
    real_import = builtins.__import__

    def counting_import(name, *args, **kwargs):
        imports.append(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", counting_import)
    return imports


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
    imports = counted_imports(monkeypatch)
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


def test_an_objects_class_is_looked_up_once_not_once_per_task(monkeypatch):
    # A bound method's object and a callable object pickle with their class,
    # by its module and name, through the same builtins.__import__.
    job = Job(2)
    callpickle.dumps((job.add, (0,), {}))
    callpickle.dumps((job, (0,), {}))
    imports = counted_imports(monkeypatch)
    for x in range(3):
        callpickle.dumps((Job(x).add, (x,), {}))
        callpickle.dumps((Job(x), (x,), {}))
    assert imports == []


class Slotted:
    __slots__ = ("base",)

    def __init__(self, base):
        self.base = base

    def add(self, x):
        return self.base + x


class Stateful(Job):
    def __getstate__(self):
        return {"base": self.base * 10}

    def __setstate__(self, state):
        self.__dict__.update(state, restored=True)


class Listed(list):
    def total(self, x):
        return sum(self) + x


class Registered(Job):
    pass


def _registered(obj):
    return Registered, (obj.base + 1,)


class Hooked(Job):
    pass


def _shapes(value, seen=None):
    """What a value is made of, with identities as positions: equal for two equal builds."""
    seen = {} if seen is None else seen
    if id(value) in seen:
        return ("again", seen[id(value)])
    seen[id(value)] = len(seen)
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, [_shapes(item, seen) for item in value])
    if isinstance(value, dict):
        return ("dict", [(key, _shapes(item, seen)) for key, item in value.items()])
    if isinstance(value, types.MethodType):
        return ("method", value.__func__.__name__, _shapes(value.__self__, seen))
    if hasattr(value, "__dict__") and not isinstance(value, type):
        return (type(value).__name__, _shapes(vars(value), seen))
    if hasattr(type(value), "__slots__"):
        return (type(value).__name__, [getattr(value, slot) for slot in type(value).__slots__])
    return value


def _job_with(**attributes):
    job = Job(1)
    vars(job).update(attributes)
    return job


def _self_in_args():
    job = Job(4)
    return (job.same, (job,), {})


def _self_in_state():
    job = Job(4)
    job.me = job
    return (job, (1,), {})


def _hooked():
    job = Hooked(2)
    job.__reduce_ex__ = 5  # pickle looks this up on the object: its own pickle would fail
    return (job.add, (1,), {})


@pytest.mark.parametrize(
    "make",
    [
        lambda: (Job(40).add, (2,), {}),
        lambda: (Job(3), (5,), {}),
        lambda: (_job_with(name="a", ratio=0.5, blob=b"x", none=None).add, (1,), {}),
        lambda: (_job_with(items=[1, 2]), (1,), {}),
        lambda: (Job(1).count, ([1, 2],), {}),
        _self_in_args,
        _self_in_state,
        lambda: (Slotted(5).add, (1,), {}),
        lambda: (Stateful(2).add, (1,), {}),
        lambda: (Listed([1, 2]).total, (3,), {}),
        lambda: (Registered(7).add, (1,), {}),
        lambda: (Job.named, (1,), {}),
    ],
    ids=[
        "method",
        "object",
        "flat state",
        "a list in its state",
        "a list argument",
        "itself in its arguments",
        "itself in its state",
        "slots",
        "getstate and setstate",
        "a list subclass",
        "a copyreg entry",
        "a class method",
    ],
)
def test_an_object_comes_back_as_a_fresh_pickle_of_it_would(make, monkeypatch):
    monkeypatch.setitem(copyreg.dispatch_table, Registered, _registered)
    ours = callpickle.loads(callpickle.dumps(make()))
    theirs = pickle.loads(pickle.dumps(make(), protocol=5))
    assert _shapes(ours) == _shapes(theirs)
    assert ours[0](*ours[1], **ours[2]) == theirs[0](*theirs[1], **theirs[2])


def test_an_object_whose_own_attribute_changes_its_pickle_is_pickled_whole():
    with pytest.raises(TypeError):
        pickle.dumps(_hooked())
    with pytest.raises(TypeError):
        callpickle.dumps(_hooked())


def test_an_objects_attribute_names_are_interned_as_unpickling_interns_them():
    job = Job(1)
    name = "".join(["late", "name"])  # made at run time: not interned
    setattr(job, name, 1)
    back = callpickle.loads(callpickle.dumps((job, (1,), {})))[0]
    (key,) = [key for key in vars(back) if key == "latename"]
    assert key is sys.intern("latename")
