"""Large buffers of a result, moved through shared memory instead of the pipe.

Pickle protocol 5 lets an object hand its buffers over apart from the pickle
(out of band): a numpy array's data (wherever it is in the value), any
``PickleBuffer``; and here a ``bytes`` or ``bytearray`` that is the value
itself (pickle keeps those in band; one inside a container stays there). A worker puts each buffer of 1 MiB or more
into a segment of its own in ``/dev/shm``, written once, and the frame names
the segments. The GUI process maps each segment and removes its name at
once, as it receives the frame (whether the task still wants the result or
not): the memory then lives as long as the objects built on it and no
longer, and nothing is left in ``/dev/shm``. A numpy array is built on the
mapping itself, with no copy; a ``bytes`` value is read out of its segment
straight into the result, with no mapping (:func:`_read_bytes`). A worker that dies between making a segment
and sending its frame leaves a name behind; its segments carry its pid, and
the pool removes them when it sees the worker end (:func:`remove_left_by`).

A task's large arguments go the other way (:mod:`.sharedcall`): the GUI
process makes their segments and owns them until the task ends (it may be
sent to a worker, asked back and sent to another); workers only map them
(:func:`open_buffers` with ``remove=False``). Every name carries its GUI
process (:mod:`.shmowner`), so that what a killed GUI process left is
removed by the next pool that starts (:func:`sweep`).

POSIX shared memory as files in ``/dev/shm`` (Linux); elsewhere, and for
small buffers, everything goes through the pipe as before. Nothing here
imports Qt.
"""

from __future__ import annotations

import ctypes
import io
import mmap
import os
import pickle
import struct
import sys
import threading
from typing import Any, Callable, Tuple

from . import shmowner

__all__ = [
    "Large",
    "MIN_SIZE",
    "SHM_DIR",
    "Segment",
    "available",
    "bytes_from",
    "dump",
    "names_left_by",
    "open_buffers",
    "placer",
    "prefixed",
    "remove",
    "remove_left_by",
    "sweep",
]

SHM_DIR = "/dev/shm"
#: Buffers at least this large go through shared memory; smaller ones are cheaper in the pipe.
MIN_SIZE = 1 << 20
# Populated as it is mapped, in the mmap() call, which runs without the GIL:
# otherwise each of its pages would fault in while a copy holds the GIL.
_MAP_FLAGS = getattr(mmap, "MAP_SHARED", 0) | getattr(
    mmap, "MAP_POPULATE", 0x8000 if sys.platform.startswith("linux") else 0
)
_NAMES = struct.Struct("<I")  # the size of the pickled list of segments, before it
#: A segment a body names: its name, its size, and whether it is a whole ``bytes`` value, which the
#: reader reads into a new ``bytes`` rather than mapping it (see :func:`open_buffers`).
Segment = Tuple[str, int, bool]


def available() -> bool:
    """Whether this system has POSIX shared memory as files (Linux's ``/dev/shm``); looked at once."""
    global _available
    if _available is None:
        _available = os.name == "posix" and os.path.isdir(SHM_DIR) and os.access(SHM_DIR, os.W_OK)
    return _available


_available: bool | None = None


def _prefix(pid: int) -> str:
    """What the names of the result segments that worker ``pid`` makes start with."""
    return f"{shmowner.PREFIX}{shmowner.tag()}-w{pid}-"


def _own_prefix() -> str:
    """:func:`_prefix` of this process."""
    return _prefix(os.getpid())


