"""The messages between the GUI process and one worker process, over that worker's own pipe.

Each worker process has a duplex pipe of its own. Nothing is shared between
workers: a worker killed in the middle of a write leaves a torn message in its
own pipe only, which the GUI process reads as that worker's end. (A queue
shared by all workers, as in pebble or ``multiprocessing.Pool``, has a write
lock that a killed writer keeps for good, and every other worker then waits
on it forever.)

A frame is a fixed header (kind, task id, flags) followed by a body: the
pickled value the kind carries, if any. The body is unpickled by whoever
needs it, apart from the header, so that a value that cannot be rebuilt still
names its task. Nothing here imports Qt.
"""

from __future__ import annotations

import enum
import io
import pickle
import struct
from typing import Any, Tuple, Union

from .states import Event

_HEADER = struct.Struct("<BqB")  # kind, task id, flags
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class Kind(enum.IntEnum):
    """What a frame says."""

    # GUI process -> worker
    RUN = 1  # run this task; flags: its controls so far; body: pickled (fn, args, kwargs)
    CONTROL = 2  # the task's controls changed (flags)
    STOP = 3  # end, with every process the worker's tasks started

    # worker -> GUI process
    HELLO = 10  # the worker is ready for tasks
    PROGRESS = 11  # body: a report (value, maximum, text)
    PARTIAL = 12  # body: a partial result
    PAUSED = 13
    RESUMED = 14
    RESULT = 15  # body: the return value
    ERROR = 16  # body: a TaskError
    CANCELLED = 17  # body: the reason, "cancelled" or "timed out"


class Flag(enum.IntFlag):
    """A task's controls, as the GUI process asks for them."""

    NONE = 0
    CANCEL = 1
    TIMED_OUT = 2  # with CANCEL: the reason is "timed out"
    PAUSE = 4


#: The event each worker-to-GUI kind stands for.
EVENT_OF = {
    Kind.PROGRESS: Event.PROGRESS,
    Kind.PARTIAL: Event.PARTIAL,
    Kind.PAUSED: Event.PAUSED,
    Kind.RESUMED: Event.RESUMED,
    Kind.RESULT: Event.RESULT,
    Kind.ERROR: Event.ERROR,
    Kind.CANCELLED: Event.CANCELLED,
}
KIND_OF = {event: kind for kind, event in EVENT_OF.items()}

_NOTHING = object()


# A frame larger than this is sent from its buffer as it is, not copied into bytes.
_COPY_LIMIT = 1 << 20


def frame(kind: Kind, task_id: int = 0, flags: int = 0, value: Any = _NOTHING) -> Union[bytes, memoryview]:
    """A frame carrying ``value`` pickled (none if it is left out).

    Pickled straight after the header into one buffer, so that a large value
    is not copied once more. Raises what pickling raises.
    """
    buffer = io.BytesIO()
    buffer.write(_HEADER.pack(kind, task_id, flags))
    if value is not _NOTHING:
        pickle.dump(value, buffer, protocol=_PROTOCOL)
    # A view keeps its buffer from being freed while it exists; one still held
    # when the interpreter exits makes it complain, so only large frames use one.
    return buffer.getbuffer() if buffer.tell() > _COPY_LIMIT else buffer.getvalue()


def run_frame(task_id: int, flags: int, payload: bytes) -> bytes:
    """A RUN frame around a call pickled already (at submit, to find what cannot be sent)."""
    return _HEADER.pack(Kind.RUN, task_id, flags) + payload


def header(data: bytes) -> Tuple[Kind, int, int]:
    """A frame's (kind, task id, flags). Raises ValueError for a kind that does not exist."""
    kind, task_id, flags = _HEADER.unpack_from(data)
    return Kind(kind), task_id, flags


def body(data: bytes) -> memoryview:
    """A frame's body, not copied."""
    return memoryview(data)[_HEADER.size :]


def value(data: bytes) -> Any:
    """The value a frame carries. Raises whatever unpickling raises."""
    return pickle.loads(body(data))
