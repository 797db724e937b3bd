"""A task's call pickled for a worker, with its function's pickle made once, not once per task.

Pickling a function writes its module and name, and pickle imports the
module to check them, through ``builtins.__import__``. PySide replaces that
with a function written in Python, which more than doubled what pickling a
tiny task's call cost the GUI process (docs/performance.md, "Round five").
A function that pickles by its name pickles to the same bytes every time,
so those bytes are made once and put in front of the arguments' pickle. A
partial of such a function, and a method bound to an object, are sent as
their parts, and the worker puts them together as unpickling them would.

The layout: one byte that no pickle starts with, saying what comes first
(a function, a partial's function, or a method's name), the size of that
part, that part, then the pickle of the rest. Any other call is pickled
whole, as ``pickle.dumps`` makes it. A function pickled once is sent by its
module and name from then on; if that name is bound to a new function
later (a module reloaded), the worker runs the new one (a fresh pickle of
the old function would have been refused: it is no longer what its name holds).

>>> import operator
>>> fn, args, kwargs = loads(dumps((operator.mul, (6, 7), {})))
>>> fn is operator.mul, fn(*args, **kwargs)
(True, 42)
"""

from __future__ import annotations

import functools
import pickle
import struct
import types
from typing import Any, Callable

from .identity import IdentityCache

__all__ = ["dumps", "loads"]

# What the part made once is; a pickle starts with 0x80 (its protocol) at protocol 2 and up,
# and with a printable opcode below that, never with one of these.
_FUNCTION, _PARTIAL, _METHOD = 0, 1, 2
_HEAD = struct.Struct("<BI")  # that, and the part's size

# The pickles of functions that pickle by their name alone (None: not one of those).
_by_name: IdentityCache[bytes | None] = IdentityCache()


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
            name = fn.__func__.__name__.encode()  # what pickle itself sends: getattr(obj, name)
            return _joined(_METHOD, name, (fn.__self__, args, kwargs), buffer_callback)
        else:
            head = _by_name.get(fn, _named_pickle)
            if head is not None:
                return _joined(_FUNCTION, head, (args, kwargs), buffer_callback)
    return pickle.dumps(call, protocol=5, buffer_callback=buffer_callback)


def loads(data: bytes | memoryview, buffers: Any = None) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    """The call that :func:`dumps` pickled (or a plain pickle of one), built on ``buffers``."""
    view = memoryview(data)
    if not view or view[0] > _METHOD:
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
    owner, args, kwargs = pickle.loads(rest, buffers=buffers)
    return getattr(owner, str(head, "utf-8")), args, kwargs


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
