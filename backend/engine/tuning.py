"""Two process-wide settings for a GUI process that runs tasks by the thousand.

They concern every thread of the process, not the engine alone, so the
engine never makes them itself: the app calls :func:`tune_gui_process`
once its window shows (the demo app does, in ``offthread.app.run``). From
then on, the engine moves the GIL's slice between two lengths as the tasks
that run Python on other threads of this process start and end. Why each
one, with figures: docs/performance.md.
"""

from __future__ import annotations

import gc
import math
import sys
import threading

# How long a thread may hold the GIL while another waits for it. Python's
# default (5 ms) lets a pure-Python task delay every GUI callback by a whole
# slice, twice that when two fall in one; a shorter slice keeps the window's
# timers near on time, and tasks run no slower (bench/gui_lag.py).
GUI_SWITCH_INTERVAL_S = 0.001

# The slice while tasks run Python on other threads of this process (thread
# and asyncio modes, an executor of threads). Every time the GUI thread comes
# back to Python (QML reading a property or a row of the task list, a
# timer's slot) it waits for such a task to let go of the GIL, for up to a
# slice; a window comes back hundreds of times a second. Worker processes do
# not hold it: while only they run, the slice stays GUI_SWITCH_INTERVAL_S,
# which costs a tiny process task less (docs/performance.md, round nine).
BUSY_SWITCH_INTERVAL_S = 0.0002

# The cyclic collector's thresholds: a young collection every 2,000 net new
# objects (Python 3.13's default), a middle one every 1,000 of those (not
# 10), a full one as before.
COLLECTOR_THRESHOLDS = (2000, 1000, 10)


def tune_gui_process(
    switch_interval: float = GUI_SWITCH_INTERVAL_S,
    busy_switch_interval: float | None = BUSY_SWITCH_INTERVAL_S,
) -> None:
    """Keep the GUI thread on time, and the collector's pauses short, while tasks run.

    Call it once, when the window shows (or, with no window, once the
    manager is made). It does three things to this process:

    - ``sys.setswitchinterval(switch_interval)``: another thread that runs
      Python holds the GIL, and so the GUI thread, for at most about that
      long at a time. While a manager's tasks run Python on other threads
      of this process (its modes say so: :attr:`Mode.shares_gil
      <offthread.engine.modes.base.Mode.shares_gil>`), the slice is
      ``busy_switch_interval`` instead, if shorter (None: no other slice).
      From this call on, the engine sets the slice as such tasks go to
      their modes and end: an app that wants one slice throughout passes
      None.
    - ``gc.freeze()``: what start-up made (modules, Qt wrappers, the window)
      is left out of every later collection. A collection holds the GIL on
      whichever thread triggers it; a full one scanned all of it. Garbage
      that exists at this moment is kept for good, which is next to nothing.
    - The middle generation is collected a hundred times less often
      (:data:`COLLECTOR_THRESHOLDS`). With thousands of tasks queued, their
      handles and contexts sit in it; they die by reference counting as
      their tasks end, so memory stays flat, and the collector no longer
      scans them several times a second.

    Example::

        app = QCoreApplication(sys.argv)
        manager = TaskManager()
        offthread.tune_gui_process()
    """
    calm = _seconds("switch_interval", switch_interval)
    busy = calm if busy_switch_interval is None else min(calm, _seconds("busy_switch_interval", busy_switch_interval))
    _SLICES.tune(calm, busy)
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def _seconds(name: str, value: object) -> float:
    """A slice from the caller: a positive, finite number of seconds, or a TypeError or ValueError that says so."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    if not 0 < value < math.inf:
        raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
    return float(value)


class _Slices:
    """The process's two slices once :func:`tune_gui_process` set them, and how many managers now have
    tasks that hold the GIL on other threads (any thread: a manager may be freed on another)."""

    def __init__(self) -> None:
        self.tuned: tuple[float, float] | None = None  # (calm, busy); None: the engine leaves the slice alone
        self.sharing = 0
        self._lock = threading.Lock()

    def tune(self, calm: float, busy: float) -> None:
        with self._lock:
            self.tuned = (calm, busy)
            self._apply()

    def engage(self, delta: int) -> None:
        with self._lock:
            self.sharing = max(0, self.sharing + delta)
            self._apply()

    def _apply(self) -> None:
        if self.tuned is not None:
            sys.setswitchinterval(self.tuned[1] if self.sharing else self.tuned[0])


_SLICES = _Slices()


class GilShare:
    """One manager's tasks whose modes run Python on other threads of this process, by id, from their
    hand-over to their mode until their ``finished`` (GUI thread).

    While any manager has one, :func:`tune_gui_process`'s busy slice applies.
    """

    __slots__ = ("_ids", "__weakref__")

    def __init__(self) -> None:
        self._ids: set[int] = set()

    def add(self, task_id: int) -> None:
        if not self._ids:
            _SLICES.engage(+1)
        self._ids.add(task_id)

    def discard(self, task_id: int) -> None:
        ids = self._ids
        if task_id in ids:
            ids.discard(task_id)
            if not ids:
                _SLICES.engage(-1)

    def clear(self) -> None:
        """Count none any more (the manager closed: what it left behind is not its to count)."""
        if self._ids:
            self._ids.clear()
            _SLICES.engage(-1)

    def __del__(self) -> None:  # a manager dropped without shutdown()
        self.clear()
