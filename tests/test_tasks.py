"""Many tasks at once: cancel, pause, timeouts, generators, throttled progress, the task model."""

from __future__ import annotations

import threading
import time

import pytest
from qtpy.QtCore import QModelIndex

from offthread import Partial, Progress, TaskState
from offthread.core.progress import check_report
from offthread.engine.model import FIRST_ROLE, ROLES

from . import tasks
from .helpers import Gate, SignalLog, wait_done


def checked_loop(task, iterations=10**12):
    """Reports progress until cancelled; never ends on its own in a test's time."""
    task.set_maximum(iterations)
    for n in range(iterations):
        task.progress(n)
    return "ran to the end"


# -- cancel ---------------------------------------------------------------


def test_cancelling_a_queued_task_withdraws_it_at_once(make_backend, qtbot):
    backend = make_backend(max_threads=1)
    gate = Gate()
    blocker = backend.submit(gate)
    calls = []
    queued = backend.submit(calls.append, "never")
    qtbot.waitUntil(lambda: blocker.state == TaskState.RUNNING)
    log = SignalLog(backend.signals)

    backend.cancel(queued.id)
    assert queued.state == TaskState.CANCELLED  # at once, not when a thread frees up
    assert log.names(queued.id) == ["cancelled", "finished"]
    gate.open()
    wait_done(qtbot, blocker)
    assert calls == []


def test_cancelling_a_running_task_stops_it_at_its_next_check_point(backend, qtbot):
    handle = backend.submit(checked_loop)
    qtbot.waitUntil(lambda: handle.progress > 0)
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED
    assert handle.result is None


def test_cancelling_a_generator_stops_it_at_a_yield_and_closes_it(backend, qtbot):
    closed = threading.Event()

    def counting():
        try:
            n = 0
            while True:
                n += 1
                yield Progress(n % 100, 100, f"item {n}")
        finally:
            closed.set()

    handle = backend.submit(counting)
    qtbot.waitUntil(lambda: handle.progress_text.startswith("item"))
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED
    assert closed.is_set()


def test_cancelling_a_finished_task_does_nothing(backend, qtbot, caplog):
    handle = backend.submit(lambda: "kept")
    wait_done(qtbot, handle)
    log = SignalLog(backend.signals)
    caplog.clear()
    backend.cancel(handle.id)
    assert "WARNING" not in caplog.text  # an ended task: nothing to say
    backend.cancel(12345)  # an id that never existed: said
    assert "cancel(): 12345 is not the id of a task; nothing is done" in caplog.text
    caplog.clear()
    assert (handle.state, handle.result) == (TaskState.FINISHED, "kept")
    assert log.events == []


def test_cancel_all_cancels_running_and_queued_tasks(make_backend, qtbot):
    backend = make_backend(max_threads=1)
    handles = [backend.submit(checked_loop) for _ in range(3)]
    qtbot.waitUntil(lambda: handles[0].state == TaskState.RUNNING)
    backend.cancelAll()
    qtbot.waitUntil(lambda: all(h.done for h in handles))
    assert [h.state for h in handles] == [TaskState.CANCELLED] * 3


# -- pause ------------------------------------------------------------------


def test_pause_blocks_at_a_check_point_and_resume_goes_on(backend, qtbot):
    gate = threading.Event()

    def stepping(task):
        n = 0
        while not gate.is_set():
            n += 1
            task.progress(n % 100)
        return n

    handle = backend.submit(stepping)
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING)
    backend.pause(handle.id)
    # "paused" is reported by the task itself, from inside its pause point.
    qtbot.waitUntil(lambda: handle.state == TaskState.PAUSED)
    assert handle.pause_requested
    gate.set()  # would end the loop, but the task is blocked before it can see it
    backend.resume(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FINISHED
    assert handle.result > 0


def yielding_forever():
    while True:
        yield None  # a check point only


@pytest.mark.parametrize("body", [checked_loop, yielding_forever], ids=["task-context", "generator"])
def test_a_task_pauses_at_its_check_points_and_can_be_cancelled_there(backend, qtbot, body):
    handle = backend.submit(body)
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING)
    backend.pause(handle.id)
    qtbot.waitUntil(lambda: handle.state == TaskState.PAUSED)
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED


