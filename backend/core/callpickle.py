"""A task's call pickled for a worker, with its function's pickle made once, not once per task.

Pickling a function writes its module and name, and pickle imports the
module to check them, through ``builtins.__import__``. PySide replaces that
with a function written in Python, which more than doubled what pickling a
tiny task's call cost the GUI process (docs/performance.md, "Round five").
A function that pickles by its name pickles to the same bytes every time,
so those bytes are made once and put in front of the arguments' pickle. A
partial of such a function, and a method bound to an object, are sent as
their parts, and the worker puts them together as unpickling them would.

A bound method's object, and a callable object, are pickled as pickle
would pickle them, class and state, and the class by its module and name:
the same bytes every time, and the same import. Where pickle would write
exactly a plain class and the object's ``__dict__`` (see :func:`_by_state`),
the class's pickle is made once, and the state goes with the arguments; the
worker makes the object as unpickling it would.

The layout: one byte that no pickle starts with, saying what comes first
(a function, a partial's function, a method's name, or an object's class),
the size of that part, that part, then the pickle of the rest. Any other
call is pickled whole, as ``pickle.dumps`` makes it. A function or class
pickled once is sent by its module and name from then on; if that name is
bound to a new one later (a module reloaded), the worker uses the new one
(a fresh pickle of the old one would have been refused: it is no longer
what its name holds).

>>> import operator
>>> fn, args, kwargs = loads(dumps((operator.mul, (6, 7), {})))
>>> fn is operator.mul, fn(*args, **kwargs)
(True, 42)
"""

from __future__ import annotations

import copyreg
import functools
import pickle
import struct
import sys
import types
from typing import Any, Callable

from .identity import IdentityCache

__all__ = ["dumps", "loads"]

# What the part made once is; a pickle starts with 0x80 (its protocol) at protocol 2 and up,
# and with a printable opcode below that, never with one of these.
_FUNCTION, _PARTIAL, _METHOD, _OBJECT, _OBJECTS_METHOD = 0, 1, 2, 3, 4
_HEAD = struct.Struct("<BI")  # that, and the part's size

# The pickles of functions that pickle by their name alone (None: not one of those).
_by_name: IdentityCache[bytes | None] = IdentityCache()
# The pickles of plain classes, whose objects pickle as their __dict__ (None: not one of those).
# A class is looked at once: one given a pickling hook after its first task (a __reduce__ set
# on it at run time) goes on being sent as plain: looking again for each task would cost most of what is saved.
_plain: IdentityCache[bytes | None] = IdentityCache()
# Values that hold no other object (see _by_state).
_FLAT = frozenset({int, float, bool, complex, str, bytes, type(None)})
# What pickle looks up on the object itself: an attribute of one of these names changes its pickle.
_HOOKS = frozenset({"__reduce_ex__", "__reduce__", "__getstate__", "__getnewargs_ex__", "__getnewargs__"})


def dumps(call: Any, buffer_callback: Callable[[pickle.PickleBuffer], Any] | None = None) -> bytes:
    """``call`` (``(fn, args, kwargs)``) pickled for :func:`loads`; raises what pickling raises.

    ``buffer_callback`` gets the arguments' out-of-band buffers, as
    ``pickle.dumps`` would give them (protocol 5).
    """
    if type(call) is tuple and len(call) == 3:
        fn, args, kwargs = call
        kind = type(fn)
        if kind is functools.partial:
            head = None if fn.__dict__ else _by_name.get(fn.func, _named_pickle)
            if head is not None:
                return _joined(_PARTIAL, head, (fn.args, fn.keywords, args, kwargs), buffer_callback)
        elif kind is types.MethodType:
            name = fn.__func__.__name__  # what pickle itself sends: getattr(obj, name)
            owner = fn.__self__
            head = _by_state(owner, args, kwargs)
            if head is not None:
                return _joined(_OBJECTS_METHOD, head, (name, owner.__dict__, args, kwargs), buffer_callback)
            return _joined(_METHOD, name.encode(), (owner, args, kwargs), buffer_callback)
        else:
            head = _by_name.get(fn, _named_pickle)
            if head is not None:
                return _joined(_FUNCTION, head, (args, kwargs), buffer_callback)
            head = _by_state(fn, args, kwargs)
            if head is not None:
                return _joined(_OBJECT, head, (fn.__dict__, args, kwargs), buffer_callback)
    return pickle.dumps(call, protocol=5, buffer_callback=buffer_callback)


