"""When will it end? A task's rate and time left from its progress reports, its stalls and its pauses.

:class:`Estimate` follows one task: its start and end, its pauses, and each
progress report. It has no clock of its own (one is passed in, so a test
drives it with a fake one) and no Qt. The rate is smoothed as tqdm smooths
it: an exponential moving average of the progress made between two
observations and one of the time that took, the rate being their ratio
(``smoothing`` 0.3: the newest observation weighs 30 %). The time left is
what remains at that rate, counted down between reports.

A rate is shown only once it means something: two observations of progress
that moved, and a second of running time. Paused time counts nowhere: not
in the elapsed time, not in the rate, not towards a stall.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

#: The weight of the newest observation in the smoothed rate (tqdm's default).
SMOOTHING = 0.3
#: Seconds of running time without progress before a task counts as stalled.
STALL_AFTER_S = 10.0
#: The running time a task needs before its rate is shown.
MEANINGFUL_AFTER_S = 1.0
#: Reports closer together than this are one observation: a task sampled 30
#: times a second would otherwise make the smoothed rate follow each jitter.
OBSERVE_EVERY_S = 0.5

#: The unit of a rate for progress counted out of a maximum, and for a percent.
ITEMS = "items"
PERCENT = "%"


@dataclass(frozen=True)
class Timing:
    """A task against the clock, at one moment (:meth:`Estimate.timing`, ``TaskHandle.timing()``)."""

    #: Seconds it has run, paused time excluded; 0 before it starts.
    elapsed: float
    #: Progress per second in ``unit``, smoothed; None while unknown, and while stalled.
    rate: float | None
    #: What the rate counts: ``"items"`` (progress out of a maximum) or ``"%"``.
    unit: str
    #: Seconds left at that rate; None while the rate is unknown.
    eta: float | None
    #: Seconds without progress, once there have been ``stall_after`` of them; else None.
    stalled_for: float | None
    #: Seconds since it paused, while it is paused; else None.
    paused_for: float | None
    #: When it started and ended, by the wall clock (local time); None until then.
    started_at: datetime | None
    ended_at: datetime | None


def _option(value: float, name: str, upper: float = math.inf) -> float:
    """``value`` as a float above 0 (and at most ``upper``), else ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, not {type(value).__name__}")
    if not 0 < value <= upper:  # NaN fails this too
        bound = "a number above 0" if upper == math.inf else f"a number above 0, at most {upper:g}"
        raise ValueError(f"{name} must be {bound}, not {value!r}")
    return float(value)


def _wall_time(ms: float) -> datetime | None:
    return datetime.fromtimestamp(ms / 1000.0) if ms else None


def _significant(rate: float) -> float:
    """``rate`` to three significant figures: what a row shows, so it changes only when that does."""
    return float(f"{rate:.3g}")


