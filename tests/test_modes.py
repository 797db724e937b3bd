"""Execution modes: the same task gives the same result in every mode, and
process mode does all that thread mode does, plus a hard stop."""

from __future__ import annotations

import concurrent.futures
import logging
import os
import signal
import socket
import threading
import time

import pytest
from qtpy.QtCore import QTimer

from offthread import ExecutorMode, TaskState
from offthread.app import Backend, cpu_job

from . import tasks
from .helpers import SignalLog, click, find_item, wait_done, wait_for_item

SMALL_CPU_LIMIT = 20_000
SMALL_CPU_RESULT = "2,262 primes below 20,000"


def assert_the_pool_runs(backend, qtbot, x: int) -> None:
    """Process mode still runs a task to its result (after a hard stop, a failure...)."""
    after = backend.submit_task(tasks.square, (x,), mode="process")
    wait_done(qtbot, after, timeout=15000)
    assert after.result == x * x


def assert_fails_in_process_mode(backend, qtbot, fn, args=(), *, says: str):
    """``fn(*args)`` in process mode fails its task, with ``says`` in the message, and the pool goes on."""
    handle = backend.submit_task(fn, args, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert handle.state == TaskState.FAILED
    assert says in handle.error.message, handle.error.message
    assert_the_pool_runs(backend, qtbot, 5)
    return handle


@pytest.fixture
def with_executor(make_backend):
    """A backend that also offers a plugged-in ThreadPoolExecutor, as mode "pool"."""
    backend = make_backend(max_threads=2, processes=2)
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    backend.add_mode(ExecutorMode("pool", executor, on_shutdown=lambda: executor.shutdown(wait=True)))
    return backend


@pytest.mark.parametrize("mode", ["gui", "events", "thread", "process", "pool"])
def test_every_mode_runs_the_same_job_to_the_same_result(with_executor, qtbot, mode):
    handle = with_executor.submit_task(cpu_job, (SMALL_CPU_LIMIT,), mode=mode)
    wait_done(qtbot, handle, timeout=15000)
    assert (handle.state, handle.result, handle.error) == (TaskState.FINISHED, SMALL_CPU_RESULT, None)
    assert handle.mode == mode
    assert handle.progress == 100


def test_modes_are_listed_and_the_selected_one_is_used_by_the_buttons(backend, qtbot):
    assert backend.modes == ["gui", "events", "thread", "process", "asyncio"]
    assert backend.mode == "thread"
    with qtbot.waitSignal(backend.modeChanged):
        backend.mode = "process"
    assert "processes" in backend.modeDescription
    backend.cpu_limit = SMALL_CPU_LIMIT
    backend.cpu()
    handle = backend.tasks()[-1]
    assert (handle.name, handle.mode) == ("CPU job", "process")
    wait_done(qtbot, handle, timeout=15000)
    assert handle.result == SMALL_CPU_RESULT


def test_an_unknown_mode_is_refused(backend, caplog):
    backend.mode = "warp"
    assert backend.mode == "thread"
    assert "no mode named 'warp'" in caplog.text
    caplog.clear()
    with pytest.raises(ValueError, match="no mode named 'warp'"):
        backend.submit_task(tasks.square, (2,), mode="warp")


# -- process mode matches thread mode ------------------------------------------


def test_process_mode_reports_progress_partials_and_the_result_in_order(backend, qtbot):
    log = SignalLog(backend.signals)
    handle = backend.submit_task(tasks.report_and_return, (20,), mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert handle.result == "reported"
    names = log.names(handle.id)
    assert names[0] == "started" and names[-2:] == ["result", "finished"]
    assert "partial" in names
    progress = log.progress(handle.id)
    assert progress[0] == 0 and progress[-1] == 100 and progress == sorted(progress)


def test_process_mode_drives_generators_and_sends_each_partial_result(backend, qtbot):
    log = SignalLog(backend.signals)
    handle = backend.submit_task(tasks.partials, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert handle.result == "done"
    assert [e[2] for e in log.of(handle.id) if e[0] == "partial"] == ["first", 2]


def test_an_error_in_a_worker_process_comes_back_with_its_traceback(backend, qtbot):
    handle = backend.submit_task(tasks.fail_in_child, ("bad input",), mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert handle.state == TaskState.FAILED
    assert (handle.error.type, handle.error.message) == ("Boom", "bad input")
    assert "tasks.py" in handle.error.traceback and "in fail_in_child" in handle.error.traceback


def test_the_pool_can_start_in_the_background_before_the_first_task(backend, qtbot):
    workers = backend.mode_named("process")
    assert not workers.started
    workers.warm_up()
    qtbot.waitUntil(lambda: workers.started, timeout=15000)
    assert_the_pool_runs(backend, qtbot, 9)


def test_a_worker_process_loads_no_qt(backend, qtbot):
    handle = backend.submit_task(tasks.qt_modules_loaded, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert handle.result == []


def test_process_mode_cancels_a_checking_task_cooperatively(backend, qtbot):
    log = SignalLog(backend.signals)
    handle = backend.submit_task(tasks.wait_for_cancel, mode="process")
    qtbot.waitUntil(lambda: handle.progress == 10, timeout=15000)
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED
    assert log.names(handle.id)[-2:] == ["cancelled", "finished"]


@pytest.mark.parametrize("body", [tasks.spin_forever, tasks.never_checks])
def test_cancelling_a_task_that_never_checks_ends_it_within_a_second_and_the_pool_recovers(backend, qtbot, body):
    args = (60,) if body is tasks.never_checks else ()
    stuck = backend.submit_task(body, args, mode="process")
    qtbot.waitUntil(lambda: stuck.state == TaskState.RUNNING, timeout=15000)
    asked = time.monotonic()
    backend.cancel(stuck.id)
    wait_done(qtbot, stuck, timeout=1000)
    assert time.monotonic() - asked < 1.0
    assert stuck.state == TaskState.CANCELLED
    assert_the_pool_runs(backend, qtbot, 12)


def test_a_queued_process_task_is_withdrawn_and_never_runs(make_backend, qtbot):
    backend = make_backend(processes=1)
    first = backend.submit_task(tasks.wait_for_cancel, mode="process")
    queued = backend.submit_task(tasks.square, (3,), mode="process")
    qtbot.waitUntil(lambda: first.progress == 10, timeout=15000)
    backend.cancel(queued.id)
    wait_done(qtbot, queued)
    assert (queued.state, queued.started_at) == (TaskState.CANCELLED, None)
    backend.cancel(first.id)
    wait_done(qtbot, first)


def test_a_process_task_times_out_even_if_it_never_checks(backend, qtbot):
    handle = backend.submit_task(tasks.never_checks, (60,), mode="process", timeout=0.2)
    wait_done(qtbot, handle, timeout=15000)
    assert handle.state == TaskState.TIMED_OUT
    assert handle.elapsed() < 2


def test_a_process_task_pauses_and_resumes(backend, qtbot):
    handle = backend.submit_task(tasks.count_to, (100_000,), mode="process")
    qtbot.waitUntil(lambda: handle.progress > 0, timeout=15000)
    backend.pause(handle.id)
    qtbot.waitUntil(lambda: handle.state == TaskState.PAUSED)
    paused_at = handle.progress
    backend.resume(handle.id)
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING)
    qtbot.waitUntil(lambda: handle.progress > paused_at)
    backend.cancel(handle.id)
    wait_done(qtbot, handle)


@pytest.mark.parametrize(
    ("fn", "args"),
    [(lambda: 1, ()), (tasks.square, (threading.Lock(),))],
    ids=["lambda", "lock argument"],
)
def test_what_cannot_be_pickled_fails_its_task_with_a_clear_error(backend, qtbot, fn, args):
    handle = assert_fails_in_process_mode(backend, qtbot, fn, args, says="cannot send this task to a worker process")
    assert handle.error.type == "UnpicklableTask"


def test_an_unpicklable_result_fails_its_task(backend, qtbot):
    assert_fails_in_process_mode(backend, qtbot, tasks.unpicklable_result, says="the result cannot be sent back")


def test_a_worker_process_that_dies_fails_its_task_and_the_pool_goes_on(backend, qtbot):
    assert_fails_in_process_mode(backend, qtbot, tasks.die, (3,), says="died (exit code 3)")


def test_shutdown_ends_running_process_tasks_and_their_processes(make_backend, qtbot):
    backend = make_backend(processes=2)
    spinning = [backend.submit_task(tasks.spin_forever, mode="process") for _ in range(2)]
    pids = [backend.submit_task(tasks.this_pid, mode="process") for _ in range(2)]
    qtbot.waitUntil(lambda: all(h.state == TaskState.RUNNING for h in spinning), timeout=15000)
    workers = backend.mode_named("process")
    assert backend.shutdown(2000)
    assert all(h.state == TaskState.CANCELLED for h in spinning + pids)
    assert workers.worker_pids() == []


# -- the GUI thread modes --------------------------------------------------------


def test_gui_mode_freezes_the_gui_and_the_lag_meter_shows_it(backend, qtbot):
    meter = backend.lagMeter
    qtbot.waitUntil(lambda: len(meter._recent) >= 2 and meter.worstMs < 100, timeout=5000)  # it is ticking
    handle = backend.submit_task(tasks.never_checks, (0.4,), mode="gui")
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: meter.worstMs >= 300)


def test_process_mode_runs_cpu_bound_work_while_the_gui_thread_keeps_turning(backend, qtbot):
    """Two tasks hold a core each, and the GUI thread's timer ticks on while they do.

    (How late it ticks is bench/cpu_load.py's: docs/performance.md.)"""
    handles = [backend.submit_task(cpu_job, (100_000_000,), mode="process") for _ in range(2)]
    qtbot.waitUntil(lambda: all(h.progress > 0 for h in handles), timeout=15000)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append([h.state for h in handles]))
    timer.start(10)
    qtbot.waitUntil(lambda: len(ticks) >= 20)
    timer.stop()
    assert all(states == [TaskState.RUNNING] * 2 for states in ticks)  # every tick came while both ran
    for handle in handles:
        backend.cancel(handle.id)
    for handle in handles:
        wait_done(qtbot, handle, timeout=15000)
    assert all(h.state == TaskState.CANCELLED for h in handles)


def test_gui_mode_cannot_pause_and_says_so(backend, qtbot, caplog):
    gate = backend.submit_task(tasks.wait_for_cancel, mode="thread")
    queued = backend.submit_task(tasks.square, (4,), mode="gui")
    backend.pause(queued.id)
    assert "cannot pause" in caplog.text
    assert not queued.pause_requested and not queued.can_pause
    wait_done(qtbot, queued)
    assert queued.result == 16
    backend.cancel(gate.id)
    wait_done(qtbot, gate)


def test_events_mode_keeps_the_gui_live_and_a_click_runs_a_task_inside_another(backend, qtbot, caplog):
    log = SignalLog(backend.signals)
    outer = backend.submit_task(tasks.count_to, (100_000,), mode="events")
    inner = backend.submit_task(tasks.square, (7,), mode="events")
    # While outer runs on the GUI thread, events still come: these timers are
    # the user's clicks. The inner task, due next, runs inside outer's stack.
    QTimer.singleShot(100, lambda: backend.pause(outer.id))
    QTimer.singleShot(300, lambda: backend.resume(outer.id))
    QTimer.singleShot(500, lambda: backend.cancel(outer.id))
    wait_done(qtbot, outer, timeout=10000)
    assert (inner.result, outer.state) == (49, TaskState.CANCELLED)
    assert inner.note == f"started inside #{outer.id}'s processEvents()"
    assert f"while #{inner.id} ran inside it" in outer.note
    assert [n for n in log.names(outer.id) if n in ("paused", "resumed", "cancelled")] == [
        "paused",
        "resumed",
        "cancelled",
    ]
    assert f"task {inner.id} started inside task {outer.id}'s processEvents()" in caplog.text
    caplog.clear()


# -- a plugged-in executor --------------------------------------------------------


def test_an_executor_mode_cancels_queued_tasks_and_drops_running_ones(make_backend, qtbot):
    backend = make_backend()
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    backend.add_mode(ExecutorMode("one", executor, on_shutdown=lambda: executor.shutdown(wait=True)))
    release = threading.Event()
    running = backend.submit_task(release.wait, (10,), mode="one")
    queued = backend.submit_task(tasks.square, (2,), mode="one")
    backend.cancel(queued.id)
    backend.cancel(running.id)
    wait_done(qtbot, queued)
    wait_done(qtbot, running)
    release.set()
    assert (queued.state, running.state) == (TaskState.CANCELLED, TaskState.CANCELLED)
    failing = backend.submit_task(tasks.fail_in_child, ("remote",), mode="one")
    wait_done(qtbot, failing)
    assert failing.error.summary == "Boom: remote"


def test_a_mode_name_is_taken_once(backend):
    with pytest.raises(ValueError, match="a name of its own"):
        backend.add_mode(ExecutorMode("thread", concurrent.futures.ThreadPoolExecutor()))


def test_dask_runs_the_same_job_on_a_local_cluster(make_backend, qtbot):
    pytest.importorskip("distributed")
    from offthread.engine.dask import dask_mode

    backend = make_backend()
    backend.add_mode(dask_mode("local", local_workers=1))
    handle = backend.submit_task(cpu_job, (SMALL_CPU_LIMIT,), mode="dask")
    wait_done(qtbot, handle, timeout=60000)
    assert handle.result == SMALL_CPU_RESULT
    failing = backend.submit_task(tasks.fail_in_child, ("on dask",), mode="dask")
    wait_done(qtbot, failing, timeout=30000)
    assert failing.error.summary == "Boom: on dask"
    assert "in fail_in_child" in failing.error.traceback


def test_the_local_dask_cluster_listens_on_no_fixed_port(make_backend, qtbot):
    pytest.importorskip("distributed")
    from offthread.engine.dask import dask_mode

    with socket.socket() as taken:  # the port a dask dashboard takes by default
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            taken.bind(("127.0.0.1", 8787))
        except OSError:
            pytest.skip("port 8787 is in use here already")
        taken.listen()
        backend = make_backend()
        backend.add_mode(dask_mode("local", local_workers=1))
        handle = backend.submit_task(tasks.square, (8,), mode="dask")
        wait_done(qtbot, handle, timeout=60000)
        assert handle.result == 64


# -- dask tasks report, and can be cancelled and paused, as they run ---------------


@pytest.fixture(scope="module")
def dask_cluster():
    """One local cluster of 2 worker processes for the module's dask tests (each starts in seconds)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    )
    yield cluster
    cluster.close()


def add_dask_mode(backend, cluster, **options):
    """A "dask" mode on ``cluster`` for ``backend`` (closing the backend closes only its client)."""
    from offthread.engine.dask import dask_mode

    mode = dask_mode(cluster.scheduler_address, **options)
    backend.add_mode(mode)
    return mode


def test_a_dask_task_reports_progress_and_partial_results_as_it_runs(make_backend, dask_cluster, qtbot):
    backend = make_backend()
    add_dask_mode(backend, dask_cluster)
    log = SignalLog(backend.signals)
    steps = 300  # 1.5 s at least
    handle = backend.submit_task(tasks.count_and_share, (steps,), mode="dask")
    # Several reports while it runs: its first one, then samples.
    qtbot.waitUntil(lambda: len(set(log.progress(handle.id))) >= 3, timeout=30000)
    assert not handle.done
    assert log.progress(handle.id)[0] == pytest.approx(100 / steps)  # the first report comes, at once
    qtbot.waitUntil(lambda: "finished" in log.names(handle.id), timeout=30000)
    assert (handle.state, handle.result) == (TaskState.FINISHED, steps)
    reported = log.progress(handle.id)
    assert reported == sorted(reported) and len(reported) < steps  # sampled, never backwards
    assert [e[2] for e in log.of(handle.id) if e[0] == "partial"] == list(range(10, steps + 1, 10))  # each, in order
    assert log.names(handle.id)[-2:] == ["result", "finished"]


@pytest.mark.parametrize("how", ["cancel", "timeout"])
def test_a_running_dask_task_stops_at_its_check_point_and_its_finally_runs(make_backend, dask_cluster, qtbot, how):
    backend = make_backend()
    # A long grace: the task can only end by stopping itself, as in a thread.
    add_dask_mode(backend, dask_cluster, cancel_grace_s=30)
    log = SignalLog(backend.signals)
    handle = backend.submit_task(tasks.report_until_cancelled, mode="dask", timeout=1.5 if how == "timeout" else None)
    qtbot.waitUntil(lambda: handle.partial is not None, timeout=30000)  # it runs on a worker
    if how == "cancel":
        backend.cancel(handle.id)
    qtbot.waitUntil(lambda: "finished" in log.names(handle.id), timeout=20000)
    assert handle.state == (TaskState.CANCELLED if how == "cancel" else TaskState.TIMED_OUT)
    events = log.of(handle.id)
    assert [e[0] for e in events[-2:]] == ["cancelled", "finished"]  # nothing after its ending
    last_partial = [e[2] for e in events if e[0] == "partial"][-1]
    assert str(last_partial).startswith("stopped after ")  # its finally block ran, and was heard


def test_a_dask_task_pauses_and_resumes_at_its_check_points(ui, backend, dask_cluster, qtbot):
    add_dask_mode(backend, dask_cluster)
    log = SignalLog(backend.signals)
    handle = backend.submit_task(tasks.count_and_share, (600,), mode="dask")
    qtbot.waitUntil(lambda: handle.progress > 0, timeout=30000)
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    pause = find_item(row, "pauseButton")
    click(qtbot, ui.window, pause)
    qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "paused", timeout=10000)
    assert handle.state == TaskState.PAUSED and pause.property("text") == "Resume"
    qtbot.wait(300)  # a while paused: nothing moves
    assert handle.state == TaskState.PAUSED
    click(qtbot, ui.window, pause)
    qtbot.waitUntil(lambda: handle.state != TaskState.PAUSED, timeout=10000)
    qtbot.waitUntil(lambda: "finished" in log.names(handle.id), timeout=30000)
    assert (handle.state, handle.result) == (TaskState.FINISHED, 600)
    names = log.names(handle.id)
    assert names.count("paused") == names.count("resumed") == 1
    while_paused = log.of(handle.id)[names.index("paused") + 1 : names.index("resumed")]
    # The task was blocked: no partial result, and no progress past where it stopped.
    assert {e[0] for e in while_paused} <= {"progress"}
    assert len({e[2] for e in while_paused}) <= 1
    after = [e[2] for e in log.of(handle.id)[names.index("resumed") :] if e[0] == "progress"]
    assert after and after[-1] > max(log.progress(handle.id)[: names.index("resumed")])  # then it went on


def test_a_dask_task_paused_before_it_starts_pauses_at_its_first_check_point(make_backend, dask_cluster, qtbot):
    from offthread.core import daskremote

    backend = make_backend()
    mode = add_dask_mode(backend, dask_cluster)
    log = SignalLog(backend.signals)
    busy = [backend.submit_task(tasks.report_until_cancelled, mode="dask") for _ in range(2)]
    qtbot.waitUntil(lambda: all(h.progress > 0 for h in busy), timeout=30000)  # both workers are taken
    waiting = backend.submit_task(tasks.share_after_first_check, mode="dask")
    withdrawn = backend.submit_task(tasks.square, (3,), mode="dask")
    backend.pause(waiting.id)
    backend.cancel(withdrawn.id)  # not started: withdrawn at once
    wait_done(qtbot, withdrawn)
    assert withdrawn.state == TaskState.CANCELLED and "started" not in log.names(withdrawn.id)
    assert waiting.state == TaskState.QUEUED  # it shows as running once a worker runs it
    backend.cancel(busy[0].id)  # a worker is free: the paused task starts there
    qtbot.waitUntil(lambda: waiting.state == TaskState.PAUSED, timeout=10000)
    assert log.names(waiting.id) == ["started", "progress", "paused"]  # stopped at its first check point
    backend.resume(waiting.id)
    qtbot.waitUntil(lambda: "finished" in log.names(waiting.id), timeout=10000)
    assert waiting.result == "done"
    assert log.names(waiting.id)[3:] == ["resumed", "partial", "result", "finished"]
    # The other worker kept the pause for it, in case it ran there; it forgets it now.
    qtbot.waitUntil(lambda: not any(mode.client.run(daskremote.pending_tasks, mode.topic).values()), timeout=5000)
    backend.cancel(busy[1].id)
    wait_done(qtbot, busy[1], timeout=10000)


def test_a_dask_partial_result_that_cannot_be_rebuilt_fails_its_task_and_stops_it(make_backend, dask_cluster, qtbot):
    from offthread.core import daskremote

    backend = make_backend()
    mode = add_dask_mode(backend, dask_cluster)
    handle = backend.submit_task(tasks.send_unrebuildable_partial, mode="dask")
    wait_done(qtbot, handle, timeout=30000)
    assert handle.state == TaskState.FAILED
    assert "a partial result cannot be rebuilt in the GUI process" in handle.error.message
    qtbot.waitUntil(lambda: not any(mode.client.run(daskremote.running_tasks, mode.topic).values()), timeout=5000)


def test_a_dask_task_without_check_points_is_cancelled_by_dask_after_its_grace(make_backend, dask_cluster, qtbot):
    from offthread.core import daskremote

    backend = make_backend()
    mode = add_dask_mode(backend, dask_cluster)  # the default grace, half a second
    handle = backend.submit_task(tasks.report_then_sleep, (4,), mode="dask")
    qtbot.waitUntil(lambda: handle.progress == 50, timeout=30000)  # it runs on a worker
    backend.cancel(handle.id)
    cancelled_at = time.monotonic()
    wait_done(qtbot, handle, timeout=10000)
    assert handle.state == TaskState.CANCELLED and handle.result is None
    assert 0.4 < time.monotonic() - cancelled_at < 3
    # Client.cancel took it from the scheduler, though its thread sleeps on.
    qtbot.waitUntil(lambda: not any(mode.client.processing().values()), timeout=3000)
    assert [handle.id] in mode.client.run(daskremote.running_tasks, mode.topic).values()
    # Its worker is free again once the sleep ends (for the tests after this one).
    qtbot.waitUntil(lambda: not any(mode.client.run(daskremote.running_tasks, mode.topic).values()), timeout=10000)


def test_shutdown_keeps_its_bound_with_a_dask_task_that_never_checks(make_backend, dask_cluster, qtbot):
    from distributed import Client

    from offthread.core import daskremote

    backend = make_backend()
    mode = add_dask_mode(backend, dask_cluster)
    handle = backend.submit_task(tasks.report_then_sleep, (3,), mode="dask")
    qtbot.waitUntil(lambda: handle.progress == 50, timeout=30000)  # it runs on a worker
    begun = time.monotonic()
    assert backend.shutdown(2000)
    assert time.monotonic() - begun < 2.5  # its grace, then closing the client
    assert handle.state == TaskState.CANCELLED
    # Its worker is free again once the sleep ends (for the tests after this one).
    with Client(dask_cluster.scheduler_address, timeout=5) as client:
        qtbot.waitUntil(lambda: not any(client.run(daskremote.running_tasks, mode.topic).values()), timeout=10000)


def test_a_killed_dask_worker_holds_up_no_control_and_its_task_goes_on_elsewhere(make_backend, qtbot, caplog):
    distributed = pytest.importorskip("distributed")
    from offthread.core import daskremote

    # A cluster of its own: one of its workers is killed.
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0"
    )
    backend = make_backend()
    try:
        mode = add_dask_mode(backend, cluster)
        log = SignalLog(backend.signals)
        other = backend.submit_task(tasks.report_until_cancelled, mode="dask")
        qtbot.waitUntil(lambda: other.progress > 0, timeout=30000)
        moved = backend.submit_task(tasks.count_and_share, (400,), mode="dask")
        backend.pause(moved.id)  # before it starts: every worker keeps the pause for it
        qtbot.waitUntil(lambda: moved.state == TaskState.PAUSED, timeout=30000)
        backend.resume(moved.id)  # to its worker only: the other still keeps the pause
        qtbot.waitUntil(lambda: moved.state == TaskState.RUNNING, timeout=10000)
        where = {address: ids for address, ids in mode.client.run(daskremote.running_tasks, mode.topic).items() if ids}
        (address,) = [a for a, ids in where.items() if moved.id in ids]
        pid = mode.client.run(os.getpid, workers=[address])[address]
        os.kill(pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: address not in mode.client.scheduler_info()["workers"], timeout=10000)
        # Controls for the task on the dead worker hold up none for the other.
        backend.pause(moved.id)
        backend.resume(moved.id)
        backend.cancel(other.id)
        cancelled_at = time.monotonic()
        wait_done(qtbot, other, timeout=20000)
        assert other.state == TaskState.CANCELLED and time.monotonic() - cancelled_at < 5
        # dask runs the task again on a living worker, resumed: the pause kept there is stale.
        wait_done(qtbot, moved, timeout=30000)
        assert (moved.state, moved.result) == (TaskState.FINISHED, 400)
        names = log.names(moved.id)
        assert names.count("started") == 1 and names[-2:] == ["result", "finished"], names
        # The one warning: the worker's nanny starts a new one in its place.
        warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert all(m.startswith("Restarting worker") for m in warned), warned
        caplog.clear()
    finally:
        backend.shutdown(5000)  # its client first: with its scheduler gone, it would retry and log an error
        cluster.close()


# -- the UI ------------------------------------------------------------------------


def test_the_mode_selector_sets_the_mode_and_rows_show_it(ui, backend, qtbot):
    selector = find_item(ui.window, "modeSelector")
    assert selector.property("currentText") == "thread"
    backend.mode = "process"  # from Python: the selector follows
    qtbot.waitUntil(lambda: selector.property("currentText") == "process")
    backend.cpu_limit = SMALL_CPU_LIMIT
    click(qtbot, ui.window, find_item(ui.window, "cpuButton"))
    row = wait_for_item(qtbot, ui.window, "taskRow1")
    assert find_item(row, "taskModeLabel").property("text") == "process"
    qtbot.waitUntil(lambda: find_item(row, "taskOutcomeLabel").property("text") == SMALL_CPU_RESULT, timeout=15000)
    backend.mode = "gui"
    qtbot.waitUntil(lambda: selector.property("currentText") == "gui")
    click(qtbot, ui.window, find_item(ui.window, "cpuButton"))
    second = wait_for_item(qtbot, ui.window, "taskRow2")
    assert not find_item(second, "pauseButton").isVisible()  # gui mode cannot pause: no button
    qtbot.waitUntil(lambda: find_item(second, "taskOutcomeLabel").property("text") == SMALL_CPU_RESULT, timeout=15000)


def test_shutdown_from_inside_an_events_task_says_it_still_runs_and_it_ends_later(qapp, qtbot, caplog):
    backend = Backend(max_threads=1)
    handle = backend.submit_task(tasks.wait_for_cancel, mode="events")
    answers = []
    # A click handled inside the task's processEvents() shuts the backend down.
    QTimer.singleShot(100, lambda: answers.append(backend.shutdown(100)))
    qtbot.waitUntil(lambda: bool(answers), timeout=5000)
    assert answers == [False]  # the task is still on the GUI thread's stack, below shutdown()
    assert "left behind" in caplog.text
    caplog.clear()
    wait_done(qtbot, handle)  # once shutdown() has returned, the task unwinds
    assert handle.state == TaskState.CANCELLED
    qtbot.waitUntil(lambda: not backend.busy)
    assert backend.tasks() == []


def test_shutdown_keeps_its_bound_when_an_executor_will_not_close(make_backend, qtbot, caplog):
    backend = make_backend()
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    release = threading.Event()
    backend.add_mode(ExecutorMode("stuck", executor, on_shutdown=lambda: executor.shutdown(wait=True)))
    running = backend.submit_task(release.wait, (30,), mode="stuck")
    begun = time.monotonic()
    backend.shutdown(500)
    assert time.monotonic() - begun < 1.0
    assert running.state == TaskState.CANCELLED
    assert "closing the stuck executor did not end within" in caplog.text
    caplog.clear()
    release.set()


def test_large_arguments_and_results_cross_the_pipe_whole(backend, qtbot):
    """Large messages are gathered apart from small ones, on both sides of the pipe."""
    data = bytes(range(256)) * (12 * 4096 + 1)  # about 12 MB
    handles = [
        backend.submit_task(tasks.length, (data,), mode="process"),
        backend.submit_task(tasks.passed_on, (bytearray(data),), mode="process"),
        backend.submit_task(tasks.square, (9,), mode="process"),
    ]
    for handle in handles:
        wait_done(qtbot, handle, timeout=30000)
    assert handles[0].result == len(data)
    assert handles[1].result == data and type(handles[1].result) is bytearray
    assert handles[2].result == 81
