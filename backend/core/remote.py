"""What runs inside a worker process (or any executor): the task, its reports, its controls.

Nothing here imports Qt: a worker process loads only this module and the
Qt-free ones it uses, and stays small and quick to start.

A worker process of :class:`~offthread.core.processpool.ProcessPool` runs
:func:`worker_main`. It talks to the GUI process over its own duplex pipe
(see :mod:`offthread.core.wire`), with three threads:

- the main thread runs one task at a time, as :func:`run_call` does on a
  pool thread;
- a reader takes the GUI's frames: tasks to run, and control requests, which
  it applies to the running task's context at once (its check points see them
  as in a thread);
- a sampler sends the running task's latest progress about 30 times a second.

The worker runs in a process group of its own. Whatever a task starts (a
``subprocess``, an ``os.fork``) joins it, so that stopping the worker's group
stops them all: the GUI process does so for a hard stop, and the worker
itself when it is told to stop or finds its GUI process gone. What leaves the
group (a new session, ``setpgid``) is found through the worker's process tree
first (:mod:`.proctree`).
"""

from __future__ import annotations

import collections
import itertools
import os
import queue
import re
import select
import signal
import threading
import time
from typing import Any, Callable, Tuple, Union

from . import callpickle, pipes, portable, proctree, shared, shmowner, wire
from .call import run_call, with_context
from .context import TaskContext
from .errors import TaskError, UnpicklableTask, safe_str
from .progress import check_report
from .sink import SAMPLE_INTERVAL_S, Channel, end_task
from .states import ENDINGS, CancelReason, Event

# How a task run by a plain executor ended: the ending and its payload.
Ending = Tuple[Event, Tuple[Any, ...]]
# A task for the main thread: its id, its controls, its call's pickle, whether that names shared segments.
Run = Tuple[int, int, Union[bytes, memoryview], bool]


# The control flags as plain ints: IntFlag's operators cost microseconds, per task.
_CANCEL, _TIMED_OUT, _PAUSE = int(wire.Flag.CANCEL), int(wire.Flag.TIMED_OUT), int(wire.Flag.PAUSE)

# How much the reader thread reads from the pipe at once: the GUI process
# writes a few tasks in one go (see PREFETCH in processpool), and they come
# out of one read.
READ_CHUNK = 65536


def apply_flags(context: TaskContext, flags: int) -> None:
    """Make ``context`` ask for what the control ``flags`` say (any thread)."""
    flags = int(flags)
    if flags & _CANCEL and not context.cancelled:
        context.request_cancel(CancelReason.TIMED_OUT if flags & _TIMED_OUT else CancelReason.CANCELLED)
    paused = bool(flags & _PAUSE)
    if paused != context.pause_requested:
        context.request_pause(paused)


