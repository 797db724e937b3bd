"""Process mode on the paths of other platforms, run here: the "spawn" start method, waiting with
multiprocessing.connection.wait (Windows has no selectors on pipes), a socket pair for each
worker (a Windows pipe is no file descriptor), and process trees ended through psutil (Windows
has no process groups). OFFTHREAD_PORTABLE=1 makes Linux take them."""

from __future__ import annotations

import doctest
import multiprocessing
import os
import selectors
import socket
import sys
import time

import pytest

from offthread import TaskState
from offthread.core import pipes, poolwait, portable, proctree
from offthread.core import processpool as processpool_module
from offthread.core.processpool import ProcessPool, check_start_method, chosen_start_method

from . import tasks
from .helpers import process_alive, wait_done, wait_until_gone
from .test_app import app_environment, start

posix_only = pytest.mark.skipif(not hasattr(os, "fork"), reason="the tasks here fork and exec POSIX tools")


@pytest.mark.parametrize("module", [portable, poolwait, pipes, processpool_module])
def test_the_examples_in_the_modules_run(module):
    assert doctest.testmod(module, raise_on_error=False).failed == 0


@pytest.fixture
def portable_paths(monkeypatch):
    """The portable paths, in this process and in the workers it starts ("spawn": they inherit it)."""
    monkeypatch.setenv(portable.PORTABLE_ENV, "1")
    monkeypatch.setenv(portable.START_METHOD_ENV, "spawn")


# -- the wait ---------------------------------------------------------------------------------


def test_the_wait_selector_sees_pipes_connections_and_process_ends():
    selector = poolwait.WaitSelector()
    reader, writer = os.pipe()
    mine, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(0.2,))
    process.start()
    try:
        selector.register(reader, selectors.EVENT_READ, "pipe")
        selector.register(mine, selectors.EVENT_READ, "connection")
        selector.register(process.sentinel, selectors.EVENT_READ, "end")
        assert selector.select(0) == []
        os.write(writer, b"x")
        theirs.send_bytes(b"y")
        assert sorted(key.data for key, _ in selector.select(5)) == ["connection", "pipe"]
        os.read(reader, 1)
        mine.recv_bytes()
        assert [key.data for key, _ in selector.select(10)] == ["end"]  # a real wait, until it ends
        with pytest.raises(KeyError):
            selector.register(reader, selectors.EVENT_READ, "again")
        selector.unregister(mine)
        with pytest.raises(KeyError):
            selector.unregister(mine)
    finally:
        process.join()
        for end in (reader, writer):
            os.close(end)
        mine.close()
        theirs.close()
        selector.close()


def test_the_wait_selector_asks_a_writer_to_try_again_soon_and_keeps_its_read_events():
    selector = poolwait.WaitSelector()
    reader, writer = os.pipe()
    try:
        selector.register(reader, selectors.EVENT_READ, "r")
        selector.modify(reader, selectors.EVENT_READ | selectors.EVENT_WRITE, "rw")
        started = time.monotonic()
        assert [(key.data, mask) for key, mask in selector.select(None)] == [("rw", selectors.EVENT_WRITE)]
        assert time.monotonic() - started < 1  # not None: there is no way to wait for room in a pipe
        os.write(writer, b"x")
        assert selector.select(None) == [(selector.get_map()[reader], selectors.EVENT_READ | selectors.EVENT_WRITE)]
    finally:
        os.close(reader)
        os.close(writer)


def test_the_portable_wake_up_wakes_the_wait(portable_paths):
    selector = poolwait.make_selector()
    assert isinstance(selector, poolwait.WaitSelector)
    waker = poolwait.WakePipe(selector)
    try:
        assert selector.select(0) == []
        waker.wake()
        assert [key.data for key, _ in selector.select(5)] == [None]
        waker.drain()
        assert selector.select(0) == []
    finally:
        waker.close()


# -- the pool on the portable paths -----------------------------------------------------------


