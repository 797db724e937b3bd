"""Search as you type over the files under a folder: a small QtQuick app built on offthread alone.

    python examples/search/main.py [FOLDER]        (make example; FOLDER: the current one)

Each keystroke runs ``search`` from QML with ``latest: true``: the search
before it is cancelled, and its matches stream into the list as partial
results. The report page runs a long task that the page owns: close the page
mid-task and the task is cancelled. It imports public ``offthread`` names
only, as any app that installs the engine would.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from pathlib import Path
from types import ModuleType
from typing import Iterator

from offthread import TaskContext, TaskManager, register_qml_types

HERE = Path(__file__).resolve().parent

# Matches go to the list in batches of this many (each a partial result),
# and a search stops at this many: a list of 100,000 names helps nobody.
BATCH = 25
MAX_MATCHES = 2000
# Folders no one searches for their files.
SKIPPED = {".git", "__pycache__", "node_modules", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def files_under(folder: str) -> Iterator[Path]:
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED and not d.startswith(".venv"))
        for name in sorted(names):
            yield Path(root, name)


def search(folder: str, text: str, task: TaskContext) -> list[str]:
    """The paths under ``folder`` whose names contain ``text`` (any case), in batches as found."""
    wanted = text.strip().lower()
    if not wanted:
        return []
    found: list[str] = []
    batch: list[str] = []
    for path in files_under(folder):
        task.check()  # a newer search cancels this one here
        if wanted in path.name.lower():
            batch.append(os.path.relpath(path, folder))
            if len(batch) == BATCH:
                task.partial(batch)
                found += batch
                batch = []
            if len(found) + len(batch) >= MAX_MATCHES:
                break
    if batch:
        task.partial(batch)
    return found + batch


def report(folder: str, task: TaskContext, pause_s: float = 0.002) -> dict[str, int | str]:
    """Count the files and text lines under ``folder``: a long task, with progress."""
    paths = list(files_under(folder))
    lines = 0
    for done, path in enumerate(paths, 1):
        try:
            with open(path, "rb") as handle:
                lines += sum(1 for _ in handle)
        except OSError:
            pass
        task.report(done, len(paths), f"{done:,} of {len(paths):,} files")
        task.sleep(pause_s)  # a check point, and the time a slower disk would take
    return {"folder": folder, "files": len(paths), "lines": lines}


def make_tasks() -> TaskManager:
    """The app's manager, with what QML may run."""
    tasks = TaskManager()
    tasks.expose(search, latest=True)
    tasks.expose(report)
    return tasks


def qt(module: str) -> ModuleType:
    """A module of the Qt binding offthread runs on: QT_API chooses (pyside2 or pyside6),
    else the first installed of PySide2 and PySide6, as offthread picks it."""
    wanted = os.environ.get("QT_API", "").lower()
    for binding in [b for b in ("PySide2", "PySide6") if not wanted or b.lower() == wanted]:
        try:
            return importlib.import_module(f"{binding}.{module}")
        except ImportError:
            continue
    raise ImportError("no Qt binding: install PySide6 (or PySide2 5.15 on Python 3.10 or older)")


def main(argv: list[str]) -> int:
    QUrl = qt("QtCore").QUrl
    QGuiApplication = qt("QtGui").QGuiApplication
    QQmlApplicationEngine = qt("QtQml").QQmlApplicationEngine

    folder = os.path.abspath(argv[1] if len(argv) > 1 else ".")
    if not os.path.isdir(folder):
        print(f"search: {folder} is not a folder", file=sys.stderr)
        return 2
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl+C ends it: it holds nothing to save
    app = QGuiApplication(argv[:1])
    tasks = make_tasks()
    register_qml_types()
    engine = QQmlApplicationEngine()
    engine.setInitialProperties({"tasks": tasks, "folder": folder})
    engine.load(QUrl.fromLocalFile(str(HERE / "Main.qml")))
    if not engine.rootObjects():
        return 1
    app.aboutToQuit.connect(lambda: tasks.shutdown())
    code = app.exec() if hasattr(app, "exec") else app.exec_()
    del engine
    return int(code)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