class _Link(Channel):
    """A worker process's side of its pipe: the task's :class:`~offthread.core.sink.EventSink`, and a sampler.

    Two locks, always taken in this order: ``_send_lock`` keeps frames whole
    and in order; ``_state_lock`` guards which task runs. The reader thread
    takes only the second, so it never waits for a long write and control
    requests always get through. A sample is sent under both, so none can
    follow its task's ending.
    """

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._send_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self._current: TaskContext | None = None
        self._pending: dict[int, int] = {}  # controls for a task that has not started here yet
        # Tasks received and not yet taken by the main thread, in order, and
        # those given back meanwhile (the main thread skips them): see retract().
        self._received: collections.deque[int] = collections.deque()
        # Counted, not a set: one task may be sent here, given back, sent here
        # again and given back again before the main thread reaches either RUN.
        self._returned: collections.Counter[int] = collections.Counter()
        self._refused: set[int] = set()  # being given back by the main thread (see take)
        # Tasks this worker may still run (max_tasks_per_child), None: no limit;
        # and whether it takes no more, having said so (see wire.Kind.WORN).
        self.tasks_left: int | None = None
        self.worn = False
        self._wake = threading.Event()
        self._segments = itertools.count().__next__  # numbers the shared-memory segments of results
        threading.Thread(target=self._sample_loop, name="offthread-sampler", daemon=True).start()

    def put(self, data: Any) -> None:
        with self._send_lock:
            self._conn.send_bytes(data)

    # -- the EventSink of run_call (task thread) ------------------------------

    def carry(self, event: Event, task_id: int, *args: Any) -> None:
        if _forked_child:
            # A process the task forked, running the task's code on: only the
            # worker speaks for its task. Its reports are dropped; once it
            # reaches the task's end (a return, sys.exit()) it leaves at
            # once, without a word, before the worker loop it would go on in.
            if event in ENDINGS or event == Event.FINISHED:
                os._exit(0)
            return
        if event in (Event.STARTED, Event.FINISHED):
            return  # the GUI process knows when it handed a task over, and ends it on its ending
        if event in ENDINGS:
            self._send_ending(event, task_id, args[0] if args else None)
            return
        kind = wire.KIND_OF[event]
        try:
            data = wire.frame(kind, task_id, value=args[0]) if args else wire.frame(kind, task_id)
        except Exception as error:  # only pickling can fail: the value is the task's
            if event != Event.PARTIAL:
                raise
            raise TypeError(f"this partial result cannot be sent to the GUI process: {safe_str(error)}") from error
        self.put(data)

    def watch(self, context: TaskContext) -> None:
        with self._state_lock:
            flags = self._pending.pop(context.task_id, None)
            if flags:  # a request made before it started counts at once
                apply_flags(context, flags)
            self._current = context
        # Set only if the sampler cleared it: it then waits, or is about to look
        # (it clears before it reads _current, which is set above). Event.set()
        # takes a lock and notifies, once a task, for nothing most of the time.
        if not self._wake.is_set():
            self._wake.set()

    def unwatch(self, context: TaskContext) -> None:
        with self._state_lock:
            if self._current is context:
                self._current = None

    def take(self, task_id: int) -> bool:
        """The main thread is about to run ``task_id``: False if it was given back instead."""
        with self._state_lock:
            if self._returned[task_id]:
                self._returned[task_id] -= 1
                if not self._returned[task_id]:
                    del self._returned[task_id]
                return False
            received = self._received
            if received and received[0] == task_id:
                received.popleft()
            else:
                received.remove(task_id)
            if self.worn:  # said WORN: whatever was sent ahead goes back
                self._pending.pop(task_id, None)
                self._refused.add(task_id)  # the reader leaves its RETRACT to this answer
        if self.worn:
            self.put(wire.frame(wire.Kind.RETURNED, task_id))
            with self._state_lock:
                self._refused.discard(task_id)  # a RETRACT read from now on finds it answered
            return False
        return True

    # -- the reader thread ----------------------------------------------------

    def receive(self, task_id: int, flags: int) -> None:
        """A task came in with its controls so far; the main thread takes it once those
        before it have ended. (Controls kept from an earlier stay here, as a task given
        back, would be stale: these replace them.)"""
        with self._state_lock:
            self._received.append(task_id)
            if flags:
                self._pending[task_id] = flags
            else:
                self._pending.pop(task_id, None)

    def retract(self, task_id: int) -> None:
        """The GUI process wants ``task_id`` back, if it has not started: answer RETURNED or TAKEN.

        The answer goes out after the decision, under the send lock alone, so
        that the main thread's frames keep their order around it: a task
        found taken has had its predecessor's ending sent already.
        """
        with self._state_lock:
            if task_id in self._refused:
                return  # the main thread's RETURNED answers it
            given_back = task_id in self._received
            if given_back:
                self._received.remove(task_id)
                self._returned[task_id] += 1
                self._pending.pop(task_id, None)
        self.put(wire.frame(wire.Kind.RETURNED if given_back else wire.Kind.TAKEN, task_id))

    def control(self, task_id: int, flags: int) -> None:
        """Apply a control request to its task, now if it runs, else once it starts."""
        with self._state_lock:
            current = self._current
            if current is not None and current.task_id == task_id:
                apply_flags(current, flags)
            else:
                self._pending[task_id] = flags

    # -- internals -----------------------------------------------------------

    def _send_ending(self, name: str, task_id: int, payload: Any) -> None:
        kind = wire.KIND_OF[Event(name)]
        try:
            share = self._segments if kind == wire.Kind.RESULT else None
            data = wire.frame(kind, task_id, value=payload, share=share)
        except Exception as error:  # an unpicklable result: the task still ends, with a clear error
            problem = TypeError(f"the result cannot be sent back to the GUI process: {safe_str(error)}")
            data = wire.frame(wire.Kind.ERROR, task_id, value=TaskError.from_exception(problem))
        with self._send_lock:
            with self._state_lock:
                self._current = None
                self._pending.pop(task_id, None)
            if not self.worn and self._wearing_out():
                self.worn = True
                self._conn.send_bytes(wire.frame(wire.Kind.WORN))  # before the ending: nothing is started here after it
            self._conn.send_bytes(data)

    def _wearing_out(self) -> bool:
        """Whether this worker should take no more tasks: it ran its last, or its task broke it."""
        if self.tasks_left is not None:
            self.tasks_left -= 1
            if self.tasks_left <= 0:
                return True
        return not _stdio_intact()

    def _sample_loop(self) -> None:
        while True:
            self._wake.clear()  # before looking, so that a watch() from now on wakes us
            with self._state_lock:
                context = self._current
            if context is None:
                self._wake.wait()
            # A sample on waking would find nothing new (the task has just
            # sent its first report itself), and a tiny task would have ended:
            # first wait, then look.
            time.sleep(SAMPLE_INTERVAL_S)
            with self._send_lock:
                with self._state_lock:
                    context = self._current
                if context is not None:
                    self._send_sample(context)

    def _send_sample(self, context: TaskContext) -> None:
        report = context.take_sample()
        if report is None:
            return
        try:
            check_report(report)
            data = wire.frame(wire.Kind.PROGRESS, context.task_id, value=report)
        except Exception as error:  # not a number, or one that cannot be sent
            context.raise_at_next_check(error)  # the task fails at its next check point, as in a thread
            return
        self._conn.send_bytes(data)


