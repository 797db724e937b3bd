"""Drives qml/Preview.qml in a process of its own, as a designer's tool would run it:
no Python backend, no types registered, the stand-in module Offthread from
qml/preview. Prints what the window showed; tests/test_preview.py checks it.
With --surface, prints what the stand-in Backend declares instead.

A process of its own, because the types a test process registers (the real
module Offthread) would stand in front of the stand-in's."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

from qtpy.QtCore import QEventLoop, QMetaMethod, QTimer, QUrl
from qtpy.QtGui import QGuiApplication
from qtpy.QtQml import QQmlApplicationEngine, QQmlComponent, QQmlEngine

QML = Path(__file__).resolve().parent.parent / "qml"


class Bot:
    """The few waits of pytest-qt's qtbot that tests/helpers.py uses, outside pytest."""

    def waitUntil(self, condition: Callable[[], bool], timeout: int = 5000) -> None:
        deadline = time.monotonic() + timeout / 1000
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("waited too long")
            loop = QEventLoop()
            QTimer.singleShot(10, loop.quit)
            loop.exec()

    @contextlib.contextmanager
    def waitSignal(self, signal, timeout: int = 5000) -> Iterator[None]:
        loop = QEventLoop()
        signal.connect(loop.quit)
        yield
        QTimer.singleShot(timeout, loop.quit)
        loop.exec()

    def waitExposed(self, window) -> None:
        self.waitUntil(window.isExposed)


def print_surface() -> None:
    """The stand-in Backend's public properties, functions and signals, as JSON."""
    engine = QQmlEngine()
    component = QQmlComponent(engine, QUrl.fromLocalFile(str(QML / "preview" / "Offthread" / "Backend.qml")))
    mock = component.create()
    if mock is None:
        sys.exit(f"{[e.toString() for e in component.errors()]}")
    meta = mock.metaObject()
    surface: dict = {"properties": [], "functions": [], "signals": []}
    for i in range(meta.propertyOffset(), meta.propertyCount()):
        surface["properties"].append(meta.property(i).name())
    for i in range(meta.methodOffset(), meta.methodCount()):
        method = meta.method(i)
        kind = "signals" if method.methodType() == QMetaMethod.Signal else "functions"
        surface[kind].append(bytes(method.name()).decode())
    print(json.dumps({kind: sorted(n for n in names if not n.startswith("_")) for kind, names in surface.items()}))
    del mock, engine


RUN_PAGE = b"""
import QtQuick 2.15
import Offthread 1.0
Item {
    property var seen: []
    property TaskObject task: null
    readonly property string name: task ? task.name : ""
    readonly property string state: task ? task.state : ""
    readonly property bool done: task ? task.done : false
    Backend { id: backend; _speed: 10; _samples: ({"search": ["a.txt", "b.txt"]}) }
    Component.onCompleted: task = backend.run("search", ["a"], {name: "Search"}).then(function (files) {
        seen.push("result " + files.join(","))
    })
    Connections { target: task; function onProgressChanged() { seen.push(task.progress) } }
}
"""


def print_run() -> None:
    """What a page that uses run() sees from the stand-in: its task object's progress and result."""
    engine = QQmlEngine()
    warnings = []
    engine.warnings.connect(lambda errors: warnings.extend(e.toString() for e in errors))
    engine.addImportPath(str(QML / "preview"))
    component = QQmlComponent(engine)
    component.setData(RUN_PAGE, QUrl.fromLocalFile(str(QML / "RunPage.qml")))
    page = component.create()
    if page is None:
        sys.exit(f"{[e.toString() for e in component.errors()]}")

    def seen() -> list:
        value = page.property("seen")
        return value.toVariant() if hasattr(value, "toVariant") else value

    Bot().waitUntil(lambda: page.property("done") and "result" in str(seen()[-1:]))

    print(json.dumps({"name": page.property("name"), "state": page.property("state"), "seen": seen()}))
    print("warnings", warnings)
    page = None  # the page and its engine go before the application
    del component, engine


def main() -> int:
    app = QGuiApplication(sys.argv[:1])
    if sys.argv[1:] == ["--surface"]:
        print_surface()
        return 0
    if sys.argv[1:] == ["--run"]:
        print_run()
        return 0
    from tests.helpers import click, find_item

    engine = QQmlApplicationEngine()
    warnings = []
    engine.warnings.connect(lambda errors: warnings.extend(e.toString() for e in errors))
    engine.addImportPath(str(QML / "preview"))
    engine.load(QUrl.fromLocalFile(str(QML / "Preview.qml")))
    (window,) = engine.rootObjects()
    qtbot = Bot()
    qtbot.waitExposed(window)
    click(qtbot, window, find_item(window, "dangerButton"))
    click(qtbot, window, find_item(window, "failButton"))
    row = find_item(window, "taskRow1")
    qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "running")

    def second_rows_error() -> str:  # "" until the row is made (a busy machine makes it later)
        try:
            return find_item(window, "taskRow2").property("error") or ""
        except AssertionError:
            return ""

    qtbot.waitUntil(lambda: "DemoFailure" in second_rows_error(), timeout=5000)
    click(qtbot, window, find_item(row, "cancelButton"))
    qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "cancelled")
    retry = find_item(find_item(window, "taskRow2"), "retryButton")
    click(qtbot, window, retry)
    qtbot.waitUntil(lambda: find_item(window, "taskList").property("count") == 3)
    values = find_item(window, "lagChart").property("values")
    values = values.toVariant() if hasattr(values, "toVariant") else values  # a QJSValue on PySide2
    print(find_item(window, "poolLabel").property("text"))
    print("chart", len(values))
    print("warnings", warnings)
    window = None  # the window and its engine go before the application
    del engine
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
