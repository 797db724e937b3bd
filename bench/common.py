"""What the benchmarks share: running a case in a fresh process, waiting in it, and the task bodies."""

from __future__ import annotations

import gc
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable

ROOT = Path(__file__).resolve().parent.parent


def run_child(script: str, *args: Any, timeout_s: float) -> Any | str:
    """Run ``script --child ARGS...``; return the JSON its last stdout line holds.

    On failure, return a short string instead: the signal that killed it
    (the tutorial's pattern ends in SIGSEGV now and then), its exit code and
    last stderr line, or the timeout.
    """
    try:
        done = subprocess.run(
            [sys.executable, script, "--child", *map(str, args)],
            cwd=ROOT,
            env=headless_environment(),
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return f"timeout ({timeout_s:g} s)"
    if done.returncode < 0:
        return signal.Signals(-done.returncode).name
    if done.returncode != 0:
        return f"exit {done.returncode}: {done.stderr.strip().splitlines()[-1:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def headless_environment() -> dict[str, str]:
    """This process's environment, with Qt's offscreen platform when there is no display.

    Without one, Qt's default platform aborts the child at its first
    QGuiApplication; these cases measure no window, so offscreen is theirs.
    """
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    return env


def add_switch_interval(parser: Any) -> None:
    """``--switch-interval S``: the GIL switch interval in seconds, None (the default) for the app's.

    ``parser`` is an ArgumentParser or one of its groups.
    """
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=None,
        metavar="S",
        help="one GIL switch interval, in seconds, for the whole run (default: tune_gui_process's own, as the app"
        " runs: 1 ms, and a shorter one while tasks run Python on other threads of the process)",
    )


def interleaved_children(script: str, cases: Iterable[str], n: int, repeat: int) -> dict[str, list[dict]]:
    """Each case ``repeat`` times, each run in a fresh process, the cases in turn; exit if one fails.

    In turn, so that a drift in the machine's speed hits every case alike.
    """
    runs: dict[str, list[dict]] = {case: [] for case in cases}
    for _ in range(repeat):
        for case in runs:
            outcome = run_child(script, case, n, timeout_s=600)
            if not isinstance(outcome, dict):
                sys.exit(f"{case} failed: {outcome}")
            runs[case].append(outcome)
    return runs


class Waiter:
    """Runs the event loop until told to stop, as the app's own loop would.

    The loop sleeps between events; a processEvents() spin, or a polling
    timer, would take the GIL from the task thousands of times a second and
    slow the very loop being measured. The slots that see the end call stop().
    """

    def __init__(self) -> None:
        from qtpy.QtCore import QEventLoop

        self.loop = QEventLoop()
        self.end = None

    def stop(self) -> None:
        self.end = time.perf_counter()
        self.loop.quit()

    def wait(self, timeout_s: float) -> float:
        """Return the time stop() was called; raise TimeoutError if it was not."""
        from qtpy.QtCore import QTimer

        QTimer.singleShot(int(timeout_s * 1000), self.loop.quit)
        if self.end is None:
            self.loop.exec_()
        if self.end is None:
            raise TimeoutError("the case did not end in time")
        return self.end


class Noop:
    """A reporter that does nothing: what a report costs when it costs only the call.

    Its methods take the same parameters as TaskContext's, so the calls bind alike.
    """

    def emit(self, value):
        pass

    def progress(self, value):
        pass

    def set_maximum(self, maximum):
        pass


# The loops that report. A baseline runs the very same function as ours, with
# a Noop passed explicitly (Backend injects a context only where the caller
# passed none).
def emit_loop(n, progress_callback):
    started = time.perf_counter()
    for i in range(n):
        progress_callback.emit(i * 100 / n)
    return time.perf_counter() - started


def tutorial_loop(n, progress_callback):
    started = time.perf_counter()
    for i in range(n):
        progress_callback.emit(int(i * 100 / n))  # the tutorial's Signal(int) wants an int
    return time.perf_counter() - started


