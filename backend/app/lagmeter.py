"""How late the GUI thread's timers run: the freeze, or its absence, in milliseconds."""

from __future__ import annotations

import collections
import time
from typing import Deque, Optional, Tuple

from qtpy.QtCore import Property, QObject, Qt, QTimer, Signal

TICK_MS = 50
WINDOW_S = 3.0


class LagMeter(QObject):
    """A precise timer on the GUI thread that notes how late each of its ticks runs.

    ``currentMs`` is the lateness of the last tick; ``worstMs`` the worst over
    the last ``window_s`` seconds. While the GUI thread is free both stay at a
    few ms; after something blocked it, they show for how long. Values are
    whole milliseconds, and ``changed`` fires only when one of them changes.
    """

    changed = Signal()

    def __init__(self, parent: Optional[QObject] = None, tick_ms: int = TICK_MS, window_s: float = WINDOW_S) -> None:
        super().__init__(parent)
        self._tick_s = tick_ms / 1000
        self._window_s = window_s
        self._due: Optional[float] = None
        self._recent: Deque[Tuple[float, int]] = collections.deque()  # (when, lateness in ms)
        self._current = 0
        self._worst = 0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        due, self._due = self._due, now + self._tick_s
        if due is None:
            return
        recent = self._recent
        recent.append((now, max(0, round((now - due) * 1000))))
        while recent[0][0] < now - self._window_s:
            recent.popleft()
        current, worst = recent[-1][1], max(ms for _, ms in recent)
        if (current, worst) != (self._current, self._worst):
            self._current, self._worst = current, worst
            self.changed.emit()

    def _get_current(self) -> int:
        return self._current

    def _get_worst(self) -> int:
        return self._worst

    currentMs = Property(int, _get_current, notify=changed)
    worstMs = Property(int, _get_worst, notify=changed)
