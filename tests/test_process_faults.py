"""Process mode under attack: cancel storms, workers killed from outside or mid-write,
results that cannot be rebuilt, tasks with children, shutdowns that must keep their bound.
Each test ends with a pool that still runs tasks, or a shutdown within its bound."""

from __future__ import annotations

import collections
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from offthread import TaskState
from offthread.core import portable

from . import tasks
from .helpers import SignalLog, process_alive, wait_done, wait_until_gone
from .test_modes import assert_fails_in_process_mode, assert_the_pool_runs

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")


def assert_one_ending_then_finished(log: SignalLog, task_id: int) -> None:
    """A task's events: at most one ``started``, first; exactly one ending; ``finished`` last."""
    names = log.names(task_id)
    endings = [n for n in names if n in ("result", "error", "cancelled")]
    assert len(endings) == 1 and names[-1] == "finished" and names.count("finished") == 1, names
    assert names[-2] == endings[0], names
    assert "started" not in names[1:], names


def worker_pid(backend, qtbot, handle) -> int:
    """The pid of the worker process running ``handle``, which sends it as its first partial result."""
    qtbot.waitUntil(lambda: isinstance(handle.partial, int), timeout=15000)
    return handle.partial


def test_a_cancel_storm_never_wedges_the_pool_and_a_withdrawn_task_never_runs(make_backend, qtbot, tmp_path):
    backend = make_backend(processes=2)
    log = SignalLog(backend.signals)
    handles = []
    for round_ in range(4):
        batch = [
            backend.submit_task(tasks.mark_and_sleep, (str(tmp_path / f"{round_}-{i}"), 0.01), mode="process")
            for i in range(150)
        ]
        backend.cancelAll()
        handles += batch
    for handle in handles:
        wait_done(qtbot, handle, timeout=15000)
    for handle in handles:
        assert_one_ending_then_finished(log, handle.id)
        ran = os.path.exists(handle_marker(tmp_path, handles, handle))
        if handle.started_at is None:  # reported as never started: its body must not have run
            assert not ran, f"task {handle.id} was withdrawn, yet its body ran"
    assert_the_pool_runs(backend, qtbot, 3)


def handle_marker(tmp_path, handles, handle) -> str:
    index = handles.index(handle)
    return str(tmp_path / f"{index // 150}-{index % 150}")


def test_a_hard_stop_while_the_worker_writes_large_partials_leaves_the_pool_working(make_backend, qtbot):
    backend = make_backend(processes=2)
    for _ in range(3):
        flood = backend.submit_task(tasks.flood_partials, (1 << 20,), mode="process")
        qtbot.waitUntil(lambda flood=flood: flood.partial is not None, timeout=15000)
        backend.cancel(flood.id)
        wait_done(qtbot, flood, timeout=5000)
        assert flood.state == TaskState.CANCELLED
    assert_the_pool_runs(backend, qtbot, 4)


def test_a_worker_killed_mid_task_fails_just_that_task(make_backend, qtbot):
    backend = make_backend(processes=2)
    victim = backend.submit_task(tasks.report_pid_then_wait, mode="process")
    pid = worker_pid(backend, qtbot, victim)
    os.kill(pid, signal.SIGKILL)
    wait_done(qtbot, victim, timeout=5000)
    assert (victim.state, victim.error.message) == (
        TaskState.FAILED,
        "the worker process running this task was killed by SIGKILL",
    )
    assert_the_pool_runs(backend, qtbot, 5)


def test_an_idle_worker_killed_from_outside_is_replaced(make_backend, qtbot):
    backend = make_backend(processes=1)
    probe = backend.submit_task(tasks.this_pid, mode="process")
    wait_done(qtbot, probe, timeout=15000)
    os.kill(probe.result, signal.SIGKILL)
    wait_until_gone(probe.result)
    after = backend.submit_task(tasks.this_pid, mode="process")
    wait_done(qtbot, after, timeout=15000)
    assert after.state == TaskState.FINISHED and after.result != probe.result


def test_a_result_that_cannot_be_rebuilt_fails_its_task_and_the_pool_goes_on(backend, qtbot):
    handle = assert_fails_in_process_mode(
        backend, qtbot, tasks.return_unrebuildable, says="the result cannot be rebuilt in the GUI process"
    )
    assert "NeedsTwo" in handle.error.message


