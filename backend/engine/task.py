"""The Python-side view of one submitted task."""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Generator, Union

from ..core.context import TaskContext
from ..core.display import display_text
from ..core.errors import TaskError, safe_str
from ..core.estimate import Estimate, Timing
from ..core.states import ENDED, TaskState
from .outcome import GUI_WAIT_REFUSED, TaskFuture, settle

if TYPE_CHECKING:
    from .affinity import OwnerThreadCalls
    from .manager import TaskManager


def _never() -> bool:
    return False


# Guards a handle's callbacks and future against settling at the same time
# (one lock for all: they are touched a few times per task at most).
_settling = threading.Lock()

log = logging.getLogger(__name__)


class TaskHandle:
    """What ``TaskManager.submit`` returns: the task's id, state and outcome, and a future of it.

    The manager updates a handle on the GUI thread only, as the task's events
    arrive, so reading it from the GUI thread needs no lock. The handle
    *settles* when its ``finished`` is delivered: then its done callbacks
    run (on the GUI thread), and its future gets the outcome. Waiting for
    it: :meth:`add_done_callback`, ``await handle``, :meth:`as_future`,
    :meth:`wait` (docs/python-api.md, "Futures").
    """

    __slots__ = (
        "id",
        "name",
        "state",
        "progress",
        "progress_text",
        "own_text",
        "partial",
        "result",
        "error",
        "timeout",
        "started_at",
        "ended_at",
        "estimate",
        "context",
        "mode",
        "can_pause",
        "note",
        "call",
        "priority",
        "waits_for",
        "fed",
        "group",
        "view",
        "_shown",
        "_shown_text",
        "_shown_error",
        "_error_texts",
        "_calls",
        "_settled",
        "_on_done",
        "_future",
        "_owner",
        "__weakref__",  # a test checks that a handle removed from the history is freed
    )

    def __init__(
        self,
        task_id: int,
        name: str,
        context: TaskContext,
        timeout: float | None = None,
        mode: str = "thread",
        can_pause: bool = True,
        calls: OwnerThreadCalls | None = None,
        priority: int = 0,
        owner: Callable[[], TaskManager | None] | None = None,
    ) -> None:
        self.id = task_id
        self.name = name
        self.state = TaskState.QUEUED
        self.progress: float = 0.0
        self.progress_text: str = ""
        self.own_text = False  # whether progress_text is the task's own, not made from the numbers
        self.partial: Any = None  # the latest partial result, while it runs
        self.result: Any = None
        self.error: TaskError | None = None
        self.timeout = timeout  # seconds from its start, or None
        self.started_at: float | None = None  # time.monotonic() on the GUI thread
        self.ended_at: float | None = None
        self.estimate = Estimate()  # its rate, time left, stalls and pauses (GUI thread: its events feed it)
        self.context = context
        self.mode = mode  # the name of the mode it runs in
        self.can_pause = can_pause  # whether its mode can pause it
        self.note = ""  # what the mode has to say about it, e.g. that it runs inside another task
        self.call: Any = None  # (fn, args, kwargs): what a retry runs again
        self.priority = priority  # among its mode's queued tasks, a higher one starts first
        self.waits_for: tuple[int, ...] = ()  # ids of the tasks it waits for (after=, then()): ids, not
        # handles, so that a chain does not keep every result of its links alive
        self.fed = False  # a then() task: it gets the result of waits_for[0] first
        self.group: str | None = None  # its group (groups.py), if any
        self.view: Any = None  # its QML task object (taskobject.py), if QML started it
        self._shown: Any = None  # the value result_text was made from
        self._shown_text = ""
        self._shown_error: TaskError | None = None  # the error error_text was made from
        self._error_texts = ("", "")
        self._calls = calls  # the GUI thread's: where done callbacks run
        self._settled = False  # its finished has been delivered
        self._on_done: list[Callable[[TaskHandle], Any]] | None = None
        self._future: TaskFuture | None = None
        self._owner = owner  # a weak reference to its manager, for then()

    @property
    def done(self) -> bool:
        """True once the task has finished, failed, or been cancelled or timed out."""
        return self.state in ENDED

    @property
    def result_text(self) -> str:
        """The result as text; while it runs, its latest partial result; "" if there is none.

        Made once per value (the model asks on every refresh), and shortened
        for display: see :func:`~offthread.core.display.display_text`.
        """
        shown = self.result if self.done else self.partial
        if shown is not self._shown:
            self._shown, self._shown_text = shown, display_text(shown)
        return self._shown_text

    @property
    def error_text(self) -> str:
        """The error's one line (``Type: message``), shortened for display as a result is; "" if none."""
        return self._error_display()[0]

    @property
    def error_details_text(self) -> str:
        """The error's traceback, shortened for display as a result is; "" if none.

        A message of megabytes, laid out by a label, held the GUI thread for
        seconds. The whole error stays in :attr:`error` (and Copy copies it).
        """
        return self._error_display()[1]

    @property
    def details(self) -> str:
        """What the row shortens, whole: the traceback if it failed, else the result (or the latest partial one)."""
        return self.error.traceback if self.error else safe_str(self.result if self.done else self.partial)

    def _error_display(self) -> tuple[str, str]:
        error = self.error
        if error is not self._shown_error:
            self._shown_error = error
            self._error_texts = (display_text(error.summary), display_text(error.traceback)) if error else ("", "")
        return self._error_texts

    @property
    def pause_requested(self) -> bool:
        return self.context.pause_requested

    @property
    def cancel_requested(self) -> bool:
        return self.context.cancelled

    def elapsed(self, now: float | None = None) -> float:
        """Seconds it has run, paused time excluded; 0 before it starts."""
        if self.started_at is None:
            return 0.0
        end = self.ended_at if self.ended_at is not None else (now if now is not None else time.monotonic())
        return max(0.0, end - self.started_at - self.estimate.paused_seconds(end))

    def timing(self, now: float | None = None) -> Timing:
        """Its rate, time left, stall, pause, elapsed time, start and end, now (``time.monotonic()``).

        The rate and the time left are None until they mean something (two
        reports over a second of running), and while it is stalled;
        ``estimate.stall_after`` sets how long that takes (default 10 s).
        """
        return self.estimate.timing(now)

    # -- a future of the task ----------------------------------------------------

    def add_done_callback(self, fn: Callable[[TaskHandle], Any]) -> None:
        """Call ``fn(handle)`` once, on the GUI thread, after the task's ``finished``.

        On a handle that has already settled, ``fn`` is called in a later turn
        of the GUI thread's event loop, never inside this call. Any thread may
        add one. An exception that ``fn`` raises is logged.
        """
        with _settling:
            if not self._settled:
                if self._on_done is None:
                    self._on_done = []
                self._on_done.append(fn)
                return
        self._post_callbacks([fn])

    def remove_done_callback(self, fn: Callable[[TaskHandle], Any]) -> int:
        """Remove every ``fn`` added and not yet called; return how many were removed."""
        with _settling:
            callbacks = self._on_done or []
            kept = [c for c in callbacks if c != fn]
            self._on_done = kept or None
            return len(callbacks) - len(kept)

    def as_future(self) -> TaskFuture:
        """A ``concurrent.futures.Future`` that settles as this handle does (the same one each time).

        Its result is the task's; a failure raises :class:`~offthread.TaskFailed`
        (with the :class:`~offthread.TaskError` as ``error``), a cancel or a
        timeout ``CancelledError``. Any thread but the GUI thread may wait on
        it; there, ``result()`` refuses with ``RuntimeError`` while the task
        has not ended (it would freeze the window).
        """
        with _settling:
            future = self._future
            if future is None:
                # Not the handle's own method: a cycle (handle, future, handle) would
                # leave the handle, and the Qt objects it holds, to Python's cyclic
                # collector, which frees them on whichever thread it runs on (a pool
                # thread, the asyncio loop's: Qt then warns, or crashes).
                future = self._future = TaskFuture(self.id, _never if self._calls is None else self._calls.here)
                if not self._settled:
                    return future
            else:
                return future
        settle(future, self)  # made after the handle settled: settled here, once
        return future

    def wait(self, timeout: float | None = None) -> Any:
        """Block until the task ends; return its result, or raise as :meth:`as_future` says.

        Raises ``RuntimeError`` on the GUI thread while the task has not
        ended, and ``TimeoutError`` (``concurrent.futures``') after ``timeout``
        seconds.
        """
        if not self._settled and self._on_gui_thread():
            raise RuntimeError(GUI_WAIT_REFUSED.format(id=self.id))
        return self.as_future().result(timeout)

    def __await__(self) -> Generator[Any, None, Any]:
        """``await handle`` in a coroutine on any asyncio loop: the result, or raises as :meth:`wait`."""
        import asyncio  # here: the app itself does not load asyncio unless a coroutine runs

        return asyncio.wrap_future(self.as_future()).__await__()

    # -- chains -------------------------------------------------------------------

    def then(self, fn: Callable[..., Any], *args: Any, mode: str | None = None, **options: Any) -> TaskHandle:
        """A new task that runs ``fn(result, *args)`` once this one has finished successfully.

        It runs in ``mode`` (by default this task's), with ``submit_task``'s
        other options (``name``, ``timeout``, ``priority``). If this task
        fails, is cancelled or times out, the new one ends cancelled without
        starting, and so does every task that waits for it. Any thread.
        """
        manager = self._owner() if self._owner is not None else None
        if manager is None:
            raise RuntimeError(f"task {self.id} has no TaskManager any more to run what follows it")
        allowed = {"name", "timeout", "priority"}
        unknown = sorted(set(options) - allowed)
        if unknown:
            raise TypeError(f"then() takes name, timeout and priority as options, not {', '.join(unknown)}")
        return manager._flow.submit(
            fn,
            args,
            None,
            options.get("name"),
            options.get("timeout"),
            mode or self.mode,
            options.get("priority", 0),
            (self,),
            self,
        )

    def _settle(self) -> None:
        """The task's ``finished`` has been delivered (GUI thread): run the callbacks, fill the future."""
        with _settling:
            self._settled = True
            callbacks, self._on_done = self._on_done, None
            future = self._future
        if future is not None:
            settle(future, self)
        if callbacks:
            self._post_callbacks(callbacks)

    def _post_callbacks(self, callbacks: list[Callable[[TaskHandle], Any]]) -> None:
        if self._calls is None:  # a handle made by hand, with no manager: nowhere else to run them
            self._run_callbacks(callbacks)
        else:
            self._calls.post(self._run_callbacks, callbacks)

    def _run_callbacks(self, callbacks: list[Callable[[TaskHandle], Any]]) -> None:
        for fn in callbacks:
            try:
                fn(self)
            except Exception:
                log.exception("a done callback of task %d (%s) failed", self.id, self.name)

    def _on_gui_thread(self) -> bool:
        return self._calls is not None and self._calls.here()

    def __repr__(self) -> str:
        return f"<TaskHandle {self.id} {self.name!r} {self.state}>"


#: How the API names a task: its id, or its handle.
TaskRef = Union[int, TaskHandle]


def task_number(task: Any, verb: str, last_id: int) -> int | None:
    """The id of ``task`` (an id or a handle), or None, with a warning naming the value,
    for anything that is not exactly the id of a task made so far (``last_id``).

    QML passes any JavaScript value: a fraction, a list, a number past 64 bits.
    A slot typed ``int`` wrapped those round to another task's id (4294967297
    reached task 1), so the slots take any value, and this checks it.
    """
    if isinstance(task, TaskHandle):
        return task.id
    number: Any = None
    if isinstance(task, int) and not isinstance(task, bool):
        number = task
    elif isinstance(task, float) and math.isfinite(task) and task.is_integer():
        number = int(task)  # a JavaScript number is a double
    if number is None or not 1 <= number <= last_id:
        log.warning("%s(): %s is not the id of a task; nothing is done", verb, _shown(task))
        return None
    return int(number)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