def _stdio_intact() -> bool:
    """Whether fds 0-2 are still open (a task that closed them would make every later
    task's print fail with EBADF). Asked after every task: where there is poll(), one
    call for the three, which says POLLNVAL for a closed one (fstat made a stat result
    for each, and let go of the GIL three times)."""
    global _stdio
    if hasattr(select, "poll"):
        if _stdio is None:
            _stdio = select.poll()
            for fd in (0, 1, 2):
                _stdio.register(fd, 0)  # no event asked for: only POLLNVAL (or an error) comes back
        return not any(events & select.POLLNVAL for _, events in _stdio.poll(0))
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            return False
    return True


_stdio: Any = None  # the poll object of fds 0-2, made in the worker at its first task


# True in a process forked by a task (see _Link.send): set by an at-fork hook, at no cost per report.
_forked_child = False


def _in_forked_child() -> None:
    global _forked_child
    _forked_child = True


def end_process_group() -> None:
    """End this worker and every process its tasks started: its tree, then its group."""
    try:
        if not portable.groups():
            proctree.end_tree(os.getpid(), lambda: None, stop_root=False)
        elif os.getpgid(0) == os.getpid():
            proctree.kill_descendants(os.getpid())
            os.killpg(0, signal.SIGKILL)
    finally:
        os._exit(0)


def _read(receive: pipes.Receive, link: _Link, runs: queue.SimpleQueue[Run | None]) -> None:
    """The reader thread: tasks go to the main thread, controls to the running task.

    It reads the pipe raw, as much as is there (every message that came in
    one write comes out of one read), and splits the messages itself.
    """
    reader = wire.MessageReader()
    while True:
        try:
            chunk = receive(reader.read_size(READ_CHUNK))
            if not chunk:
                raise EOFError
            for data in reader.feed(chunk):
                if not _take(data, link, runs):
                    end_process_group()
                    return
        except (EOFError, OSError, ValueError):  # the GUI process is gone (or talks nonsense)
            end_process_group()
            return


def _take(data: bytes | bytearray, link: _Link, runs: queue.SimpleQueue[Run | None]) -> bool:
    """Act on one message from the GUI process; False if it says to stop."""
    kind, task_id, flags = wire.header(data)
    if kind == wire.Kind.RUN or kind == wire.Kind.SHARED_RUN:
        link.receive(task_id, flags)
        runs.put((task_id, flags, wire.body(data), kind == wire.Kind.SHARED_RUN))  # a view: not copied again
    elif kind == wire.Kind.CONTROL:
        link.control(task_id, flags)
    elif kind == wire.Kind.RETRACT:
        link.retract(task_id)
    elif kind == wire.Kind.STOP:
        return False
    return True


def unblock_signals_dropping_the_apps() -> None:
    """Let SIGINT and SIGTERM in again, as a task (and what it starts) expects them.

    The pool blocked them while this process shared the app's process group.
    One sent to that group meanwhile (a Ctrl+C as the workers start) is
    pending here, and was meant for the app, which shuts the pool down: let
    in as it is, it would end this worker with a KeyboardInterrupt traceback
    on the app's stderr. Setting a pending signal's action to SIG_IGN
    discards it (POSIX), so the defaults go back only once it is gone.
    """
    # Without a process group of its own (the portable paths: Windows, where a
    # console's Ctrl+C reaches every process in it, or OFFTHREAD_PORTABLE=1), a
    # worker stays in the app's group, and a Ctrl+C there is the app's to act
    # on: it ends the pool. Let in, it ended a task, or the worker between two,
    # with a KeyboardInterrupt traceback on the app's stderr. Such a worker
    # keeps SIGINT ignored, as do the processes its tasks start.
    ignored = () if portable.groups() else (signal.SIGINT,)
    if not hasattr(signal, "pthread_sigmask"):
        for number in ignored:
            signal.signal(number, signal.SIG_IGN)
        return
    wanted = (signal.SIGINT, signal.SIGTERM)
    handlers = {number: signal.signal(number, signal.SIG_IGN) for number in wanted}
    signal.pthread_sigmask(signal.SIG_UNBLOCK, set(wanted))
    for number, handler in handlers.items():
        if number not in ignored:
            signal.signal(number, handler)


