"""The second app, examples/search: built on public offthread names alone, used as a user would."""

from __future__ import annotations

import ast
import functools
import importlib.util
import sys
from pathlib import Path

import pytest
from qtpy.QtCore import QCoreApplication, QEvent, QUrl
from qtpy.QtQml import QQmlApplicationEngine

import offthread
from offthread import TaskState

from .helpers import click, find_item

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "search"


def load_example():
    spec = importlib.util.spec_from_file_location("search_example", EXAMPLE / "main.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["search_example"] = module  # process mode would look it up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def folder(tmp_path):
    for number in range(400):
        path = tmp_path / f"part{number % 7}" / f"file{number}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("line\n" * (number % 5))
    (tmp_path / "main.py").write_text("print()\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "maintenance.md").write_text("# Maintenance\n")
    return tmp_path


@pytest.fixture
def app(qapp, qtbot, folder):
    example = load_example()
    tasks = example.make_tasks()
    offthread.register_qml_types()
    engine = QQmlApplicationEngine()
    engine.setInitialProperties({"tasks": tasks, "folder": str(folder)})
    engine.load(QUrl.fromLocalFile(str(EXAMPLE / "Main.qml")))
    (window,) = engine.rootObjects()
    qtbot.waitExposed(window)
    yield window, tasks
    assert tasks.shutdown(5000)
    window.close()
    del window
    engine.deleteLater()
    tasks.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def matches(window) -> int:
    return find_item(window, "matchList").property("count")


def test_it_imports_only_public_offthread_names():
    tree = ast.parse((EXAMPLE / "main.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("offthread"):
            assert node.module == "offthread", node.module
            assert all(alias.name in offthread.__all__ for alias in node.names)
        if isinstance(node, ast.Import):
            assert not any(alias.name.startswith("offthread.") for alias in node.names)


def test_typing_searches_as_you_type_and_only_the_last_search_counts(app, qtbot):
    window, tasks = app
    field = find_item(window, "searchField")
    for text in ("m", "ma", "mai", "main"):  # four keystrokes, faster than a search
        field.setProperty("text", text)
    status = find_item(window, "statusLabel")
    qtbot.waitUntil(lambda: status.property("text") == "2 files", timeout=10_000)
    assert matches(window) == 2
    runs = tasks.taskModel._handles
    assert [str(h.state) for h in runs][-1] == "finished" and len(runs) == 4
    assert all(h.state in (TaskState.CANCELLED, TaskState.FINISHED) for h in runs)
    # Matches stream in batches: 400 names contain "file".
    field.setProperty("text", "file")
    qtbot.waitUntil(lambda: status.property("text") == "400 files", timeout=10_000)
    assert matches(window) == 400


def test_closing_the_report_page_mid_task_cancels_it_quietly(app, qtbot):
    window, tasks = app
    example = sys.modules["search_example"]
    tasks.expose(functools.partial(example.report, pause_s=0.05), name="report")  # a slow disk: 20 s
    stack = find_item(window, "stack")
    click(qtbot, window, find_item(window, "reportButton"))
    qtbot.waitUntil(lambda: stack.property("depth") == 2 and not stack.property("busy"), timeout=5000)
    progress = find_item(window, "reportProgress")
    qtbot.waitUntil(lambda: progress.property("value") > 0, timeout=10_000)
    (report,) = [h for h in tasks.tasks() if h.name == "report"]
    click(qtbot, window, find_item(window, "closeButton"))

    def ended() -> bool:
        # StackView deletes the page it popped later (deleteLater): as the
        # app's own loop would, once the test's wait is the loop that runs.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return report.done

    qtbot.waitUntil(ended, timeout=10_000)
    assert report.state == TaskState.CANCELLED
    assert stack.property("depth") == 1


def test_a_report_that_runs_to_its_end_shows_its_counts(app, qtbot):
    window, tasks = app
    click(qtbot, window, find_item(window, "reportButton"))
    label = find_item(window, "reportLabel")
    qtbot.waitUntil(lambda: label.property("text").endswith(" lines"), timeout=20_000)
    assert label.property("text") == "402 files, 802 lines"