class Large:
    """A large ``bytes`` or ``bytearray`` value, pickled with its data out of band (pickle
    keeps both in band; only the value itself is looked at, not what a container holds)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes | bytearray) -> None:
        self.data = data

    def __reduce_ex__(self, protocol: Any) -> Any:
        if type(self.data) is bytearray:
            return bytearray, (pickle.PickleBuffer(self.data),)
        return bytes_from, (pickle.PickleBuffer(self.data),)


def bytes_from(buffer: Any) -> bytes:
    """A ``bytes`` copy of a large shared buffer, made without holding the GIL.

    ``bytes(buffer)`` would copy hundreds of megabytes, and fault in as many
    new pages, in one C call that holds the GIL: the GUI thread would stall
    for all of it (a quarter of a second for 300 MB, measured). Here the new
    object is made zeroed (its pages are not touched yet) and filled by a
    ctypes memmove, which lets the GIL go; nobody else holds the object
    before it is full. Any buffer this cannot reach is copied as usual.

    >>> bytes_from(memoryview(b"abc"))
    b'abc'
    """
    view = memoryview(buffer)
    if type(view.obj) is bytes and view.nbytes == len(view.obj):
        return view.obj  # read whole out of its segment (see open_buffers): nothing to copy
    source = view.obj if view.readonly else buffer  # pickle hands over a read-only view of the mapping
    if not (isinstance(source, mmap.mmap) and view.nbytes == len(source) and view.c_contiguous and len(source)):
        return bytes(view)
    out = bytes(view.nbytes)
    destination = ctypes.cast(ctypes.c_char_p(out), ctypes.c_void_p).value
    if destination is None:
        return bytes(view)
    start = ctypes.c_char.from_buffer(source)
    try:
        ctypes.memmove(destination, ctypes.addressof(start), len(out))
    finally:
        del start  # releases its export of the mapping
    return out


def dump(value: Any, out: io.BytesIO, counter: Callable[[], int]) -> list[Segment]:
    """Pickle ``value`` into ``out`` (protocol 5), its large buffers into new segments.

    Returns the segments made: the value's pickle is read with their
    buffers, in that order (see :func:`prefixed` and :func:`open_buffers`).
    A buffer for which a segment cannot be made (``/dev/shm`` is full) goes
    in band, as does any smaller than MIN_SIZE. A ``bytes`` value's one
    segment is marked whole: the reader reads it straight into the result.
    """
    made: list[Segment] = []
    large = type(value) in (bytes, bytearray) and len(value) >= MIN_SIZE
    whole = large and type(value) is bytes
    if large:
        value = Large(value)
    try:
        pickle.Pickler(out, protocol=5, buffer_callback=placer(_own_prefix, counter, made)).dump(value)
    except BaseException:
        remove(segment[0] for segment in made)
        raise
    if whole and made:
        made[0] = (made[0][0], made[0][1], True)
    return made


def placer(prefix: Callable[[], str], counter: Callable[[], int], made: list[Segment]) -> Callable[[Any], bool]:
    """A pickler's ``buffer_callback`` that puts each buffer of MIN_SIZE or more into a new
    segment named ``prefix()`` and a number from ``counter``, listed in ``made``. The prefix
    is asked for only then: most calls and values have no large buffer, and pickle them
    per task."""

    def place(buffer: pickle.PickleBuffer) -> bool:
        try:
            raw = buffer.raw()
        except BufferError:  # not contiguous: pickle copies it in band
            return True
        if raw.nbytes < MIN_SIZE:
            return True
        name = f"{prefix()}{counter()}"
        try:
            _write_segment(name, raw)
        except OSError:
            return True
        made.append((name, raw.nbytes, False))
        return False

    return place


def prefixed(made: list[Segment], pickled: memoryview) -> bytes:
    """A body that names the segments ``made``, then holds the value's pickle."""
    names = pickle.dumps(made, protocol=5)
    return b"".join((_NAMES.pack(len(names)), names, pickled))


def _write_segment(name: str, data: memoryview) -> None:
    """A new segment holding ``data``: written with write(), which copies in the kernel
    without the GIL, twice as fast as through a mapping (whose every page would fault)."""
    path = os.path.join(SHM_DIR, name)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        view = data.cast("B") if data.format != "B" or data.ndim != 1 else data
        written = 0
        while written < view.nbytes:
            written += os.write(fd, view[written:])
    except BaseException:
        os.unlink(path)
        raise
    finally:
        os.close(fd)


def open_buffers(body: memoryview, *, remove: bool = True) -> tuple[list[Any], memoryview]:
    """The segments a body names, mapped (their names removed), and the value's pickle.
    A segment marked whole (a ``bytes`` value) is read into a ``bytes`` instead.

    Call it as soon as the frame is read: every name is removed, even if a
    segment cannot be mapped (OSError, raised after all are removed). A
    worker maps a task's arguments with ``remove=False``: their names are
    the GUI process's to remove, once the task has ended.
    """
    (size,) = _NAMES.unpack_from(body)
    made: list[Segment] = pickle.loads(body[_NAMES.size : _NAMES.size + size])
    buffers: list[Any] = []
    failure: OSError | None = None
    for name, length, whole in made:
        path = os.path.join(SHM_DIR, name)
        try:
            fd = os.open(path, os.O_RDWR)
        except OSError as error:
            failure = failure or error
            continue
        try:
            if remove:
                os.unlink(path)
            read = whole and length >= MIN_SIZE and _CAN_READ  # see _read_bytes for why the size
            buffers.append(_read_bytes(fd, length) if read else mmap.mmap(fd, length, flags=_MAP_FLAGS))
        except OSError as error:
            failure = failure or error
        finally:
            os.close(fd)
    if failure is not None:
        raise failure
    return buffers, body[_NAMES.size + size :]


