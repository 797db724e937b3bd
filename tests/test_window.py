"""The window as people use it: the theme, row actions, keyboard, screen readers,
the smallest size it allows, fast clicks, and what gui mode's rows say."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

import pytest
from qtpy.QtCore import QCoreApplication, QEvent, QPoint, QPointF, QRectF, Qt, QUrl
from qtpy.QtGui import QAccessible, QGuiApplication
from qtpy.QtQml import QQmlApplicationEngine, QQmlComponent, QQmlEngine
from qtpy.QtTest import QTest

from offthread import TaskState
from offthread.app import load_ui
from offthread.app.qmlmodule import register_qml_types

from . import tasks
from .helpers import click, find_item, wait_done, wait_for_item

QML = Path(__file__).resolve().parent.parent / "qml"
DATA = Path(__file__).resolve().parent / "data"

# -- the theme ---------------------------------------------------------------


def theme(qtbot, mode: str):
    """Theme.qml's singleton in ``mode``, read through a small QML file that imports qml/."""
    # As the app does, before any engine exists: Qt 5 registering types after an
    # engine compiled qml/ makes later engines fail on it ("Cannot assign object
    # to list property") when this test runs first.
    register_qml_types()
    engine = QQmlEngine()
    component = QQmlComponent(engine, QUrl.fromLocalFile(str(DATA / "theme_probe.qml")))
    probe = component.create()
    assert probe is not None, [e.toString() for e in component.errors()]
    QQmlEngine.setObjectOwnership(probe, QQmlEngine.ObjectOwnership.CppOwnership)  # not the JS collector's
    probe.setParent(engine)
    probe.setProperty("mode", mode)
    return engine, probe, probe.property("theme")


def luminance(color) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


TEXT_ON = [
    ("text", ["window", "surface", "surfaceAlt", "selection", "buttonHover", "buttonPressed"]),  # and filter chips
    ("textMuted", ["window", "surface", "surfaceAlt", "selection"]),
    ("window", ["text"]),  # tooltips and the undo toast: the theme inverted
    ("buttonText", ["button", "buttonHover", "buttonPressed", "surface"]),
    ("textOnDanger", ["danger", "dangerHover"]),
    ("textOnAccent", ["accent", "accentHover"]),
    ("link", ["surface", "surfaceAlt"]),
    ("errorText", ["surface", "surfaceAlt", "window", "selection"]),
    ("noteText", ["surface", "surfaceAlt", "selection"]),
]
STATES = ["queued", "running", "paused", "finished", "failed", "cancelled", "timed out"]


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_every_text_colour_meets_wcag_aa_on_its_background(qtbot, mode):
    _engine, probe, palette = theme(qtbot, mode)
    assert palette.property("dark") == (mode == "dark")
    weak = []
    for text, backgrounds in TEXT_ON:
        for background in backgrounds:
            ratio = contrast(palette.property(text), palette.property(background))
            if ratio < 4.5:
                weak.append(f"{text} on {background}: {ratio:.2f}")
    for state in STATES:
        probe.setProperty("state", state)
        ratio = contrast(probe.property("stateText"), probe.property("stateFill"))
        if ratio < 4.5:
            weak.append(f"the {state} chip: {ratio:.2f}")
    assert not weak, f"{mode}: " + "; ".join(weak)


def test_no_file_but_the_theme_names_a_colour():
    literal = re.compile(r'#[0-9a-fA-F]{3,8}\b|"(?:white|black|red|green|blue|gray|grey|yellow|orange|transparent)"')
    offenders = [
        f"{path.relative_to(QML)}:{n}"
        for path in QML.rglob("*.qml")
        if path.name != "Theme.qml"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if literal.search(line.split("//")[0])
    ]
    assert not offenders


def test_the_qml_states_are_pythons_task_states():
    declared = dict(re.findall(r'readonly property string (\w+): "([^"]*)"', (QML / "TaskStates.qml").read_text()))
    camel = {re.sub(r"_(\w)", lambda m: m.group(1).upper(), state.name.lower()): state.value for state in TaskState}
    assert declared == camel
    assert sorted(declared.values()) == sorted(STATES)


