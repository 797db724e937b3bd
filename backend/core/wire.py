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
from typing import Any, Callable, List, Tuple

from . import shared
from .states import Event

#: What :func:`open_shared` gives: the mapped buffers, and the value's pickle.
Opened = Tuple[List[Any], memoryview]

_HEADER = struct.Struct("<BqB")  # kind, task id, flags
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class Kind(enum.IntEnum):
    """What a frame says."""

    # GUI process -> worker
    RUN = 1  # run this task; flags: its controls so far; body: pickled (fn, args, kwargs)
    CONTROL = 2  # the task's controls changed (flags)
    STOP = 3  # end, with every process the worker's tasks started
    RETRACT = 4  # give this task back if it has not started (it was sent ahead; see processpool)
    SHARED_RUN = 5  # a RUN whose body names shared-memory segments first, then the pickle (sharedcall.py)

    # worker -> GUI process
    HELLO = 10  # the worker is ready for tasks
    PROGRESS = 11  # body: a report (value, maximum, text)
    PARTIAL = 12  # body: a partial result
    PAUSED = 13
    RESUMED = 14
    RESULT = 15  # body: the return value
    ERROR = 16  # body: a TaskError
    CANCELLED = 17  # body: the reason, "cancelled" or "timed out"
    RETURNED = 18  # the answer to RETRACT: given back, it never started and never will here
    TAKEN = 19  # the answer to RETRACT: too late, it had started (it may have ended too)
    WORN = 20  # sent before an ending: this worker takes no more tasks (it ran its last, or is broken)
    SHARED_RESULT = 21  # a RESULT whose body names shared-memory segments first, then the pickle (shared.py)


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
EVENT_OF[Kind.SHARED_RESULT] = Event.RESULT

_NOTHING = object()


# Values that have no buffer to share, whatever their size: pickled at once,
# without the look for large buffers (most tiny tasks return one of these).
_NO_BUFFERS = frozenset({int, float, bool, complex, str, type(None)})

# A frame larger than this is sent from its buffer as it is, not copied into bytes.
_COPY_LIMIT = 1 << 20


def frame(
    kind: Kind, task_id: int = 0, flags: int = 0, value: Any = _NOTHING, share: Callable[[], int] | None = None
) -> bytes | memoryview:
    """A frame carrying ``value`` pickled (none if it is left out).

    Pickled straight after the header into one buffer, so that a large value
    is not copied once more. With ``share`` (a counter that numbers the
    segments), its large buffers go through shared memory where the system
    has it (:mod:`.shared`), and the frame is then a SHARED_RESULT. Raises what
    pickling raises.
    """
    buffer = io.BytesIO()
    buffer.write(_HEADER.pack(kind, task_id, flags))
    if value is not _NOTHING:
        if share is not None and type(value) not in _NO_BUFFERS and shared.available():
            made = shared.dump(value, buffer, share)
            if made:  # what is left in the pipe is small: the buffers are elsewhere
                head = _HEADER.pack(Kind.SHARED_RESULT, task_id, flags)
                return head + shared.prefixed(made, buffer.getbuffer()[_HEADER.size :])
        else:
            pickle.dump(value, buffer, protocol=_PROTOCOL)
    # A view keeps its buffer from being freed while it exists; one still held
    # when the interpreter exits makes it complain, so only large frames use one.
    return buffer.getbuffer() if buffer.tell() > _COPY_LIMIT else buffer.getvalue()


def run_message(task_id: int, flags: int, payload: bytes, kind: Kind = Kind.RUN) -> list[Any]:
    """A RUN (or SHARED_RUN) frame around a pickled call, framed for the pipe, as parts to write
    in turn (a large call is not copied once more to put the header in front of it)."""
    header = _HEADER.pack(kind, task_id, flags)
    if len(payload) <= _COPY_LIMIT:
        return [message(header + payload)]
    return [_size_prefix(len(header) + len(payload)) + header, payload]


def header(data: bytes | bytearray) -> tuple[Kind, int, int]:
    """A frame's (kind, task id, flags). Raises ValueError for a kind that does not exist."""
    kind, task_id, flags = _HEADER.unpack_from(data)
    known = _KINDS.get(kind)  # Kind(kind) runs Python code, and this runs for every frame
    if known is None:
        raise ValueError(f"{kind} is not a frame's kind")
    return known, task_id, flags


_KINDS = {int(kind): kind for kind in Kind}


def body(data: bytes | bytearray) -> memoryview:
    """A frame's body, not copied."""
    return memoryview(data)[_HEADER.size :]


#: The first byte of a frame whose value names shared-memory segments (a plain int: a
#: comparison per frame read, without the enum's own comparison).
SHARED_RESULT = int(Kind.SHARED_RESULT)


def open_shared(data: bytes | bytearray) -> Opened | None:
    """The shared-memory segments a frame names, mapped, their names removed (None if it
    names none). Call it as soon as the frame is read, whatever becomes of it.
    Raises OSError if a segment is gone (all names are removed first)."""
    if data[0] != SHARED_RESULT:
        return None
    return shared.open_buffers(body(data))


