"""asyncio mode: async def functions as tasks, on one event loop of the backend's own."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading

import pytest

from offthread import TaskState
from offthread.app.jobs import fetch_job_async

from . import tasks
from .helpers import SignalLog, click, find_item, wait_done, wait_for_item

MODE = "asyncio"


async def double(x, *, task):
    task.set_maximum(3)
    for n in range(1, 4):
        await task.sleep_async(0.01)
        task.progress(n)
        task.partial(n * 10)
    return x * 2


async def waits_on_a_future(started: threading.Event, cleaned: threading.Event, *, task):
    started.set()
    try:
        await asyncio.get_running_loop().create_future()  # never done: only a cancel ends it
    finally:
        cleaned.set()


async def steps_until(gate: threading.Event, *, task):
    n = 0
    while not gate.is_set():
        n += 1
        task.progress(n % 100)
        await task.check_async()
        await asyncio.sleep(0.001)
    return n


def loop_threads():
    return [t for t in threading.enumerate() if t.name == "offthread-asyncio"]


def test_a_coroutine_task_reports_and_returns_like_any_task(backend, qtbot):
    log = SignalLog(backend.signals)
    handle = backend.submit_task(double, (21,), mode=MODE)
    wait_done(qtbot, handle)
    assert (handle.state, handle.result, handle.progress) == (TaskState.FINISHED, 42, 100)
    names = log.names(handle.id)
    assert names[0] == "started" and names[-2:] == ["result", "finished"]
    assert [e[2] for e in log.of(handle.id) if e[0] == "partial"] == [10, 20, 30]


def test_a_thousand_waiting_coroutines_wait_together(backend, qtbot):
    """All of them are waiting at once: the last to arrive lets them all go.

    (How long that takes beside bare asyncio is bench/asyncio_many.py's.)"""
    count = 1000
    waiting = peak = 0
    everyone: list = []  # one asyncio.Event, made on the loop's thread by the first to arrive

    async def wait_for_the_others(n):
        nonlocal waiting, peak
        if not everyone:
            everyone.append(asyncio.Event())
        waiting += 1
        peak = max(peak, waiting)
        if waiting == count:
            everyone[0].set()
        await everyone[0].wait()
        waiting -= 1
        return n

    log = SignalLog(backend.signals)
    handles = [backend.submit_task(wait_for_the_others, (n,), mode=MODE) for n in range(count)]
    qtbot.waitUntil(lambda: all(h.done for h in handles), timeout=10000)
    assert peak == count
    assert [h.result for h in handles] == list(range(count))
    results = [e for e in log.events if e[0] == "result"]
    assert sorted(e[1] for e in results) == sorted(h.id for h in handles)  # each once


def test_cancel_reaches_the_coroutine_at_once_and_its_finally_runs(backend, qtbot):
    started, cleaned = threading.Event(), threading.Event()
    log = SignalLog(backend.signals)
    handle = backend.submit_task(waits_on_a_future, (started, cleaned), mode=MODE)
    qtbot.waitUntil(started.is_set)
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED
    assert cleaned.is_set()
    assert log.names(handle.id)[-2:] == ["cancelled", "finished"]


def test_a_timeout_cancels_the_coroutine_and_says_so(backend, qtbot):
    started, cleaned = threading.Event(), threading.Event()
    handle = backend.submit_task(waits_on_a_future, (started, cleaned), mode=MODE, timeout=0.2)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.TIMED_OUT
    assert cleaned.is_set()


def test_pause_waits_at_an_awaitable_check_point_while_other_coroutines_run(backend, qtbot):
    gate = threading.Event()
    paused = backend.submit_task(steps_until, (gate,), mode=MODE)
    qtbot.waitUntil(lambda: paused.state == TaskState.RUNNING)
    backend.pause(paused.id)
    qtbot.waitUntil(lambda: paused.state == TaskState.PAUSED)
    other = backend.submit_task(double, (1,), mode=MODE)  # the loop is not held by the pause
    wait_done(qtbot, other)
    assert other.result == 2
    gate.set()  # would end the loop, but the task waits before it can see it
    backend.resume(paused.id)
    wait_done(qtbot, paused)
    assert paused.state == TaskState.FINISHED and paused.result > 0


def test_a_paused_coroutine_can_be_cancelled(backend, qtbot):
    gate = threading.Event()
    handle = backend.submit_task(steps_until, (gate,), mode=MODE)
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING)
    backend.pause(handle.id)
    qtbot.waitUntil(lambda: handle.state == TaskState.PAUSED)
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED


def test_an_async_generator_yields_progress_and_partial_results(backend, qtbot):
    async def rows():
        yield 25.0
        await asyncio.sleep(0)
        yield "first row"
        yield 50.0

    log = SignalLog(backend.signals)
    handle = backend.submit_task(rows, mode=MODE)
    wait_done(qtbot, handle)
    assert (handle.state, handle.result) == (TaskState.FINISHED, None)
    assert [e[2] for e in log.of(handle.id) if e[0] == "partial"] == ["first row"]
    assert log.progress(handle.id)[0] == 25.0


def test_a_failing_coroutine_fails_with_its_traceback(backend, qtbot):
    async def broken():
        await asyncio.sleep(0)
        raise KeyError("missing")

    handle = backend.submit_task(broken, mode=MODE)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FAILED
    assert handle.error.summary == "KeyError: 'missing'"
    assert "in broken" in handle.error.traceback