def test_no_file_but_task_states_names_a_state():
    words = "|".join(state.value for state in TaskState)
    word = re.compile(f'"(?:{words})"')
    offenders = [
        f"{path.relative_to(QML)}:{n}"
        for path in QML.rglob("*.qml")
        if path.name != "TaskStates.qml"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if word.search(line.split("//")[0])
    ]
    assert not offenders


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_the_window_takes_the_theme_it_is_given(backend, qtbot, mode):
    _engine, _probe, palette = theme(qtbot, mode)
    ui = load_ui(backend, theme=mode)
    try:
        assert ui.window.property("color") == palette.property("window")
    finally:
        ui.close()


# -- row actions ---------------------------------------------------------------


def failed_row(ui, backend, qtbot):
    backend.step_seconds = 0.01
    backend.fail()
    (handle,) = backend.tasks()
    wait_done(qtbot, handle)
    return handle, wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")


@pytest.fixture
def row_preview(qtbot):
    """qml/RowPreview.qml: TaskRow alone, a row in each state, with no backend."""
    register_qml_types()  # as theme() does: Qt 5 wants them before any engine compiles qml/
    engine = QQmlApplicationEngine()
    engine.load(QUrl.fromLocalFile(str(QML / "RowPreview.qml")))
    (window,) = engine.rootObjects()
    qtbot.waitExposed(window)
    yield window
    window.close()
    del window
    engine.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_row_needs_no_backend_and_asks_for_each_action_by_a_signal(row_preview, qtbot):
    window = row_preview
    rows = [wait_for_item(qtbot, window, f"taskRow{n}") for n in range(1, 8)]
    assert [find_item(row, "taskStateLabel").property("text") for row in rows] == STATES

    def asked_by(row, button: str) -> str:
        click(qtbot, window, find_item(row, button))
        return window.property("asked")

    queued, running, paused, _finished, failed, _cancelled, _timed_out = rows
    assert asked_by(running, "cancelButton") == "cancelRequested 2"
    assert asked_by(running, "pauseButton") == "pauseChangeRequested(true) 2"
    assert asked_by(paused, "pauseButton") == "pauseChangeRequested(false) 3"
    assert asked_by(queued, "cancelButton") == "cancelRequested 1"
    assert asked_by(failed, "retryButton") == "retryRequested 5"
    assert asked_by(failed, "removeButton") == "removeRequested 5"
    details = find_item(failed, "taskDetails")
    click(qtbot, window, find_item(failed, "detailsButton"))
    qtbot.waitUntil(details.isVisible)
    assert asked_by(details, "copyButton") == "copyDetailsRequested 5"


def test_a_failed_row_opens_in_place_with_its_traceback_to_copy(ui, backend, qtbot):
    handle, row = failed_row(ui, backend, qtbot)
    details = find_item(row, "taskDetails")
    assert not details.isVisible()
    click(qtbot, ui.window, find_item(row, "detailsButton"))
    qtbot.waitUntil(details.isVisible)
    assert find_item(row, "taskErrorLabel").property("text") == handle.error.summary
    text = find_item(row, "taskDetailsText").property("text")
    assert text == handle.error.traceback and text.startswith("Traceback")
    QGuiApplication.clipboard().clear()
    click(qtbot, ui.window, find_item(details, "copyButton"))
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == handle.error.traceback)


def test_the_latest_tasks_copy_copies_its_whole_traceback_not_the_shortened_one(ui, backend, qtbot):
    handle = backend.submit_task(tasks.fail_with_a_long_message, (30_000,))
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: backend.taskId == handle.id and backend.errorDetails != "")
    assert backend.errorDetails.endswith("…")  # shortened for the window
    click(qtbot, ui.window, find_item(ui.window, "errorDetailsButton"))
    details = find_item(ui.window, "latestDetails")
    qtbot.waitUntil(details.isVisible)
    QGuiApplication.clipboard().clear()
    click(qtbot, ui.window, find_item(details, "copyButton"))
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text() == handle.error.traceback)


