"""The window's look: what the state chips draw, and that nothing jumps as values change."""

from __future__ import annotations

from pathlib import Path

import pytest
from qtpy.QtCore import QPointF, QRect, QUrl
from qtpy.QtQml import QQmlComponent

from offthread import TaskState
from offthread.app import load_ui

from . import tasks
from .helpers import click, find_item, wait_done, wait_for_item
from .test_window import contrast

QML = Path(__file__).resolve().parent.parent / "qml"


def shown(qtbot, window, item):
    """The pixels ``item`` shows in ``window`` now, once a frame has been drawn since the last change."""
    with qtbot.waitSignal(window.frameSwapped):
        window.update()
    image = window.grabWindow()
    if image.isNull():  # Qt 5's software renderer grabs nothing: read what the screen shows
        image = window.screen().grabWindow(window.winId()).toImage()
    corner = item.mapToScene(QPointF(0, 0))
    return image.copy(QRect(round(corner.x()), round(corner.y()), round(item.width()), round(item.height())))


def ink(image, paper) -> set[tuple[int, int]]:
    """Where ``image`` is drawn on: the pixels far from the colour of its ``paper``."""
    far = set()
    for y in range(image.height()):
        for x in range(image.width()):
            p = image.pixelColor(x, y)
            if abs(p.red() - paper.red()) + abs(p.green() - paper.green()) + abs(p.blue() - paper.blue()) > 90:
                far.add((x, y))
    return far


def likeness(a: set, b: set) -> float:
    return len(a & b) / max(1, len(a | b))


def chip_ink(qtbot, window, chip):
    return ink(shown(qtbot, window, find_item(chip, "taskStateIcon")), chip.property("color"))


def fresh_chips(ui, beside, states):
    """A StateChip for each of ``states``, made in that state and shown to the right of ``beside``.

    Whole pixels apart, so that each draws its icon on the same fraction of a pixel.
    """
    component = QQmlComponent(ui.engine, QUrl.fromLocalFile(str(QML / "StateChip.qml")), ui.window)
    corner = beside.mapToScene(QPointF(0, 0))
    chips = {}
    for n, state in enumerate(states, 1):
        place = {"x": corner.x() + 100 * n, "y": corner.y(), "width": beside.width(), "z": 10}
        chip = component.createWithInitialProperties({"taskState": state.value, **place})
        assert chip is not None, [e.toString() for e in component.errors()]
        chip.setParent(ui.window)  # deleted with it
        chip.setParentItem(ui.window.contentItem())
        chips[state] = chip
    return chips


def draws(qtbot, ui, handle) -> TaskState:
    """The state whose icon the chip of ``handle``'s row draws: of the icons that fresh chips
    draw for each state, the one it matches (the same pixels) or, if none, the nearest."""
    chip = find_item(wait_for_item(qtbot, ui.window, f"taskRow{handle.id}"), "taskStateLabel")
    qtbot.waitUntil(lambda: chip.property("text") == handle.state.value)  # the row is up to date
    drawn = chip_ink(qtbot, ui.window, chip)
    fresh = fresh_chips(ui, chip, (TaskState.QUEUED, TaskState.FINISHED, TaskState.FAILED, TaskState.CANCELLED))
    alike = {state: likeness(drawn, chip_ink(qtbot, ui.window, other)) for state, other in fresh.items()}
    for other in fresh.values():
        other.deleteLater()
    nearest = max(alike, key=alike.get)
    assert alike[nearest] > 0.8, alike  # drawn as fresh chips draw it, or this test compares badly
    return nearest


def test_a_gui_mode_rows_chip_draws_the_icon_of_its_state(ui, backend, qtbot):
    # Three clicks in gui mode: under Qt 5's software renderer the icon's
    # layer kept its first picture, and the first two rows kept the clock.
    backend.mode = "gui"
    backend.step_seconds = 0.1
    backend.danger()
    backend.danger()
    backend.fail()
    made = backend.tasks()
    for handle in made:
        wait_done(qtbot, handle)
    expected = [TaskState.FINISHED, TaskState.FINISHED, TaskState.FAILED]
    assert [handle.state for handle in made] == expected
    assert [draws(qtbot, ui, handle) for handle in made] == expected


