"""The mock backend and the preview: the UI without Python's backend, kept in step with the real one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from qtpy.QtCore import QMetaMethod, QUrl
from qtpy.QtQml import QQmlComponent, QQmlEngine

from offthread.app import Backend, load_ui

from .helpers import click, find_item
from .test_api import qml_surface

QML = Path(__file__).resolve().parent.parent / "qml"


def mock_surface(qtbot):
    """Properties, public functions and signals that MockBackend.qml declares."""
    engine = QQmlEngine()
    component = QQmlComponent(engine, QUrl.fromLocalFile(str(QML / "preview" / "MockBackend.qml")))
    mock = component.create()
    assert mock is not None, [e.toString() for e in component.errors()]
    meta = mock.metaObject()
    properties = {meta.property(i).name() for i in range(meta.propertyOffset(), meta.propertyCount())}
    methods = {}
    for i in range(meta.methodOffset(), meta.methodCount()):
        method = meta.method(i)
        methods.setdefault(method.methodType(), set()).add(bytes(method.name()).decode())
    public = lambda names: {n for n in names if not n.startswith("_")}  # noqa: E731
    return (
        public(properties),
        public(methods.get(QMetaMethod.Method, set()) | methods.get(QMetaMethod.Slot, set())),
        methods.get(QMetaMethod.Signal, set()),
        engine,
        mock,
    )


def test_the_mock_has_the_real_backends_properties_slots_and_signals(qtbot):
    properties, functions, signals, _engine, _mock = mock_surface(qtbot)
    real_properties, real_slots = qml_surface()
    assert properties == real_properties
    assert functions == real_slots
    meta = Backend.staticMetaObject
    real_signals = {
        bytes(meta.method(i).name()).decode()
        for i in range(meta.methodOffset(), meta.methodCount())
        if meta.method(i).methodType() == QMetaMethod.Signal
    }
    assert real_signals <= signals


def test_the_preview_runs_the_real_ui_on_the_mock_without_warnings(qtbot):
    preview = load_ui(None, QML / "Preview.qml")
    try:
        window = preview.window
        qtbot.waitExposed(window)
        click(qtbot, window, find_item(window, "dangerButton"))
        click(qtbot, window, find_item(window, "failButton"))
        row = find_item(window, "taskRow1")
        qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "running")
        qtbot.waitUntil(lambda: "DemoFailure" in find_item(window, "taskRow2").property("error"), timeout=5000)
        click(qtbot, window, find_item(row, "cancelButton"))
        qtbot.waitUntil(lambda: find_item(row, "taskStateLabel").property("text") == "cancelled")
        assert find_item(window, "poolLabel").property("text") == "0 running, 0 queued"
    finally:
        preview.close()


@pytest.mark.skipif(shutil.which("qmlscene") is None, reason="qmlscene (Debian: qmlscene) is not installed")
def test_the_preview_opens_in_qmlscene_with_no_python_at_all():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QT_QUICK_BACKEND="software")
    done = subprocess.run(
        ["qmlscene", "--quit", str(QML / "Preview.qml")], env=env, capture_output=True, text=True, timeout=60
    )
    complaints = [line for line in done.stderr.splitlines() if "XDG_RUNTIME_DIR" not in line]
    assert (done.returncode, complaints) == (0, [])
