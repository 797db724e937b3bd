"""Process mode shares its workers: no task waits in one worker's pipe behind a task
that is paused or long while another worker is idle, one worker that does not read
holds up no other, and a smaller pool takes effect at once."""

from __future__ import annotations

import os
import signal
import time

import pytest

from offthread import TaskState

from . import tasks
from .helpers import wait_done, wait_until_gone

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")


def run_all(backend, qtbot, fn, args_list, timeout=30000):
    handles = [backend.submit_task(fn, args, mode="process") for args in args_list]
    for handle in handles:
        wait_done(qtbot, handle, timeout=timeout)
    return handles


def warm_up(backend, qtbot):
    """Tiny tasks, of the function the test then runs long: the pool learns it is short
    and sends such tasks to a worker ahead of time (processpool.PREFETCH). Both workers
    are ready first: under "spawn" one starts well after the other."""
    pool = backend.mode_named("process").pool
    pool.start()
    qtbot.waitUntil(lambda: sum(process.seat.hello for process in pool._manager.processes()) == 2, timeout=15000)
    handles = run_all(backend, qtbot, tasks.sleep_in_steps, [(0,)] * 300)
    assert len({h.result for h in handles}) == 2  # both workers took some


@pytest.mark.parametrize("how", ["paused", "long"])
def test_tasks_sent_ahead_of_a_task_that_pauses_or_runs_long_go_to_the_idle_worker(make_backend, qtbot, how):
    backend = make_backend(processes=2)
    warm_up(backend, qtbot)
    first = backend.submit_task(tasks.sleep_in_steps, (60,), mode="process")
    tiny = [backend.submit_task(tasks.sleep_in_steps, (0,), mode="process") for _ in range(7)]
    if how == "paused":
        backend.pause(first.id)
        qtbot.waitUntil(lambda: first.state == TaskState.PAUSED, timeout=15000)
    for handle in tiny:  # on the other worker, while the first one still runs (60 s) or is paused
        wait_done(qtbot, handle, timeout=15000)
    assert all(h.state == TaskState.FINISHED for h in tiny), [(h.state, h.error) for h in tiny]
    assert first.state == (TaskState.PAUSED if how == "paused" else TaskState.RUNNING)
    if how == "paused":
        backend.resume(first.id)
        qtbot.waitUntil(lambda: first.state == TaskState.RUNNING, timeout=15000)
    backend.cancel(first.id)
    wait_done(qtbot, first, timeout=15000)
    assert first.state == TaskState.CANCELLED
    later = run_all(backend, qtbot, tasks.sleep_in_steps, [(0,)] * 20)  # the pool goes on
    assert all(h.state == TaskState.FINISHED for h in later)


def test_a_worker_that_reads_nothing_holds_up_no_other_and_its_hard_stop_still_comes(make_backend, qtbot):
    # A task in a long C call that holds its worker's GIL keeps the worker's
    # reader thread from reading: its pipe fills up. A stopped worker does
    # the same, deterministically.
    backend = make_backend(processes=1)
    run_all(backend, qtbot, tasks.square, [(i,) for i in range(20)])
    mode = backend.mode_named("process")
    (stuck,) = mode.worker_pids()
    os.kill(stuck, signal.SIGSTOP)
    try:
        big = [backend.submit_task(tasks.length, (bytes(1_000_000),), mode="process") for _ in range(6)]
        qtbot.waitUntil(lambda: big[0].state == TaskState.RUNNING, timeout=15000)  # it is the stuck worker's
        backend.processCount = 2  # a second worker starts: the manager is not waiting on the first
        for handle in big[1:]:
            wait_done(qtbot, handle, timeout=20000)
        assert [h.result for h in big[1:]] == [1_000_000] * 5
        assert big[0].state == TaskState.RUNNING
        cancelled_at = time.monotonic()
        backend.cancel(big[0].id)
        wait_done(qtbot, big[0], timeout=15000)
        assert big[0].state == TaskState.CANCELLED
        assert time.monotonic() - cancelled_at < 5  # the hard stop, 0.5 s after the cancel, and no more
        wait_until_gone(stuck)
    finally:
        try:
            os.kill(stuck, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert run_all(backend, qtbot, tasks.square, [(7,)])[0].result == 49


def test_a_smaller_pool_takes_effect_at_once_while_tasks_are_queued(make_backend, qtbot):
    backend = make_backend(processes=3)
    run_all(backend, qtbot, tasks.this_pid, [()] * 300)
    handles = [backend.submit_task(tasks.pid_and_start, mode="process") for _ in range(20000)]
    qtbot.waitUntil(lambda: handles[1000].done, timeout=30000)
    smaller_at = time.monotonic()
    backend.processCount = 1
    assert len([h for h in handles if not h.done]) > 5000, "the tasks ran too fast for this test to mean anything"
    mode = backend.mode_named("process")
    qtbot.waitUntil(lambda: len(mode.worker_pids()) == 1, timeout=15000)
    assert not handles[-1].done  # the extra workers ended while tasks were still queued
    for handle in handles:
        wait_done(qtbot, handle, timeout=60000)
    # Those in a retiring worker's pipe may have run there just after; none later.
    # By start time, not by what the window had seen: under load it shows
    # results thousands of tasks late.
    pids = {pid for pid, started in (h.result for h in handles) if started > smaller_at + 0.5}
    assert pids == set(mode.worker_pids()), pids