def test_a_plain_function_in_asyncio_mode_fails_with_a_clear_error(backend, qtbot):
    handle = backend.submit_task(tasks.square, (3,), mode=MODE)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FAILED
    assert handle.error.type == "TypeError"
    assert 'asyncio mode runs async def functions, and square is not one: submit it with mode="thread"' in (
        handle.error.summary
    )


@pytest.mark.parametrize("mode", ["thread", "gui", "events", "process"])
def test_a_coroutine_function_in_another_mode_fails_naming_asyncio(backend, qtbot, mode):
    handle = backend.submit_task(tasks.async_square, (3,), mode=mode)
    wait_done(qtbot, handle, timeout=15000)
    assert handle.state == TaskState.FAILED
    assert handle.error.summary == (
        'TypeError: async_square is an async def function: submit it with mode="asyncio", which runs coroutines'
    )


def test_blocking_sleep_in_a_coroutine_fails_and_says_what_to_await(backend, qtbot):
    async def blocks(task):
        task.sleep(1)

    handle = backend.submit_task(blocks, mode=MODE)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FAILED
    assert "use await task.sleep_async(seconds)" in handle.error.summary


def test_the_loop_starts_with_the_first_task_and_shutdown_closes_it(make_backend, qtbot):
    backend = make_backend()
    assert not loop_threads()  # nothing started for a mode not used yet
    started, cleaned = threading.Event(), threading.Event()
    handle = backend.submit_task(waits_on_a_future, (started, cleaned), mode=MODE)
    qtbot.waitUntil(started.is_set)
    assert len(loop_threads()) == 1
    assert backend.shutdown(2000)
    assert handle.state == TaskState.CANCELLED and cleaned.is_set()
    assert not loop_threads()
    with pytest.raises(RuntimeError, match="shut down"):
        backend.submit_task(double, (1,), mode=MODE)


def test_the_app_does_not_import_asyncio_to_start():
    script = "import sys, offthread.app.run, offthread.app.backend; print('asyncio' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False"


# -- in the app --------------------------------------------------------------------


def test_the_io_job_fetches_at_once_in_asyncio_mode_with_a_partial_result_per_page(ui, backend, qtbot):
    backend.fetches = 6
    log = SignalLog(backend.signals)
    backend.mode = MODE
    click(qtbot, ui.window, find_item(ui.window, "fetchButton"))
    qtbot.waitUntil(lambda: len(backend.tasks()) == 1)
    handle = backend.tasks()[0]
    assert (handle.name, handle.mode) == ("I/O job", MODE)
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    outcome = find_item(row, "taskOutcomeLabel")
    # While it runs, the row shows the count and the latest page: "2 / 6 · page 3: ..."
    qtbot.waitUntil(lambda: " · page " in outcome.property("text") or handle.done, timeout=5000)
    assert not handle.done, "the job ended before its row showed a page"
    wait_done(qtbot, handle, timeout=10000)
    assert handle.state == TaskState.FINISHED
    assert handle.result.startswith("6 pages in ")
    seconds = float(handle.result.split(" in ")[1].rstrip(" s"))
    assert seconds < 2.5  # together, about the longest (1.2 s); one after another it would be 4.2 s
    pages = [e[2] for e in log.of(handle.id) if e[0] == "partial"]
    assert sorted(int(p.split(":")[0].split()[1]) for p in pages) == [1, 2, 3, 4, 5, 6]
    assert handle.progress == 100


def test_every_demo_button_runs_its_async_twin_in_asyncio_mode(backend, qtbot):
    backend.mode = MODE
    backend.steps, backend.cpu_limit = 2, 30_000
    backend.danger()
    backend.cpu()
    backend.fail()
    handles = backend.tasks()
    for handle in handles:
        wait_done(qtbot, handle, timeout=15000)
    assert [h.state for h in handles] == [TaskState.FINISHED, TaskState.FINISHED, TaskState.FAILED]
    assert handles[0].result == "Done."
    assert handles[1].result == "3,245 primes below 30,000"
    assert handles[2].error.type == "DemoFailure"


def test_cancelling_the_io_job_stops_its_fetches(backend, qtbot):
    handle = backend.submit_task(fetch_job_async, (50,), mode=MODE)
    qtbot.waitUntil(lambda: handle.partial is not None, timeout=5000)  # the first page is in
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED

    async def tasks_on_the_loop():
        await asyncio.sleep(0.05)  # cancelled fetches end at the loop's next pass
        return len(asyncio.all_tasks())

    probe = backend.submit_task(tasks_on_the_loop, mode=MODE)
    wait_done(qtbot, probe)
    assert probe.result == 1  # the probe itself: the job's fetches ended with it


def test_the_io_job_in_thread_mode_fetches_one_page_after_another(backend, qtbot):
    backend.fetches = 2
    backend.fetch()
    handle = backend.tasks()[-1]
    assert handle.mode == "thread"
    wait_done(qtbot, handle, timeout=10000)
    seconds = float(handle.result.split(" in ")[1].rstrip(" s"))
    assert handle.result.startswith("2 pages in ") and seconds >= 1.6  # 1.0 s + 0.7 s, in turn
