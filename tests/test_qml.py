"""The real qml/ UI driven like a user would: clicks, and what the window shows."""

from __future__ import annotations

from qtpy.QtCore import Qt
from qtpy.QtTest import QTest

from offthread import TaskState

from .helpers import Gate, click, find_item, wait_for_item

OBJECT_NAMES = ("counterLabel", "dangerButton", "progressBar", "resultLabel", "errorLabel", "poolLabel")


def test_the_real_ui_loads_with_every_named_item(ui):
    # Zero QML warnings: the autouse fixture fails the test on any logged warning.
    for name in OBJECT_NAMES:
        find_item(ui.window, name)
    assert ui.window.isVisible()


def test_clicking_danger_starts_a_job_and_shows_its_result(ui, backend, qtbot):
    progress_bar = find_item(ui.window, "progressBar")
    result_label = find_item(ui.window, "resultLabel")
    with qtbot.waitSignal(backend.signals.started):
        click(qtbot, ui.window, find_item(ui.window, "dangerButton"))
    qtbot.waitUntil(lambda: progress_bar.property("value") == 100)
    qtbot.waitUntil(lambda: result_label.property("text") == "Done.")
    assert backend.state == TaskState.FINISHED


def test_counter_keeps_ticking_while_the_job_runs(make_backend, qtbot):
    from offthread.app import load_ui

    backend = make_backend(steps=5, step_seconds=0.8)  # a 4 s job: room for two ticks
    ui = load_ui(backend)
    try:
        counter = find_item(ui.window, "counterLabel")
        click(qtbot, ui.window, find_item(ui.window, "dangerButton"))
        qtbot.waitUntil(lambda: backend.state == TaskState.RUNNING)
        first = counter.property("count")
        qtbot.waitUntil(lambda: counter.property("count") >= first + 2, timeout=3000)
        assert backend.state == TaskState.RUNNING  # the ticks came while the job ran
        assert counter.property("text") == f"Counter: {counter.property('count')}"
    finally:
        ui.close()


def test_a_failing_job_shows_its_error_and_traceback(ui, backend, qtbot):
    error_label = find_item(ui.window, "errorLabel")
    details = find_item(ui.window, "errorDetails")
    assert not error_label.isVisible()  # no error line before there is an error
    click(qtbot, ui.window, find_item(ui.window, "failButton"))
    qtbot.waitUntil(lambda: backend.state == TaskState.FAILED)
    qtbot.waitUntil(lambda: "DemoFailure: step 2 of 5 failed on purpose" in error_label.property("text"))
    # The traceback is one click away, not on screen.
    assert not details.isVisible()
    click(qtbot, ui.window, find_item(ui.window, "errorDetailsButton"))
    qtbot.waitUntil(details.isVisible)
    assert details.property("text").startswith("Traceback (most recent call last):")
    assert "failing_job" in details.property("text")


def test_pool_label_shows_busy_threads_and_the_queue(make_backend, qtbot):
    from offthread.app import load_ui

    backend = make_backend(max_threads=1)
    ui = load_ui(backend)
    try:
        pool_label = find_item(ui.window, "poolLabel")
        assert pool_label.property("text") == "0 running, 0 queued"
        gates = [Gate() for _ in range(3)]
        for gate in gates:
            backend.submit(gate)
        qtbot.waitUntil(lambda: pool_label.property("text") == "1 running, 2 queued")
        for gate in gates:
            gate.open()
        qtbot.waitUntil(lambda: pool_label.property("text") == "0 running, 0 queued")
    finally:
        ui.close()


def test_the_spin_box_writes_max_thread_count(ui, backend, qtbot):
    spin_box = find_item(ui.window, "threadsSpinBox")
    before = backend.maxThreadCount
    spin_box.forceActiveFocus()
    with qtbot.waitSignal(backend.maxThreadCountChanged):
        QTest.keyClick(ui.window, Qt.Key_Up)
    assert backend.maxThreadCount == before + 1
    qtbot.waitUntil(lambda: spin_box.property("value") == before + 1)


def test_the_cancel_button_on_a_row_stops_that_task(make_backend, qtbot):
    from offthread.app import load_ui

    backend = make_backend(max_threads=2, step_seconds=30)  # a job that would run for minutes
    ui = load_ui(backend)
    try:
        backend.danger()
        backend.danger()
        first, second = backend.tasks()
        qtbot.waitUntil(lambda: second.state == TaskState.RUNNING)
        row = wait_for_item(qtbot, ui.window, f"taskRow{first.id}")
        click(qtbot, ui.window, find_item(row, "cancelButton"))
        qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "cancelled")
        assert not find_item(row, "cancelButton").isVisible()  # an ended row offers what applies there
        assert find_item(row, "retryButton").isVisible() and find_item(row, "removeButton").isVisible()
        assert second.state == TaskState.RUNNING  # only that row's task
    finally:
        ui.close()


def test_pause_and_resume_buttons_on_a_row(ui, backend, qtbot):
    backend.maxThreadCount = 1
    backend.step_seconds = 0.2
    backend.danger()
    (handle,) = backend.tasks()
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING)
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")  # the view makes it at its next frame
    pause = find_item(row, "pauseButton")
    click(qtbot, ui.window, pause)
    qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "paused")
    assert pause.property("text") == "Resume"
    click(qtbot, ui.window, pause)
    qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") in ("running", "finished"))
    qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "finished", timeout=5000)


def test_clear_finished_empties_the_list_of_ended_tasks(ui, backend, qtbot):
    task_list = find_item(ui.window, "taskList")
    click(qtbot, ui.window, find_item(ui.window, "dangerButton"))
    qtbot.waitUntil(lambda: task_list.property("count") == 1)
    qtbot.waitUntil(lambda: not backend.busy)
    click(qtbot, ui.window, find_item(ui.window, "clearFinishedButton"))
    label = find_item(ui.window, "taskCountLabel")
    qtbot.waitUntil(lambda: label.property("text") == "No tasks in the list: DANGER! starts one")
    assert task_list.property("count") == 0
