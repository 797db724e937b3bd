"""How late the GUI thread's timers run: the freeze, or its absence, in milliseconds."""

from __future__ import annotations

import collections
import time

from ..engine.qt.QtCore import Property, QObject, Qt, QTimer, Signal
from ..engine.signals import weak_slot

TICK_MS = 50
# While no task runs, the timer ticks this often instead. Each tick wakes the
# process and costs CPU, most of it Qt's and the binding's, which an idle
# window would otherwise pay 20 times a second (docs/performance.md).
# A freeze still shows in full: it delays whichever tick falls due during it.
CALM_TICK_MS = 500
WINDOW_S = 3.0  # worstMs: the worst over this long
HISTORY_S = 30.0  # history: this long, for the chart
BUCKET_MS = 250  # one history value per this long: the worst lateness in it
# Lateness under this is "on time" and published as 0. A free GUI thread's
# timers run a few ms late; shown as they are, those values would change the
# label and move the chart several times a second, and every change is a
# frame to render, which an idle window would pay for under a software
# renderer (bench/idle_cpu.py). Under a frame at 60 Hz, lateness cannot be
# seen anyway.
FLOOR_MS = 8
# While the newest quarter second was on time, the chart moves on only this
# often: a past freeze still scrolls away, in steps, at a frame per step
# instead of four frames a second for the 30 s it stays in sight.
CALM_MS = 2000


class LagMeter(QObject):
    """A precise timer on the GUI thread that notes how late each of its ticks runs.

    ``currentMs`` is the worst lateness of the last quarter second; ``worstMs``
    the worst over the last ``window_s`` seconds. ``history`` holds one value
    per quarter second over the last 30 s, oldest first, newest last: a chart
    of it shows a freeze as a spike that stays in sight for half a minute.
    While the GUI thread is free the values stay at a few ms; during a freeze
    no tick runs, so the quarter seconds it covered are filled in afterwards
    with the freeze's whole length: a chart draws a block as wide and as tall
    as the freeze, whose height is ``worstMs`` while it is in its window.
    Values are whole milliseconds; below ``floor_ms`` they are 0 ("on time").
    ``changed`` and ``historyChanged`` fire at most four times a second, and
    only when what they describe changes; while the thread is on time,
    ``history`` moves on only every ``calm_ms``: an idle window costs almost
    nothing to repaint. ``active`` stops the timer, e.g. while the window is
    hidden or minimised: nothing is shown then, and a timer that wakes the
    process 20 times a second for nobody costs power.
    """

    changed = Signal()
    historyChanged = Signal()
    activeChanged = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        tick_ms: int = TICK_MS,
        window_s: float = WINDOW_S,
        history_s: float = HISTORY_S,
        bucket_ms: int = BUCKET_MS,
        floor_ms: int = FLOOR_MS,
        calm_ms: int = CALM_MS,
        calm_tick_ms: int = CALM_TICK_MS,
    ) -> None:
        super().__init__(parent)
        self._tick_s = tick_ms / 1000
        self._intervals = (tick_ms, max(tick_ms, calm_tick_ms))  # (close, calm)
        self._window_s = window_s
        self._bucket_s = bucket_ms / 1000
        self._floor_ms = floor_ms
        self._calm_s = calm_ms / 1000
        self._published_at = 0.0
        self._due: float | None = None
        self._recent: collections.deque[tuple[float, int]] = collections.deque()  # (when, lateness in ms) of the ticks
        self._history: collections.deque[int] = collections.deque(
            [0] * int(history_s / self._bucket_s), maxlen=int(history_s / self._bucket_s)
        )
        self._published: list[int] = list(self._history)
        self._bucket_end: float | None = None
        self._bucket_worst = 0
        self._current = 0
        self._worst = 0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(weak_slot(self._tick))  # docs/design.md, "One metaobject per class"
        self._timer.start()

    def _tick(self) -> None:
        now = time.monotonic()
        due, self._due = self._due, now + self._tick_s
        if due is None:
            self._bucket_end = now + self._bucket_s
            return
        lateness = self._shown(now - due)
        recent = self._recent
        recent.append((now, lateness))
        while recent[0][0] < now - self._window_s:
            recent.popleft()
        self._close_buckets(now, due, lateness)
        self._bucket_worst = max(self._bucket_worst, lateness)
        worst = max(ms for _, ms in recent)
        if worst != self._worst:
            self._worst = worst
            self.changed.emit()

    def _close_buckets(self, now: float, due: float, lateness: int) -> None:
        """Push every quarter second that ended by ``now`` into the history.

        One that ended while the thread was blocked (after the tick was due)
        belongs to the freeze, and takes its whole ``lateness``: what it had
        waited by then would draw a ramp, whose steps read as many lags.
        """
        assert self._bucket_end is not None
        if now < self._bucket_end:
            return
        while now >= self._bucket_end:
            blocked = lateness if self._bucket_end > due else 0
            self._history.append(max(self._bucket_worst, blocked))
            self._bucket_worst = 0
            self._bucket_end += self._bucket_s
        current = self._history[-1]
        if current != self._current:
            self._current = current
            self.changed.emit()
        if current == 0 and now - self._published_at < self._calm_s:
            return  # on time: the chart can wait (see CALM_MS)
        latest = list(self._history)
        if latest != self._published:  # a flat line that moves on looks the same: no repaint
            self._published = latest
            self._published_at = now
            self.historyChanged.emit()

    def set_calm(self, calm: bool) -> None:
        """Tick every ``calm_tick_ms`` (nothing is running) or every ``tick_ms`` (work is)."""
        interval = self._intervals[1 if calm else 0]
        if interval != self._timer.interval():
            if self._timer.isActive() and self._due is not None and time.monotonic() > self._due:
                self._tick()  # overdue (the thread was blocked): measured now, before the restart forgets it
            self._timer.setInterval(interval)  # a running timer restarts with it: due one interval from now
            self._tick_s = interval / 1000
            if self._due is not None:
                self._due = time.monotonic() + self._tick_s

    def _shown(self, late_s: float) -> int:
        """Lateness in whole ms, or 0 below the floor."""
        late_ms = round(late_s * 1000)
        return late_ms if late_ms >= self._floor_ms else 0

    def _get_active(self) -> bool:
        return self._timer.isActive()

    def _set_active(self, active: bool) -> None:
        if active == self._timer.isActive():
            return
        if active:
            self._due = None  # the time it was off is not lateness: start afresh
            self._timer.start()
        else:
            self._timer.stop()
        self.activeChanged.emit()

    def _get_current(self) -> int:
        return self._current

    def _get_worst(self) -> int:
        return self._worst

    def _get_history(self) -> list[int]:
        return self._published

    currentMs = Property(int, _get_current, notify=changed)
    worstMs = Property(int, _get_worst, notify=changed)
    history = Property(list, _get_history, notify=historyChanged)
    active = Property(bool, _get_active, _set_active, notify=activeChanged)
