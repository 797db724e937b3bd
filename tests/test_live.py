"""Live reload: saves of every kind reload the UI in place; errors show in it; tasks go on."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from offthread import TaskState
from offthread.app import LiveReload, QmlUi

from .helpers import click, find_item

QML = Path(__file__).resolve().parent.parent / "qml"


@pytest.fixture
def live(make_backend, tmp_path, qtbot):
    """The real qml/, copied to a temporary folder, shown with live reload on."""
    folder = tmp_path / "qml"
    shutil.copytree(QML, folder)
    backend = make_backend(max_threads=2, step_seconds=0.3)
    ui = QmlUi(backend, folder / "Main.qml", live=True)
    assert ui.load() == []
    reloader = LiveReload(ui, folder)
    yield folder, ui, reloader, backend
    ui.close()


def edit(path: Path, old: str, new: str, rename_over: bool = False) -> None:
    """Save a change as an editor would: in place, or into a temporary file renamed over it."""
    text = path.read_text()
    assert old in text
    if rename_over:
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_text(text.replace(old, new, 1))
        os.replace(temporary, path)
    else:
        path.write_text(text.replace(old, new, 1))


def button_text(ui):
    return find_item(ui.window, "dangerButton").property("text")


def test_a_save_reloads_the_ui_and_a_running_task_goes_on(live, qtbot):
    folder, ui, reloader, backend = live
    first_window = ui.window
    backend.danger()
    (task,) = backend.tasks()
    qtbot.waitUntil(lambda: task.state == TaskState.RUNNING)

    with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
        edit(folder / "TaskButtons.qml", 'qsTr("DANGER!")', 'qsTr("DANGER!!")')
    assert reloaded.args == [True]
    assert ui.window is not first_window
    assert button_text(ui) == "DANGER!!"
    # The task was not touched: the new window shows it, and its progress goes on.
    assert task.state == TaskState.RUNNING
    qtbot.waitUntil(lambda: find_item(ui.window, "resultLabel").property("text") == "Done.", timeout=5000)
    row = find_item(ui.window, f"taskRow{task.id}")
    assert find_item(row, "taskStateLabel").property("text") == "finished"


def test_rename_over_saves_are_seen_every_time(live, qtbot):
    folder, ui, reloader, _ = live
    texts = ["DANGER!", "first save", "second save", "third save"]
    for old, new in zip(texts, texts[1:]):
        with qtbot.waitSignal(reloader.reloaded, timeout=3000):
            edit(folder / "TaskButtons.qml", f'qsTr("{old}")', f'qsTr("{new}")', rename_over=True)
        assert button_text(ui) == new


def test_new_files_are_watched(live, qtbot):
    folder, ui, reloader, _ = live
    (folder / "Badge.qml").write_text('import QtQuick.Controls 2.15\nLabel { objectName: "badge"; text: "v1" }\n')
    with qtbot.waitSignal(reloader.reloaded, timeout=3000):
        edit(folder / "Main.qml", "        Header {", "        Badge {}\n\n        Header {")
    assert find_item(ui.window, "badge").property("text") == "v1"
    with qtbot.waitSignal(reloader.reloaded, timeout=3000):
        edit(folder / "Badge.qml", '"v1"', '"v2"', rename_over=True)
    assert find_item(ui.window, "badge").property("text") == "v2"


def test_a_burst_of_saves_is_one_reload(live, qtbot):
    folder, ui, reloader, _ = live
    reloads = []
    reloader.reloaded.connect(reloads.append)
    for n in range(5):
        edit(folder / "TaskButtons.qml", 'qsTr("DANGER!' + "!" * n + '")', 'qsTr("DANGER!' + "!" * (n + 1) + '")')
    qtbot.waitUntil(lambda: bool(reloads) and button_text(ui) == "DANGER!!!!!!", timeout=3000)
    assert reloads == [True]


def test_a_broken_save_shows_its_error_in_the_window_and_the_fix_removes_it(live, qtbot, caplog):
    folder, ui, reloader, _ = live
    source = folder / "TaskButtons.qml"
    good = source.read_text()
    lines = good.splitlines()
    broken_line = next(n for n, line in enumerate(lines, 1) if "onClicked: root.backend.danger()" in line)
    with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
        source.write_text(good.replace("onClicked: root.backend.danger()", "onClicked: root.backend.danger("))
    assert reloaded.args == [False]
    overlay_text = find_item(ui.window, "errorOverlayText").property("text")
    assert f"{source}:{broken_line + 1}" in overlay_text or f"{source}:{broken_line}" in overlay_text
    assert find_item(ui.window, "errorOverlay").isVisible()
    assert f"{source}:" in caplog.text  # the terminal gets them too
    caplog.clear()

    with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
        source.write_text(good)
    assert reloaded.args == [True]
    with pytest.raises(AssertionError):
        find_item(ui.window, "errorOverlay")
    click(qtbot, ui.window, find_item(ui.window, "dangerButton"))
    qtbot.waitUntil(lambda: find_item(ui.window, "taskList").property("count") == 1)


def test_when_the_first_load_fails_the_errors_show_in_a_stand_in_window(make_backend, tmp_path, qtbot):
    folder = tmp_path / "qml"
    shutil.copytree(QML, folder)
    main = folder / "Main.qml"
    good = main.read_text()
    main.write_text(good.replace("ApplicationWindow {", "ApplicationWindow {{", 1))
    ui = QmlUi(make_backend(), main)
    try:
        problems = ui.load()
        assert problems and f"{main}:" in problems[0]
        ui.show_problems(problems)
        assert ui.window.title() == "QML error"
        assert f"{main}:" in find_item(ui.window, "errorOverlayText").property("text")
        reloader = LiveReload(ui, folder)
        with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
            main.write_text(good)
        assert reloaded.args == [True]
        assert button_text(ui) == "DANGER!"
    finally:
        ui.close()


# Mistakes that load but fail as they run: (what replaces the counter's text, what the message says).
RUN_TIME_MISTAKES = {
    "undefined name": ("undefinedThing.label", "undefinedThing"),
    "undefined member": ('qsTr("Counter: %1").arg(root.cont.x)', "'x' of undefined"),
    "null object": ("root.childAt(-1, -1).label", "'label' of null"),
    "binding loop": ('text + "!"', "Binding loop"),
}


@pytest.mark.parametrize("mistake", RUN_TIME_MISTAKES, ids=list(RUN_TIME_MISTAKES))
def test_an_error_at_run_time_shows_in_a_banner_until_the_next_good_save(live, qtbot, caplog, mistake):
    folder, ui, reloader, _ = live
    replacement, said = RUN_TIME_MISTAKES[mistake]
    source = folder / "CounterLabel.qml"
    good = source.read_text()
    lines = good.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if 'text: qsTr("Counter: %1")' in text)
    where = {f"{source}:{line}:"}
    if mistake == "binding loop":  # Qt 5 names the line of the object, Qt 6 that of the binding
        where.add(f"{source}:{max(n for n in range(1, line) if lines[n - 1].strip() == 'Label {')}:")
    with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
        source.write_text(good.replace('qsTr("Counter: %1").arg(root.count)', replacement))
    assert reloaded.args == [True]  # it loads: the mistake shows only as it runs
    banner = find_item(ui.window, "errorBanner")
    text = find_item(banner, "errorBannerText").property("text")
    assert any(w in text for w in where) and said in text, text
    assert banner.isVisible()
    caplog.clear()  # the terminal gets it too

    click(qtbot, ui.window, find_item(banner, "errorBannerDismiss"))
    qtbot.waitUntil(lambda: not banner.isVisible())

    with qtbot.waitSignal(reloader.reloaded, timeout=3000):
        source.write_text(good)
    with pytest.raises(AssertionError):
        find_item(ui.window, "errorBanner")  # a good save: no banner
    assert ui.reported == []


def test_a_broken_component_lists_its_own_mistake_first(live, qtbot, caplog):
    folder, ui, reloader, _ = live
    source = folder / "TaskList.qml"
    source.write_text(source.read_text().replace("ListView {", "ListView {{", 1))
    problems = ui.load()
    assert problems[0].startswith(f"{source}:")  # the cause, then "Type TaskList unavailable" after it
    assert any("unavailable" in p for p in problems[1:])


# -- restyling: Theme.qml, the other singletons and style/ -------------------------

WINDOW_COLOUR = 'readonly property color window: dark ? "#14161a" : "#f3f4f6"'


def window_colour(ui) -> str:
    return ui.window.property("color").name()


def test_each_save_of_the_theme_repaints_the_window(live, qtbot):
    # A singleton outlived clearComponentCache(): the UI reloaded with the old colours.
    folder, ui, reloader, _ = live
    theme = folder / "Theme.qml"
    good = theme.read_text()
    for colour in ("#123456", "#654321"):
        with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
            theme.write_text(good.replace(WINDOW_COLOUR, f'readonly property color window: "{colour}"'))
        assert reloaded.args == [True]
        assert window_colour(ui) == colour


def test_a_broken_theme_then_its_fix_repaints_the_window(live, qtbot, caplog):
    folder, ui, reloader, _ = live
    theme = folder / "Theme.qml"
    good = theme.read_text()
    before = window_colour(ui)
    with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
        theme.write_text(good.replace(WINDOW_COLOUR, 'readonly property color window: "#123456" +'))
    assert reloaded.args == [False]
    assert f"{theme}:" in find_item(ui.window, "errorOverlayText").property("text")
    assert window_colour(ui) == before  # the last good UI stays, under the errors
    caplog.clear()  # the terminal gets the errors too
    with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
        theme.write_text(good.replace(WINDOW_COLOUR, 'readonly property color window: "#123456"'))
    assert reloaded.args == [True]
    assert window_colour(ui) == "#123456"
    with pytest.raises(AssertionError):
        find_item(ui.window, "errorOverlay")


def test_a_save_in_style_restyles_every_control_of_its_kind(live, qtbot):
    folder, ui, reloader, _ = live
    with qtbot.waitSignal(reloader.reloaded, timeout=3000):
        edit(folder / "style" / "Label.qml", "font.pixelSize: Theme.fontSize", "font.pixelSize: 21")
    assert find_item(ui.window, "poolLabel").property("font").pixelSize() == 21


def test_a_new_singleton_shows_and_so_do_its_edits(live, qtbot):
    folder, ui, reloader, _ = live
    (folder / "Brand.qml").write_text(
        'pragma Singleton\nimport QtQuick 2.15\nQtObject {\n    readonly property string name: "v1"\n}\n'
    )
    with (folder / "qmldir").open("a") as qmldir:
        qmldir.write("singleton Brand 1.0 Brand.qml\n")
    badge = 'import QtQuick 2.15\nimport "."\nText {\n    objectName: "badge"\n    text: Brand.name\n}\n'
    (folder / "Badge.qml").write_text(badge)
    with qtbot.waitSignal(reloader.reloaded, timeout=3000):
        edit(folder / "Main.qml", "        Header {", "        Badge {}\n\n        Header {")
    assert find_item(ui.window, "badge").property("text") == "v1"
    with qtbot.waitSignal(reloader.reloaded, timeout=3000):
        edit(folder / "Brand.qml", '"v1"', '"v2"')
    assert find_item(ui.window, "badge").property("text") == "v2"


def test_an_edit_of_qmldir_in_place_reloads(live, qtbot):
    folder, _ui, reloader, _ = live
    qmldir = folder / "qmldir"
    with qtbot.waitSignal(reloader.reloaded, timeout=3000) as reloaded:
        qmldir.write_text(qmldir.read_text() + "# the app's singletons\n")  # in place: seen by a watch on it alone
    assert reloaded.args == [True]
