"""Task functions for the mode tests. Worker processes import this module to
run them, so it must not import Qt (one test checks that none is loaded)."""
from __future__ import annotations

import os
import sys
import time

from backend.context import Partial, TaskContext


def square(x: int) -> int:
    return x * x


def qt_modules_loaded() -> list:
    """Which Qt modules this process has loaded (none, in a worker process)."""
    return sorted(name for name in sys.modules if name.split(".")[0] in ("qtpy", "PySide2", "PySide6", "shiboken2", "shiboken6"))


def this_pid() -> int:
    return os.getpid()


def report_and_return(count: int, *, task: TaskContext) -> str:
    """Reports every step, sends a partial result, and returns."""
    task.set_maximum(count)
    for i in range(count + 1):
        task.progress(i)
        task.sleep(0.005)
    task.partial("halfway")
    return "reported"


def partials(*, task: TaskContext):
    """A generator task: partial results, then its return value."""
    yield 50
    yield "first"
    yield Partial(2)
    return "done"


class Boom(ValueError):
    pass


def fail_in_child(message: str) -> None:
    raise Boom(message)


def wait_for_cancel(*, task: TaskContext) -> str:
    """Runs until cancelled, checking all along (reports 10 % first)."""
    task.progress(10)
    while True:
        task.sleep(0.01)


def never_checks(seconds: float) -> str:
    """Ignores cancellation: it never reaches a check point."""
    time.sleep(seconds)
    return "slept"


def spin_forever() -> None:
    """CPU-bound and never checks: only terminating its process stops it."""
    while True:
        pass


def die(code: int) -> None:
    os._exit(code)


def unpicklable_result():
    return lambda: None


def count_to(limit: int, *, task: TaskContext) -> int:
    """Checks on every step; pausable."""
    task.set_maximum(limit)
    for i in range(limit):
        task.progress(i)
        task.sleep(0.001)
    return limit
