"""What the benchmarks share: running a case in a fresh process, waiting in it, and the task bodies."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Union

ROOT = Path(__file__).resolve().parent.parent


def run_child(script: str, *args: Any, timeout_s: float) -> Union[Any, str]:
    """Run ``script --child ARGS...``; return the JSON its last stdout line holds.

    On failure, return a short string instead: the signal that killed it
    (the tutorial's pattern ends in SIGSEGV now and then), its exit code and
    last stderr line, or the timeout.
    """
    try:
        done = subprocess.run(
            [sys.executable, script, "--child", *map(str, args)],
            cwd=ROOT,
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