def test_every_failed_row_keeps_its_own_details_after_other_tasks_start(ui, backend, qtbot):
    first, first_row = failed_row(ui, backend, qtbot)
    second = backend.submit(lambda: "another")
    wait_done(qtbot, second)
    click(qtbot, ui.window, find_item(first_row, "detailsButton"))
    qtbot.waitUntil(lambda: find_item(first_row, "taskDetailsText").property("text") == first.error.traceback)


def test_retry_runs_the_same_job_again_as_a_new_task(ui, backend, qtbot):
    handle, row = failed_row(ui, backend, qtbot)
    click(qtbot, ui.window, find_item(row, "retryButton"))
    qtbot.waitUntil(lambda: backend.taskModel.handle(handle.id + 1) is not None)  # its row is published
    again = backend.taskModel.handle(handle.id + 1)
    assert again is not None and (again.name, again.mode, again.call) == (handle.name, handle.mode, handle.call)
    wait_done(qtbot, again)
    assert again.error.summary == handle.error.summary


def test_remove_takes_an_ended_row_out_of_the_list(ui, backend, qtbot):
    handle, row = failed_row(ui, backend, qtbot)
    task_list = find_item(ui.window, "taskList")
    assert task_list.property("count") == 1
    click(qtbot, ui.window, find_item(row, "removeButton"))
    qtbot.waitUntil(lambda: task_list.property("count") == 0)
    assert backend.taskModel.handle(handle.id) is None


def test_a_running_row_offers_pause_and_cancel_and_nothing_else(ui, backend, qtbot):
    backend.step_seconds = 10
    backend.danger()
    (handle,) = backend.tasks()
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING)
    shown = {name for name in ("pauseButton", "cancelButton", "detailsButton", "retryButton", "removeButton")
             if find_item(row, name).isVisible()}  # fmt: skip
    assert shown == {"pauseButton", "cancelButton"}
    backend.cancel(handle)
    wait_done(qtbot, handle)


# -- keyboard ------------------------------------------------------------------


def focus_chain(window, presses: int) -> list[str]:
    names = []
    for _ in range(presses):
        QTest.keyClick(window, Qt.Key_Tab)
        item = window.activeFocusItem()
        while item is not None and not item.objectName():
            item = item.parentItem()  # the editor inside a spin box: name its box
        names.append(item.objectName() if item is not None else "")
    return names


def test_tab_reaches_every_control_in_reading_order_with_a_focus_ring(ui, backend, qtbot):
    ui.window.requestActivate()
    qtbot.waitUntil(lambda: ui.window.isActive())
    chain = focus_chain(ui.window, 15)
    # Retry failed, Clear failed, Cancel all and Clear finished wait, disabled, for tasks to act on.
    expected = ["modeSelector", "dangerButton", "cpuButton", "fetchButton", "failButton", "threadsSpinBox"]
    expected += ["filterAll", "filterRunning", "filterQueued", "filterPaused", "filterFailed", "filterDone"]
    expected += ["filterCancelled", "nameFilter", "taskList"]
    assert chain == expected
    chip = find_item(ui.window, "filterFailed")
    chip.forceActiveFocus(Qt.TabFocusReason)
    assert chip.property("visualFocus")  # the ring shows on a chip too
    danger = find_item(ui.window, "dangerButton")
    danger.forceActiveFocus(Qt.TabFocusReason)
    assert danger.property("visualFocus")  # the ring shows on the red button too


@pytest.mark.parametrize("key", [Qt.Key_Space, Qt.Key_Return, Qt.Key_Enter])
def test_space_and_enter_press_the_focused_button(ui, backend, qtbot, key):
    find_item(ui.window, "dangerButton").forceActiveFocus(Qt.TabFocusReason)
    with qtbot.waitSignal(backend.signals.started):
        QTest.keyClick(ui.window, key)
    assert [h.name for h in backend.tasks()] == ["DANGER!"]
    backend.cancelAll()


