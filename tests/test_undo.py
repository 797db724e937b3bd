"""Buttons that never change meaning under the pointer, removals that can be undone
("Removed #3 · Undo"), and Copy that says "Copied"."""

from __future__ import annotations

from qtpy.QtCore import QPointF, Qt
from qtpy.QtGui import QGuiApplication
from qtpy.QtTest import QTest

from offthread import TaskState
from offthread.core.context import TaskContext
from offthread.engine.model import FIRST_ROLE, RESTORE_RUNS, ROLES, TaskListModel
from offthread.engine.task import TaskHandle

from . import tasks
from .helpers import Gate, click, find_item, wait_done, wait_for_item

ID = ROLES.index("id")


def rows(model) -> list[tuple]:
    """Every row's role values, in order: what the list shows."""
    return [
        tuple(model.data(model.index(r), FIRST_ROLE + c) for c in range(len(ROLES))) for r in range(model.rowCount())
    ]


def ended_tasks(qtbot, backend, count: int) -> list:
    """``count`` tasks, every other one failed, each ended and shown so."""
    handles = [backend.submit_task(tasks.fail_in_child if n % 2 else tasks.square, (n,)) for n in range(count)]
    for handle in handles:
        wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: backend.taskFilter.failedCount == count // 2)
    return handles


# -- the engine: undo puts rows back as they were ---------------------------------


def test_undo_puts_a_removed_row_back_in_its_place_as_it_was(make_backend, qtbot):
    backend = make_backend(max_threads=2)
    handles = ended_tasks(qtbot, backend, 5)
    before = rows(backend.taskModel)
    backend.remove(handles[2].id)
    assert backend.removals.pending and backend.removals.ids == [handles[2].id] and backend.removals.kind == "remove"
    assert [r[ID] for r in rows(backend.taskModel)] == [h.id for h in handles if h is not handles[2]]
    assert backend.removals.undo() == 1
    assert rows(backend.taskModel) == before  # same id, state, result, error, place
    assert backend.taskModel.handle(handles[2].id) is handles[2]
    assert not backend.removals.pending and backend.removals.undo() == 0  # once
    assert backend.retry(handles[2].id) is not None  # a row like any other again


def test_clear_finished_comes_back_between_the_tasks_still_running(make_backend, qtbot):
    backend = make_backend(max_threads=1, history=3)  # one thread: they end in the order submitted
    first = [backend.submit_task(tasks.square, (n,)) for n in range(4)]
    qtbot.waitUntil(lambda: backend.olderRemoved == 1)  # one left the history already
    gate = Gate()
    running = backend.submit(gate)
    backend.maxThreadCount = 2
    assert gate.entered.wait(5)
    later = [backend.submit_task(tasks.fail_in_child, (n,)) for n in range(2)]
    qtbot.waitUntil(lambda: backend.olderRemoved == 3 and backend.taskFilter.failedCount == 2)
    before = rows(backend.taskModel)
    backend.clearFinished()
    assert backend.olderRemoved == 0 and [r[ID] for r in rows(backend.taskModel)] == [running.id]
    assert backend.removals.kind == "clearFinished" and len(backend.removals.ids) == 3
    assert backend.removals.undo() == 3
    assert rows(backend.taskModel) == before and backend.olderRemoved == 3
    assert [h.id for h in first[-1:]] + [running.id] + [h.id for h in later] == [r[ID] for r in before]
    gate.open()
    wait_done(qtbot, running)


def test_a_removal_that_takes_nothing_keeps_the_last_one_to_undo(make_backend, qtbot):
    backend = make_backend(max_threads=2)
    handles = ended_tasks(qtbot, backend, 2)
    failed = handles[1]
    backend.remove(failed.id)
    backend.remove(failed.id)  # gone already: nothing taken
    assert backend.clearFailed() == 0  # none left that failed
    assert backend.removals.ids == [failed.id]
    backend.removals.forget()  # its toast has gone: let it go for good
    assert not backend.removals.pending and backend.removals.undo() == 0
    assert backend.taskModel.handle(failed.id) is None


def test_many_runs_come_back_in_one_reset_each_in_its_place(qapp):
    model = TaskListModel()
    handles = []
    for i in range(1, 2 * RESTORE_RUNS + 4):
        handle = TaskHandle(i, "task", TaskContext(i, None))  # type: ignore[arg-type]
        handle.state = TaskState.FINISHED if i % 2 else TaskState.RUNNING
        handle.ended_at = float(i) if i % 2 else None
        handles.append(handle)
    model.append(handles)
    before = rows(model)
    resets, inserts = [], []
    model.modelReset.connect(lambda: resets.append(1))
    model.rowsInserted.connect(lambda *_: inserts.append(1))
    taken = model.remove_ended()  # every other row: more runs than RESTORE_RUNS
    assert model.rowCount() == RESTORE_RUNS + 1
    assert model.restore(taken) == RESTORE_RUNS + 2
    assert rows(model) == before and (len(resets), len(inserts)) == (1, 0)
    assert model.state_counts() == {"finished": RESTORE_RUNS + 2, "running": RESTORE_RUNS + 1}
    assert model.restore(taken) == 0  # each row once


