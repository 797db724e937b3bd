"""Where a running task's events go: the one interface every channel implements."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Protocol

from .states import Event

if TYPE_CHECKING:
    from .context import TaskContext
    from .lifecycle import Lifecycle

# How often the latest progress report of a running task is looked at and
# sent on, wherever it runs: about 30 times a second, however often it reports.
SAMPLE_INTERVAL_S = 0.033


class EventSink(Protocol):
    """What :func:`~offthread.core.call.run_call` reports to.

    Implemented by the engine's ``WorkerSignals`` (threads, the GUI thread),
    by a worker process's link to the GUI process, by a dask task's link to
    its mode's events topic, and by the stand-in that keeps only the ending
    of a task run by a plain executor.
    """

    def send(self, name: str, *args: Any) -> None:
        """Deliver event ``name`` (an :class:`Event`) with the task id first. Any thread."""

    def watch(self, context: "TaskContext") -> None:
        """The task of ``context`` starts: sample its progress from now on."""

    def unwatch(self, context: "TaskContext") -> None:
        """The task of ``context`` ends: stop sampling it (before its ending is sent)."""


def end_task(send: Callable[..., None], life: "Lifecycle", task_id: int, ending: Event, *payload: Any) -> bool:
    """Send a task's one ending (``result``, ``error`` or ``cancelled``) and ``finished``,
    if ``life`` (its lifecycle, usually its TaskContext) lets this caller end it.

    Every way a task can end goes through here, whatever carries its events:
    ``send`` is a sink's ``send``, a signals object's ``dispatch``, or a pool's
    ``emit``. Returns False, sending nothing, when the task has ended already:
    a second ending is never sent, rather than filtered where it arrives.
    """
    if not life.try_end():
        return False
    send(ending, task_id, *payload)
    send(Event.FINISHED, task_id)
    return True
