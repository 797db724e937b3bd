"""What a running task uses to talk to its backend: progress, partial results, cancel and pause."""

from __future__ import annotations

import time
import weakref
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Iterable, SupportsFloat

from .lifecycle import Phase, new_lock
from .progress import Report, check_report
from .states import CancelReason, as_cancel_reason
from .waiting import Waiting

if TYPE_CHECKING:
    from .sink import EventSink
    from .track import Tracked


class TaskCancelled(Exception):
    """Raised inside a task, at a check point, once its cancellation was requested.

    A task that lets it propagate ends in the ``"cancelled"`` (or ``"timed
    out"``) state, not ``"failed"``. ``reason`` says which.
    """

    def __init__(self, reason: str = CancelReason.CANCELLED) -> None:
        super().__init__(str(reason))
        self.reason = as_cancel_reason(reason)


class TaskContext(Waiting):
    """Given to a function that declares a ``task`` or a ``progress_callback`` parameter.

    Reporting is cheap: :attr:`progress` (the tutorial's :attr:`emit`) is a
    store in C while nothing asks for attention, cheaper than calling an
    empty Python method. The scale (:meth:`set_maximum`) and a status text
    (:meth:`set_text`) are set apart from the value, as in Qt's
    QFutureInterface; :meth:`report` sets all three. The first report is
    sent at once; then the GUI thread samples the latest about 30 times a
    second, and the last one is sent when the task ends. Every report is a
    check point: it raises :class:`TaskCancelled` once cancelled, blocks
    while paused. Once its task has ended, a context ignores reports. Why,
    and how no request is lost: docs/design.md, "The cost of a report".
    """

    __slots__ = (
        "task_id",
        "_signals",
        "progress",
        "emit",
        "_slow",
        "__weakref__",
        "_box",
        "_maximum",
        "_text",
        "_sent",
        "_attention",
        "_first_pending",
        "_cancel_reason",
        "_pause_requested",
        "_raise_next",
        "_ended",
        "_track",
        "delivered",
    )

    def __init__(self, task_id: int, signals: EventSink) -> None:
        # Its lifecycle (core.lifecycle), set here rather than by a call up: a context is made per task.
        self._phase = Phase.QUEUED
        self._lock = new_lock()
        self.task_id = task_id
        self._signals = signals
        # The latest value reported, made at the first report (a queued task needs none).
        self._box: deque[Any] | None = None
        self._maximum: Any = None
        self._text: Any = None
        self._sent: Report | None = None  # the last report this thread sent itself
        self._attention = True  # the first report takes the slow path, to send it at once
        self._slow = self.progress = self.emit = SlowPath(self)
        self._first_pending = True
        self._cancel_reason: CancelReason | None = None
        self._pause_requested = False
        self._raise_next: BaseException | None = None
        self._wake = None  # made on first wait only
        self._ended = False  # its task has ended: reports are ignored
        self._track: Any = None  # the outermost task.track() that reports (see core.track)
        # Written by the GUI thread: the last report it showed, or None before the first.
        self.delivered: Report | None = None

    # -- reporting (called by the task, on its thread) ----------------------

    #: Report ``value`` done: percent, or out of :meth:`set_maximum`'s maximum if
    #: one was set. Ints and floats are clamped to the range, never truncated. A
    #: check point: raises :class:`TaskCancelled` once cancelled, blocks while paused.
    progress: Callable[[SupportsFloat], None]
    #: The tutorial's ``progress_callback.emit(percent)``: the same as :attr:`progress`.
    emit: Callable[[SupportsFloat], None]

    def _report(self, value: SupportsFloat) -> None:
        # progress() while something asks for attention, and the first report.
        self._store()(value)
        if self._attention:
            self._attend()

    def _store(self) -> Callable[[Any], None]:
        """What stores a value: the box's append, the box made at the first report."""
        box = self._box
        if box is None:
            box = self._box = deque(maxlen=1)
        return box.append

    def set_maximum(self, maximum: SupportsFloat | None) -> None:
        """Measure progress out of ``maximum`` (e.g. a number of items); None for percent."""
        self._maximum = maximum

    def set_text(self, text: str | None) -> None:
        """Show ``text`` (e.g. "file 3 of 10") instead of "37.5 %" until it is changed."""
        self._text = text

    def report(self, value: SupportsFloat, maximum: SupportsFloat | None = None, text: str | None = None) -> None:
        """Set the value, the maximum and the text at once (for occasional reports)."""
        self._maximum = maximum
        self._text = text
        self._report(value)

    def track(
        self,
        iterable: Iterable[Any] | None = None,
        total: int | None = None,
        text: str | None = None,
        *,
        desc: str | None = None,
        **tqdm_looks: Any,
    ) -> Tracked:
        """Loop over ``iterable`` with progress: ``for item in task.track(items, text="files"):``.

        The maximum is ``len(iterable)`` (or ``total``), the count is reported
        after each item, and each step is a check point. ``desc`` is tqdm's
        name for ``text``, and tqdm's look-only options are accepted, so that
        ``tqdm(...)`` becomes ``task.track(...)`` as it is. See
        :mod:`offthread.core.track`.
        """
        from .track import TQDM_LOOKS, Tracked

        unknown = sorted(set(tqdm_looks) - TQDM_LOOKS)
        if unknown:
            raise TypeError(f"track() got unexpected keyword arguments: {', '.join(unknown)}")
        return Tracked(self, iterable, total, text if text is not None else desc)

    def partial(self, value: Any) -> None:
        """Send a partial result: every one reaches the GUI thread, in order."""
        if self._ended:
            return
        self._signals.partial(self.task_id, value)
        if self._attention:
            self._attend()

    # -- cancellation and pausing (called by the task) -----------------------

    @property
    def cancelled(self) -> bool:
        """True once cancellation of this task was requested."""
        return self._cancel_reason is not None

    def check(self) -> None:
        """A check point: raise :class:`TaskCancelled` if cancelled, block while paused."""
        if self._attention:
            self._attend()

    def pause_point(self) -> None:
        """Block while the task is paused; the same as :meth:`check`."""
        self.check()

    def sleep(self, seconds: float) -> None:
        """Wait like ``time.sleep``, but raise at once when cancelled; a check point at the end."""
        deadline = time.monotonic() + seconds
        while True:
            self._arm_wait()
            if self._cancel_reason is not None:
                raise TaskCancelled(self._cancel_reason)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._wait(remaining)
        self.check()

    # -- requests (called by the GUI thread) ---------------------------------

    def request_cancel(self, reason: str = CancelReason.CANCELLED) -> None:
        if self._cancel_reason is None:
            self._cancel_reason = as_cancel_reason(reason)
        self._ask_attention()
        self._wake_waiters()

    def request_pause(self, paused: bool) -> None:
        self._pause_requested = paused
        self._ask_attention()
        self._wake_waiters()

    def raise_at_next_check(self, error: BaseException) -> None:
        """Make the task raise ``error`` at its next check point (a bad progress value)."""
        self._raise_next = error
        self._ask_attention()

    @property
    def pause_requested(self) -> bool:
        return self._pause_requested

    @property
    def cancel_reason(self) -> CancelReason | None:
        return self._cancel_reason

    # -- for the worker and the sampler ---------------------------------------

    def try_end(self) -> bool:
        """Claim the task's one ending (see :class:`~offthread.core.lifecycle.Lifecycle`);
        the winner's context ignores reports from then on, before the ending is sent."""
        with self._lock:  # Lifecycle.try_end, inlined: it runs once per task
            if self._phase is Phase.ENDED:
                return False
            self._phase = Phase.ENDED
        self.end()
        return True

    def end(self) -> None:
        """Its task has ended (the runner, before it sends the ending): ignore reports from now on.

        A report racing with this call on another thread may still be sent;
        ``WorkerSignals`` drops what comes for a task after its ``finished``.
        """
        self._ended = True
        self._ask_attention()  # the next report takes the slow path, which sees it
        self._wake_waiters()  # nothing can resume a thread left paused any more

    def latest(self) -> Report | None:
        """The latest report as ``(value, maximum, text)``, or None if there was none."""
        box = self._box
        if not box:
            return None
        return (box[-1], self._maximum, self._text)

    def take_sample(self) -> Report | None:
        """For a sampler on another thread: the latest report, if it is new; else None.

        New means neither the task nor a sampler has sent it yet. Nothing is
        taken before the task has sent its first report itself, so that the
        first report always arrives first. The report taken counts as delivered.
        """
        if self._first_pending:
            return None
        report = self.latest()
        if report is None or report == self.delivered or report == self._sent:
            return None
        self.delivered = report
        return report

    def send_final_report(self) -> None:
        """Send the last report if nobody has sent or shown it yet (worker thread, at the end)."""
        report = self.latest()
        if report is not None and report != self._sent and report != self.delivered:
            check_report(report)
            self._sent = report
            self._signals.progress(self.task_id, report)

    # -- the slow path -----------------------------------------------------

    def _attend(self) -> None:
        self._attention = False  # first, so that a request made from now on is seen next time
        if self._ended:
            return  # nothing to send to, nothing to stop: the fast path from now on
        if self._first_pending and self._box:
            self._first_pending = False
            report = self.latest()
            assert report is not None  # a value was stored
            check_report(report)  # a bad first value fails the task here, with its traceback
            self._sent = report
            self._signals.progress(self.task_id, report)
        if self._raise_next is not None:
            error, self._raise_next = self._raise_next, None
            raise error
        if self._cancel_reason is not None:
            raise TaskCancelled(self._cancel_reason)
        if self._pause_requested:
            self._wait_while_paused()
        if self._first_pending:
            self._ask_attention()  # nothing reported yet: keep the slow path for the first report
        elif not self._attention and not self._ended:
            self._go_fast()

    # -- the two paths of a report -------------------------------------------

    def _ask_attention(self) -> None:
        """Any thread: the next report or check point takes the slow path."""
        self._attention = True
        self.progress = self.emit = self._slow

    def _go_fast(self) -> None:
        """The task's thread, once it has seen every request: reports are a bare store again.

        A request can land between the check and the swap; the flag is read
        again after it, and a request that set it swaps the slow path back in.
        Whatever the order, the last swap agrees with the flag.
        """
        self.progress = self.emit = self._store()
        if self._attention:
            self._ask_attention()

    def _wait_while_paused(self) -> None:
        self._signals.paused(self.task_id)
        while True:
            self._arm_wait()
            if self._cancel_reason is not None:
                raise TaskCancelled(self._cancel_reason)
            if not self._pause_requested or self._ended:  # ended: a thread left paused goes on, unheard
                break
            self._wait(None)
        if not self._ended:
            self._signals.resumed(self.task_id)


class SlowPath(weakref.ref):  # type: ignore[type-arg]
    """A context's progress while something asks for its attention: its ``_report``.

    It holds the context weakly. A bound method kept in the context would
    make every context a reference cycle, freed only by the cycle collector,
    on whichever thread it happens to run, with whatever Qt objects the
    context held last: that crashed the test suite.
    """

    __slots__ = ()

    def __call__(self, value: SupportsFloat) -> None:  # type: ignore[override]
        context = super().__call__()
        if context is not None:
            context._report(value)


class Progress:
    """What a generator task yields to report progress with a maximum or a text.

    A generator may also yield a plain number (percent), ``None`` (a check
    point only), a :class:`Partial`, or any other object, which is taken as a
    partial result.
    """

    __slots__ = ("value", "maximum", "text")

    def __init__(self, value: SupportsFloat, maximum: SupportsFloat | None = None, text: str | None = None) -> None:
        self.value = value
        self.maximum = maximum
        self.text = text


class Partial:
    """What a generator task yields to send a partial result that is itself a number or None."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
