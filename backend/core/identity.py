"""A small cache of facts about objects, found by the object's identity.

Facts about a task's function (which parameters it declares, whether it
pickles) are the same for every task that passes the same object, and cost
far more to find than to look up. Objects that are not hashable (a bound
builtin method of a list) or whose equality says nothing about them still
have an identity; an identity is safe to use as a key only while the object
lives, so each entry holds a weak reference and is trusted only while that
reference still gives back the same object. Nothing here imports Qt.
"""

from __future__ import annotations

import functools
import types
import weakref
from typing import Any, Callable, Generic, TypeVar

__all__ = ["IdentityCache", "inner_function", "python_call"]

T = TypeVar("T")


class IdentityCache(Generic[T]):
    """Facts about objects, looked up by identity; at most ``limit`` entries.

    An object that cannot be weakly referenced is kept by a strong reference
    if calling it runs C code (an ``operator.itemgetter``, ``str.upper``:
    small, and often made once at import); a callable object whose class has
    ``__slots__`` is not cached at all, so that its state is never kept alive here.

    >>> cache: IdentityCache[str] = IdentityCache(limit=2)
    >>> looked = []
    >>> def name(obj):
    ...     looked.append(obj)
    ...     return obj.__name__
    >>> cache.get(len, name), cache.get(len, name), len(looked)  # found once, then remembered
    ('len', 'len', 1)
    """

    __slots__ = ("_entries", "_limit")

    def __init__(self, limit: int = 1024) -> None:
        self._limit = limit
        self._entries: dict[int, tuple[Callable[[], Any], T]] = {}

    def get(self, obj: Any, find: Callable[[Any], T]) -> T:
        """The fact about ``obj``: remembered, or ``find(obj)`` (then remembered if it can be)."""
        entry = self._entries.get(id(obj))
        if entry is not None and entry[0]() is obj:
            return entry[1]
        fact = find(obj)
        self.put(obj, fact)
        return fact

    def put(self, obj: Any, fact: T) -> None:
        """Remember ``fact`` about ``obj``, if ``obj`` can be remembered safely."""
        try:
            ref: Callable[[], Any] = weakref.ref(obj)
        except TypeError:
            if python_call(obj) is not None:
                return
            ref = _Strong(obj)
        entries = self._entries
        if len(entries) >= self._limit:
            entries.clear()  # dead entries go too; what is still used comes back at once
        entries[id(obj)] = (ref, fact)

    def __len__(self) -> int:
        return len(self._entries)


def inner_function(fn: Any) -> Any:
    """The function that a partial or a bound method calls in the end (else ``fn`` itself).

    Code often makes a partial, or takes an object's method, for each task:
    what is known about the function inside holds for all of them.

    >>> import functools
    >>> inner_function(functools.partial(functools.partial(len), "ab")) is len
    True
    """
    while True:
        if type(fn) is functools.partial:
            fn = fn.func
        elif type(fn) is types.MethodType:
            fn = fn.__func__
        else:
            return fn


def python_call(obj: Any) -> types.FunctionType | None:
    """What calling ``obj`` runs, if its class defines ``__call__`` in Python (else None).

    >>> class Job:
    ...     def __call__(self, path): ...
    >>> python_call(Job()) is Job.__call__, python_call(len)
    (True, None)
    """
    call = getattr(type(obj), "__call__", None)  # noqa: B004 (the class's, not whether it is callable)
    return call if type(call) is types.FunctionType else None


class _Strong:
    """A reference that keeps its object, for the few objects that cannot be weakly referenced."""

    __slots__ = ("_obj",)

    def __init__(self, obj: Any) -> None:
        self._obj = obj

    def __call__(self) -> Any:
        return self._obj
