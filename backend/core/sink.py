"""Where a running task's events go: the one interface every channel implements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from .progress import Report
from .states import Event

if TYPE_CHECKING:
    from .context import TaskContext
    from .lifecycle import Lifecycle

# How often the latest progress report of a running task is looked at and
# sent on, wherever it runs: about 30 times a second, however often it reports.
SAMPLE_INTERVAL_S = 0.033

# How a task's events travel, once typed: ``carry(event, task_id, *args)``.
Carry = Callable[..., None]


class EventSink(Protocol):
    """What :func:`~offthread.core.call.run_call` and a task's context report to.

    A task's code calls the typed methods; each channel carries them its own
    way (:class:`Channel`). Implemented for threads and the GUI thread by
    the engine's ``WorkerSignals.sink``, by a worker process's link to the
    GUI process, by a dask task's link to its mode's events topic, and by
    the stand-in that keeps only the ending of a task run by a plain executor.
    """

    def started(self, task_id: int) -> None:
        """The task's first line is about to run. Any thread."""

    def progress(self, task_id: int, report: Report) -> None:
        """A raw progress report ``(value, maximum, text)``. Any thread."""

    def partial(self, task_id: int, value: Any) -> None:
        """A partial result: every one is delivered, in order. Any thread."""

    def paused(self, task_id: int) -> None:
        """The task stopped at a check point until it is resumed. Any thread."""

    def resumed(self, task_id: int) -> None:
        """The paused task goes on. Any thread."""

    def carry(self, event: Event, task_id: int, *args: Any) -> None:
        """The one way every event travels; a task's ending goes only through :func:`end_task`."""

    def watch(self, context: TaskContext) -> None:
        """The task of ``context`` starts: sample its progress from now on."""

    def unwatch(self, context: TaskContext) -> None:
        """The task of ``context`` ends: stop sampling it (before its ending is sent)."""


class Channel:
    """An :class:`EventSink` whose events all travel one way: a subclass implements ``carry``.

    The typed methods are what a task's code calls, so a misspelt event or a
    missing argument is a type error, not a message nobody understands.
    """

    def carry(self, event: Event, task_id: int, *args: Any) -> None:
        raise NotImplementedError

    def started(self, task_id: int) -> None:
        self.carry(Event.STARTED, task_id)

    def progress(self, task_id: int, report: Report) -> None:
        self.carry(Event.PROGRESS, task_id, report)

    def partial(self, task_id: int, value: Any) -> None:
        self.carry(Event.PARTIAL, task_id, value)

    def paused(self, task_id: int) -> None:
        self.carry(Event.PAUSED, task_id)

    def resumed(self, task_id: int) -> None:
        self.carry(Event.RESUMED, task_id)

    def watch(self, context: TaskContext) -> None:
        pass

    def unwatch(self, context: TaskContext) -> None:
        pass


def end_task(carry: Carry, life: Lifecycle, task_id: int, ending: Event, *payload: Any) -> bool:
    """Send a task's one ending (``result``, ``error`` or ``cancelled``) and ``finished``,
    if ``life`` (its lifecycle, usually its TaskContext) lets this caller end it.

    Every way a task can end goes through here, whatever carries its events:
    ``carry`` is a sink's ``carry``, a signals object's ``dispatch``, or a
    pool's ``emit``. Returns False, sending nothing, when the task has ended
    already: a second ending is never sent, rather than filtered where it arrives.
    """
    if not life.try_end():
        return False
    carry(ending, task_id, *payload)
    carry(Event.FINISHED, task_id)
    return True