# -- timeout -----------------------------------------------------------------


def test_a_task_past_its_timeout_is_stopped_and_says_why(backend, qtbot):
    started = time.monotonic()
    handle = backend.submit_task(checked_loop, timeout=0.3)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.TIMED_OUT
    assert 0.3 <= time.monotonic() - started < 3


def test_a_task_within_its_timeout_finishes(backend, qtbot):
    handle = backend.submit_task(lambda: "quick", timeout=30)
    wait_done(qtbot, handle)
    assert (handle.state, handle.result) == (TaskState.FINISHED, "quick")


def test_a_timeout_must_be_positive(backend):
    with pytest.raises(ValueError, match="timeout"):
        backend.submit_task(print, timeout=0)


# -- the task context and generators ----------------------------------------


@pytest.mark.parametrize(
    ("steps", "shown"),
    [
        (lambda task: task.report(3, 10, "file 3 of 10"), (30.0, "file 3 of 10")),
        (lambda task: (task.set_maximum(8), task.progress(2)), (25.0, "2 / 8")),
        (lambda task: (task.set_text("warming up"), task.emit(12.5)), (12.5, "warming up")),
    ],
    ids=["report", "set_maximum", "set_text"],
)
def test_the_task_context_reports_a_value_out_of_a_maximum_with_text(backend, qtbot, steps, shown):
    def files(task):
        steps(task)
        raise RuntimeError("stop, so that success does not set 100 %")

    handle = backend.submit(files)
    wait_done(qtbot, handle)
    assert (handle.progress, handle.progress_text) == shown


def test_generator_yields_report_progress_and_partial_results(backend, qtbot):
    def rows():
        yield 10.0
        yield "first row"
        yield Partial(42)
        yield Progress(3, 4)
        return "all rows"

    log = SignalLog(backend.signals)
    handle = backend.submit(rows)
    wait_done(qtbot, handle)
    assert handle.result == "all rows"
    assert [e[2] for e in log.of(handle.id) if e[0] == "partial"] == ["first row", 42]
    progress = log.progress(handle.id)
    assert progress[0] == 10.0 and progress[-1] == 75.0


def test_a_partial_result_shows_while_the_task_runs(backend, qtbot):
    gate = Gate()

    def streaming():
        yield "halfway there"
        gate()
        return "done"

    backend.submit(streaming)
    model = backend.taskModel
    qtbot.waitUntil(lambda: model.rowCount() == 1 and role(model, 0, "result") == "halfway there")
    assert backend.result == "halfway there"
    gate.open()
    qtbot.waitUntil(lambda: role(model, 0, "result") == "done")


def test_a_bad_progress_value_after_the_first_fails_the_task(backend, qtbot):
    def drifting(task):
        task.progress(1)
        while True:
            task.progress("lots")

    handle = backend.submit(drifting)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FAILED
    assert handle.error.type == "TypeError"
    assert "progress must be a number" in handle.error.message


# -- throttling --------------------------------------------------------------


def test_progress_is_throttled_but_first_and_last_always_arrive(backend, qtbot):
    reports = 300_000

    def chatty(progress_callback):
        started = time.perf_counter()
        for n in range(1, reports + 1):
            progress_callback.emit(n * 100 / reports)
        return time.perf_counter() - started

    log = SignalLog(backend.signals)
    handle = backend.submit(chatty)
    wait_done(qtbot, handle, timeout=20_000)
    values = log.progress(handle.id)
    assert values[0] == 100 / reports  # the first report
    assert values[-1] == 100.0  # the last report
    assert values == sorted(values)
    # About 30 a second while it ran, plus the first and the last.
    assert len(values) <= handle.result * 30 + 3