@pytest.mark.parametrize(
    ("keys", "name"), [("Ctrl+D", "DANGER!"), ("Ctrl+U", "CPU job"), ("Ctrl+F", "failing job")], ids=["D", "U", "F"]
)
def test_shortcuts_start_the_jobs(ui, backend, qtbot, keys, name):
    backend.step_seconds = 10
    ui.window.requestActivate()
    qtbot.waitUntil(lambda: ui.window.isActive())
    QTest.keyClick(ui.window, keys[-1], Qt.ControlModifier)
    qtbot.waitUntil(lambda: len(backend.tasks()) == 1)
    assert backend.tasks()[0].name == name
    QTest.keyClick(ui.window, Qt.Key_Period, Qt.ControlModifier)  # Ctrl+. cancels them all
    qtbot.waitUntil(lambda: not backend.tasks())


def test_delete_cancels_the_selected_task(ui, backend, qtbot):
    backend.step_seconds = 10
    backend.danger()
    backend.danger()
    first, second = backend.tasks()
    row = wait_for_item(qtbot, ui.window, f"taskRow{first.id}")
    click(qtbot, ui.window, find_item(row, "taskModeLabel"))  # a click on the row selects it
    QTest.keyClick(ui.window, Qt.Key_Delete)
    wait_done(qtbot, first)
    assert first.state == TaskState.CANCELLED and not second.done
    backend.cancel(second)


def test_every_shortcut_is_in_a_tooltip_and_the_readme():
    readme = (QML.parent / "README.md").read_text()
    sources = "".join(p.read_text() for p in QML.glob("*.qml"))
    for keys in ("Ctrl+D", "Ctrl+U", "Ctrl+F", "Ctrl+.", "Delete"):
        assert keys in readme, keys
        assert re.search(rf"(toolTip|ToolTip.text): .*{re.escape(keys)}", sources), keys


# -- screen readers ------------------------------------------------------------

INTERACTIVE = {
    QAccessible.Role.Button,
    QAccessible.Role.ComboBox,
    QAccessible.Role.SpinBox,
    QAccessible.Role.ProgressBar,
    QAccessible.Role.ScrollBar,
    QAccessible.Role.EditableText,
    QAccessible.Role.CheckBox,
    QAccessible.Role.Slider,
}


def accessible(window) -> Iterator[tuple[object, object]]:
    """Every (interface, its parent's interface) under ``window`` that is shown."""
    pending = [(QAccessible.queryAccessibleInterface(window), None)]
    while pending:
        node, parent = pending.pop()
        if node is None or not node.isValid() or node.state().invisible:
            continue
        yield node, parent
        pending.extend((node.child(i), node) for i in range(node.childCount()))


def every_state(ui, backend, qtbot):
    backend.maxThreadCount = 4
    backend.step_seconds = 0.01
    ended = [backend.submit_task(tasks.square, (3,)), backend.submit_task(tasks.fail_in_child, ("x",))]
    for handle in ended:
        wait_done(qtbot, handle)
    running = backend.submit_task(tasks.wait_for_cancel)
    paused = backend.submit_task(tasks.wait_for_cancel)
    qtbot.waitUntil(lambda: paused.progress == 10 and running.progress == 10)
    backend.pause(paused)
    qtbot.waitUntil(lambda: paused.state == TaskState.PAUSED)
    wait_for_item(qtbot, ui.window, f"taskRow{paused.id}")
    failed = find_item(ui.window, f"taskRow{ended[1].id}")
    # A row seen running takes no click for a moment after it ends (TaskRow.settleMs): wait that out,
    # then for the details to show, before the tests read them.
    qtbot.waitUntil(lambda: not failed.property("settling"))
    click(qtbot, ui.window, find_item(failed, "detailsButton"))
    qtbot.waitUntil(find_item(failed, "taskDetails").isVisible)
    return ended + [running, paused]


