"""One worker process of the pool, as the manager thread handles it: its process, its pipe, its end.

Only bytes and signals here: what to send and when is :mod:`.poolplan`'s
to say, and :mod:`.poolmanager` carries it out. The pipe is non-blocking
both ways, so that one worker that does not read (a C call holding its
GIL) never holds up the manager thread, and so the other workers: what
cannot be written yet waits in :attr:`WorkerProcess.outbox` and goes as the
pipe drains. A worker is ended with its process group, and what its tasks
started with it (see :meth:`WorkerProcess.kill`).
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import selectors
import signal
import threading
from typing import Any

from . import pipes, portable, proctree, remote, shmowner, wire
from .poolplan import Seat

# Bytes read from one worker in one pass: many messages in one call, and
# a chatty worker cannot keep the manager from the others.
READ_CHUNK = 1 << 16
# How long the manager waits for a worker's exit status once its pidfd said it ended.
_STATUS_WAIT_S = 0.5
# What a selector key's data says of the file it watches.
PIPE, DEATH = "pipe", "death"
# The name of every worker process (multiprocessing's process name).
NAME = "offthread-worker"

# Starting a worker, and the end of all starts at exit (see stop_starting).
_starts = threading.Lock()
_starts_closed = False


def starting_stopped() -> bool:
    """Whether :func:`stop_starting` has run: this process is exiting."""
    return _starts_closed


def stop_starting() -> list[Any]:
    """At exit: start no more workers, and return every worker process started so far that
    may still run (multiprocessing's objects), seated in a pool or not yet.

    multiprocessing's exit handler joins every child that is not a daemon
    (workers are not: their tasks may start processes of their own), and a
    worker waits for its pipe to close, which happens only after that join.
    A pool's own workers are killed at exit; one that its manager thread was
    starting just then was in no pool yet, and the exit hung on it. Once this
    returns, none is being started, and none will be.
    """
    global _starts_closed
    with _starts:
        _starts_closed = True
    return [child for child in multiprocessing.active_children() if child.name == NAME]


class WorkerProcess:
    """A worker's process and the manager thread's end of its pipe, watched by ``selector``."""

    __slots__ = ("process", "conn", "bytes", "reader", "pid", "pidfd", "gone", "outbox", "seat", "_selector")

    @classmethod
    def start(cls, context: Any, nice: int, max_tasks: int | None, selector: selectors.BaseSelector) -> WorkerProcess:
        """Start a worker process. Raises what starting it raises (no fork server, no file descriptors)."""
        with _starts:
            if _starts_closed:
                raise RuntimeError("this process is exiting: it starts no more workers")
            conn, child_conn = pipes.pair(context)
            process = context.Process(
                target=remote.worker_main, args=(child_conn, nice, max_tasks, shmowner.tag()), name=NAME
            )
            process.start()
        child_conn.close()
        return cls(process, conn, selector)

    def __init__(self, process: Any, conn: Any, selector: selectors.BaseSelector) -> None:
        self.process = process
        self.conn = conn  # read and written raw, many messages per call (see wire.MessageReader)
        self.bytes = pipes.PipeBytes(conn)
        self.reader = wire.MessageReader()
        self.pid: int = process.pid
        # What says that it ended. Under a fork server, its sentinel is a pipe
        # from the fork server, which also fires when the fork server dies:
        # every running task failed then, in workers that lived on. Where
        # there are pidfds (Linux 5.3+, Python 3.9+), the process's own one.
        self.pidfd = _open_pidfd(process.pid)
        self.gone = False  # it has ended and been reaped: its pid may be another process's now
        self.outbox: collections.deque[memoryview] = collections.deque()  # what could not be written yet
        self.seat = Seat(self)  # the plan's view of it
        self._selector = selector
        selector.register(conn, selectors.EVENT_READ, (self, PIPE))
        selector.register(self.death, selectors.EVENT_READ, (self, DEATH))

    @property
    def death(self) -> Any:
        """What becomes readable when it ends: its pidfd, else its sentinel."""
        return self.pidfd if self.pidfd is not None else self.process.sentinel

    def send(self, kind: wire.Kind, task_id: int = 0, flags: int = 0) -> bool:
        """Send a frame without a body; False if the worker is gone (its death will say so)."""
        return self.write(list(wire.message_parts(wire.frame(kind, task_id, flags))))

    def write(self, parts: list[Any]) -> bool:
        """Write ``parts`` (framed messages) in order: what fits now, the rest as the pipe
        drains. False if the worker is gone."""
        views = collections.deque(memoryview(part).cast("B") for part in parts if len(part))
        if self.outbox:
            self.outbox.extend(views)
            return True
        try:
            self.bytes.write_some(views)
        except (OSError, ValueError):
            return False
        if views:
            self.outbox = views
            self._watch_writes(True)
        return True

    def flush(self) -> None:
        """The pipe can take more of the outbox."""
        try:
            self.bytes.write_some(self.outbox)
        except (OSError, ValueError):  # gone: its death says the rest
            self.outbox.clear()
        if not self.outbox:
            self._watch_writes(False)

    def send_now(self, kind: wire.Kind) -> bool:
        """Send a frame at once, whole, or not at all (False): for the end, when nothing waits."""
        views = collections.deque(memoryview(part).cast("B") for part in wire.message_parts(wire.frame(kind)))
        try:
            self.bytes.write_some(views)
        except (OSError, ValueError):
            return False
        return not views

    def read(self) -> list[bytes | bytearray]:
        """One read of up to READ_CHUNK bytes: the messages it completes. Once the pipe is
        closed (gone, or killed in mid-frame: its death says the rest) it is no longer watched.
        Raises ValueError for bytes that are not messages."""
        try:
            chunk = self.bytes.read(self.reader.read_size(READ_CHUNK))
        except BlockingIOError:  # nothing after all
            return []
        except OSError:
            chunk = b""
        if not chunk:
            self.unwatch()
            return []
        return self.reader.feed(chunk)

    def unwatch(self) -> None:
        """No more reads or writes: only its death is watched."""
        _unregister(self._selector, self.conn)

    def leftovers(self) -> list[bytes | bytearray]:
        """It ended: the messages it left in its pipe (a torn last one stays unread)."""
        self.gone = True  # its death fired: it has ended (and, under a fork server, been reaped)
        messages: list[bytes | bytearray] = []
        try:
            while True:  # without blocking (BlockingIOError ends it): what it, or a process it started, left
                chunk = self.bytes.read(READ_CHUNK)
                if not chunk:
                    break
                messages += self.reader.feed(chunk)
        except (EOFError, OSError, ValueError):  # ValueError: the rest is not messages
            pass
        return messages

    def close(self) -> int | None:
        """After its :meth:`leftovers`: its pipe is closed, what its tasks started and left
        running is killed. Returns its exit code."""
        _unregister(self._selector, self.conn)
        _unregister(self._selector, self.death)
        self.conn.close()
        self.bytes.close()  # a late write fails, and never reaches a file that took the number
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None
            # Its exit status comes through the sentinel, once the fork server
            # has reaped it: at once, unless the fork server is gone too.
            self.process.join(_STATUS_WAIT_S)
        else:
            self.process.join(0)
        self.kill()  # whatever its tasks started may still run in its group
        code: int | None = self.process.exitcode
        return code

    def kill(self) -> None:
        """SIGKILL the worker, every process its tasks started, and its process group.

        A worker that said hello is stopped first (SIGSTOP, so it starts nothing
        more), then its tree is ended from the leaves' side (see :mod:`.proctree`:
        what left its group is found by parent pid), then the group and the
        worker. Never a signal to a number that may have gone to another
        process: once a worker has ended and been reaped (``gone``), its pid is
        free, and only its group, while it still has members, keeps that number
        from being reused.
        """
        try:
            if not portable.groups():  # Windows: its tree, found while it lives (see proctree.end_tree)
                if not self.gone:
                    proctree.end_tree(self.pid, self.process.kill)
            elif self.gone:
                if proctree.group_has_members(self.pid):  # what its tasks started, left running
                    os.killpg(self.pid, signal.SIGKILL)
            elif self.seat.hello:  # it said hello after making its own group: the group is there
                os.killpg(self.pid, signal.SIGSTOP)
                try:
                    proctree.kill_descendants(self.pid)
                finally:  # whatever happened there, nothing stays stopped
                    os.killpg(self.pid, signal.SIGKILL)
            else:  # still starting, perhaps in the app's group: the process alone
                self.process.kill()
        except (ProcessLookupError, PermissionError, ValueError):
            pass  # ended just now

    def _watch_writes(self, on: bool) -> None:
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if on else 0)
        try:
            self._selector.modify(self.conn, events, (self, PIPE))
        except (KeyError, ValueError):  # no longer watched: it has closed its end
            self.outbox.clear()


def exit_status(code: int | None) -> str:
    """How a process ended, from its exit code: "died (exit code 3)", "was killed by SIGKILL"."""
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was killed by {name}"
    return f"died (exit code {code})"


def _unregister(selector: selectors.BaseSelector, fileobj: Any) -> None:
    try:
        selector.unregister(fileobj)
    except (KeyError, ValueError):
        pass


def _open_pidfd(pid: int) -> int | None:
    """A pidfd of process ``pid`` (just started, so still this pid's), or None where there are none."""
    try:
        return os.pidfd_open(pid)  # type: ignore[attr-defined,unused-ignore]
    except (AttributeError, OSError):  # Python 3.8, an old kernel, or not Linux
        return None
