"""What runs on a dask.distributed worker for the dask mode: a task with a way back.

Nothing here imports Qt, and distributed only once a task runs: a worker
loads this module to run :func:`run_on_dask`, which the GUI process submits
in place of the task's own function.

The GUI process and the task talk through dask's own channels only, with no
server or port of ours:

- Up: the task's events (its progress, partial results, pauses) are worker
  events, ``Worker.log_event`` on the mode's one topic, which the GUI
  process's client subscribes to (``Client.subscribe_topic``). Each is a
  bytes message: a header (task id, its number in the task's stream, kind)
  and the pickled value. A sampler thread sends each running task's latest
  progress about 30 times a second, as in a worker process
  (:mod:`offthread.core.remote`); the first report goes at once.
- Down: a control (cancel, pause, resume) is a ``Client.run`` of
  :func:`control` on the worker that runs the task, or on every worker while
  the GUI process does not know which one yet: a task that has not started
  keeps it pending, and applies it before its first line.
- The ending is the future's result, with the number of messages the task
  sent, so that the GUI process ends the task once they have all arrived
  (they come first anyway: they leave the worker ahead of the result).
"""

from __future__ import annotations

import pickle
import struct
import threading
import time
from typing import Any, Callable, Iterable, Tuple

from . import wire
from .call import run_call, with_context
from .context import TaskContext
from .errors import safe_str
from .progress import check_report
from .remote import Ending, apply_flags
from .sink import SAMPLE_INTERVAL_S, Channel
from .states import ENDINGS, CancelReason, Event

# A message: task id, its number among the task's messages, kind; then the body.
_HEADER = struct.Struct("<qQB")
_PROTOCOL = pickle.HIGHEST_PROTOCOL

#: The first message of every task: its body is the address of the worker that runs it.
HELLO = wire.Kind.HELLO

# How a task ended, and how many messages it sent on its way.
DaskEnding = Tuple[Event, Tuple[Any, ...], int]

# (topic, task id): a mode's topic tells its tasks from another mode's, on a shared cluster.
_Key = Tuple[str, int]


def pack(task_id: int, number: int, kind: int, body: bytes = b"") -> bytes:
    """One message of a task, as it goes up the topic."""
    return _HEADER.pack(task_id, number, kind) + body


def unpack(data: bytes) -> tuple[int, int, wire.Kind, bytes]:
    """A message's (task id, number, kind, body). Raises ValueError (or struct.error) for one not of ours."""
    task_id, number, kind = _HEADER.unpack_from(data)
    return task_id, number, wire.Kind(kind), bytes(data[_HEADER.size :])


def flags_for(cancel_reason: str | None, paused: bool) -> int:
    """The control flags that ask for this: cancelled (and why), paused."""
    flags = wire.Flag.NONE
    if cancel_reason is not None:
        flags |= wire.Flag.CANCEL
        if cancel_reason == CancelReason.TIMED_OUT:
            flags |= wire.Flag.TIMED_OUT
    if paused:
        flags |= wire.Flag.PAUSE
    return int(flags)


class _Link(Channel):
    """One task's :class:`~offthread.core.sink.EventSink` on a worker: its events go up the topic, numbered.

    ``_lock`` keeps the messages in the order of their numbers (the task's
    thread and the sampler both send), and none after :meth:`unwatch`: the
    count the task returns with its ending is then final.
    """

    def __init__(self, topic: str, task_id: int, log_event: Callable[[str, Any], None]) -> None:
        self.task_id = task_id
        self._topic = topic
        self._log_event = log_event
        self._lock = threading.Lock()
        self._open = True
        self._context: TaskContext | None = None
        self.sent = 0
        self.ending: Ending | None = None

    def put(self, kind: int, body: bytes = b"") -> None:
        with self._lock:
            if self._open:
                self._put(kind, body)

    # -- the EventSink protocol of run_call (the task's thread) ----------------

    def carry(self, event: Event, task_id: int, *args: Any) -> None:
        if event in (Event.STARTED, Event.FINISHED):
            return  # the GUI process knows when it handed the task over, and ends it on its ending
        if event in ENDINGS:
            self.ending = (event, args)  # it goes back as the future's result
            return
        body = b""
        if args:
            try:
                body = pickle.dumps(args[0], protocol=_PROTOCOL)
            except Exception as error:  # only a partial result is the task's own value
                if event != Event.PARTIAL:
                    raise
                raise TypeError(f"this partial result cannot be sent to the GUI process: {safe_str(error)}") from error
        self.put(wire.KIND_OF[event], body)

    def watch(self, context: TaskContext) -> None:
        self._context = context
        _sampler.add(self)

    def unwatch(self, context: TaskContext) -> None:
        with self._lock:
            self._open = False
        _sampler.discard(self)

    # -- the sampler thread ------------------------------------------------------

    def sample(self) -> None:
        """Send the task's latest progress, if it is new."""
        with self._lock:
            context = self._context
            if not self._open or context is None:
                return
            report = context.take_sample()
            if report is None:
                return
            try:
                check_report(report)
                body = pickle.dumps(report, protocol=_PROTOCOL)
            except Exception as error:  # not a number, or one that cannot be sent
                context.raise_at_next_check(error)  # the task fails at its next check point, as in a thread
                return
            self._put(wire.Kind.PROGRESS, body)

    def _put(self, kind: int, body: bytes) -> None:
        self._log_event(self._topic, pack(self.task_id, self.sent, kind, body))
        self.sent += 1