def value(data: bytes | bytearray, opened: Opened | None = None) -> Any:
    """The value a frame carries, built on its shared buffers (from :func:`open_shared`)
    if it has any. Raises whatever unpickling raises."""
    if opened is None:
        if data[0] != SHARED_RESULT:  # most frames: not a function call more for each
            return pickle.loads(memoryview(data)[_HEADER.size :])
        opened = shared.open_buffers(body(data))
    buffers, pickled = opened
    return pickle.loads(pickled, buffers=buffers)


# -- the pipe's own framing ---------------------------------------------------
# multiprocessing.Connection's: a 4-byte big-endian size, or -1 and an 8-byte
# size for a message over 2 GiB, then the message. A worker process sends and
# receives with Connection itself; the GUI process's manager thread reads and
# writes the raw pipe, many messages per system call (each call releases the
# GIL, and getting it back costs while the GUI thread works).
_SIZE = struct.Struct("!i")
_LARGE_SIZE = struct.Struct("!Q")


def message(data: bytes | memoryview) -> bytes:
    """``data`` framed as ``Connection.send_bytes`` frames it (small messages; see :func:`message_parts`)."""
    return _SIZE.pack(len(data)) + bytes(data)


def message_parts(data: bytes | memoryview) -> tuple[bytes, bytes | memoryview]:
    """The size prefix and the body of a message of any size, to write one after the other."""
    return _size_prefix(len(data)), data


def _size_prefix(size: int) -> bytes:
    return _SIZE.pack(-1) + _LARGE_SIZE.pack(size) if size > 0x7FFFFFFF else _SIZE.pack(size)


# A message at least this large is gathered into a buffer of its own size as
# it arrives (see MessageReader): never copied whole while the GIL is held.
_LARGE_MESSAGE = 1 << 20
# The most a reader asks the pipe for at once, while a large message arrives.
_LARGE_READ = 1 << 20


class MessageReader:
    """Whole messages out of the bytes read from a pipe, however they were split.

    Small messages come out as ``bytes``. A large one comes out as the
    ``bytearray`` it was gathered in: once its size is read, a buffer of that
    size is made and each chunk is copied into it as it arrives, so that no
    step copies the whole message at once (the manager thread would hold the
    GIL, and stall the GUI thread, for as long as that takes).
    """

    __slots__ = ("_buffer", "_large", "_filled")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._large: bytearray | None = None  # the large message being gathered, if any
        self._filled = 0  # how much of it has arrived

    def read_size(self, usual: int) -> int:
        """How much to ask the pipe for next: more than ``usual`` while a large message arrives."""
        large = self._large
        if large is None:
            return usual
        return max(usual, min(len(large) - self._filled, _LARGE_READ))

    def feed(self, chunk: bytes | memoryview) -> list[bytes | bytearray]:
        """Add ``chunk``; return the messages it completed, in order.

        Raises ValueError on reading a size that no message has (the stream is
        not ours, or two writers mixed their bytes); whole messages before it
        in the same call are returned first, and the next call raises. Every
        call after that raises too.
        """
        found: list[bytes | bytearray] = []
        if self._large is not None:
            chunk = self._gather(chunk, found)
            if not chunk:
                return found
        buffer = self._buffer
        buffer += chunk
        with memoryview(buffer) as view:  # one for the whole chunk: a message is copied out of it once
            start = self._split(buffer, view, len(buffer), found)
        if start:
            del buffer[:start]
        return found

    def _split(self, buffer: bytearray, view: memoryview, end: int, found: list[bytes | bytearray]) -> int:
        """The messages whole in ``buffer`` (seen through ``view``) onto ``found``; the large one
        begun, if any, to its own buffer. Returns where the rest of ``buffer`` begins."""
        start = 0
        while end - start >= 4:
            (size,) = _SIZE.unpack_from(buffer, start)
            header = 4
            if size < -1:  # taken as it is, it would move the reading point back, or not at all
                if found:
                    break
                raise ValueError(f"not a message: its size would be {size}")
            if size == -1:
                if end - start < 12:
                    break
                (size,) = _LARGE_SIZE.unpack_from(buffer, start + 4)
                header = 12
            if end - start - header < size:
                if size >= _LARGE_MESSAGE:  # the rest of the buffer is its start
                    self._large = large = bytearray(size)
                    self._filled = end - start - header
                    large[: self._filled] = view[start + header : end]
                    start = end
                break
            found.append(bytes(view[start + header : start + header + size]))  # one copy, not a slice and bytes()
            start += header + size
        return start

    def _gather(self, chunk: bytes | memoryview, found: list[bytes | bytearray]) -> memoryview:
        """Copy what ``chunk`` holds of the large message into its buffer; return the rest."""
        large = self._large
        assert large is not None
        filled = self._filled
        take = min(len(chunk), len(large) - filled)
        view = memoryview(chunk)  # chunk is bytes: nothing waits for the view to be released
        large[filled : filled + take] = view[:take]
        self._filled = filled + take
        if self._filled == len(large):
            found.append(large)
            self._large = None
        return view[take:]
