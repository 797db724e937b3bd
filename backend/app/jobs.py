"""The demo's long jobs. They are plain functions: any function can be a task."""

from __future__ import annotations

from ..core.context import TaskContext

DEFAULT_STEPS = 5
DEFAULT_STEP_SECONDS = 1.0


def danger_job(
    steps: int = DEFAULT_STEPS,
    step_seconds: float = DEFAULT_STEP_SECONDS,
    *,
    progress_callback: TaskContext,
) -> str:
    """The tutorial's long task: ``steps`` steps of ``step_seconds`` each, then "Done."

    Progress is reported as a float (``n * 100 / steps``), the case that the
    tutorial's ``Signal(int)`` truncates; here it ends at exactly 100.
    """
    progress_callback.emit(0)
    for n in range(1, steps + 1):
        progress_callback.sleep(step_seconds)  # wakes at once if cancelled
        progress_callback.emit(n * 100 / steps)
    return "Done."


class DemoFailure(RuntimeError):
    """The error that the failing demo job raises on purpose."""


def failing_job(
    steps: int = DEFAULT_STEPS,
    step_seconds: float = DEFAULT_STEP_SECONDS,
    *,
    progress_callback: TaskContext,
) -> str:
    """Like :func:`danger_job`, but fails part-way, to show the error path."""
    fail_at = max(1, steps // 2)
    progress_callback.emit(0)
    for n in range(1, fail_at + 1):
        progress_callback.sleep(step_seconds)
        progress_callback.emit(n * 100 / steps)
    raise DemoFailure(f"step {fail_at} of {steps} failed on purpose, to show how errors reach the UI")


DEFAULT_CPU_LIMIT = 700_000


def cpu_job(limit: int = DEFAULT_CPU_LIMIT, *, task: TaskContext) -> str:
    """Count the primes below ``limit`` by trial division: pure Python, CPU-bound.

    It holds the GIL the whole time, the case that threads do not fix and
    worker processes do. It reports on every number (a check point each
    time: cancel and pause work in every mode) and returns the same text
    wherever it runs.
    """
    task.set_maximum(limit)
    count = 0
    for n in range(2, limit):
        task.progress(n)
        if n < 4:
            count += 1
            continue
        if n % 2 == 0:
            continue
        divisor = 3
        while divisor * divisor <= n:
            if n % divisor == 0:
                break
            divisor += 2
        else:
            count += 1
    task.progress(limit)
    return f"{count:,} primes below {limit:,}"
