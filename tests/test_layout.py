"""The layers: core imports no Qt, the engine imports nothing of the app, and
another app can use the engine with its own QML and none of the demo."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from .test_app import app_environment, run_script

PACKAGE = Path(__file__).resolve().parent.parent / "backend"
QT_MODULES = ("qtpy", "PySide2", "PySide6", "shiboken2", "shiboken6")


def imports(layer: str) -> Iterator[tuple[str, str]]:
    """(file, imported module) for every import in ``backend/<layer>``, relative ones made absolute."""
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        module = ["offthread", *path.relative_to(PACKAGE).with_suffix("").parts]
        package = module if path.name == "__init__.py" else module[:-1]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                names = [".".join([*base, *([node.module] if node.module else [])])]
                if node.level and not node.module:  # from . import x
                    names = [".".join([*base, alias.name]) for alias in node.names]
            else:
                continue
            for name in names:
                yield str(path.relative_to(PACKAGE)), name


def test_the_core_imports_no_qt_and_nothing_above_it():
    bad = [
        (where, name)
        for where, name in imports("core")
        if name.split(".")[0] in QT_MODULES or name.startswith(("offthread.engine", "offthread.app"))
    ]
    assert not bad


def test_the_engine_imports_nothing_of_the_app():
    bad = [(where, name) for where, name in imports("engine") if name.startswith("offthread.app")]
    assert not bad


def test_the_import_check_sees_what_it_checks():
    found = set(imports("engine"))
    assert ("engine/actions.py", "offthread.core.states") in found  # a relative import, made absolute
    assert ("engine/modes/base.py", "offthread.engine.signals") in found


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], env=app_environment(), capture_output=True, text=True, timeout=60
    )


def test_importing_every_core_module_loads_no_qt():
    modules = sorted(
        "offthread." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in (PACKAGE / "core").glob("*.py")
        if p.name != "__init__.py"
    )
    done = run_python(
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {QT_MODULES!r}))\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")


OWN_APP = """
import sys
from qtpy.QtCore import QTimer, QUrl
from qtpy.QtGui import QGuiApplication
from qtpy.QtQml import QQmlApplicationEngine
from offthread import TaskManager

QML = b'''
import QtQuick 2.15
import QtQuick.Window 2.15
Window {
    id: root
    required property QtObject manager
    property int rows: taskList.count
    Column { Repeater { id: taskList; model: root.manager.taskModel; Text { text: model.name + " " + model.state } } }
}
'''

def double(x, task):
    task.progress(50)
    return 2 * x

if __name__ == "__main__":
    app = QGuiApplication(sys.argv)
    manager = TaskManager()
    engine = QQmlApplicationEngine()
    engine.setInitialProperties({"manager": manager})
    engine.loadData(QML, QUrl.fromLocalFile("own_app.qml"))
    window = engine.rootObjects()[0]
    handles = [manager.submit(double, 21), manager.submit_task(double, (4,), mode="process")]
    manager.signals.finished.connect(lambda task_id: all(h.done for h in handles) and QTimer.singleShot(0, app.quit))
    app.exec_() if hasattr(app, "exec_") else app.exec()
    shown = window.property("rows")
    del window, engine  # the UI goes before the manager it shows
    stopped = manager.shutdown(2000)
    demo = sorted(m for m in sys.modules if m.startswith("offthread.app"))
    print([h.result for h in handles], shown, stopped, demo)
"""


def test_another_app_uses_the_engine_with_its_own_qml_and_none_of_the_demo(tmp_path):
    script = tmp_path / "own_app.py"
    script.write_text(OWN_APP)
    stdout = run_script(sys.executable, script, timeout=60)
    assert stdout == "[42, 8] 2 True []\n"


@pytest.mark.parametrize("layer", ["core", "engine", "app"])
def test_each_layer_says_what_it_is(layer):
    assert (PACKAGE / layer / "__init__.py").read_text().startswith('"""')


def layout_table() -> set[str]:
    """The paths the layout table of docs/development.md names under backend/, as backend/<path>.

    An entry is indented two spaces per level; a folder may name its files in
    its description ("modes/   ... base.py (Mode), local.py ..."), on its own
    line or on the continuation lines under it.
    """
    text = (PACKAGE.parent / "docs" / "development.md").read_text()
    block = text[text.index("## Layout") :].split("```")[1]
    named: set[str] = set()
    folders: list[str] = []
    last_folder = ""
    for line in block.splitlines():
        if not line.strip():
            continue
        if line.startswith(" " * 24):  # a continuation of the entry above
            described = line
        else:
            indent = len(line) - len(line.lstrip(" "))
            name, _, described = line.strip().partition(" ")
            folders = folders[: indent // 2]
            last_folder = ""
            if name.endswith("/"):
                folders.append(name.rstrip("/"))
                last_folder = "/".join(folders)
            elif folders:
                named.add("/".join([*folders, name]))
        if last_folder:
            named.add(last_folder)
            named.update(f"{last_folder}/{file}" for file in re.findall(r"\b(\w+\.py)\b", described))
    return {n for n in named if n.split("/")[0] == "backend" and not n.endswith("__init__.py")}


def test_the_layout_table_matches_the_tree():
    named = layout_table()
    files = {
        "backend/" + p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if p.name != "__init__.py" and "__pycache__" not in p.parts
    }
    folders = {
        "backend/" + p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*")
        if p.is_dir() and p.name != "__pycache__"
    }
    listed_files = {n for n in named if n.endswith(".py")}
    assert listed_files == files, f"missing: {sorted(files - listed_files)}; stale: {sorted(listed_files - files)}"
    listed_folders = {n for n in named if not n.endswith(".py")} - {"backend"}
    assert listed_folders == folders


# -- sizes: each part reads in one sitting -------------------------------------

LONGEST_FUNCTION = 80
LONGEST_CLASS = 300


def too_long() -> Iterator[str]:
    """Each function over LONGEST_FUNCTION lines and class over LONGEST_CLASS in backend/, decorators included."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                limit = LONGEST_CLASS if isinstance(node, ast.ClassDef) else LONGEST_FUNCTION
                if (node.end_lineno or first) - first + 1 > limit:
                    kind = "class" if isinstance(node, ast.ClassDef) else "def"
                    yield f"{path.relative_to(PACKAGE).as_posix()}: {kind} {node.name}"


def test_no_function_over_80_lines_and_no_class_over_300_in_the_package():
    assert list(too_long()) == []