# -- the window: the toast ----------------------------------------------------------


def test_remove_shows_a_toast_whose_undo_puts_the_row_back(ui, backend, qtbot):
    handles = ended_tasks(qtbot, backend, 3)
    view, toast = find_item(ui.window, "taskList"), find_item(ui.window, "undoToast")
    assert not toast.isVisible()
    row = wait_for_item(qtbot, ui.window, f"taskRow{handles[1].id}")
    click(qtbot, ui.window, find_item(row, "removeButton"))
    qtbot.waitUntil(lambda: view.property("count") == 2 and toast.isVisible())
    assert find_item(toast, "undoLabel").property("text") == f"Removed #{handles[1].id}"
    click(qtbot, ui.window, find_item(toast, "undoButton"))
    qtbot.waitUntil(lambda: view.property("count") == 3 and not toast.isVisible())
    assert [r[ID] for r in rows(backend.taskModel)] == [h.id for h in handles]
    back = wait_for_item(qtbot, ui.window, f"taskRow{handles[1].id}")
    assert find_item(back, "taskStateLabel").property("text") == "failed"


def test_the_toast_says_what_was_cleared_and_ctrl_z_undoes_it(ui, backend, qtbot):
    ended_tasks(qtbot, backend, 4)
    toast = find_item(ui.window, "undoToast")
    click(qtbot, ui.window, find_item(ui.window, "clearFailedButton"))
    qtbot.waitUntil(toast.isVisible)
    assert find_item(toast, "undoLabel").property("text") == "Cleared 2 failed tasks"
    click(qtbot, ui.window, find_item(ui.window, "clearFinishedButton"))  # the last removal is the one to undo
    qtbot.waitUntil(lambda: find_item(toast, "undoLabel").property("text") == "Cleared 2 ended tasks")
    ui.window.requestActivate()
    qtbot.waitUntil(ui.window.isActive)
    QTest.keyClick(ui.window, Qt.Key_Z, Qt.ControlModifier)
    qtbot.waitUntil(lambda: backend.taskModel.rowCount() == 2 and not toast.isVisible())
    assert backend.taskFilter.failedCount == 0  # the failed ones stay cleared


def test_the_toast_lets_go_after_its_time_or_at_dismiss(ui, backend, qtbot):
    handles = ended_tasks(qtbot, backend, 2)
    toast = find_item(ui.window, "undoToast")
    toast.setProperty("timeout", 50)
    backend.remove(handles[0].id)
    assert backend.removals.pending
    qtbot.waitUntil(lambda: not backend.removals.pending)  # the time is up: the rows go for good
    assert not toast.isVisible()
    toast.setProperty("timeout", 60_000)
    backend.remove(handles[1].id)
    qtbot.waitUntil(toast.isVisible)
    click(qtbot, ui.window, find_item(toast, "dismissUndoButton"))
    qtbot.waitUntil(lambda: not toast.isVisible())
    assert backend.removals.undo() == 0 and backend.taskModel.rowCount() == 0


# -- the window: buttons that keep their places ---------------------------------------


def slot_x(row, name: str) -> float:
    button = find_item(row, name)
    return button.mapToScene(QPointF(button.width() / 2, 0)).x()


def fail_when_opened(gate: Gate) -> None:
    gate()
    raise RuntimeError("it failed, once let go")


def test_no_button_that_destroys_appears_where_a_harmless_one_was(ui, backend, qtbot):
    gate = Gate()
    handle = backend.submit(fail_when_opened, gate)  # it runs, with its Pause and Cancel, until let go
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    qtbot.waitUntil(lambda: find_item(row, "cancelButton").isVisible() and find_item(row, "pauseButton").isVisible())
    with qtbot.waitSignal(ui.window.frameSwapped):
        ui.window.update()
    running = {name: slot_x(row, name) for name in ("pauseButton", "cancelButton")}
    assert not find_item(row, "removeButton").isVisible()
    gate.open()
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: find_item(row, "removeButton").isVisible() and find_item(row, "detailsButton").isVisible())
    with qtbot.waitSignal(ui.window.frameSwapped):
        ui.window.update()
    ended = {name: slot_x(row, name) for name in ("removeButton", "retryButton", "detailsButton")}
    assert ended["detailsButton"] == running["cancelButton"]  # a late Cancel opens the details
    assert ended["retryButton"] == running["pauseButton"]
    assert ended["removeButton"] < min(running.values())  # Remove only where nothing was