_CAN_READ = hasattr(os, "preadv")


def _read_bytes(fd: int, length: int) -> bytes:
    """A new ``bytes`` read out of segment ``fd``, its ``length`` bytes written by the kernel.

    Reading costs less than mapping the segment and copying it out (the
    mapping's page tables are never built, nor torn down), and it holds no
    second copy: once the name is removed, the segment's memory goes back as
    the file is closed. The object is made zeroed (its pages untouched) and
    filled by ``preadv``, which lets the GIL go; nobody else holds it before
    it is full. What costs is faulting in the new object's pages: they are
    populated in one call per part (:func:`_populate`), and a large value is
    read in two halves at once, by this thread and one more (the worker that
    wrote it is idle by now). Raises OSError if the segment is shorter.
    """
    # A bytes is immutable to everyone who can see it; this one is written
    # before anybody can: just made, at least MIN_SIZE long (never one of the
    # interpreter's shared empty or one-byte objects), its hash not yet taken.
    out = bytes(length)
    address = ctypes.cast(ctypes.c_char_p(out), ctypes.c_void_p).value
    if address is None:
        raise OSError("a buffer for a shared result could not be addressed")
    view = memoryview((ctypes.c_char * length).from_address(address)).cast("B")
    if length < _SPLIT_SIZE:
        _read_part(fd, view, address, 0, length)
        return out
    half = (length // 2) & ~(mmap.PAGESIZE - 1)
    failures: list[OSError] = []

    def other_half() -> None:
        try:
            _read_part(fd, view, address, half, length)
        except OSError as error:
            failures.append(error)

    helper = threading.Thread(target=other_half, name="offthread-shared-read", daemon=True)
    helper.start()
    try:
        _read_part(fd, view, address, 0, half)
    finally:
        helper.join()
    if failures:
        raise failures[0]
    return out


#: A ``bytes`` value at least this large is read in two halves at once (see :func:`_read_bytes`).
_SPLIT_SIZE = 32 << 20


def _read_part(fd: int, view: memoryview, address: int, start: int, end: int) -> None:
    """Read bytes ``start`` to ``end`` of segment ``fd`` into ``view`` (at ``address``)."""
    _populate(address + start, end - start)
    done = start
    while done < end:
        got = os.preadv(fd, [view[done:end]], done)
        if got <= 0:
            raise OSError(f"a shared segment ended after {done} of its {len(view)} bytes")
        done += got


_MADV_POPULATE_WRITE = 23  # Linux 5.14 on; not in the mmap module
_libc: Any = None


def _populate(address: int, length: int) -> None:
    """Fault in the whole pages of this range in one ``madvise`` (the kernel's copy would fault
    them one 4 KiB page at a time, each a trap); where the kernel has no such advice, nothing."""
    global _libc
    if not sys.platform.startswith("linux"):
        return
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
            _libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
        except (OSError, AttributeError):
            _libc = False
    if not _libc:
        return
    page = mmap.PAGESIZE
    first = (address + page - 1) & ~(page - 1)
    last = (address + length) & ~(page - 1)
    if last > first:
        _libc.madvise(first, last - first, _MADV_POPULATE_WRITE)  # fails harmlessly (EINVAL) on older kernels


def names_left_by(pid: int) -> list[str]:
    """The segments in ``/dev/shm`` that the worker process ``pid`` made and nobody took."""
    prefix = _prefix(pid)
    try:
        return [name for name in os.listdir(SHM_DIR) if name.startswith(prefix)]
    except OSError:
        return []


def remove_left_by(pid: int) -> None:
    """Remove what the worker process ``pid`` left in ``/dev/shm`` (it has ended)."""
    remove(names_left_by(pid))


def sweep() -> list[str]:
    """Remove the segments whose GUI process is dead (killed before it could remove them);
    return their names. See :mod:`.shmowner`."""
    try:
        names = [name for name in os.listdir(SHM_DIR) if name.startswith(shmowner.PREFIX)]
    except OSError:
        return []
    dead = shmowner.orphans(names)
    remove(dead)
    return dead


def remove(names: Any) -> None:
    """Remove these segments' names (any already gone are passed over)."""
    for name in names:
        try:
            os.unlink(os.path.join(SHM_DIR, name))
        except OSError:
            pass