def test_every_control_has_a_name_for_screen_readers(ui, backend, qtbot):
    made = every_state(ui, backend, qtbot)
    finished = backend.submit_task(tasks.square, (4,))
    wait_done(qtbot, finished)
    qtbot.waitUntil(lambda: backend.taskFilter.counts.get("finished") == 2)
    backend.remove(finished.id)  # the undo toast shows, with its buttons
    backend.taskFilter.set_text("a")  # the name field's clear button shows
    find_item(ui.window, "nameFilter").setProperty("text", "a")
    qtbot.waitUntil(find_item(ui.window, "undoToast").isVisible)
    qtbot.waitUntil(lambda: find_item(ui.window, "filterAll").property("count") == 4)
    nameless, controls = [], 0
    for node, parent in accessible(ui.window):
        if node.role() not in INTERACTIVE:
            continue
        if (
            node.role() == QAccessible.Role.EditableText
            and parent is not None
            and parent.role()
            in (
                QAccessible.Role.SpinBox,
                QAccessible.Role.ComboBox,
            )
        ):
            continue  # the editor inside a named spin box or combo box: read as part of it
        controls += 1
        if not node.text(QAccessible.Text.Name).strip():
            nameless.append(f"{node.role()} in {parent.text(QAccessible.Text.Name) if parent else '?'}")
    assert controls >= 15 and not nameless
    names = {node.text(QAccessible.Text.Name) for node, _ in accessible(ui.window)}
    assert f"Cancel task {made[2].id}, wait_for_cancel" in names  # a row's action says which task
    assert f"Resume task {made[3].id}, wait_for_cancel" in names
    # What a row says of its time, for whom: the failed row opened, and the paused one once published.
    assert any(n.startswith(f"task {made[1].id}, fail_in_child: Started ") for n in names)
    qtbot.waitUntil(
        lambda: any(
            node.text(QAccessible.Text.Name).startswith(f"task {made[3].id}, wait_for_cancel: paused for 0:0")
            for node, _ in accessible(ui.window)
        )
    )
    # The list's filters, bulk actions and undo toast say what they do, and how many.
    assert {"All: 4 tasks", "Failed: 1 tasks", "Running: 1 tasks", "Show only the tasks whose name holds"} <= names
    assert {"Retry the failed tasks shown", "Clear the failed tasks shown from the list"} <= names
    assert {f"Undo: Removed #{finished.id}", f"Dismiss: Removed #{finished.id}, for good"} <= names
    assert f"Removed #{finished.id}. Undo with Ctrl+Z" in names
    assert any(n.startswith("GUI thread lateness") for n in names)
    assert not any(n.startswith("Counter:") for n in names if n)  # the label speaks a sentence instead
    backend.cancelAll()


def test_progress_bars_say_their_value(ui, backend, qtbot):
    made = every_state(ui, backend, qtbot)
    bars = {
        node.text(QAccessible.Text.Name): node.text(QAccessible.Text.Description)
        for node, _ in accessible(ui.window)
        if node.role() == QAccessible.Role.ProgressBar
    }
    assert bars[f"Progress of task {made[2].id}, wait_for_cancel"] == "10 %"
    backend.cancelAll()


