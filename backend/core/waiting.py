"""How a task's thread waits, in ``task.sleep()`` and while paused, until a request from another thread wakes it."""

from __future__ import annotations

import threading

from .lifecycle import Lifecycle


class Waiting(Lifecycle):
    """A blocking wait that a request from another thread ends at once.

    The one thing a context for another kind of thread changes: events
    mode waits in a nested event loop instead (``EventsContext``).
    """

    __slots__ = ("_wake",)

    _wake: threading.Event | None  # made on the first wait only

    def _arm_wait(self) -> None:
        """Called before the request fields are read, so that no later request is missed."""
        self._wake_event().clear()

    def _wait(self, seconds: float | None) -> None:
        """Block until a request wakes the task, or ``seconds`` pass (None: no limit)."""
        self._wake_event().wait(seconds)

    def _wake_event(self) -> threading.Event:
        # Published before the caller reads the request fields; a request
        # made before publication is seen in those fields, one made after
        # sets the event. Either way the waiter wakes.
        if self._wake is None:
            self._wake = threading.Event()
        return self._wake

    def _wake_waiters(self) -> None:
        wake = self._wake
        if wake is not None:
            wake.set()
