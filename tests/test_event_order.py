"""A task's events keep their order at the edges: after it ended, when it cannot start, at shutdown."""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import logging
import threading
import weakref

import pytest

from offthread import TaskManager, TaskState, WorkerSignals
from offthread.core.call import run_call
from offthread.core.context import TaskContext
from offthread.core.sink import Channel
from offthread.engine.modes import ExecutorMode

from . import tasks
from .helpers import SignalLog, wait_done

# -- a context whose task has ended ignores reports ------------------------------


class Recorder(Channel):
    """A sink that keeps the names of the events sent to it."""

    def __init__(self) -> None:
        self.names: list = []

    def carry(self, event, task_id, *args) -> None:
        self.names.append(event)

    def watch(self, context) -> None:
        pass

    def unwatch(self, context) -> None:
        pass


def test_a_context_ignores_reports_once_its_task_ended():
    sink = Recorder()
    context = TaskContext(1, sink)
    run_call(1, sink, context, lambda: 1, (), {})
    context.partial("late")
    context.progress(50)
    context.request_pause(True)
    context.check()  # neither blocks nor sends "paused"
    context.request_cancel()
    context.check()  # nor raises: its task has ended
    assert sink.names == ["started", "result", "finished"]


def test_a_thread_the_task_left_behind_reports_nothing_after_it_ended(backend, qtbot):
    log = SignalLog(backend.signals)
    go, reported = threading.Event(), threading.Event()

    def leave_a_thread(task):
        def later() -> None:
            go.wait(10)
            task.partial("late")
            task.progress(50)
            task.check()
            reported.set()

        threading.Thread(target=later, daemon=True).start()
        return 1

    handle = backend.submit(leave_a_thread)
    wait_done(qtbot, handle)
    go.set()
    assert reported.wait(10)
    backend.signals.flush()  # whatever it sent is delivered now
    assert log.names(handle.id) == ["started", "result", "finished"]


def test_a_coroutine_the_task_left_behind_reports_nothing_after_it_ended(backend, qtbot):
    log = SignalLog(backend.signals)
    left = {}
    reported = threading.Event()

    async def leave_a_coroutine(task):
        go = asyncio.Event()

        async def later() -> None:
            await go.wait()
            task.partial("late")
            task.progress(50)
            await task.check_async()
            reported.set()

        left["loop"], left["go"] = asyncio.get_running_loop(), go
        left["task"] = asyncio.ensure_future(later())  # kept: not awaited on purpose
        return 1

    handle = backend.submit_task(leave_a_coroutine, mode="asyncio")
    wait_done(qtbot, handle)
    left["loop"].call_soon_threadsafe(left["go"].set)
    assert reported.wait(10)
    backend.signals.flush()
    assert log.names(handle.id) == ["started", "result", "finished"]


def test_signals_drop_what_comes_for_a_task_after_its_finished(qapp):
    """The second line: a report that raced past its task's end is not delivered either."""
    signals = WorkerSignals()
    log = SignalLog(signals)

    def send_from_a_thread() -> None:
        signals.send("started", 7)
        signals.send("result", 7, 1)
        signals.send("finished", 7)
        signals.send("partial", 7, "late")
        signals.send("progress", 7, (50, None, None))

    thread = threading.Thread(target=send_from_a_thread)
    thread.start()
    thread.join()
    signals.flush()
    assert log.names(7) == ["started", "result", "finished"]
    signals.close()


def test_an_ending_from_another_thread_is_delivered_with_its_finished_never_alone(qapp):
    """A pass that found the queue empty between a task's ending and its finished
    left the handle done with its finished still ahead (seen under load: a test
    woke on ``done`` and missed the finished). Stop the sender between the two."""
    signals = WorkerSignals()
    log = SignalLog(signals)
    between, go_on = threading.Event(), threading.Event()

    def end_from_a_thread() -> None:
        signals.send("started", 7)
        signals.send("result", 7, 1)
        between.set()
        go_on.wait(10)
        signals.send("finished", 7)

    thread = threading.Thread(target=end_from_a_thread)
    thread.start()
    assert between.wait(10)
    signals.flush()
    assert log.names(7) == ["started"]
    go_on.set()
    thread.join()
    signals.flush()
    assert log.names(7) == ["started", "result", "finished"]
    signals.close()


# -- an executor that refuses a task ------------------------------------------


def test_a_task_an_executor_refuses_fails_without_having_started(make_backend, qtbot):
    backend = make_backend()
    executor = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    executor.shutdown()
    backend.add_mode(ExecutorMode("closed", executor))
    log = SignalLog(backend.signals)
    handle = backend.submit_task(tasks.square, (2,), mode="closed")
    wait_done(qtbot, handle)
    backend.signals.flush()
    assert handle.state == TaskState.FAILED
    assert log.names(handle.id) == ["error", "finished"]


# -- shutdown from a slot ----------------------------------------------------


@pytest.mark.parametrize("mode", ["thread", "process"])
@pytest.mark.parametrize("ending", ["result", "error"])
def test_shutdown_from_an_ending_slot_lets_later_slots_see_the_ending_before_finished(
    make_backend, qtbot, mode, ending
):
    backend = make_backend()
    getattr(backend.signals, ending).connect(lambda *_: backend.shutdown())  # first: "the last one is in"
    log = SignalLog(backend.signals)  # after it
    fn, args = (tasks.square, (3,)) if ending == "result" else (tasks.fail_in_child, ("last",))
    handle = backend.submit_task(fn, args, mode=mode)
    qtbot.waitUntil(lambda: "finished" in log.names(handle.id), timeout=10_000)
    assert log.names(handle.id) == ["started", ending, "finished"]
    assert not backend.accepting


# -- a manager dropped without shutdown -----------------------------------------


def test_a_manager_dropped_while_process_tasks_run_ends_them_quietly(qapp, qtbot, caplog):
    caplog.set_level(logging.DEBUG)
    manager = TaskManager(processes=1)
    handle = manager.submit_task(tasks.spin_forever, mode="process")
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING, timeout=10_000)
    pool = manager.mode_named("process").pool
    gone = weakref.ref(manager)
    del manager
    gc.collect()
    assert gone() is None  # and with it its signals and their wakeup, on the Qt side
    pool.kill_all()  # as at exit: the pool's thread sees the worker die and ends its task
    qtbot.waitUntil(lambda: not pool.unfinished, timeout=10_000)
    assert pool.shutdown(5)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


def test_signals_without_a_parent_go_with_their_last_reference_not_with_the_cycle_collector(qapp):
    # The cycle collector may run on a worker thread: a QObject deleted there
    # leaves its timers registered on the GUI thread, which then crashes.
    signals = WorkerSignals()
    sink = signals.sink
    sink.started(1)
    gone = weakref.ref(signals)
    del sink
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        del signals
        assert gone() is None
    finally:
        if was_enabled:
            gc.enable()