# -- nothing jumps ---------------------------------------------------------------


def drawn_frame(qtbot, window) -> None:
    """Wait for a frame: what changed has been laid out (layouts polish before a frame)."""
    with qtbot.waitSignal(window.frameSwapped):
        window.update()


def scene_pos(item) -> tuple[float, float]:
    corner = item.mapToScene(QPointF(0, 0))
    return corner.x(), corner.y()


def test_the_toolbars_second_line_and_all_below_stay_put_as_the_mode_changes(ui, backend, qtbot):
    # The thread count's spin box came and went with the mode: 15 px up and down.
    places = {}
    for mode in backend.modes:
        backend.mode = mode
        drawn_frame(qtbot, ui.window)
        places[mode] = (scene_pos(find_item(ui.window, "poolLabel"))[1], scene_pos(find_item(ui.window, "taskList"))[1])
    assert len(set(places.values())) == 1, places


def test_the_counters_neighbour_stays_put_as_the_count_gains_digits(ui, qtbot):
    counter = find_item(ui.window, "counter")
    hint = find_item(ui.window, "counterHint")
    places = {}
    for count in (0, 9, 10, 99, 100, 999, 1000, 9999):
        counter.setProperty("count", count)
        drawn_frame(qtbot, ui.window)
        places[count] = scene_pos(hint)[0]
    assert len(set(places.values())) == 1, places


def test_the_list_stays_put_when_a_task_fails(ui, backend, qtbot):
    # The latest task's Traceback button made its card 10 px taller.
    backend.step_seconds = 0.3
    backend.fail()
    (handle,) = backend.tasks()
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "running")
    drawn_frame(qtbot, ui.window)
    running = scene_pos(row)
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: find_item(ui.window, "errorDetailsButton").isVisible())
    drawn_frame(qtbot, ui.window)
    assert scene_pos(row) == running


SIZES = {"minimum": None, "default": None, "880x700": (880, 700), "700x640": (700, 640), "1000x900": (1000, 900)}


def rows_in_view(task_list):
    """The (top, bottom) of each row the list shows, wholly or in part, in scene coordinates."""
    top = scene_pos(task_list)[1]
    bottom = top + task_list.height()
    spans = [
        (scene_pos(row)[1], scene_pos(row)[1] + row.height())
        for row in task_list.property("contentItem").childItems()
        if row.objectName().startswith("taskRow") and row.isVisible()
    ]
    return top, bottom, sorted((y0, y1) for y0, y1 in spans if y1 > top + 0.5 and y0 < bottom - 0.5)


@pytest.mark.parametrize("size", SIZES)
def test_a_list_that_follows_its_end_shows_whole_rows(ui, backend, qtbot, size):
    # At the minimum size the first row showed cut in half under the list's header,
    # and there was room for one row and a half.
    window = ui.window
    if size == "minimum":
        window.resize(window.minimumWidth(), window.minimumHeight())
    elif size != "default":
        window.resize(*SIZES[size])
    backend.step_seconds = 10
    for _ in range(20):
        backend.danger()
    task_list = find_item(window, "taskList")
    qtbot.waitUntil(lambda: task_list.property("count") == 20 and task_list.property("atYEnd"))
    drawn_frame(qtbot, window)
    top, bottom, seen = rows_in_view(task_list)
    assert len(seen) >= 3
    assert all(top - 0.5 <= y0 and y1 <= bottom + 0.5 for y0, y1 in seen), (top, bottom, seen)
    backend.cancelAll()