def worker_main(conn: Any, nice: int = 0, max_tasks: int | None = None, owner: str = "") -> None:
    """The life of a worker process: start, say hello, run tasks until told to stop.
    ``owner``: its GUI process's tag, which the names of its shared-memory segments carry."""
    if owner:
        shmowner.set_tag(owner)
    if portable.groups():
        os.setsid()  # a group of its own: see the module's docstring
    proctree.become_subreaper()  # and what leaves the group stays in its tree
    unblock_signals_dropping_the_apps()
    if nice and hasattr(os, "nice"):
        # Below the GUI process: on a machine with every core busy, the
        # scheduler then runs the GUI thread as soon as it wakes.
        os.nice(nice)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_in_forked_child)
    conn, receive = pipes.worker_end(conn)  # a pipe, or a socket (see pipes)
    link = _Link(conn)
    link.tasks_left = max_tasks
    runs: queue.SimpleQueue[Run | None] = queue.SimpleQueue()
    threading.Thread(target=_read, args=(receive, link, runs), name="offthread-reader", daemon=True).start()
    link.put(wire.frame(wire.Kind.HELLO, os.getpid()))
    while True:
        item = runs.get()
        if item is None:
            return
        if link.take(item[0]):  # else it was given back while it waited here
            run_task(link, *item)


def run_task(link: _Link, task_id: int, flags: int, payload: bytes | memoryview, in_shared: bool = False) -> None:
    """Run one task in this worker process; its events, its ending included, go to ``link``.
    ``in_shared``: its call's large buffers are in shared memory that the GUI process owns."""
    context = TaskContext(task_id, link)
    try:
        if in_shared:  # mapped, their names left: the task may be sent elsewhere too (see sharedcall)
            buffers, pickled = shared.open_buffers(memoryview(payload), remove=False)
            fn, args, kwargs = callpickle.loads(pickled, buffers)
            del buffers  # the mappings live as long as what was built on them
        else:
            fn, args, kwargs = callpickle.loads(payload)
    except BaseException as exc:  # e.g. the function's module cannot be imported here
        end_task(link.carry, context, task_id, Event.ERROR, TaskError.from_exception(load_problem(exc)))
        return
    link.watch(context)  # controls sent before it started apply before its first line
    run_call(task_id, link, context, fn, args, with_context(fn, kwargs, context))


def load_problem(exc: BaseException) -> BaseException:
    """What a task fails with when the worker cannot unpickle it: ``exc``, said for a person.

    A function defined under ``if __name__ == "__main__":`` pickles by name in
    the app, but the worker imports the main script as ``__mp_main__``, where
    that block does not run: pickle cannot find the name there. It is the
    case docs/modes.md describes, so it fails the same way as a lambda.
    """
    message = safe_str(exc)
    if isinstance(exc, AttributeError) and message.startswith("Can't get attribute"):
        found = re.search(r"attribute '([^']+)'", message)
        name = repr(found.group(1)) if found else "the function"
        where = "the main script" if "__mp_main__" in message or "'__main__'" in message else "its module"
        return UnpicklableTask(
            f"cannot send this task to a worker process: {name} is not at the top level of {where} "
            f'(defined under `if __name__ == "__main__":`, or inside a function?). Process mode needs a '
            "function defined at the top level of a module, which the worker can import"
        )
    return RuntimeError(f"the worker process cannot load this task: {type(exc).__name__}: {message}")


class _Ending(Channel):
    """An :class:`~offthread.core.sink.EventSink` that keeps only how the task ended (an executor has no way back)."""

    def __init__(self) -> None:
        self.ending: Ending | None = None

    def carry(self, event: Event, task_id: int, *args: Any) -> None:
        if event in ENDINGS:
            self.ending = (event, args)


def run_detached(task_id: int, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Ending:
    """Run a task in any ``concurrent.futures`` executor; return ``(ending, args)``.

    There is no channel back from such an executor, so the task's progress
    reports, partial results and check points do nothing, and a running
    task cannot be cancelled. The ending comes back as the future's result.
    """
    kept = _Ending()
    context = TaskContext(task_id, kept)
    run_call(task_id, kept, context, fn, tuple(args), with_context(fn, kwargs, context))
    assert kept.ending is not None  # run_call always ends a task
    return kept.ending
