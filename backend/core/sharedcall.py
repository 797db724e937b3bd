"""A task's call pickled for a worker, its large arguments in shared memory the GUI process owns.

Pickled on the pool's manager thread as the task first goes to a worker
(docs/design.md, "Large arguments"). Each buffer of :data:`.shared.MIN_SIZE`
or more that pickle hands over out of band (a numpy array's data, anywhere
in the arguments), and each ``bytes``, ``bytearray`` or ``memoryview``
argument of that size (given as itself, or as a keyword's value), goes into
a segment of its own, written with ``write()`` (no GIL held while it
copies). The pickle then names the segments first (:func:`.shared.prefixed`).
A worker maps them and leaves their names; the GUI process removes them
when the task ends, however it ends (:meth:`Held.release`, which the pool calls at each end).
Small calls are pickled as before, with nothing added.

>>> body, names = dump_call((len, (b"x" * 10,), {}))
>>> names, callpickle.loads(body)[1]
([], (b'xxxxxxxxxx',))
"""

from __future__ import annotations

import itertools
import pickle
import threading
from typing import Any

from . import callpickle, shared, shmowner

__all__ = ["Held", "dump_call", "pickled", "view_from"]

_VIEWED = frozenset({bytes, bytearray, memoryview})
# Numbers the argument segments of this process: every pool's, so that no two share a name.
_numbers = itertools.count().__next__


class _View:
    """A ``memoryview`` argument (pickle refuses those), sent as its data, format and shape."""

    __slots__ = ("view",)

    def __init__(self, view: memoryview) -> None:
        self.view = view

    def __reduce_ex__(self, protocol: Any) -> Any:
        view = self.view
        form, shape = (view.format, view.shape) if _castable(view) else ("B", (view.nbytes,))
        data: Any = view
        if not view.c_contiguous:  # copied here into the order its shape reads it in
            data = view.tobytes() if view.readonly else bytearray(view.tobytes())
        return view_from, (pickle.PickleBuffer(data), form, shape, view.readonly)


def _castable(view: memoryview) -> bool:
    """Whether a flat copy of ``view`` can be cast back to its format and shape (a native format)."""
    try:
        memoryview(bytes(view.itemsize)).cast(view.format)  # type: ignore[call-overload,unused-ignore]
    except (TypeError, ValueError):
        return False
    return True


def view_from(buffer: Any, form: str, shape: tuple[int, ...], readonly: bool) -> memoryview:
    """A ``memoryview`` argument, rebuilt in the worker on its shared buffer (or on a copy, if small).

    >>> view_from(bytearray(b"abcd"), "B", (2, 2), False).tolist()
    [[97, 98], [99, 100]]
    """
    view = memoryview(buffer)
    if view.format != "B" or view.ndim != 1:
        view = view.cast("B")
    if form != "B" or len(shape) != 1:
        view = view.cast(form, shape)  # type: ignore[call-overload,unused-ignore]
    return view.toreadonly() if readonly and not view.readonly else view


def _argument_prefix() -> str:
    return f"{shmowner.PREFIX}{shmowner.tag()}-a"


def _wrapped(argument: Any) -> Any:
    kind = type(argument)
    if kind is memoryview:
        return _View(argument)
    if len(argument) >= shared.MIN_SIZE:
        return shared.Large(argument)
    return argument


def _with_views(call: Any) -> Any:
    """``call`` with its large ``bytes`` and ``bytearray`` arguments, and any ``memoryview``, wrapped
    (pickle keeps the first two in band, and refuses the last); itself when it has none."""
    if type(call) is not tuple or len(call) != 3:
        return call
    fn, args, kwargs = call
    # The looks are in C (isdisjoint over map): this runs for every task.
    viewed_args = type(args) is tuple and not _VIEWED.isdisjoint(map(type, args))
    viewed_kwargs = type(kwargs) is dict and kwargs and not _VIEWED.isdisjoint(map(type, kwargs.values()))
    if not (viewed_args or viewed_kwargs):
        return call
    if viewed_args:
        args = tuple(_wrapped(a) if type(a) in _VIEWED else a for a in args)
    if viewed_kwargs:
        kwargs = {key: _wrapped(v) if type(v) in _VIEWED else v for key, v in kwargs.items()}
    return fn, args, kwargs


def dump_call(call: Any) -> tuple[bytes, list[str]]:
    """``call`` pickled, and the names of the segments its large buffers went into (owned by
    the caller: remove them with :func:`.shared.remove` once the call is done with).

    With no segment the pickle is the call's alone, as :func:`.callpickle.dumps`
    makes it; with some, it names them first (:func:`.shared.prefixed`). Raises
    what pickling raises, leaving no segment.
    """
    made: list[shared.Segment] = []
    place = shared.placer(_argument_prefix, _numbers, made)
    try:
        pickled = callpickle.dumps(_with_views(call), place)
    except BaseException:
        shared.remove(segment[0] for segment in made)
        raise
    if not made:
        return pickled, []
    return shared.prefixed(made, memoryview(pickled)), [segment[0] for segment in made]


def pickled(call: Any) -> tuple[bytes, list[str]]:
    """:func:`dump_call` where there is shared memory, else the call's pickle and no segment."""
    if shared.available():
        return dump_call(call)
    return callpickle.dumps(call), []


# What a task's ``segments`` become once it has ended: none may be kept for it after that.
_ENDED: list[str] = []


class Held:
    """The segments of tasks' arguments, each task's held (in its ``segments``) until it ends.

    Its own lock orders :meth:`keep` and :meth:`release`: a task may end on
    another thread while the manager thread pickles its call, and what is
    kept after its end is removed at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def keep(self, task: Any, names: list[str]) -> None:
        """Hold ``names`` until ``task`` ends (remove them now if it has)."""
        with self._lock:
            if task.segments is not _ENDED:
                task.segments = names
                return
        shared.remove(names)

    def release(self, task: Any) -> None:
        """``task`` has ended (or will never be sent): remove its segments."""
        with self._lock:
            names, task.segments = task.segments, _ENDED
        if names:  # most tasks have none: this runs for every one
            shared.remove(names)
