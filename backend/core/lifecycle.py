"""One lifecycle per task: it starts at most once, and ends exactly once, whoever tries.

Every mode starts and ends its tasks through a task's :class:`Lifecycle`
(a :class:`~offthread.core.context.TaskContext` is one): a runner claims
the start, a cancel may withdraw a task that has not started, and of all
the ways a task can end (its function returns or raises, a withdrawal, a
hard stop, a worker that died, a timeout on a cluster) only the first is
sent, followed by ``finished`` (:func:`~offthread.core.sink.end_task`).
A second ending is not filtered somewhere downstream: it is never sent.

The transitions::

    QUEUED --try_start--> RUNNING --try_end--> ENDED
    QUEUED --try_withdraw--> WITHDRAWN --try_end--> ENDED
    QUEUED --try_end--> ENDED      (it could not start: refused, failed to load)
"""

from __future__ import annotations

import enum
import threading


class Phase(enum.IntEnum):
    QUEUED = 0  # waiting for its mode to run it
    RUNNING = 1  # a runner has claimed it
    WITHDRAWN = 2  # taken back before it ran: it never will; its ending is on its way
    ENDED = 3  # its one ending has been sent (finished follows it)


# A lock per task, not one for all: a shared one would be taken by every pool
# thread for every task's start and end, and threads that wait for a lock
# hand the GIL back and forth.
new_lock = threading.Lock


class Lifecycle:
    """The phase of one task, changed only by the ``try_`` methods (any thread), under its own lock."""

    __slots__ = ("_phase", "_lock")

    def __init__(self) -> None:
        self._phase = Phase.QUEUED
        self._lock = new_lock()

    @property
    def phase(self) -> Phase:
        return self._phase

    def try_start(self) -> bool:
        """Claim the task's start: True for the one caller that may run it."""
        with self._lock:
            if self._phase is Phase.QUEUED:
                self._phase = Phase.RUNNING
                return True
            return False

    def try_claim(self) -> bool:
        """:meth:`try_start`, for a runner whose queue may have claimed the start for it
        already: True to run it (started now, or by that queue), False if withdrawn or ended."""
        if self._phase is Phase.RUNNING:
            return True
        return self.try_start()

    def try_withdraw(self) -> bool:
        """Take back a task that has not started: True if it never will (its ending is yours to send)."""
        with self._lock:
            if self._phase is Phase.QUEUED:
                self._phase = Phase.WITHDRAWN
                return True
            return self._phase is Phase.WITHDRAWN

    def try_end(self) -> bool:
        """Claim the task's ending: True for the one caller that may send it."""
        with self._lock:
            if self._phase is Phase.ENDED:
                return False
            self._phase = Phase.ENDED
            return True