def test_danger_can_be_pressed_through_the_accessibility_tree(ui, backend, qtbot):
    nodes = list(accessible(ui.window))  # held: PySide2 frees an interface along with its last wrapper
    danger = next(
        node
        for node, _ in nodes
        if node.role() == QAccessible.Role.Button and node.text(QAccessible.Text.Name).startswith("DANGER!")
    )
    actions = danger.actionInterface() if hasattr(danger, "actionInterface") else None
    with qtbot.waitSignal(backend.signals.started):
        if actions is not None:  # PySide6
            actions.doAction(actions.pressAction())
        else:  # PySide2 binds no action interface: press where the tree says the button is
            centre = ui.window.mapFromGlobal(danger.rect().center())
            QTest.mouseClick(ui.window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    assert [h.name for h in backend.tasks()] == ["DANGER!"]
    backend.cancelAll()


# -- sizes and clicks ----------------------------------------------------------


def items_outside(window) -> list[str]:
    """Visible items that stick out of the window (the list's rows scroll inside it: not counted)."""
    bounds = QRectF(0, 0, window.width(), window.height())
    out, pending = [], [window.contentItem()]
    while pending:
        item = pending.pop()
        if not item.isVisible() or item.width() <= 0 or item.height() <= 0:
            continue
        rect = item.mapRectToScene(QRectF(0, 0, item.width(), item.height()))
        if not bounds.adjusted(-0.5, -0.5, 0.5, 0.5).contains(rect):
            out.append(f"{item.objectName() or type(item).__name__} at {rect}")
        if item.property("clip"):  # a scrolled list or view: what is inside is clipped to it
            continue
        pending.extend(item.childItems())
    return out


def test_at_the_minimum_size_nothing_sticks_out(ui, backend, qtbot):
    every_state(ui, backend, qtbot)
    window = ui.window
    window.resize(window.minimumWidth(), window.minimumHeight())
    qtbot.waitUntil(lambda: window.contentItem().width() == window.minimumWidth())
    assert not items_outside(window)
    backend.cancelAll()


def test_at_the_default_size_eight_of_twelve_rows_are_wholly_visible(ui, backend, qtbot):
    backend.step_seconds = 10
    for _ in range(12):
        backend.danger()
    task_list = find_item(ui.window, "taskList")
    qtbot.waitUntil(lambda: task_list.property("count") == 12)
    top = task_list.mapToScene(QPointF(0, 0)).y()
    bottom = top + task_list.height()
    whole = [
        row
        for row in task_list.property("contentItem").childItems()
        if row.objectName().startswith("taskRow")
        and row.mapToScene(QPointF(0, 0)).y() >= top - 0.5
        and row.mapToScene(QPointF(0, row.height())).y() <= bottom + 0.5
    ]
    assert len(whole) >= 8
    backend.cancelAll()


def test_every_click_starts_a_task_however_fast_they_come(ui, backend, qtbot):
    backend.step_seconds = 10
    danger = find_item(ui.window, "dangerButton")
    centre = danger.mapToScene(QPointF(danger.width() / 2, danger.height() / 2))
    point = QPoint(int(centre.x()), int(centre.y()))
    QTest.mouseDClick(ui.window, Qt.LeftButton, Qt.NoModifier, point)  # a double-click is two clicks
    qtbot.waitUntil(lambda: len(backend.tasks()) == 2)
    for _ in range(4):
        QTest.mouseClick(ui.window, Qt.LeftButton, Qt.NoModifier, point)
    qtbot.waitUntil(lambda: len(backend.tasks()) == 6)
    backend.cancelAll()


def test_a_gui_mode_row_shows_the_real_run_time_freeze_included(ui, backend, qtbot):
    handle = backend.submit_task(tasks.never_checks, (0.3,), mode="gui")
    wait_done(qtbot, handle)
    assert handle.elapsed() >= 0.3
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    qtbot.waitUntil(lambda: float(find_item(row, "taskElapsedLabel").property("text").split()[0]) >= 0.3)


def a_long_list_at_its_end(ui, backend, qtbot):
    """The task list with 30 long tasks, followed to its end; returns the list."""
    backend.step_seconds = 10
    task_list = find_item(ui.window, "taskList")
    for _ in range(30):
        backend.danger()
    qtbot.waitUntil(lambda: task_list.property("count") == 30 and task_list.property("atYEnd"))
    return task_list


def test_a_scroll_begun_as_a_task_arrives_is_not_cut_short(ui, backend, qtbot):
    # The list follows the end with a deferred call; one made before the user
    # began to scroll, and run after, threw them back to the end.
    task_list = a_long_list_at_its_end(ui, backend, qtbot)
    with qtbot.waitSignal(task_list.movementEnded, timeout=5000):
        task_list.flick(0, 4000)  # the user scrolls up...
        backend.danger()
        backend._publisher.publish()  # ...as the list shows a new task, in the same pass
    assert not task_list.property("atYEnd")
    backend.cancelAll()


def test_the_list_follows_new_tasks_until_you_scroll_up(ui, backend, qtbot):
    task_list = a_long_list_at_its_end(ui, backend, qtbot)
    with qtbot.waitSignal(task_list.movementEnded, timeout=5000):
        task_list.flick(0, 4000)  # the user scrolls up, towards the first tasks
    assert not task_list.property("atYEnd")
    top = task_list.property("contentY")
    backend.danger()
    qtbot.waitUntil(lambda: task_list.property("count") == 31)
    assert task_list.property("contentY") == top  # it stays where the user put it
    backend.cancelAll()
