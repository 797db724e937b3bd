"""The demo's long jobs. They are plain functions: any function can be a task.

Each job has an ``async def`` twin for asyncio mode, which runs only
coroutines: :data:`JOBS` pairs them, and the backend picks the one the
selected mode runs. The twins do the same work and return the same text.
They import asyncio when they run: the app's start-up does not pay for it.
"""

from __future__ import annotations

import time
from typing import Any, Callable, NamedTuple

from ..core.context import TaskContext
from ..core.coroutines import AsyncContext

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
    _walk(steps, steps, step_seconds, progress_callback)
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
    _walk(steps, _fail_at(steps), step_seconds, progress_callback)
    raise _failure(steps)


async def danger_job_async(
    steps: int = DEFAULT_STEPS,
    step_seconds: float = DEFAULT_STEP_SECONDS,
    *,
    task: AsyncContext,
) -> str:
    """:func:`danger_job` for asyncio mode: it awaits instead of sleeping."""
    await _walk_async(steps, steps, step_seconds, task)
    return "Done."


async def failing_job_async(
    steps: int = DEFAULT_STEPS,
    step_seconds: float = DEFAULT_STEP_SECONDS,
    *,
    task: AsyncContext,
) -> str:
    """:func:`failing_job` for asyncio mode."""
    await _walk_async(steps, _fail_at(steps), step_seconds, task)
    raise _failure(steps)


def _walk(steps: int, through: int, step_seconds: float, progress_callback: TaskContext) -> None:
    """The first ``through`` of ``steps`` steps, reporting progress from 0 after each, as the tutorial does."""
    progress_callback.emit(0)
    for n in range(1, through + 1):
        progress_callback.sleep(step_seconds)  # wakes at once if cancelled
        progress_callback.emit(n * 100 / steps)


async def _walk_async(steps: int, through: int, step_seconds: float, task: AsyncContext) -> None:
    """:func:`_walk` for asyncio mode: it awaits instead of sleeping."""
    task.progress(0)
    for n in range(1, through + 1):
        await task.sleep_async(step_seconds)  # a cancel ends it at once; a pause waits here
        task.progress(n * 100 / steps)


def _fail_at(steps: int) -> int:
    """The step after which the failing job fails: half-way, or the first."""
    return max(1, steps // 2)


def _failure(steps: int) -> DemoFailure:
    return DemoFailure(f"step {_fail_at(steps)} of {steps} failed on purpose, to show how errors reach the UI")


DEFAULT_CPU_LIMIT = 700_000


def cpu_job(limit: int = DEFAULT_CPU_LIMIT, *, task: TaskContext) -> str:
    """Count the primes below ``limit`` by trial division: pure Python, CPU-bound.

    It holds the GIL the whole time, the case that threads do not fix and
    worker processes do. It reports on every number (a check point each
    time: cancel and pause work in every mode) and returns the same text
    wherever it runs.
    """
    task.set_maximum(limit)
    count = count_primes(2, limit, task)
    task.progress(limit)
    return _primes_text(count, limit)


# How many numbers the async CPU job checks between two awaits.
CPU_CHUNK = 20_000


async def cpu_job_async(limit: int = DEFAULT_CPU_LIMIT, *, task: AsyncContext) -> str:
    """:func:`cpu_job` for asyncio mode, awaiting every :data:`CPU_CHUNK` numbers.

    CPU-bound work on an event loop holds the loop: every other coroutine
    waits until it awaits. This one yields between chunks, so others get
    their turn (and a pause takes effect); the GUI thread is not on this
    loop, so the window stays live either way.
    """
    import asyncio

    task.set_maximum(limit)
    count = 0
    for start in range(2, limit, CPU_CHUNK):
        count += count_primes(start, min(start + CPU_CHUNK, limit), task)
        await asyncio.sleep(0)
        await task.check_async()
    task.progress(limit)
    return _primes_text(count, limit)


def count_primes(start: int, stop: int, task: TaskContext) -> int:
    """The primes in ``range(start, stop)``, reporting each number as progress (start >= 2)."""
    count = 0
    for n in range(start, stop):
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
    return count


def _primes_text(count: int, limit: int) -> str:
    return f"{count:,} primes below {limit:,}"


# -- the I/O job: simulated fetches ------------------------------------------------

DEFAULT_FETCHES = 24


def fetch_latency(page: int) -> float:
    """How long fetching ``page`` takes (simulated): 0.3-1.2 s, the same every run."""
    return 0.3 + (page * 7 % 10) / 10


def _page_text(page: int, seconds: float) -> str:
    size = 2_000 + page * 7_919 % 60_000
    return f"page {page}: {size:,} bytes in {seconds:.1f} s"


def fetch_job(fetches: int = DEFAULT_FETCHES, *, task: TaskContext) -> str:
    """Fetch ``fetches`` pages (simulated), one after another: what a thread does.

    Each page is a partial result. It takes the sum of the latencies; the
    asyncio twin, :func:`fetch_job_async`, takes about the longest one.
    """
    started = time.monotonic()
    for page in task.track(range(1, fetches + 1)):
        seconds = fetch_latency(page)
        task.sleep(seconds)
        task.partial(_page_text(page, seconds))
    return _fetched_text(fetches, time.monotonic() - started)


async def fetch_job_async(fetches: int = DEFAULT_FETCHES, *, task: AsyncContext) -> str:
    """Fetch ``fetches`` pages (simulated) at once, as async I/O does; each page is a partial result."""
    import asyncio

    started = time.monotonic()

    async def fetch(page: int) -> str:
        seconds = fetch_latency(page)
        await asyncio.sleep(seconds)  # where a real job awaits httpx, aiohttp, a database...
        return _page_text(page, seconds)

    fetching = [asyncio.ensure_future(fetch(page)) for page in range(1, fetches + 1)]
    try:
        async for done in task.track(asyncio.as_completed(fetching), total=fetches):
            task.partial(await done)
    finally:  # cancelled (or failed): the fetches still on their way stop too
        for fetch_task in fetching:
            fetch_task.cancel()
    return _fetched_text(fetches, time.monotonic() - started)


def _fetched_text(fetches: int, seconds: float) -> str:
    return f"{fetches} pages in {seconds:.1f} s"


class Job(NamedTuple):
    """A demo job: its function for most modes, and its twin for asyncio mode."""

    function: Callable[..., Any]
    coroutine: Callable[..., Any]


JOBS: dict[str, Job] = {
    "danger": Job(danger_job, danger_job_async),
    "fail": Job(failing_job, failing_job_async),
    "cpu": Job(cpu_job, cpu_job_async),
    "fetch": Job(fetch_job, fetch_job_async),
}