def test_on_the_portable_paths_workers_share_the_apps_group_and_the_manager_waits_portably(
    portable_paths, make_backend, qtbot
):
    backend = make_backend(processes=1)
    handle = backend.submit_task(tasks.this_pid, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    pool = backend.mode_named("process").pool
    assert pool.start_method == "spawn"
    assert isinstance(pool._manager._selector, poolwait.WaitSelector)
    assert all(isinstance(process.conn, socket.socket) for process in pool._manager.processes())  # not a pipe
    worker = handle.result
    assert os.getpgid(worker) == os.getpgid(0)  # no setsid: as where there are no groups
    assert [task.result for task in run_each(backend, qtbot, range(20))] == [worker] * 20


def run_each(backend, qtbot, values):
    handles = [backend.submit_task(tasks.this_pid, mode="process") for _ in values]
    for handle in handles:
        wait_done(qtbot, handle, timeout=15000)
    return handles


@posix_only
@pytest.mark.parametrize("start", ["child", "session"])
def test_without_groups_a_hard_stop_still_ends_what_the_task_started(portable_paths, make_backend, qtbot, start):
    backend = make_backend(processes=1)
    if start == "child":
        handle = backend.submit_task(tasks.start_child_then_spin, mode="process")
    else:
        handle = backend.submit_task(tasks.start_child_that_leaves_the_group, ("session",), mode="process")
    qtbot.waitUntil(lambda: isinstance(handle.partial, int), timeout=15000)
    child = handle.partial
    assert process_alive(child)
    backend.cancel(handle.id)
    wait_done(qtbot, handle, timeout=5000)
    assert handle.state == TaskState.CANCELLED
    wait_until_gone(child)
    after = backend.submit_task(tasks.this_pid, mode="process")
    wait_done(qtbot, after, timeout=15000)
    assert after.state == TaskState.FINISHED


@posix_only
def test_without_groups_a_worker_told_to_stop_ends_what_its_tasks_left_running(portable_paths, make_backend, qtbot):
    backend = make_backend(processes=1)
    handle = backend.submit_task(tasks.fork_child_and_return, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert process_alive(handle.result)
    assert backend.shutdown(2000)  # the idle worker is told to stop: it ends its tree, then itself
    wait_until_gone(handle.result)


@posix_only
def test_without_psutil_only_the_root_is_killed(monkeypatch):
    import subprocess

    monkeypatch.setitem(sys.modules, "psutil", None)  # import psutil raises ImportError
    killed = []
    child = subprocess.Popen(["sleep", "60"])
    try:
        proctree.end_tree(os.getpid(), lambda: killed.append("root"), stop_root=False)
        assert killed == ["root"] and child.poll() is None
    finally:
        child.kill()
        child.wait()


@posix_only
def test_end_tree_kills_every_descendant_then_the_root_and_never_the_caller():
    import subprocess

    parent = subprocess.Popen(["sh", "-c", "sleep 60 & sleep 60 & wait"])
    qt_free_wait_for(lambda: len(psutil_children(parent.pid)) == 2)
    grandchildren = psutil_children(parent.pid)
    order = []
    proctree.end_tree(parent.pid, lambda: (order.append("root"), parent.kill()))
    assert order == ["root"]
    assert parent.wait(5) is not None
    for pid in grandchildren:
        wait_until_gone(pid)


def psutil_children(pid: int) -> list[int]:
    psutil = pytest.importorskip("psutil")
    return [child.pid for child in psutil.Process(pid).children(recursive=True)]


def qt_free_wait_for(condition, timeout: float = 5.0) -> None:
    """Poll a process table (there is no signal to wait on) until ``condition()`` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# -- the start method ---------------------------------------------------------------------------


def test_the_start_method_comes_from_the_variable_and_spawn_starts_workers_from_the_app(
    monkeypatch, make_backend, qtbot
):
    monkeypatch.setenv(portable.START_METHOD_ENV, "spawn")
    assert chosen_start_method() == "spawn"
    backend = make_backend(processes=1)
    handle = backend.submit_task(tasks.this_pid, mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert backend.mode_named("process").pool.start_method == "spawn"
    # Spawned, a worker is the app's child; under a fork server, the fork server's.
    import psutil

    assert psutil.Process(handle.result).ppid() == os.getpid()


def test_the_default_start_method_is_the_fork_server_where_there_is_one(monkeypatch):
    monkeypatch.delenv(portable.START_METHOD_ENV, raising=False)
    expected = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    assert chosen_start_method() == expected


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("fork", "'fork' is not a start method of the pool: use forkserver or spawn (a forked worker"),
        ("sp4wn", "'sp4wn' is not a start method of the pool: use forkserver or spawn"),
    ],
)
def test_a_start_method_the_pool_does_not_take_is_refused_with_a_reason(monkeypatch, name, message):
    with pytest.raises(ValueError, match="^start_method: " + message.replace("(", r"\(")):
        check_start_method(name)
    monkeypatch.setenv(portable.START_METHOD_ENV, name)
    with pytest.raises(ValueError, match="^OFFTHREAD_START_METHOD: "):
        ProcessPool(1, lambda *args: None)


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--start-method", "fork"], {}, "argument --start-method: invalid choice: 'fork'"),
        ([], {"OFFTHREAD_START_METHOD": "fork"}, "OFFTHREAD_START_METHOD: 'fork' is not a start method"),
    ],
)
def test_the_app_refuses_a_bad_start_method_at_start_with_exit_code_2(args, env, message):
    process = start(*args, env=app_environment(**env))
    _stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 2
    assert message in stderr
    assert "Traceback" not in stderr