class Estimate:
    """One task's rate, time left, stall and pauses, from calls as its events come.

    Call :meth:`start`, then :meth:`report` per progress report,
    :meth:`pause` and :meth:`resume`, and :meth:`end`. Calls out of order
    are ignored (a report before the start, a pause after the end): the
    events of a task are the truth, and an estimate only follows them.
    ``clock`` gives seconds that only go forward (``time.monotonic``);
    ``wall`` the time of day, for :attr:`Timing.started_at`.
    """

    __slots__ = (
        "_clock",
        "_wall",
        "_smoothing",
        "_stall_after",
        "_started",
        "_ended",
        "_paused_at",
        "_paused_total",
        "_value",
        "_total",
        "_text",
        "_reported_run",
        "_moved_run",
        "_seen_value",
        "_seen_run",
        "_dn",
        "_dt",
        "rate",
        "unit",
        "live",
        "started_ms",
        "ended_ms",
    )

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        smoothing: float = SMOOTHING,
        stall_after: float = STALL_AFTER_S,
    ) -> None:
        self._clock = clock
        self._wall = wall
        # The defaults need no check: a handle makes an estimate for every task it is given.
        self._smoothing = smoothing if smoothing is SMOOTHING else _option(smoothing, "smoothing", 1.0)
        self._stall_after = stall_after if stall_after is STALL_AFTER_S else _option(stall_after, "stall_after")
        self._started: float | None = None  # clock times
        self._ended: float | None = None
        self._paused_at: float | None = None
        self._paused_total = 0.0  # seconds paused, the current pause not yet included
        self._value = 0.0  # the latest report, out of _total
        self._total: float | None = None  # None: a percent
        self._text = ""
        self._reported_run = 0.0  # running time of the latest report
        self._moved_run: float | None = None  # running time of the latest report that moved
        self._seen_value = 0.0  # the value and running time of the latest observation
        self._seen_run: float | None = None
        self._dn = 0.0  # smoothed progress per observation, and smoothed seconds per observation
        self._dt = 0.0
        #: The smoothed rate in ``unit`` per second, to three figures; 0 while unknown.
        self.rate = 0.0
        #: What the rate counts: ``"items"`` or ``"%"``.
        self.unit = PERCENT
        #: It has started and not ended.
        self.live = False
        #: When it started and ended by the wall clock, in milliseconds since the epoch (a
        #: JavaScript ``Date``'s number); 0 until then.
        self.started_ms = 0.0
        self.ended_ms = 0.0

    @property
    def stall_after(self) -> float:
        """Seconds of running time without progress before :attr:`Timing.stalled_for` says so."""
        return self._stall_after

    @stall_after.setter
    def stall_after(self, seconds: float) -> None:
        self._stall_after = _option(seconds, "stall_after")

    # -- the task's events ------------------------------------------------------

    def start(self, at: float | None = None) -> None:
        """The task started, now or at ``at`` (a time of ``clock``: a start noted before it was heard of)."""
        if self._started is not None:
            return
        now = self._clock()
        self._started = now if at is None else min(at, now)
        self.started_ms = (self._wall() - (now - self._started)) * 1000.0
        self.live = True

    def report(self, value: float, total: float | None = None, text: str = "") -> None:
        """Progress: ``value`` done out of ``total`` (None: ``value`` is a percent), and the report's text.

        A report that changes the value or the text is progress (a count with
        no total changes only its text). One whose value went back, or whose
        total changed, starts the rate afresh: it measures something else now.
        """
        if not self.live:
            return
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"progress must be a finite number from 0, not {value!r}")
        if total is not None and not (math.isfinite(total) and total > 0):
            raise ValueError(f"the progress total must be a finite number above 0, not {total!r}")
        run = self._running(self._clock())
        if self._moved_run is None or value != self._value or text != self._text:
            self._moved_run = run
        if total != self._total or value < self._seen_value:
            self._restart()
            self._total = total
            self.unit = PERCENT if total is None else ITEMS
        self._value, self._text, self._reported_run = value, text, run
        self._observe(value, run)

    def pause(self) -> None:
        """The task paused: its clock stops."""
        if self.live and self._paused_at is None:
            self._paused_at = self._clock()

    def resume(self) -> None:
        """The task goes on."""
        if self._paused_at is not None:
            self._paused_total += self._clock() - self._paused_at
            self._paused_at = None

    def end(self, at: float | None = None) -> None:
        """The task ended, now or at ``at``: its time stops, and its rate and time left are over."""
        if not self.live:
            return
        now = self._clock()
        self.resume()
        self._ended = now if at is None else min(at, now)
        self.ended_ms = (self._wall() - (now - self._ended)) * 1000.0
        self.live = False
        self.rate = 0.0

    # -- what it says ------------------------------------------------------------

    def elapsed(self, now: float | None = None) -> float:
        """Seconds run, paused time excluded; 0 before the start."""
        if self._started is None:
            return 0.0
        end = self._ended if self._ended is not None else self._clock() if now is None else now
        return max(0.0, self._running(end))

    def paused_seconds(self, now: float | None = None) -> float:
        """Seconds spent paused so far, the current pause included."""
        paused = self._paused_total
        if self._paused_at is not None:
            paused += max(0.0, (self._clock() if now is None else now) - self._paused_at)
        return paused

    def eta(self, now: float | None = None) -> float | None:
        """Seconds left at the smoothed rate, counted down since the latest report; None while unknown or stalled."""
        if not self.rate or self._ended is not None:
            return None
        now = self._clock() if now is None else now
        if self.stalled_for(now) is not None:
            return None
        total = 100.0 if self._total is None else self._total
        since = self._running(now) - self._reported_run
        # From the averages, not the rate: that is rounded for people to read.
        return max(0.0, (total - self._value) * self._dt / self._dn - since)

    def stalled_for(self, now: float | None = None) -> float | None:
        """Seconds of running time without progress, once ``stall_after`` have passed; else None.

        Never before the first report (a task that reports nothing may be
        working all the same), nor while paused or after the end.
        """
        if self._moved_run is None or self._paused_at is not None or self._ended is not None:
            return None
        still = self._running(self._clock() if now is None else now) - self._moved_run
        return still if still >= self._stall_after else None

    def paused_for(self, now: float | None = None) -> float | None:
        """Seconds since it paused, while it is paused; else None."""
        if self._paused_at is None:
            return None
        return max(0.0, (self._clock() if now is None else now) - self._paused_at)

    def timing(self, now: float | None = None) -> Timing:
        """All of it at once, at ``now`` (a time of ``clock``; by default, the clock's now)."""
        now = self._clock() if now is None else now
        stalled = self.stalled_for(now)
        return Timing(
            elapsed=self.elapsed(now),
            rate=self.rate if self.rate and stalled is None else None,
            unit=self.unit,
            eta=self.eta(now),
            stalled_for=stalled,
            paused_for=self.paused_for(now),
            started_at=_wall_time(self.started_ms),
            ended_at=_wall_time(self.ended_ms),
        )

    # -- for a list of rows: numbers, with 0 or -1 for "none" ----------------------

    def eta_s(self, now: float) -> float:
        """:meth:`eta` in whole seconds, rounded up (a row says "0:00 left" only at the end); -1 if none."""
        eta = self.eta(now)
        return -1.0 if eta is None else float(math.ceil(eta))

    def stalled_s(self, now: float) -> float:
        """:meth:`stalled_for` in whole seconds; 0 if not stalled."""
        stalled = self.stalled_for(now)
        return 0.0 if stalled is None else float(math.floor(stalled))

    def paused_s(self, now: float) -> float:
        """:meth:`paused_for` in whole seconds; 0 if not paused."""
        paused = self.paused_for(now)
        return 0.0 if paused is None else float(math.floor(paused))

    # -- inside -------------------------------------------------------------------

    def _running(self, now: float) -> float:
        """Running time at ``now``: seconds since the start, less the paused ones."""
        assert self._started is not None
        return now - self._started - self.paused_seconds(now)

    def _restart(self) -> None:
        self._seen_run = None
        self._dn = self._dt = 0.0
        self.rate = 0.0

    def _observe(self, value: float, run: float) -> None:
        """Fold the progress since the latest observation into the smoothed rate, as tqdm's EMA does."""
        if self._seen_run is None:
            self._seen_value, self._seen_run = value, run
            return
        dt = run - self._seen_run
        if dt < OBSERVE_EVERY_S:
            return
        alpha = self._smoothing
        self._dn = alpha * (value - self._seen_value) + (1 - alpha) * self._dn
        self._dt = alpha * dt + (1 - alpha) * self._dt
        self._seen_value, self._seen_run = value, run
        # tqdm divides both averages by the same bias correction: the ratio needs none.
        meaningful = run >= MEANINGFUL_AFTER_S and self._dn > 0
        self.rate = _significant(self._dn / self._dt) if meaningful else 0.0