def test_an_events_mode_note_has_room_at_the_default_width(ui, backend, qtbot, caplog):
    # "started inside #1's processEvents()" and "was stuck 0.4 s while #2 ran
    # inside it" ended in "…" at the default width.
    backend.mode = "events"
    backend.step_seconds = 0.1
    backend.danger()
    backend.danger()
    made = backend.tasks()
    for handle in made:
        wait_done(qtbot, handle)
    assert "started inside task 1's processEvents()" in caplog.text  # the log says it too
    caplog.clear()
    notes = [find_item(wait_for_item(qtbot, ui.window, f"taskRow{h.id}"), "taskNoteLabel") for h in made]
    qtbot.waitUntil(lambda: all(note.property("text") for note in notes))
    drawn_frame(qtbot, ui.window)
    assert [note.property("truncated") for note in notes] == [False, False], [n.property("text") for n in notes]
    assert all(note.isVisible() for note in notes)


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_a_selected_rows_chip_keeps_its_edge(backend, qtbot, mode):
    # The chips' fills are as light (or as dark) as the selection: on a
    # selected row a chip lost its shape.
    ui = load_ui(backend, theme=mode)
    try:
        qtbot.waitExposed(ui.window)
        handle = backend.submit_task(tasks.wait_for_cancel)
        row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
        chip = find_item(row, "taskStateLabel")
        qtbot.waitUntil(lambda: chip.property("text") == "running")
        click(qtbot, ui.window, find_item(row, "taskModeLabel"))  # selects the row
        qtbot.waitUntil(lambda: row.property("selected"))
        picture = shown(qtbot, ui.window, row)
        x, y = scene_pos(chip)
        left, top = scene_pos(row)
        middle = round(x - left + chip.width() / 2)
        edge = max(
            contrast(picture.pixelColor(middle, round(y - top) + dy), picture.pixelColor(middle, 2)) for dy in (0, 1)
        )
        assert edge >= 1.4, edge
        backend.cancelAll()
        wait_done(qtbot, handle)
    finally:
        ui.close()


def scroll_bars(item):
    """The scroll bars under ``item`` that show, as (orientation, size)."""
    found, pending = [], [item]
    while pending:
        item = pending.pop()
        pending.extend(item.childItems())
        if "ScrollBar" in item.metaObject().className() and item.isVisible():
            found.append((str(item.property("orientation")), item.property("size")))
    return found


def test_a_text_short_of_its_right_padding_by_a_fraction_of_a_pixel_shows_no_scroll_bar(ui, qtbot):
    # Fonts differ from machine to machine: the demo's traceback fitted on one and was 0.125 px too
    # wide for its padding on another, which showed a horizontal bar to scroll by that much.
    component = QQmlComponent(ui.engine, QUrl.fromLocalFile(str(QML / "TracebackView.qml")), ui.window)
    view = component.createWithInitialProperties({"text": "x" * 90, "width": 900, "height": 150, "z": 10})
    assert view is not None, [e.toString() for e in component.errors()]
    view.setParent(ui.window)  # deleted with it
    view.setParentItem(ui.window.contentItem())
    area = find_item(view, "detailsText")
    scroller = area.parentItem()
    while "ScrollView" not in scroller.metaObject().className():
        scroller = scroller.parentItem()
    text = area.property("contentWidth") + area.property("leftPadding")  # the text and its left padding
    for over, bar in ((-area.property("leftPadding") / 2, False), (0.5, True)):  # padding squeezed; text cut
        view.setWidth(view.width() - scroller.width() + text - over)
        drawn_frame(qtbot, ui.window)
        assert bool(scroll_bars(view)) is bar, (over, scroll_bars(view))
    assert area.property("rightPadding") == area.property("leftPadding")  # all of it, once it scrolls


def test_a_traceback_that_fits_shows_no_scroll_bars_and_a_long_one_does(ui, backend, qtbot):
    # Under Qt 5 a traceback that fits had a 6 px dot in two corners: scroll bars of size 0.
    from .test_window import failed_row

    handle, row = failed_row(ui, backend, qtbot)
    click(qtbot, ui.window, find_item(row, "detailsButton"))
    details = find_item(row, "taskDetails")
    qtbot.waitUntil(details.isVisible)
    drawn_frame(qtbot, ui.window)
    assert scroll_bars(details) == []
    long = backend.submit_task(tasks.fail_with_a_long_message, (30_000,))
    wait_done(qtbot, long)
    click(qtbot, ui.window, find_item(ui.window, "errorDetailsButton"))
    latest = find_item(ui.window, "latestDetails")
    qtbot.waitUntil(latest.isVisible)
    qtbot.waitUntil(lambda: any(0 < size < 1 for _, size in scroll_bars(latest)))
