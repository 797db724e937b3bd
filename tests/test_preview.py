"""The mock backend and the preview: the UI without Python's backend, kept in step with the real one."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from qtpy.QtCore import QMetaMethod

from offthread.app import Backend

from .test_api import qml_surface
from .test_app import app_environment

ROOT = Path(__file__).resolve().parent.parent
QML = ROOT / "qml"


def run_driver(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.preview_driver", *args],
        cwd=ROOT,
        env=quiet_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_mock_has_the_real_backends_properties_slots_and_signals(tmp_path):
    done = run_driver(tmp_path, "--surface")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    mock = json.loads(done.stdout)
    real_properties, real_slots = qml_surface()
    assert set(mock["properties"]) == real_properties
    assert set(mock["functions"]) == real_slots
    meta = Backend.staticMetaObject
    real_signals = {
        bytes(meta.method(i).name()).decode()
        for i in range(meta.methodOffset(), meta.methodCount())
        if meta.method(i).methodType() == QMetaMethod.Signal
    }
    assert real_signals <= set(mock["signals"])


def test_a_page_that_uses_run_previews_with_task_objects_that_progress(tmp_path):
    done = run_driver(tmp_path, "--run")
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    report, warnings = done.stdout.splitlines()
    seen = json.loads(report)
    assert (seen["name"], seen["state"]) == ("Search", "finished")
    numbers = [value for value in seen["seen"] if isinstance(value, (int, float))]
    assert len(numbers) > 3 and numbers == sorted(numbers) and numbers[-1] == 100
    assert seen["seen"][-1] == "result a.txt,b.txt"
    assert warnings == "warnings []"


def quiet_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Headless, with a runtime folder: Qt 5 warns on stderr without one."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    return app_environment(XDG_RUNTIME_DIR=str(runtime), **extra)


def test_the_preview_runs_the_real_ui_on_the_mock_without_warnings(tmp_path):
    done = run_driver(tmp_path)
    assert (done.returncode, done.stderr) == (0, ""), done.stderr
    assert done.stdout.splitlines() == ["1 running, 0 queued", "chart 120", "warnings []"]


@pytest.mark.skipif(shutil.which("qmlscene") is None, reason="qmlscene (Debian: qmlscene) is not installed")
@pytest.mark.parametrize("preview", ["Preview.qml", "RowPreview.qml"])
def test_the_preview_opens_in_qmlscene_with_no_python_at_all(tmp_path, preview):
    done = subprocess.run(
        ["qmlscene", "--quit", "-I", str(QML / "preview"), str(QML / preview)],
        env=quiet_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr) == (0, "")


PREVIEW_ONCE = """
// Opens PREVIEW beside it, as pyside6-qml opens a file, and quits once it shows.
import QtQuick 2.15
import QtQuick.Window 2.15

Window {
    Component.onCompleted: {
        var component = Qt.createComponent("PREVIEW")
        var window = component.createObject(null)
        if (window === null) {
            console.error(component.errorString())
            Qt.exit(1)
            return
        }
        window.frameSwapped.connect(function() {
            console.info("the preview showed its window")
            Qt.quit()
        })
    }
}
"""


@pytest.mark.skipif(shutil.which("pyside6-qml") is None, reason="Qt 6's QML runner comes with PySide6")
@pytest.mark.parametrize("preview", ["Preview.qml", "RowPreview.qml"])
def test_the_preview_opens_in_pyside6_qml_with_no_option_and_no_warning(tmp_path, preview):
    # A copy of qml/, with a file beside Preview.qml that quits once it shows:
    # pyside6-qml runs the .py files under the folder it opens (that is how
    # qml/preview/previewpath.py tells it where the stand-in module is).
    shutil.copytree(QML, tmp_path / "qml")
    (tmp_path / "qml" / "PreviewOnce.qml").write_text(PREVIEW_ONCE.replace("PREVIEW", preview))
    done = subprocess.run(
        ["pyside6-qml", str(tmp_path / "qml" / "PreviewOnce.qml")],
        env=quiet_environment(tmp_path, QML_IMPORT_PATH=""),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stderr.strip()) == (0, "qml: the preview showed its window")