def test_a_click_just_after_the_end_lands_on_nothing(ui, backend, qtbot):
    backend.step_seconds = 10
    backend.danger()
    (handle,) = backend.tasks()
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    row.setProperty("settleMs", 60_000)  # "just after", however slow this machine is
    cancel = find_item(row, "cancelButton")
    click(qtbot, ui.window, cancel)  # a click meant for Cancel...
    wait_done(qtbot, handle)
    retry, details = find_item(row, "retryButton"), find_item(row, "detailsButton")
    qtbot.waitUntil(retry.isVisible)
    assert not retry.isEnabled() and not find_item(row, "removeButton").isEnabled()
    for button in (retry, find_item(row, "removeButton")):  # ...and others, landing after the end
        centre = button.mapToScene(QPointF(button.width() / 2, button.height() / 2))
        QTest.mouseClick(ui.window, Qt.LeftButton, Qt.NoModifier, centre.toPoint())
    assert backend.taskModel.rowCount() == 1 and backend.tasks() == []
    assert not details.isEnabled() and not row.property("expanded")  # in Cancel's place, it takes no click yet
    row.setProperty("settleMs", 0)
    row.setProperty("settling", False)  # as the end of its moment does
    click(qtbot, ui.window, retry)
    qtbot.waitUntil(lambda: backend.taskModel.rowCount() == 2)
    backend.cancelAll()


def test_a_row_that_ends_settles_for_a_moment_then_takes_clicks(ui, backend, qtbot):
    handle = backend.submit_task(tasks.wait_for_cancel)
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    qtbot.waitUntil(lambda: handle.progress == 10)
    backend.cancel(handle)
    qtbot.waitUntil(lambda: row.property("settling"))
    qtbot.waitUntil(lambda: not row.property("settling"), timeout=3000)
    assert find_item(row, "removeButton").isEnabled()


# -- Copy says it copied ----------------------------------------------------------


def test_copy_says_copied_for_a_moment(ui, backend, qtbot):
    backend.step_seconds = 0.01
    backend.fail()
    (handle,) = backend.tasks()
    wait_done(qtbot, handle)
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    click(qtbot, ui.window, find_item(row, "detailsButton"))
    details = find_item(row, "taskDetails")
    qtbot.waitUntil(details.isVisible)
    copy = find_item(details, "copyButton")
    width = copy.width()
    details.setProperty("copiedMs", 300)
    QGuiApplication.clipboard().clear()
    click(qtbot, ui.window, copy)
    assert copy.property("text") == "Copied"
    with qtbot.waitSignal(ui.window.frameSwapped):  # as drawn
        ui.window.update()
    assert copy.width() == width  # nothing beside it moves
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == handle.error.traceback)
    qtbot.waitUntil(lambda: copy.property("text") == "Copy")


def test_the_last_row_stays_in_sight_above_the_toast(ui, backend, qtbot):
    handles = [backend.submit(pow, 2, n) for n in range(30)]  # more than the list shows
    view, toast = find_item(ui.window, "taskList"), find_item(ui.window, "undoToast")
    qtbot.waitUntil(lambda: backend.taskFilter.counts.get("finished") == 30 and view.property("atYEnd"))
    backend.remove(handles[-1].id)
    qtbot.waitUntil(toast.isVisible)
    for _ in range(2):  # the toast, then the view laid out under it
        with qtbot.waitSignal(ui.window.frameSwapped):
            ui.window.update()
    last = wait_for_item(qtbot, ui.window, f"taskRow{handles[-2].id}")
    assert last.mapToScene(QPointF(0, last.height())).y() <= toast.mapToScene(QPointF(0, 0)).y()


def test_open_details_stay_open_when_their_row_scrolls_out_and_back(ui, backend, qtbot):
    """The view reuses rows: a row's own state would go to whichever task its row shows next."""
    handles = [backend.submit(pow, 2, n) for n in range(40)]  # more than the list shows
    view = find_item(ui.window, "taskList")
    qtbot.waitUntil(lambda: backend.taskFilter.counts.get("finished") == 40)
    view.setProperty("following", False)  # as after a scroll by the user
    view.setProperty("contentY", view.property("originY"))
    row = wait_for_item(qtbot, ui.window, f"taskRow{handles[0].id}")
    qtbot.waitUntil(lambda: not row.property("settling"))
    click(qtbot, ui.window, find_item(row, "detailsButton"))
    qtbot.waitUntil(find_item(row, "taskPeriodLabel").isVisible)
    view.setProperty("contentY", view.property("contentHeight"))  # to the end: the first rows go out of view

    def scrolled_out() -> bool:
        try:
            find_item(ui.window, f"taskRow{handles[0].id}")
        except AssertionError:
            return True
        return False

    qtbot.waitUntil(scrolled_out)
    view.setProperty("contentY", view.property("originY"))
    row = wait_for_item(qtbot, ui.window, f"taskRow{handles[0].id}")
    qtbot.waitUntil(find_item(row, "taskPeriodLabel").isVisible)
    others = [wait_for_item(qtbot, ui.window, f"taskRow{h.id}") for h in handles[1:3]]
    assert [other.property("expanded") for other in others] == [False, False]  # only the one opened
