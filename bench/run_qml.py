"""What a run() from QML costs beside a submit_task() from Python.

Cases, each in a fresh process, interleaved:
  run       a QML loop calls tasks.run("tiny", [i]) N times (a task object each)
  submit    a Python loop calls manager.submit_task(tiny, (i,)) N times
Both on a TaskManager with 2 threads, thread mode. Two figures per case: the
calls alone, and from the first call until every task has ended and the
list is published (busy is false again). The target is on the second, the
whole cost of a task: run() within 2x of submit_task().

    python bench/run_qml.py                 # 10,000 tasks, 5 runs
    python bench/run_qml.py --memory        # RSS over 10 batches of 10,000 runs, and of submits

With --memory, each case runs 10 batches in one process; after each, the list
is cleared and both garbage collectors run, and the RSS is printed. It
should grow while caches and heaps fill, then stay flat.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from common import interleaved_children, run_child

ROOT = Path(__file__).resolve().parent.parent
TARGET = 2.0

PAGE = b"""
import QtQml 2.15
QtObject {
    property int n: 0
    property real calls: 0
    property var last: null
    function go() {
        var started = Date.now()
        for (var i = 0; i < n; i++)
            last = tasks.run("tiny", [i])
        calls = (Date.now() - started) / 1000
    }
}
"""


def tiny(i: int) -> int:
    return i


def qml_page(manager, n: int):
    """PAGE with ``tasks`` in its context, and its engine (the caller keeps it; the component is kept here)."""
    from qtpy.QtCore import QUrl
    from qtpy.QtQml import QQmlComponent, QQmlEngine

    engine = QQmlEngine()
    engine.rootContext().setContextProperty("tasks", manager)
    component = QQmlComponent(engine)
    component.setData(PAGE, QUrl())
    page = component.create()
    page.setProperty("n", n)
    qml_page.kept.append(component)
    return engine, page


qml_page.kept = []


def run_case(case: str, n: int) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qtpy.QtCore import QEventLoop, QMetaObject
    from qtpy.QtGui import QGuiApplication

    from offthread import TaskManager

    app = QGuiApplication.instance() or QGuiApplication([])
    manager = TaskManager(max_threads=2, history=n)
    manager.expose(tiny)
    loop = QEventLoop()
    manager.busyChanged.connect(lambda: None if manager.busy else loop.quit())
    if case == "run":
        _engine, page = qml_page(manager, n)
        started = time.perf_counter()
        QMetaObject.invokeMethod(page, "go")
        calls = time.perf_counter() - started
    else:
        started = time.perf_counter()
        for i in range(n):
            manager.submit_task(tiny, (i,))
        calls = time.perf_counter() - started
    loop.exec()
    total = time.perf_counter() - started
    assert manager.taskModel.rowCount() == n
    manager.shutdown()
    del app
    return {"calls": calls, "total": total}


def memory_case(case: str, n: int, batches: int = 10) -> dict:
    """RSS in MB after each batch of ``n`` tasks, cleared."""
    import gc

    from qtpy.QtCore import QCoreApplication, QEvent, QEventLoop, QMetaObject
    from qtpy.QtGui import QGuiApplication

    from offthread import TaskManager, TaskObject

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication([])
    manager = TaskManager(max_threads=2)
    manager.expose(tiny)
    engine, page = qml_page(manager, n)
    sizes = []
    for _ in range(batches):
        if case == "run":
            QMetaObject.invokeMethod(page, "go")
        else:
            for i in range(n):
                manager.submit_task(tiny, (i,))
        while manager.busy:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        page.setProperty("last", None)
        manager.clearFinished()
        while manager.findChildren(TaskObject):  # rows published late are cleared on the next pass
            manager.clearFinished()
            app.processEvents()
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        engine.collectGarbage()
        gc.collect()
        with open("/proc/self/statm") as statm:  # Linux: resident pages, the second figure
            sizes.append(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20)
    manager.shutdown()
    return {"rss": sizes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory", action="store_true", help="RSS over batches, not time")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, n = args.child[0], int(args.child[1])
        print(json.dumps(memory_case(case[:-4], n) if case.endswith("-rss") else run_case(case, n)))
        return
    if args.memory:
        print(f"RSS in MB after each batch of {args.n:,} tasks, the list cleared and collected")
        for case in ("run", "submit"):
            outcome = run_child(__file__, f"{case}-rss", args.n, timeout_s=900)
            if not isinstance(outcome, dict):
                sys.exit(f"{case} failed: {outcome}")
            sizes = outcome["rss"]
            later = sizes[len(sizes) // 2 :]
            print(f"{case:<7} {' '.join(f'{s:.0f}' for s in sizes)}   second half: {max(later) - min(later):+.1f} MB")
        return
    runs = interleaved_children(__file__, ("run", "submit"), args.n, args.repeat)
    base = {key: statistics.median(o[key] for o in runs["submit"]) for key in ("calls", "total")}
    print(f"{args.n:,} tiny tasks, thread mode, 2 threads; median of {args.repeat} interleaved runs")
    print(f"{'case':<7} {'calls us':>9} {'ratio':>6} {'total us':>9} {'ratio':>6}  total s, each run")
    for case, outcomes in runs.items():
        calls = statistics.median(o["calls"] for o in outcomes)
        total = statistics.median(o["total"] for o in outcomes)
        each = " ".join(f"{o['total']:.3f}" for o in outcomes)
        print(
            f"{case:<7} {calls * 1e6 / args.n:>9.1f} {calls / base['calls']:>5.2f}x"
            f" {total * 1e6 / args.n:>9.1f} {total / base['total']:>5.2f}x  {each}"
        )
    ratio = statistics.median(o["total"] for o in runs["run"]) / base["total"]
    print(
        f"target: a run() from QML within {TARGET}x of a submit_task(), whole cost: {ratio:.2f}x: "
        f"{'met' if ratio <= TARGET else 'NOT met'}"
    )


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