# -- the model ---------------------------------------------------------------


def role(model, row, name):
    return model.data(model.index(row, 0), FIRST_ROLE + ROLES.index(name))


def test_the_model_passes_qts_model_checks(backend, qtbot, qtmodeltester):
    handles = [backend.submit(lambda n=n: n) for n in range(5)]
    qtbot.waitUntil(lambda: all(h.done for h in handles))
    qtbot.waitUntil(lambda: backend.taskModel.rowCount() == 5)
    qtmodeltester.check(backend.taskModel, force_py=True)


def test_the_model_has_one_row_per_task_with_every_role(backend, qtbot):
    model = backend.taskModel
    assert [bytes(name).decode() for name in model.roleNames().values()] == list(ROLES)
    handle = backend.submit(lambda: 6 * 7)
    failed = backend.submit_task(lambda: 1 / 0, name="divide")
    qtbot.waitUntil(lambda: model.rowCount() == 2 and role(model, 1, "state") == "failed")
    qtbot.waitUntil(lambda: role(model, 0, "state") == "finished")
    assert role(model, 0, "id") == handle.id
    assert role(model, 0, "result") == "42"
    assert role(model, 0, "progress") == 100.0
    assert role(model, 1, "id") == failed.id
    assert role(model, 1, "name") == "divide"
    assert role(model, 1, "error") == "ZeroDivisionError: division by zero"
    assert "Traceback" in role(model, 1, "errorDetails")
    assert role(model, 1, "done") is True
    assert model.data(QModelIndex(), FIRST_ROLE) is None


def test_rows_change_in_place_naming_only_the_changed_roles(make_backend, qtbot):
    backend = make_backend(max_threads=1)
    model = backend.taskModel
    gate = Gate()
    handle = backend.submit(gate)
    try:
        qtbot.waitUntil(lambda: model.rowCount() == 1 and role(model, 0, "state") == "running")
        changes = []
        model.dataChanged.connect(lambda first, last, roles: changes.append((first.row(), last.row(), set(roles))))
        pause_role = FIRST_ROLE + ROLES.index("pauseRequested")
        elapsed_role = FIRST_ROLE + ROLES.index("elapsed")
        backend.pause(handle.id)
        qtbot.waitUntil(lambda: any(pause_role in roles for _, _, roles in changes))
        # Only what changed: the pause request, and the elapsed time that ticks while it runs.
        assert all((first, last) == (0, 0) for first, last, _ in changes)
        assert all(roles <= {pause_role, elapsed_role} for _, _, roles in changes)
        backend.resume(handle.id)
    finally:
        gate.open()
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: role(model, 0, "state") == "finished")
    assert model.rowCount() == 1  # in place, not re-inserted
    named = set().union(*(roles for _, _, roles in changes))
    assert FIRST_ROLE + ROLES.index("name") not in named
    assert FIRST_ROLE + ROLES.index("id") not in named