def loads(data: bytes | memoryview, buffers: Any = None) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    """The call that :func:`dumps` pickled (or a plain pickle of one), built on ``buffers``."""
    view = memoryview(data)
    if not view or view[0] > _OBJECTS_METHOD:
        fn, args, kwargs = pickle.loads(view, buffers=buffers)
        return fn, args, kwargs
    what, size = _HEAD.unpack_from(view)
    head, rest = view[_HEAD.size : _HEAD.size + size], view[_HEAD.size + size :]
    if what == _FUNCTION:
        args, kwargs = pickle.loads(rest, buffers=buffers)
        return pickle.loads(head), args, kwargs
    if what == _PARTIAL:
        bound, keywords, args, kwargs = pickle.loads(rest, buffers=buffers)
        return functools.partial(pickle.loads(head), *bound, **keywords), args, kwargs
    if what == _METHOD:
        owner, args, kwargs = pickle.loads(rest, buffers=buffers)
        return getattr(owner, str(head, "utf-8")), args, kwargs
    if what == _OBJECT:
        state, args, kwargs = pickle.loads(rest, buffers=buffers)
        return _rebuilt(head, state), args, kwargs
    name, state, args, kwargs = pickle.loads(rest, buffers=buffers)
    return getattr(_rebuilt(head, state), name), args, kwargs


def _joined(what: int, head: bytes, rest: Any, buffer_callback: Any) -> bytes:
    return b"".join(
        (_HEAD.pack(what, len(head)), head, pickle.dumps(rest, protocol=5, buffer_callback=buffer_callback))
    )


def _named_pickle(fn: Any) -> bytes | None:
    """``fn``'s pickle if it is its module and name alone, the same every time (else None).

    A module-level function, or a builtin function of a module (``len``,
    ``operator.mul``); not a builtin method bound to an object (``[].append``),
    whose pickle holds the object. Raises what pickling ``fn`` raises (a
    lambda, a local function): its task fails with that, as before.
    """
    kind = type(fn)
    if kind is types.FunctionType or (kind is types.BuiltinFunctionType and _of_module(fn)):
        return pickle.dumps(fn, protocol=5)
    return None


def _of_module(fn: Any) -> bool:
    owner = getattr(fn, "__self__", None)
    return owner is None or type(owner) is types.ModuleType


def _by_state(owner: Any, args: Any, kwargs: Any) -> bytes | None:
    """The pickle of ``owner``'s class, if pickle would write ``owner`` as exactly that class
    and its ``__dict__`` (None otherwise: it is pickled whole, as before).

    That is so for an object of a plain class (:func:`_plain_pickle`) that no
    copyreg entry or attribute of its own pickles otherwise. Pickled apart
    from the object, its state and the arguments are still one pickle, and
    pickle's memo keeps what they share one object. Only the object itself
    could be met twice, in its own state or arguments, where a fresh pickle
    would load it once; so all of those must hold flat values only (numbers,
    strings, bytes, None), which hold no object. That is what tiny tasks pass;
    anything else is pickled whole.
    """
    cls = type(owner)
    head = _plain.get(cls, _plain_pickle)
    if head is None or cls in copyreg.dispatch_table:
        return None
    state = owner.__dict__
    if not (
        type(state) is dict
        and type(args) is tuple
        and type(kwargs) is dict
        and _FLAT.issuperset(map(type, state.values()))
        and _FLAT.issuperset(map(type, args))
        and _FLAT.issuperset(map(type, kwargs.values()))
        and _HOOKS.isdisjoint(state)
    ):
        return None
    return head


def _rebuilt(head: bytes | memoryview, state: dict[Any, Any]) -> Any:
    """The object that :func:`_by_state` sent, made as unpickling makes it: its class's
    ``__new__`` (NEWOBJ), then its state set into its ``__dict__``, its names interned (BUILD)."""
    cls = pickle.loads(head)
    obj = cls.__new__(cls)
    if state:  # an empty one is not written at all (Python 3.11 and later), or changes nothing
        attributes = obj.__dict__
        for key, value in state.items():
            attributes[sys.intern(key) if type(key) is str else key] = value
    return obj


class _Plain:
    """What an object of a plain class is in memory: an object and its ``__dict__``."""


# What a plain class inherits from object (object has no __getstate__ before Python 3.11).
_OBJECTS_OWN = [(name, getattr(object, name, None)) for name in ("__reduce_ex__", "__reduce__", "__getstate__")]


def _plain_pickle(cls: Any) -> bytes | None:
    """``cls``'s pickle if its objects pickle as ``copyreg.__newobj__(cls)`` and their
    ``__dict__``, whatever the object (else None): a plain class, by its name, with none
    of the methods that change an object's pickle, no ``__slots__``, and nothing in C
    beyond an object and its ``__dict__`` (a subclass of ``list`` or ``int`` pickles its
    items too). Raises nothing: a call it says no to is pickled whole, as before."""
    if type(cls) is not type or any(getattr(cls, name, None) is not same for name, same in _OBJECTS_OWN):
        return None
    if any(hasattr(cls, name) for name in ("__setstate__", "__getnewargs_ex__", "__getnewargs__")):
        return None
    if any("__slots__" in vars(base) for base in cls.__mro__):
        return None
    if (cls.__basicsize__, cls.__itemsize__) != (_Plain.__basicsize__, 0):
        return None
    try:
        return pickle.dumps(cls, protocol=5)
    except Exception:  # a local class, say: the call's own pickle says why
        return None
