"""A worker's duplex pipe, and its bytes read and written without blocking, on every platform.

Where pipes are file descriptors (POSIX), it is multiprocessing's ``Pipe``,
read with ``os.read`` and written with ``os.writev``, many messages per
call. Where they are not (Windows, where a multiprocessing pipe is a
handle), or with the portable paths chosen (:mod:`.portable`), it is a
socket pair: every platform reads and writes a socket without blocking,
and :func:`multiprocessing.connection.wait` waits on it. Either way the
bytes are multiprocessing's framing (:mod:`.wire`), so the worker sends
with ``Connection.send_bytes``.

Example::

    >>> import multiprocessing, os
    >>> os.environ["OFFTHREAD_PORTABLE"] = "1"
    >>> mine, theirs = pair(multiprocessing.get_context("spawn"))
    >>> end = PipeBytes(mine)
    >>> connection, receive = worker_end(theirs)
    >>> connection.send_bytes(b"hello")
    >>> end.read(100)
    b'\\x00\\x00\\x00\\x05hello'
    >>> end.close(); mine.close(); connection.close(); theirs.close()
    >>> del os.environ["OFFTHREAD_PORTABLE"]
"""

from __future__ import annotations

import collections
import errno
import itertools
import os
import socket
from multiprocessing.connection import Connection
from typing import Any, Callable

from .portable import portable

# Buffers per writev call: far below any system's IOV_MAX.
_WRITE_BATCH = 64


def pair(context: Any) -> tuple[Any, Any]:
    """A duplex pipe for one worker: the manager's end, then the worker's (to pass to it)."""
    if portable():
        return socket.socketpair()
    return context.Pipe(duplex=True)  # type: ignore[no-any-return]


class PipeBytes:
    """The manager's end of a worker's pipe, read and written without blocking."""

    __slots__ = ("_fd", "_socket")

    def __init__(self, end: Any) -> None:
        self._socket: socket.socket | None = end if isinstance(end, socket.socket) else None
        if self._socket is not None:
            self._socket.setblocking(False)
            self._fd: int = self._socket.fileno()
        else:
            self._fd = end.fileno()
            os.set_blocking(self._fd, False)

    def read(self, size: int) -> bytes:
        """What is there, up to ``size`` bytes; b"" at its end. Raises BlockingIOError if
        nothing is there yet, OSError once the pipe is closed or broken."""
        if self._fd < 0:
            raise OSError(errno.EBADF, "the pipe is closed")
        if self._socket is not None:
            return self._socket.recv(size)
        return os.read(self._fd, size)

    def write_some(self, views: collections.deque[memoryview]) -> None:
        """Write ``views`` in order, in as few calls as it takes, until the pipe is full
        (what is left stays in ``views``). Raises OSError if the reader is gone."""
        if self._fd < 0:
            raise OSError(errno.EBADF, "the pipe is closed")
        send = self._socket.send if self._socket is not None else None
        writev = getattr(os, "writev", None) if send is None else None
        while views:
            try:
                if send is not None:
                    written = send(views[0])
                elif writev is not None:
                    written = writev(self._fd, list(itertools.islice(views, _WRITE_BATCH)))
                else:
                    written = os.write(self._fd, views[0])
            except BlockingIOError:
                return
            _consume(views, written)

    def close(self) -> None:
        """From now on reads and writes fail: a late one never reaches a file that took the number."""
        self._fd = -1


def _consume(views: collections.deque[memoryview], written: int) -> None:
    while written:
        first = views[0]
        if written >= len(first):
            written -= len(first)
            views.popleft()
        else:
            views[0] = first[written:]
            written = 0


Receive = Callable[[int], bytes]


def worker_end(end: Any) -> tuple[Any, Receive]:
    """In the worker: its end of the pipe as a ``Connection`` to send on, and how to read
    it (blocking; b"" at its end)."""
    if isinstance(end, socket.socket):
        # A Connection on a socket sends with send() on Windows, write() elsewhere; reads go
        # through the socket itself (os.read cannot read a socket on Windows).
        return Connection(end.dup().detach()), end.recv
    fd = end.fileno()
    return end, lambda size: os.read(fd, size)
