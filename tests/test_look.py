"""The window's look: what the state chips draw, and that nothing jumps as values change."""

from __future__ import annotations

from pathlib import Path

from qtpy.QtCore import QPointF, QRect, QUrl
from qtpy.QtQml import QQmlComponent

from offthread import TaskState

from .helpers import find_item, wait_done, wait_for_item

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