class Collections:
    """The cyclic collections this process runs while on (a ``with``), on any thread: their spans.

    Collections never overlap: one holds the GIL, and the collector runs one at a time.
    """

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []  # (start, end), time.perf_counter()
        self._began: float | None = None

    @property
    def total(self) -> float:
        return sum(end - start for start, end in self.spans)

    def __call__(self, phase: str, info: dict) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._began = now
        elif self._began is not None:
            self.spans.append((self._began, now))
            self._began = None

    def __enter__(self) -> Collections:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


class TickRecorder:
    """A repeating precise timer on the GUI thread that notes how late each tick runs."""

    def __init__(self, interval_ms: int) -> None:
        from qtpy.QtCore import Qt, QTimer

        self.interval = interval_ms / 1000
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self._recording = False
        self._since = math.inf  # when recording began
        self.lateness = []  # seconds, one per tick due while recording
        self.due = 0.0

    @property
    def recording(self) -> bool:
        return self._recording

    @recording.setter
    def recording(self, on: bool) -> None:
        # A tick due before recording began is not counted: it carries the
        # lateness of what ran before (a backend made, its imports), not of
        # what is measured.
        self._recording, self._since = on, time.perf_counter() if on else math.inf

    def start(self) -> None:
        self.due = time.perf_counter() + self.interval
        self.timer.start()

    def counts(self) -> bool:
        """Whether the tick due now is counted: recording, and due since recording began."""
        return self._recording and self.due >= self._since

    def _tick(self) -> None:
        now = time.perf_counter()
        if self.counts():
            self.lateness.append(max(0.0, now - self.due))
        # Qt's schedule: the next tick is due one interval after this one was
        # due; if that has passed already, Qt skips ahead to one interval from now.
        self.due += self.interval
        if self.due < now:
            self.due = now + self.interval


def percentile(sorted_values, fraction: float) -> float:
    """The nearest-rank percentile: a value that was really seen."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def idle_start(seconds: float, waiter: Waiter) -> Callable[[], None]:
    """A start() for an idle case: after ``seconds``, it stops ``waiter``, having run nothing."""
    from qtpy.QtCore import Qt, QTimer

    stopper = QTimer()
    stopper.setSingleShot(True)
    stopper.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire 5 % early
    stopper.timeout.connect(waiter.stop)
    return lambda: stopper.start(int(seconds * 1000))


def record_lateness(
    start: Callable[[], None], waiter: Waiter, interval_ms: int, warm_up_s: float, timeout_s: float
) -> tuple[float, float, list[float]]:
    """Run a TickRecorder, let it warm up, then ``start()`` and wait for ``waiter``.

    Returns when it started, when the waiter was stopped, and the lateness
    of every tick in between. Everything the case needs must be built before:
    a first tick held up by set-up work would count as lateness no task caused.
    """
    from qtpy.QtCore import QTimer

    recorder = TickRecorder(interval_ms)
    recorder.start()
    warm_up = Waiter()
    QTimer.singleShot(int(warm_up_s * 1000), warm_up.stop)
    warm_up.wait(timeout_s)
    recorder.recording = True
    started = time.perf_counter()
    start()
    end = waiter.wait(timeout_s)
    recorder.recording = False
    recorder.timer.stop()
    return started, end, recorder.lateness


class Runs:
    """Every case run ``repeat`` times, interleaved (drifts in machine speed hit every case alike).

    ``measure(case)`` returns a dict of figures, or a string saying why the
    run failed; ``ok[case]`` holds the figures, ``note(case)`` the failures.
    """

    def __init__(self, cases: Iterable[str], repeat: int, measure: Callable[[str], dict | str]) -> None:
        self.cases = list(cases)
        self.repeat = repeat
        self.ok: dict[str, list[dict]] = {case: [] for case in self.cases}
        self.failed: dict[str, list[str]] = {case: [] for case in self.cases}
        for _ in range(repeat):
            for case in self.cases:
                outcome = measure(case)
                (self.ok if isinstance(outcome, dict) else self.failed)[case].append(outcome)

    def note(self, case: str) -> str:
        failed = self.failed[case]
        return f"{len(failed)}/{self.repeat} failed: {failed[0]}" if failed else ""
