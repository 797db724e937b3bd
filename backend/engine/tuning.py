"""Two process-wide settings for a GUI process that runs tasks by the thousand.

They concern every thread of the process, not the engine alone, so the
engine never makes them itself: the app calls :func:`tune_gui_process`
once its window shows (the demo app does, in ``offthread.app.run``). Why
each one, with figures: docs/performance.md.
"""

from __future__ import annotations

import gc
import math
import sys

# How long a thread may hold the GIL while another waits for it. Python's
# default (5 ms) lets a pure-Python task delay every GUI callback by a whole
# slice, twice that when two fall in one; a shorter slice keeps the window's
# timers near on time, and tasks run no slower (bench/gui_lag.py).
GUI_SWITCH_INTERVAL_S = 0.001

# The cyclic collector's thresholds: a young collection every 2,000 net new
# objects (Python 3.13's default), a middle one every 1,000 of those (not
# 10), a full one as before.
COLLECTOR_THRESHOLDS = (2000, 1000, 10)


def tune_gui_process(switch_interval: float = GUI_SWITCH_INTERVAL_S) -> None:
    """Keep the GUI thread on time, and the collector's pauses short, while tasks run.

    Call it once, when the window shows (or, with no window, once the
    manager is made). It does three things to this process:

    - ``sys.setswitchinterval(switch_interval)``: another thread that runs
      Python holds the GIL, and so the GUI thread, for at most about that
      long at a time.
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
    if isinstance(switch_interval, bool) or not isinstance(switch_interval, (int, float)):
        raise TypeError(f"switch_interval must be a number of seconds, not {type(switch_interval).__name__}")
    if not 0 < switch_interval < math.inf:
        raise ValueError(f"switch_interval must be a positive number of seconds, not {switch_interval!r}")
    sys.setswitchinterval(switch_interval)
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