def test_nearby_rows_that_change_different_roles_share_one_signal(qapp):
    # One task ends, its neighbours only move on: one dataChanged over their
    # rows, naming what changed in any; a row further than RUN_GAP gets its own.
    from offthread.core.context import TaskContext
    from offthread.engine.model import RUN_GAP, TaskListModel
    from offthread.engine.task import TaskHandle

    model = TaskListModel()
    handles = [TaskHandle(i, f"job {i}", TaskContext(i, None)) for i in range(1, RUN_GAP + 6)]  # type: ignore[arg-type]
    for handle in handles[:2]:
        handle.state, handle.started_at = TaskState.RUNNING, 1.0
    model.append(handles)
    changes = []
    model.dataChanged.connect(lambda first, last, roles: changes.append((first.row(), last.row(), set(roles))))
    handles[0].state, handles[0].ended_at, handles[0].result = TaskState.FINISHED, 2.0, 42
    for row, progress in ((1, 50.0), (3, 10.0), (RUN_GAP + 4, 20.0)):
        handles[row].progress = progress
    model.update([handles[3], handles[RUN_GAP + 4], handles[1], handles[0]])
    number = {name: FIRST_ROLE + ROLES.index(name) for name in ("state", "done", "result", "progress")}
    assert [(first, last) for first, last, _ in changes] == [(0, 3), (RUN_GAP + 4, RUN_GAP + 4)]
    assert set(number.values()) <= changes[0][2]
    assert FIRST_ROLE + ROLES.index("name") not in changes[0][2]
    assert changes[1][2] == {number["progress"]}
    assert role(model, 0, "state") == "finished" and role(model, 1, "progress") == 50.0
    # Held: chunks of one publish share the signals, which come before rows move.
    changes.clear()
    handles[4].progress, handles[5].progress = 1.0, 2.0
    model.update([handles[4]], hold=True)
    model.update([handles[5]], hold=True)
    assert changes == [] and role(model, 5, "progress") == 2.0
    model.release()
    assert changes == [(4, 5, {number["progress"]})]
    handles[6].progress = 3.0
    model.update([handles[6]], hold=True)
    model.append([TaskHandle(99, "late", TaskContext(99, None))])  # type: ignore[arg-type]
    assert changes[-1] == (6, 6, {number["progress"]})


def test_clear_finished_removes_only_ended_tasks(make_backend, qtbot):
    backend = make_backend(max_threads=1)
    model = backend.taskModel
    done = [backend.submit(lambda: 1) for _ in range(2)]
    qtbot.waitUntil(lambda: all(h.done for h in done))
    gate = Gate()
    running = backend.submit(gate)
    queued = backend.submit(lambda: 2)
    qtbot.waitUntil(lambda: running.state == TaskState.RUNNING)
    backend.clearFinished()
    assert [role(model, row, "id") for row in range(model.rowCount())] == [running.id, queued.id]
    gate.open()
    qtbot.waitUntil(lambda: not backend.busy)