def test_a_partial_result_that_cannot_be_rebuilt_fails_its_task(backend, qtbot):
    assert_fails_in_process_mode(
        backend, qtbot, tasks.send_unrebuildable_partial, says="a partial result cannot be rebuilt in the GUI process"
    )


def test_an_exception_that_cannot_be_rebuilt_still_fails_its_task_readably(backend, qtbot):
    handle = backend.submit_task(tasks.raise_unrebuildable, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert (handle.state, handle.error.summary) == (TaskState.FAILED, "NeedsTwo: 1 and 2")


def test_a_hard_stop_ends_the_children_of_the_task_too(backend, qtbot):
    handle = backend.submit_task(tasks.start_child_then_spin, mode="process")
    qtbot.waitUntil(lambda: isinstance(handle.partial, int), timeout=15000)
    child = handle.partial
    assert process_alive(child)
    backend.cancel(handle.id)
    wait_done(qtbot, handle, timeout=5000)
    wait_until_gone(child)


@pytest.mark.parametrize("how", ["session", "setpgid", "daemon"])
@pytest.mark.parametrize("end", ["hard stop", "shutdown"])
def test_a_child_that_left_the_workers_group_ends_with_the_task_or_the_pool(make_backend, qtbot, how, end):
    if how == "daemon" and (portable.portable() or not sys.platform.startswith("linux")):
        pytest.skip("without a subreaper (Linux's), a daemon's double fork leaves the worker's tree")
    backend = make_backend(processes=1)
    handle = backend.submit_task(tasks.start_child_that_leaves_the_group, (how,), mode="process")
    qtbot.waitUntil(lambda: isinstance(handle.partial, int), timeout=15000)
    child = handle.partial
    assert process_alive(child) and os.getpgid(child) != os.getpgid(backend.mode_named("process").worker_pids()[0])
    if end == "hard stop":
        backend.cancel(handle.id)
        wait_done(qtbot, handle, timeout=5000)
        assert handle.state == TaskState.CANCELLED
    else:
        assert backend.shutdown(2000)
    wait_until_gone(child)


def test_no_process_a_task_started_outlives_shutdown(make_backend, qtbot):
    backend = make_backend(processes=1)
    handle = backend.submit_task(tasks.fork_child_and_return, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert process_alive(handle.result)
    assert backend.shutdown(2000)
    wait_until_gone(handle.result)


def test_shutdown_keeps_its_bound_when_workers_ignore_sigterm(make_backend, qtbot):
    backend = make_backend(processes=2)
    stuck = [backend.submit_task(tasks.ignore_sigterm_and_sleep, (60,), mode="process") for _ in range(2)]
    qtbot.waitUntil(lambda: all(h.state == TaskState.RUNNING for h in stuck), timeout=15000)
    begun = time.monotonic()
    assert backend.shutdown(1000)
    assert time.monotonic() - begun < 1.5
    assert all(h.state == TaskState.CANCELLED for h in stuck)


def test_a_resume_is_never_lost_however_many_tasks_wait(make_backend, qtbot):
    backend = make_backend(processes=1)
    first = backend.submit_task(tasks.pause_point_loop, mode="process")
    qtbot.waitUntil(lambda: first.progress == 1, timeout=15000)
    backend.pause(first.id)
    qtbot.waitUntil(lambda: first.state == TaskState.PAUSED, timeout=5000)
    waiting = [backend.submit_task(tasks.square, (i,), mode="process") for i in range(4100)]
    twin = next(h for h in waiting if h.id == first.id + 4096)  # a shared table of 4096 slots put them together
    backend.resume(first.id)
    backend.pause(twin.id)  # a request for another task, right after the resume
    wait_done(qtbot, first, timeout=15000)
    assert first.result == "resumed and done"
    wait_done(qtbot, waiting[-1], timeout=60000)
    assert waiting[-1].result == 4099**2


def test_a_huge_maximum_is_a_fine_progress_scale_in_a_worker_process(backend, qtbot):
    handle = backend.submit_task(tasks.huge_numbers, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert (handle.state, handle.result, handle.progress) == (TaskState.FINISHED, "counted", 100)


def test_a_signal_meant_for_the_app_does_not_end_a_starting_worker():
    # A worker starts with SIGINT blocked while it shares the app's process
    # group; a Ctrl+C sent to the group then is pending in it when it has a
    # group of its own, and must not end it with a KeyboardInterrupt.
    code = (
        "import os, signal\n"
        "from offthread.core.remote import unblock_signals_dropping_the_apps\n"
        # As Python sets it, whatever this test inherited (a background job ignores SIGINT).
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "unblock_signals_dropping_the_apps()\n"
        "from offthread.core import portable\n"
        # Where it shares the app's group (the portable paths) a worker ignores SIGINT: the app's to act on.
        "expected = signal.default_int_handler if portable.groups() else signal.SIG_IGN\n"
        "assert signal.getsignal(signal.SIGINT) is expected\n"
        "print('still here')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert (done.returncode, done.stdout, done.stderr) == (0, "still here\n", "")


def test_an_exit_while_a_worker_is_being_started_does_not_hang():
    # The worker has started, and the manager thread has not yet put it in the
    # pool (held there, so that the moment is certain) when the app exits
    # without a shutdown. multiprocessing's exit joins it; it waits for its
    # pipe to close, which comes only after that join: the app hung.
    code = (
        "import sys, threading\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from offthread.core.processpool import ProcessPool\n"
        "from offthread.core.workerprocess import WorkerProcess\n"
        "from tests import tasks\n"
        "started = threading.Event()\n"
        "start = WorkerProcess.start\n"
        "def held(*args):\n"
        "    start(*args)\n"
        "    started.set()\n"
        "    threading.Event().wait()  # the manager thread stays here, before the pool has the worker\n"
        "WorkerProcess.start = held\n"
        "pool = ProcessPool(1, lambda *event: None)\n"
        "pool.submit(1, (tasks.square, (2,), {}))\n"
        "assert started.wait(60)\n"
        "print('exiting', flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "exiting\n"), done.stderr


def test_an_exit_without_a_shutdown_says_nothing_of_the_workers_it_ends():
    # At exit every worker is killed and none starts. The manager thread, still
    # running, took each of those ends for a worker that could not start, and
    # warned so on stderr of a program that had done nothing wrong.
    code = (
        "import sys, threading\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from offthread.core.processpool import ProcessPool\n"
        "from tests import tasks\n"
        "finished = threading.Event()\n"
        "pool = ProcessPool(2, lambda name, *args: name == 'finished' and finished.set())\n"
        "pool.submit(1, (tasks.square, (2,), {}))\n"
        "assert finished.wait(60)\n"
        "print('exiting', flush=True)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "exiting\n", "")


def test_a_ctrl_c_to_the_group_it_shares_with_the_app_does_not_end_a_portable_paths_worker():
    # On the portable paths (Windows) a worker has no process group of its
    # own: a Ctrl+C to the app's group reached it too, and ended its task (or
    # it, between two) with a KeyboardInterrupt traceback on the app's stderr.
    # The app acts on the Ctrl+C itself. Here the app is a script in a session
    # of its own, whose own handler only notes the signal.
    code = (
        "import os, signal, sys, threading\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from offthread.core.processpool import ProcessPool\n"
        "from tests import tasks\n"
        "signal.signal(signal.SIGINT, lambda *args: None)\n"
        "started, ended, outcome = threading.Event(), threading.Event(), []\n"
        "def emit(name, task_id, *args):\n"
        "    if name == 'started':\n"
        "        started.set()\n"
        "    elif name != 'finished':\n"
        "        outcome.append(str(name))\n"
        "        ended.set()\n"
        "pool = ProcessPool(1, emit)\n"
        "pool.submit(1, (tasks.sleep_in_steps, (1.0,), {}))\n"
        "assert started.wait(60)\n"
        "os.killpg(0, signal.SIGINT)\n"
        "assert ended.wait(60)\n"
        "print(outcome, flush=True)\n"
        "assert pool.shutdown(10)\n"
    )
    environment = dict(os.environ, OFFTHREAD_PORTABLE="1")
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        start_new_session=True,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "['result']\n", "")


def test_a_task_cancelled_while_it_waits_behind_another_in_its_worker_never_runs(make_backend, qtbot, tmp_path):
    # Short tasks are sent to a worker ahead of time (processpool.PREFETCH):
    # the ones queued behind a task that turns out long wait in its pipe.
    # Cancelling one there must not run its body, and its hard stop must not
    # kill the long task ahead of it, which never checks and would die.
    backend = make_backend(processes=1)
    for i in range(8):  # the pool learns that tasks are short
        wait_done(qtbot, backend.submit_task(tasks.square, (i,), mode="process"), timeout=15000)
    markers = [tmp_path / "first ran", tmp_path / "second ran"]
    long = backend.submit_task(tasks.never_checks, (1.5,), mode="process")
    behind = [backend.submit_task(tasks.mark_and_sleep, (str(m), 0), mode="process") for m in markers]
    log = SignalLog(backend.signals)
    qtbot.waitUntil(lambda: long.state == TaskState.RUNNING, timeout=15000)
    backend.cancel(behind[0].id)
    for handle in (long, *behind):
        wait_done(qtbot, handle, timeout=15000)
    assert (long.state, long.result) == (TaskState.FINISHED, "slept")  # not killed
    assert behind[0].state == TaskState.CANCELLED and not markers[0].exists()
    assert behind[1].state == TaskState.FINISHED and markers[1].exists()  # the one after it runs
    assert "result" not in log.names(behind[0].id) and log.names(behind[0].id)[-1] == "finished"


@pytest.mark.parametrize("how", ["return", "exit"])
def test_only_the_worker_speaks_for_its_task_not_a_child_the_task_forked(make_backend, qtbot, how):
    backend = make_backend(processes=1)
    log = SignalLog(backend.signals)
    handle = backend.submit_task(tasks.fork_child_that_ends_the_task, (how,), mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert handle.state == TaskState.FINISHED, handle.error
    assert handle.result == ("the parent's result", 0)  # the child left at once, quietly
    assert log.names(handle.id) == ["started", "result", "finished"]
    assert_the_pool_runs(backend, qtbot, 5)


def test_the_pool_never_signals_a_process_or_group_that_is_gone(make_backend, qtbot, monkeypatch):
    # Once a worker has ended and been reaped, its pid may belong to another
    # process of the user's: a kill sent there would end it.
    missed = []

    def recording(real):
        def signal_one(target, number):
            try:
                real(target, number)
            except ProcessLookupError:
                missed.append((real.__name__, target, number))
                raise

        return signal_one

    monkeypatch.setattr(os, "kill", recording(os.kill))
    monkeypatch.setattr(os, "killpg", recording(os.killpg))
    backend = make_backend(processes=2)
    assert_fails_in_process_mode(backend, qtbot, tasks.die, (3,), says="died (exit code 3)")  # a worker's own exit
    handle = backend.submit_task(tasks.wait_for_cancel, mode="process")
    qtbot.waitUntil(lambda: handle.progress == 10, timeout=15000)
    backend.cancel(handle.id)  # a cancel that is heard: the worker lives on
    wait_done(qtbot, handle, timeout=15000)
    stuck = backend.submit_task(tasks.spin_forever, mode="process")
    qtbot.waitUntil(lambda: stuck.state == TaskState.RUNNING, timeout=15000)
    backend.cancel(stuck.id)  # a hard stop
    wait_done(qtbot, stuck, timeout=15000)
    assert_the_pool_runs(backend, qtbot, 4)
    assert backend.shutdown(5000)  # idle workers told to stop
    assert missed == []


def test_a_fork_server_killed_fails_no_running_task_and_a_new_one_starts_new_workers(make_backend, qtbot):
    # The workers' sentinels are pipes from the fork server: its death looked
    # like every worker's, and failed every running task in workers that lived on.
    from multiprocessing import forkserver

    if not hasattr(os, "pidfd_open"):
        pytest.skip("without pidfds the pool learns of a worker's end from the fork server")
    backend = make_backend(processes=2)
    if backend.mode_named("process").pool.start_method != "forkserver":
        pytest.skip("a fork server only starts the workers under the forkserver start method")
    running = [backend.submit_task(tasks.wait_for_cancel, mode="process") for _ in range(2)]
    qtbot.waitUntil(lambda: all(h.progress == 10 for h in running), timeout=15000)
    server = forkserver._forkserver._forkserver_pid
    assert server is not None
    os.kill(server, signal.SIGKILL)
    wait_until_gone(server)
    backend.processCount = 3  # a third worker: through a new fork server
    third = backend.submit_task(tasks.this_pid, mode="process")
    wait_done(qtbot, third, timeout=15000)
    assert third.state == TaskState.FINISHED, third.error
    assert all(h.state == TaskState.RUNNING for h in running)  # not failed: their workers live
    for handle in running:
        backend.cancel(handle.id)
    for handle in running:
        wait_done(qtbot, handle, timeout=15000)
    assert all(h.state == TaskState.CANCELLED for h in running)
    assert_the_pool_runs(backend, qtbot, 6)


def test_a_worker_whose_task_closed_its_stdio_is_replaced(make_backend, qtbot):
    backend = make_backend(processes=1)
    broken = backend.submit_task(tasks.close_stdio, mode="process")
    wait_done(qtbot, broken, timeout=15000)
    assert broken.state == TaskState.FINISHED, broken.error
    later = [backend.submit_task(tasks.print_and_pid, (f"line {i}",), mode="process") for i in range(5)]
    for handle in later:
        wait_done(qtbot, handle, timeout=15000)
    assert all(h.state == TaskState.FINISHED for h in later), [h.error for h in later]  # no EBADF
    assert broken.result not in {h.result for h in later}  # a new worker took its place
    wait_until_gone(broken.result)


@pytest.mark.parametrize("limit", [1, 3])
def test_max_tasks_per_child_ends_a_worker_after_that_many_tasks(make_backend, qtbot, limit):
    backend = make_backend(processes=2, max_tasks_per_child=limit)
    log = SignalLog(backend.signals)
    handles = [backend.submit_task(tasks.this_pid, mode="process") for _ in range(60)]
    for handle in handles:
        wait_done(qtbot, handle, timeout=30000)
    assert all(h.state == TaskState.FINISHED for h in handles), [h.error for h in handles if h.error][:3]
    runs = collections.Counter(h.result for h in handles)
    assert max(runs.values()) <= limit and len(runs) >= 60 // limit, runs
    for handle in handles:  # a task sent ahead to a worker that then retired started once, where it ran
        assert log.names(handle.id) == ["started", "result", "finished"], log.names(handle.id)
    with pytest.raises(ValueError, match="max_tasks_per_child"):
        make_backend(max_tasks_per_child=0)


def test_a_worker_that_ends_as_it_speaks_is_read_no_more_once_buried(make_backend, qtbot, monkeypatch):
    # One select() can report a worker's death and its pipe at once. Handled
    # death first (the order is the kernel's), its pipe was read after it was
    # closed: the manager thread died on "handle is closed" (and a read of a
    # closed fd number may read another file's). Force that order.
    from offthread.core import poolmanager

    class DeathsFirst(poolmanager.selectors.DefaultSelector):
        def select(self, timeout=None):
            ready = super().select(timeout)
            return sorted(ready, key=lambda item: not (item[0].data and item[0].data[1] == "death"))

    monkeypatch.setattr(poolmanager.selectors, "DefaultSelector", DeathsFirst)
    backend = make_backend(processes=2, max_tasks_per_child=1)  # each worker ends as it sends its result
    handles = [backend.submit_task(tasks.this_pid, mode="process") for _ in range(30)]
    for handle in handles:
        wait_done(qtbot, handle, timeout=30000)
    assert all(h.state == TaskState.FINISHED for h in handles), [h.error for h in handles if h.error][:3]


def test_a_worker_that_writes_what_is_not_a_message_is_replaced_and_the_pool_goes_on(make_backend, qtbot, caplog):
    # An impossible size prefix made the manager thread's reader raise: the
    # manager stopped and every task of the pool failed with it.
    backend = make_backend(processes=1)
    assert_fails_in_process_mode(backend, qtbot, tasks.write_what_is_not_a_message, says="SIGKILL")
    assert [r.getMessage().split(" sent ")[1] for r in caplog.records if r.levelno >= logging.WARNING] == [
        "a malformed message; it is replaced"
    ]
    caplog.clear()
