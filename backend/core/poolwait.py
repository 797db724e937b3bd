"""How the process pool's manager thread waits: on every worker's pipe and end at once, and on its wake-up.

Where pipes can be watched with :mod:`selectors` (POSIX), the system's best
selector does it (epoll, kqueue), registered once. Where they cannot
(Windows, whose ``select()`` takes sockets only), :class:`WaitSelector`
does it with :func:`multiprocessing.connection.wait`, which takes pipes,
process sentinels and sockets on every platform; and the wake-up is a socket
pair instead of a pipe. ``OFFTHREAD_PORTABLE=1`` chooses these
on any platform (see :mod:`.portable`).

Example::

    >>> selector = make_selector()
    >>> waker = WakePipe(selector)
    >>> waker.wake()
    >>> [key.data for key, _mask in selector.select(1.0)]
    [None]
    >>> waker.drain()
    >>> waker.close(); selector.close()
"""

from __future__ import annotations

import os
import selectors
import socket
import time
from multiprocessing import connection
from typing import Any, Mapping

from .portable import portable

# While a pipe waits to be written to, how often WaitSelector says "try again":
# connection.wait cannot tell when a pipe has room.
WRITE_RETRY_S = 0.005


def make_selector() -> selectors.BaseSelector:
    """The selector for the manager thread: the system's, or the portable one (see the module's docstring)."""
    return WaitSelector() if portable() else selectors.DefaultSelector()


def _fd_of(fileobj: Any) -> int:
    return fileobj if isinstance(fileobj, int) else int(fileobj.fileno())


class WaitSelector(selectors.BaseSelector):
    """A selector on :func:`multiprocessing.connection.wait`: pipes, sentinels and sockets, on every platform.

    Writes cannot be waited for there: while a file is watched for them, a
    wait lasts at most :data:`WRITE_RETRY_S` and reports it writable, so
    that its writer tries again (and finds the pipe still full, or not).
    """

    def __init__(self) -> None:
        self._keys: dict[int, selectors.SelectorKey] = {}

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        if not events or events & ~(selectors.EVENT_READ | selectors.EVENT_WRITE):
            raise ValueError(f"invalid events: {events!r}")
        fd = _fd_of(fileobj)
        if fd in self._keys:
            raise KeyError(f"{fileobj!r} (fd {fd}) is already registered")
        key = selectors.SelectorKey(fileobj, fd, events, data)
        self._keys[fd] = key
        return key

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        try:
            return self._keys.pop(_fd_of(fileobj))
        except (KeyError, OSError, ValueError) as error:  # a closed connection has no fileno
            raise KeyError(f"{fileobj!r} is not registered") from error

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        self.unregister(fileobj)
        return self.register(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        keys = list(self._keys.values())
        readers = {id(key.fileobj): key for key in keys if key.events & selectors.EVENT_READ}
        writers = [key for key in keys if key.events & selectors.EVENT_WRITE]
        if writers:
            timeout = WRITE_RETRY_S if timeout is None else min(max(timeout, 0.0), WRITE_RETRY_S)
        elif timeout is not None:
            timeout = max(timeout, 0.0)
        watched: list[Any] = [key.fileobj for key in readers.values()]  # connections, sockets, fds, handles
        if watched:
            ready = connection.wait(watched, timeout)
        else:  # nothing to wait on (Windows refuses an empty wait): the timeout alone
            ready = []
            if timeout:
                time.sleep(timeout)
        masks: dict[int, int] = {}
        for fileobj in ready:
            masks[readers[id(fileobj)].fd] = selectors.EVENT_READ
        for key in writers:
            masks[key.fd] = masks.get(key.fd, 0) | selectors.EVENT_WRITE
        return [(self._keys[fd], mask) for fd, mask in masks.items()]

    def close(self) -> None:
        self._keys.clear()

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return dict(self._keys)


class WakePipe:
    """How other threads wake the manager thread from its wait on the pipes.

    A pipe where selectors take pipes, else a socket pair (which
    :func:`multiprocessing.connection.wait` takes on Windows too).
    """

    __slots__ = ("_reader", "_writer", "_pending", "woken", "_selector", "_sockets")

    def __init__(self, selector: selectors.BaseSelector) -> None:
        self._sockets: tuple[socket.socket, socket.socket] | None = None
        if portable():
            self._sockets = socket.socketpair()
            for end in self._sockets:
                end.setblocking(False)
            self._reader, self._writer = (end.fileno() for end in self._sockets)
            selector.register(self._sockets[0], selectors.EVENT_READ, None)
        else:
            self._reader, self._writer = os.pipe()
            os.set_blocking(self._reader, False)
            os.set_blocking(self._writer, False)
            selector.register(self._reader, selectors.EVENT_READ, None)
        self._selector = selector
        self._pending = False
        self.woken = True  # it may hold bytes: drain it at the top of the next pass

    def wake(self) -> None:
        # Read-then-set is not atomic; the worst case is one extra byte.
        if not self._pending and self._writer >= 0:
            self._pending = True
            try:
                if self._sockets is not None:
                    self._sockets[1].send(b"\0")
                else:
                    os.write(self._writer, b"\0")
            except OSError:  # full (or closed just now): it will wake anyway
                pass

    def drain(self) -> None:
        """At the top of a pass: drain first, then clear the flag, then the pass reads
        the state. A request made after the flag is cleared writes a byte that the next
        wait sees; one made before it is in the state read. (Cleared first, a byte
        written meanwhile could be drained here while the flag stays set, and the next
        request would not wake the thread.)"""
        if self.woken:
            self.woken = False
            read = self._sockets[0].recv if self._sockets is not None else self._read_pipe
            try:
                while read(4096):
                    pass
            except BlockingIOError:
                pass
        self._pending = False

    def _read_pipe(self, size: int) -> bytes:
        return os.read(self._reader, size)

    def unwatch(self) -> None:
        self._selector.unregister(self._sockets[0] if self._sockets is not None else self._reader)

    def close(self) -> None:
        # -1 first: a late wake() must not write to a number the system gives to another file.
        descriptors, self._reader, self._writer = (self._reader, self._writer), -1, -1
        if self._sockets is not None:
            for end in self._sockets:
                end.close()
            return
        for descriptor in descriptors:
            os.close(descriptor)
