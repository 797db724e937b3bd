"""How late the GUI thread's timers run: the freeze, or its absence, in milliseconds."""

from __future__ import annotations

import collections
import time
from typing import Deque, List, Optional, Tuple

from qtpy.QtCore import Property, QObject, Qt, QTimer, Signal

TICK_MS = 50
WINDOW_S = 3.0  # worstMs: the worst over this long
HISTORY_S = 30.0  # history: this long, for the chart
BUCKET_MS = 250  # one history value per this long: the worst lateness in it


class LagMeter(QObject):
    """A precise timer on the GUI thread that notes how late each of its ticks runs.

    ``currentMs`` is the worst lateness of the last quarter second; ``worstMs``
    the worst over the last ``window_s`` seconds. ``history`` holds one value
    per quarter second over the last 30 s, oldest first, newest last: a chart
    of it shows a freeze as a spike that stays in sight for half a minute.
    While the GUI thread is free the values stay at a few ms; during a freeze
    no tick runs, so the quarter seconds it covered are filled in afterwards
    with how late the thread was by then (a ramp up to the freeze's length).
    Values are whole milliseconds. ``changed`` and ``historyChanged`` fire at
    most four times a second, and only when what they describe changes: an
    idle window costs nothing to repaint.
    """

    changed = Signal()
    historyChanged = Signal()

    def __init__(
        self,
        parent: Optional[QObject] = None,
        tick_ms: int = TICK_MS,
        window_s: float = WINDOW_S,
        history_s: float = HISTORY_S,
        bucket_ms: int = BUCKET_MS,
    ) -> None:
        super().__init__(parent)
        self._tick_s = tick_ms / 1000
        self._window_s = window_s
        self._bucket_s = bucket_ms / 1000
        self._due: Optional[float] = None
        self._recent: Deque[Tuple[float, int]] = collections.deque()  # (when, lateness in ms) of the ticks
        self._history: Deque[int] = collections.deque(
            [0] * int(history_s / self._bucket_s), maxlen=int(history_s / self._bucket_s)
        )
        self._published: List[int] = list(self._history)
        self._bucket_end: Optional[float] = None
        self._bucket_worst = 0
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
            self._bucket_end = now + self._bucket_s
            return
        lateness = max(0, round((now - due) * 1000))
        recent = self._recent
        recent.append((now, lateness))
        while recent[0][0] < now - self._window_s:
            recent.popleft()
        self._close_buckets(now, due)
        self._bucket_worst = max(self._bucket_worst, lateness)
        worst = max(ms for _, ms in recent)
        if worst != self._worst:
            self._worst = worst
            self.changed.emit()

    def _close_buckets(self, now: float, due: float) -> None:
        """Push every quarter second that ended by ``now`` into the history."""
        assert self._bucket_end is not None
        if now < self._bucket_end:
            return
        while now >= self._bucket_end:
            # A quarter second that ended while the thread was blocked (after
            # the tick was due) was as late as the time it had waited by then.
            waited = max(0, round((self._bucket_end - due) * 1000))
            self._history.append(max(self._bucket_worst, waited))
            self._bucket_worst = 0
            self._bucket_end += self._bucket_s
        current = self._history[-1]
        if current != self._current:
            self._current = current
            self.changed.emit()
        latest = list(self._history)
        if latest != self._published:  # a flat line that moves on looks the same: no repaint
            self._published = latest
            self.historyChanged.emit()

    def _get_current(self) -> int:
        return self._current

    def _get_worst(self) -> int:
        return self._worst

    def _get_history(self) -> List[int]:
        return self._published

    currentMs = Property(int, _get_current, notify=changed)
    worstMs = Property(int, _get_worst, notify=changed)
    history = Property(list, _get_history, notify=historyChanged)
