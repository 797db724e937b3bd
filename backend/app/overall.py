"""How far the tasks have got as a whole, since the app was last idle: the window title's percent."""

from __future__ import annotations

from ..engine.task import TaskHandle


class OverallProgress:
    """Percent done of the tasks of one busy spell: those that ended count as 100, queued ones as 0.

    A spell starts with the first task after idle and ends when nothing is
    left running or queued, so that the figure only climbs while a batch
    runs, rather than falling back as each finished task leaves the
    average. A task cancelled before it started leaves the count: it was
    never work to do. Only the started tasks are held (ended ones are
    counted, not kept), so a million queued tasks cost nothing here.
    """

    def __init__(self) -> None:
        self._running: dict[int, TaskHandle] = {}
        self._ended = 0

    def started(self, handle: TaskHandle) -> None:
        self._running[handle.id] = handle

    def percent(self, queued: int) -> float:
        """0 to 100, with ``queued`` tasks still to start; 0, and a new spell next, once all is done."""
        ended = [task_id for task_id, handle in self._running.items() if handle.done]
        for task_id in ended:
            del self._running[task_id]
        self._ended += len(ended)
        if not self._running and queued == 0:
            self._ended = 0
            return 0.0
        done = 100.0 * self._ended + sum(handle.progress for handle in self._running.values())
        return done / (self._ended + len(self._running) + queued)