class _Sampler:
    """The one thread per worker process that samples the progress of the tasks it runs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._links: set[_Link] = set()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def add(self, link: _Link) -> None:
        with self._lock:
            self._links.add(link)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="offthread-dask-sampler", daemon=True)
                self._thread.start()
        self._wake.set()

    def discard(self, link: _Link) -> None:
        with self._lock:
            self._links.discard(link)

    def _loop(self) -> None:
        while True:
            self._wake.clear()  # before looking, so that an add() from now on wakes us
            with self._lock:
                idle = not self._links
            if idle:
                self._wake.wait()
            # As in a worker process: the task has just sent its first report
            # itself, so first wait, then look.
            time.sleep(SAMPLE_INTERVAL_S)
            with self._lock:
                links = list(self._links)
            for link in links:
                link.sample()


_sampler = _Sampler()


class _Running:
    __slots__ = ("context", "number")

    def __init__(self, context: TaskContext, number: int) -> None:
        self.context = context
        self.number = number  # of the last control applied: an older one, late, is ignored


# The tasks this worker process runs, and controls for tasks it may run soon.
# Controls come on the worker's event loop (Client.run), tasks start and end
# on its task threads: all of it under _lock.
_lock = threading.Lock()
_running: dict[_Key, _Running] = {}
_pending: dict[_Key, tuple[int, int]] = {}  # key -> (number, flags)


def control(topic: str, changes: list[tuple[int, int, int]], keep: bool = True) -> None:
    """Apply controls ``(task id, number, flags)`` to this worker's tasks (run by ``Client.run``).

    Each task's controls are numbered: one older than the last applied is
    ignored, whatever order they arrive in. A control for a task that does
    not run here is kept for it if ``keep``, and applied when it starts.
    """
    with _lock:
        for task_id, number, flags in changes:
            key = (topic, task_id)
            running = _running.get(key)
            if running is not None:
                if number > running.number:
                    running.number = number
                    apply_flags(running.context, flags)
            elif keep:
                known = _pending.get(key)
                if known is None or number > known[0]:
                    _pending[key] = (number, flags)


def forget(topic: str, task_ids: Iterable[int]) -> None:
    """Drop the pending controls of tasks that have ended (run by ``Client.run``)."""
    with _lock:
        for task_id in task_ids:
            _pending.pop((topic, task_id), None)


def stop_all(topic: str) -> None:
    """Cancel every task of the mode running here and drop its pending controls (the mode closes)."""
    with _lock:
        for key in [key for key in _pending if key[0] == topic]:
            del _pending[key]
        for key, running in _running.items():
            if key[0] == topic and not running.context.cancelled:
                running.context.request_cancel(CancelReason.CANCELLED)


def running_tasks(topic: str) -> list[int]:
    """The ids of the mode's tasks running here (for tests and diagnostics)."""
    with _lock:
        return sorted(task_id for key_topic, task_id in _running if key_topic == topic)


def pending_tasks(topic: str) -> list[int]:
    """The ids of the mode's tasks that have controls waiting here (for tests and diagnostics)."""
    with _lock:
        return sorted(task_id for key_topic, task_id in _pending if key_topic == topic)


def run_on_dask(
    topic: str, task_id: int, flags: int, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> DaskEnding:
    """Run a task on a dask worker, its events going up ``topic``; return ``(ending, payload, messages sent)``.

    ``flags`` are its controls when it was submitted; those sent since, before
    it started here, wait in ``_pending``. Both apply before its first line.
    """
    from distributed import get_worker  # only on a worker, and only once a task runs

    worker = get_worker()
    link = _Link(topic, task_id, worker.log_event)
    context = TaskContext(task_id, link)
    key = (topic, task_id)
    with _lock:
        apply_flags(context, flags)
        number, later = _pending.pop(key, (0, None))
        if later is not None:
            apply_flags(context, later)
        _running[key] = _Running(context, number)
    try:
        link.put(HELLO, str(worker.address).encode())  # where it runs: controls come straight here from now on
        run_call(task_id, link, context, fn, tuple(args), with_context(fn, kwargs, context))
    finally:
        with _lock:
            _running.pop(key, None)
    assert link.ending is not None  # run_call always ends a task
    return link.ending[0], link.ending[1], link.sent