# -- numbers of any size --------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "percent"),
    [
        ((10**399, 10**400, None), 10.0),
        ((1e307, 1e308, None), 10.0),
        ((10**400 // 4, 10**400, None), 25.0),
        ((1e300, 10**400, None), 0.0),
        ((3, 1e-300, None), 100.0),
        ((10**400, None, None), 100.0),
    ],
)
def test_a_report_is_a_percent_whatever_the_size_of_its_numbers(report, percent):
    assert check_report(report)[0] == pytest.approx(percent)


def huge_numbers(task):
    task.set_maximum(10**400)
    task.progress(10**399)
    task.progress(10**400 // 4)
    task.check()
    return "counted"


@pytest.mark.parametrize("mode", ["thread", "events"])
def test_a_huge_maximum_ends_the_task_normally(backend, qtbot, mode):
    log = SignalLog(backend.signals)
    handle = backend.submit_task(huge_numbers, mode=mode)
    wait_done(qtbot, handle)
    assert (handle.state, handle.result) == (TaskState.FINISHED, "counted")
    assert log.names(handle.id)[-2:] == ["result", "finished"]


def test_a_task_that_finishes_early_shows_100_percent_in_its_text_too(backend, qtbot):
    def early(task):
        task.progress(30)
        return "done early"

    handle = backend.submit(early)
    wait_done(qtbot, handle)
    assert (handle.progress, handle.progress_text) == (100.0, "100 %")


def test_a_task_that_finishes_early_keeps_its_own_text(backend, qtbot):
    def early(task):
        task.report(3, 10, "file 3 of 10")
        return "done early"

    handle = backend.submit(early)
    wait_done(qtbot, handle)
    assert (handle.progress, handle.progress_text) == (100.0, "file 3 of 10")


# -- cancels at awkward moments -----------------------------------------------


def test_cancelling_a_task_that_ran_but_whose_events_wait_is_harmless(backend, qtbot):
    handle = backend.submit(lambda: "ran")
    backend.mode_named("thread").pool.waitForDone()  # it ran and its runnable is gone; its events wait
    assert handle.state == TaskState.QUEUED
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert (handle.state, handle.result) == (TaskState.FINISHED, "ran")


def test_the_first_result_wins_and_a_result_slot_cancels_the_rest(make_backend, qtbot):
    backend = make_backend(max_threads=4)
    handles = [backend.submit(lambda n=n: n) for n in range(40)]
    winners = []

    def first_wins(task_id, value):
        winners.append(task_id)
        for handle in handles:
            backend.cancel(handle.id)

    backend.signals.result.connect(first_wins)
    log = SignalLog(backend.signals)
    for handle in handles:
        wait_done(qtbot, handle)
    # "finished" follows each ending, in the same delivery or (past its time budget) the next
    qtbot.waitUntil(lambda: all("finished" in log.names(h.id) for h in handles))
    assert winners and all(h.state in (TaskState.FINISHED, TaskState.CANCELLED) for h in handles)
    for handle in handles:
        names = log.names(handle.id)
        assert names.count("finished") == 1 and names[-1] == "finished", names


# -- large results ---------------------------------------------------------------


class CountsItsText:
    made = 0

    def __str__(self):
        CountsItsText.made += 1
        return "counted"


def test_a_result_is_made_into_text_once_however_often_the_window_refreshes(backend, qtbot):
    handle = backend.submit(CountsItsText)
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: backend.result == "counted")
    for _ in range(20):
        backend._publisher.touch(handle)
        backend._publisher.publish()
    assert (backend.result, CountsItsText.made) == ("counted", 1)


@pytest.mark.parametrize(
    ("value", "starts"),
    [
        (list(range(2_000_000)), "2,000,000 items: [0, 1, 2, 3"),
        ("x" * 1_000_000, "xxx"),
        (b"\0" * 20_000_000, "20,000,000 bytes: b'\\x00"),
    ],
    ids=["2M-item list", "1M-character string", "20 MB bytes"],
)
def test_a_large_result_is_shown_shortened_and_kept_whole(backend, qtbot, value, starts):
    handle = backend.submit(lambda: value)
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: backend.result != "")
    assert handle.result is value  # the value itself, untouched
    text = role(backend.taskModel, 0, "result")
    assert text == backend.result and text.startswith(starts)
    assert len(text) <= 10_001 and (text.endswith("…") or text.endswith(", ...]"))


def test_an_error_of_megabytes_is_shortened_for_the_window_and_copied_whole(make_backend, qtbot):
    # Laid out whole by the window's labels, a 4 MB message held the GUI thread for seconds.
    from qtpy.QtGui import QGuiApplication

    from offthread.core.display import TEXT_LIMIT

    backend = make_backend(processes=1)
    size = 4_000_000
    handle = backend.submit_task(tasks.fail_with_a_long_message, (size,), mode="process")
    wait_done(qtbot, handle, timeout=30000)
    assert handle.state == TaskState.FAILED
    assert len(handle.error.message) == size + len(" the end")  # whole, for Python
    model = backend.taskModel
    qtbot.waitUntil(lambda: model.rowCount() == 1 and role(model, 0, "error") != "")
    for shown in (role(model, 0, "error"), role(model, 0, "errorDetails"), backend.error, backend.errorDetails):
        assert len(shown) <= TEXT_LIMIT + 1 and shown.endswith("…"), len(shown)
    assert role(model, 0, "error").startswith("ValueError: xxx")
    backend.copyDetails(handle.id)
    copied = QGuiApplication.clipboard().text()
    assert copied == handle.error.traceback and copied.rstrip().endswith("xxx the end")
