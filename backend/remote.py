"""What runs inside a worker process (or any executor): the task, its reports, its controls.

Nothing here imports Qt: a worker process loads only this module and the
Qt-free ones it uses, and stays small and quick to start.

In a process pool made by :class:`~backend.modes.ProcessMode`, every worker
process has one :class:`_Link`, set up by :func:`init_worker`. Events go to
the GUI process through one queue: ``started``, the first and last progress
reports, a sample of the latest report about 30 times a second, partial
results, ``paused``/``resumed``, and how the task ended, in the order the
task made them. Requests come back through a shared array of control words,
one per task (by ``task_id % CONTROL_SLOTS``), which the sampler reads.
"""
from __future__ import annotations

import os
import pickle
import threading
import time
from typing import Any, Callable, Dict, Optional, Tuple

from .call import run_call, with_context
from .context import TaskContext
from .errors import TaskError, safe_str
from .progress import check_report

# Bits of a control word; the task id fills the bits above them, so a word
# left over from an earlier task in the same slot is never mistaken for one.
CANCEL = 1
TIMED_OUT = 2  # with CANCEL: the reason is "timed out"
PAUSE = 4
FLAG_BITS = 3
CONTROL_SLOTS = 4096

# How often a worker process looks at its task's latest report and its
# control word: the same pace as the GUI thread samples a thread's task.
SAMPLE_INTERVAL_S = 0.033

ENDINGS = ("result", "error", "cancelled")

Event = Tuple[str, Tuple[Any, ...]]


def control_slot(task_id: int) -> int:
    return task_id % CONTROL_SLOTS


def control_word(task_id: int, flags: int) -> int:
    return task_id << FLAG_BITS | flags


class _Link:
    """A worker process's side of the channel: a ``signals`` for :func:`run_call`, and a sampler."""

    def __init__(self, events: Any, controls: Any) -> None:
        self._events = events  # a multiprocessing SimpleQueue to the GUI process
        self._controls = controls  # a shared array of control words
        self._lock = threading.Lock()  # no sample is sent after a task's ending
        self._current: Optional[TaskContext] = None
        self._wake = threading.Event()
        threading.Thread(target=self._sample_loop, name="offthread-sampler", daemon=True).start()

    # -- the signals protocol of run_call (task thread) ---------------------

    def send(self, name: str, *args: Any) -> None:
        if name == "finished":
            return  # the GUI process announces the end itself, once it has the ending
        if name in ENDINGS:
            with self._lock:
                self._current = None
                self._put_ending(name, args)
            return
        try:
            self._events.put((name, args))
        except Exception as error:  # only pickling can fail: the value is the task's
            if name != "partial":
                raise
            raise TypeError(f"this partial result cannot be sent to the GUI process: {safe_str(error)}") from error

    def watch(self, context: TaskContext) -> None:
        with self._lock:
            self._apply_controls(context)  # a request made while it was queued counts at once
            self._current = context
        self._wake.set()

    def unwatch(self, context: TaskContext) -> None:
        with self._lock:
            if self._current is context:
                self._current = None

    # -- internals -----------------------------------------------------------

    def _put_ending(self, name: str, args: Tuple[Any, ...]) -> None:
        try:
            self._events.put((name, args))
        except Exception as error:  # an unpicklable result: the task still ends, with a clear error
            if name != "result":
                raise
            task_id = args[0]
            problem = TypeError(f"the result cannot be sent back to the GUI process: {safe_str(error)}")
            self._events.put(("error", (task_id, TaskError.from_exception(problem))))

    def _apply_controls(self, context: TaskContext) -> None:
        word = self._controls[control_slot(context.task_id)]
        if word >> FLAG_BITS != context.task_id:
            return
        if word & CANCEL and not context.cancelled:
            context.request_cancel("timed out" if word & TIMED_OUT else "cancelled")
        paused = bool(word & PAUSE)
        if paused != context.pause_requested:
            context.request_pause(paused)

    def _sample_loop(self) -> None:
        while True:
            self._wake.clear()  # before looking, so that a watch() from now on wakes us
            with self._lock:
                context = self._current
            if context is None:
                self._wake.wait()
            # A sample on waking would find nothing new (the task has just
            # sent its first report itself), and a tiny task would have ended:
            # first wait, then look.
            time.sleep(SAMPLE_INTERVAL_S)
            with self._lock:
                context = self._current
                if context is not None:
                    self._apply_controls(context)
                    self._send_sample(context)

    def _send_sample(self, context: TaskContext) -> None:
        report = context.take_sample()
        if report is None:
            return
        try:
            check_report(report)
        except (TypeError, ValueError) as error:
            context.raise_at_next_check(error)  # the task fails at its next check point, as in a thread
            return
        self._events.put(("progress", (context.task_id, report)))


_link: Optional[_Link] = None


def init_worker(events: Any, controls: Any, nice: int = 0) -> None:
    """Set up a new worker process (the pool's initializer)."""
    global _link
    if nice and hasattr(os, "nice"):
        # Below the GUI process: on a machine with every core busy, the
        # scheduler then runs the GUI thread as soon as it wakes.
        os.nice(nice)
    _link = _Link(events, controls)


def run_task(task_id: int, payload: bytes) -> bool:
    """Run a task in a worker process: ``payload`` is ``pickle.dumps((fn, args, kwargs))``.

    Its events, its ending included, go through the queue. Returns True once
    the ending is sent, so that the GUI process can tell a task that ended
    from a process that died.
    """
    link = _link
    if link is None:
        raise RuntimeError("run_task runs only in a worker process set up by init_worker")
    context = TaskContext(task_id, link)
    try:
        fn, args, kwargs = pickle.loads(payload)
    except BaseException as exc:  # e.g. the function's module cannot be imported here
        problem = RuntimeError(f"the worker process cannot load this task: {type(exc).__name__}: {safe_str(exc)}")
        link.send("error", task_id, TaskError.from_exception(problem))
        return True
    run_call(task_id, link, context, fn, args, with_context(fn, kwargs, context))
    return True


class _Ending:
    """A ``signals`` that keeps only how the task ended (an executor has no way back)."""

    def __init__(self) -> None:
        self.event: Optional[Event] = None

    def send(self, name: str, *args: Any) -> None:
        if name in ENDINGS:
            self.event = (name, args[1:])

    def watch(self, context: TaskContext) -> None:
        pass

    def unwatch(self, context: TaskContext) -> None:
        pass


def run_detached(task_id: int, fn: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> Event:
    """Run a task in any ``concurrent.futures`` executor; return ``(ending, args)``.

    There is no channel back from such an executor, so the task's progress
    reports, partial results and check points do nothing, and a running
    task cannot be cancelled. The ending comes back as the future's result.
    """
    ending = _Ending()
    context = TaskContext(task_id, ending)
    run_call(task_id, ending, context, fn, tuple(args), with_context(fn, kwargs, context))
    assert ending.event is not None  # run_call always ends a task
    return ending.event
