"""A handle is a future: done callbacks, as_future(), wait() and await, and the GUI thread's refusal to block."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading

import pytest

from offthread import TaskFailed, TaskFuture, TaskState

from . import tasks
from .helpers import Gate, SignalLog, wait_done


def wait_for_it(handle, timeout: float = 10):
    """A thread-mode task: waits for another task's outcome from a pool thread."""
    return handle.wait(timeout)


async def await_it(handle, *, task):
    """An asyncio-mode task: awaits another task."""
    return await handle


def test_a_done_callback_runs_once_on_the_gui_thread_after_finished(backend, qtbot):
    log = SignalLog(backend.signals)
    gate = Gate()
    handle = backend.submit(gate, "done")
    seen = []
    handle.add_done_callback(lambda h: seen.append((h, threading.get_ident(), log.names(h.id))))
    gate.open()
    qtbot.waitUntil(lambda: bool(seen))
    ((called_with, thread, names),) = seen
    assert called_with is handle and thread == threading.get_ident()
    assert names[-1] == "finished"  # after it, not inside the ending
    qtbot.wait(50)
    assert len(seen) == 1


def test_a_done_callback_on_a_settled_handle_runs_in_a_later_turn_never_inside_the_call(backend, qtbot):
    handle = backend.submit(tasks.square, 4)
    wait_done(qtbot, handle)
    settled = []
    handle.add_done_callback(settled.append)  # the finished may not be delivered yet: either way
    qtbot.waitUntil(lambda: settled == [handle])
    later = []
    handle.add_done_callback(later.append)
    assert later == []  # not inside add_done_callback
    qtbot.waitUntil(lambda: later == [handle])


def test_remove_done_callback_removes_every_copy_not_yet_called(backend, qtbot):
    gate = Gate()
    handle = backend.submit(gate, 1)
    calls = []
    handle.add_done_callback(calls.append)
    handle.add_done_callback(calls.append)
    kept = []
    handle.add_done_callback(kept.append)
    assert handle.remove_done_callback(calls.append) == 2
    gate.open()
    qtbot.waitUntil(lambda: kept == [handle])
    assert calls == []


def test_a_failing_done_callback_is_logged_and_the_others_still_run(backend, qtbot, caplog):
    handle = backend.submit(tasks.square, 2)

    def broken(_handle):
        raise ValueError("in a callback")

    after = []
    handle.add_done_callback(broken)
    handle.add_done_callback(after.append)
    qtbot.waitUntil(lambda: after == [handle])
    assert any("a done callback of task" in r.getMessage() for r in caplog.records)
    caplog.clear()


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_a_task_waits_for_another_through_its_future(make_backend, qtbot, mode):
    backend = make_backend(max_threads=2, processes=1)
    first = backend.submit_task(tasks.count_to, (50,), mode=mode)
    second = backend.submit(wait_for_it, first)  # on a pool thread: it may block
    wait_done(qtbot, second, timeout=15000)
    assert (second.state, second.result) == (TaskState.FINISHED, 50)
    future = first.as_future()
    assert isinstance(future, concurrent.futures.Future) and isinstance(future, TaskFuture)
    assert future is first.as_future() and future.result() == 50  # ended: no wait


def test_a_failure_raises_task_failed_with_the_task_error_and_a_cancel_cancelled_error(backend, qtbot):
    failing = backend.submit(tasks.fail_in_child, "no good")
    waiter = backend.submit(wait_for_it, failing)
    wait_done(qtbot, waiter)
    assert waiter.state == TaskState.FAILED and waiter.error.type == "TaskFailed"
    assert waiter.error.message == "Boom: no good"
    with pytest.raises(TaskFailed) as raised:
        failing.as_future().result()
    assert raised.value.error is failing.error and raised.value.error.traceback.startswith("Traceback")

    stuck = backend.submit(tasks.wait_for_cancel)
    future = stuck.as_future()
    assert not future.cancel() and future.running()  # the task is cancelled through the manager
    backend.cancel(stuck.id)
    wait_done(qtbot, stuck)
    qtbot.waitUntil(future.done)
    assert future.cancelled()
    with pytest.raises(concurrent.futures.CancelledError):
        stuck.wait(0)


def test_waiting_on_the_gui_thread_is_refused_with_what_to_do_instead(backend, qtbot):
    gate = Gate()
    handle = backend.submit(gate, "late")
    for wait in (handle.wait, handle.as_future().result, handle.as_future().exception):
        with pytest.raises(RuntimeError, match="add_done_callback.*await handle"):
            wait()
    gate.open()
    wait_done(qtbot, handle)
    qtbot.waitUntil(handle.as_future().done)
    assert handle.wait() == "late"  # ended: no freeze, so no refusal


def test_an_asyncio_mode_task_awaits_another_task(make_backend, qtbot):
    backend = make_backend(max_threads=1, processes=1)
    first = backend.submit_task(tasks.square, (9,), mode="process")
    second = backend.submit_task(await_it, (first,), mode="asyncio")
    failing = backend.submit_task(tasks.fail_in_child, ("awaited",))
    third = backend.submit_task(await_it, (failing,), mode="asyncio")
    for handle in (second, third):
        wait_done(qtbot, handle, timeout=15000)
    assert (second.state, second.result) == (TaskState.FINISHED, 81)
    assert third.state == TaskState.FAILED and third.error.summary == "TaskFailed: Boom: awaited"


def test_a_loop_on_another_thread_awaits_a_handle(backend, qtbot):
    gate = Gate()
    handle = backend.submit(gate, "from the GUI process")
    outcome = []

    async def main():
        return await handle

    thread = threading.Thread(target=lambda: outcome.append(asyncio.run(main())))
    thread.start()
    gate.open()
    qtbot.waitUntil(lambda: bool(outcome), timeout=5000)
    thread.join()
    assert outcome == ["from the GUI process"]
