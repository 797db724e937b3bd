"""100,000 tasks queued at once: what submitting them costs, and what the task list makes of them.

Cases, each in a fresh process, interleaved; the pool's threads are held
busy, so every task waits in the queue:
  ours       Backend.submit in thread mode, 100,000 times, on the GUI thread
  executor   concurrent.futures.ThreadPoolExecutor.submit, as many times
The figure is the time of the submit calls alone. ``ours`` then shows the
real window (offscreen) on the 100,000 rows, scrolls it from top to bottom,
and counts the task rows (delegates) that exist: only the visible ones, and
a few for the cache, whatever the model holds.

    python bench/queue_many.py               # 100,000 tasks, 5 runs
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

from common import interleaved_children

ROOT = Path(__file__).resolve().parent.parent
TARGET = 2.0


def tiny() -> int:
    return 1


def run_case(case: str, n: int) -> dict:
    gate = threading.Event()
    threads = os.cpu_count() or 1
    if case == "executor":
        from concurrent.futures import ThreadPoolExecutor

        executor = ThreadPoolExecutor(max_workers=threads)
        for _ in range(threads):
            executor.submit(gate.wait)
        started = time.perf_counter()
        futures = [executor.submit(tiny) for _ in range(n)]
        seconds = time.perf_counter() - started
        gate.set()
        assert sum(f.result() for f in futures) == n
        executor.shutdown()
        return {"seconds": seconds}

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    from qtpy.QtGui import QGuiApplication

    from offthread.app import Backend, load_ui

    app = QGuiApplication.instance() or QGuiApplication([])
    backend = Backend(max_threads=threads)
    for _ in range(threads):
        backend.submit(gate.wait)
    started = time.perf_counter()
    for _ in range(n):
        backend.submit(tiny)
    seconds = time.perf_counter() - started
    ui = load_ui(backend)
    deadline = time.monotonic() + 60
    while backend.taskModel.rowCount() < n + threads and time.monotonic() < deadline:
        app.processEvents()
    view = next(item for item in _items(ui.window.contentItem()) if item.objectName() == "taskList")
    most = 0
    for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
        view.setProperty("contentY", fraction * (view.property("contentHeight") - view.height()))
        for _ in range(20):
            app.processEvents()
        rows = [item for item in _items(view) if item.objectName().startswith("taskRow")]
        most = max(most, len(rows))
    gate.set()
    ui.close()
    assert backend.shutdown(60000)
    return {"seconds": seconds, "delegates": most, "rows": n + threads}


def _items(root):
    for child in root.childItems():
        yield child
        yield from _items(child)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child[0], int(args.child[1]))))
        return
    runs = interleaved_children(__file__, ("ours", "executor"), args.n, args.repeat)
    executor = statistics.median(o["seconds"] for o in runs["executor"])
    ours = statistics.median(o["seconds"] for o in runs["ours"])
    print(f"{args.n:,} tasks submitted while every thread is busy; median of {args.repeat} interleaved runs")
    print(f"{'case':<9} {'submit s':>9} {'us each':>8} {'vs executor':>12}  runs")
    for case, outcomes in runs.items():
        median = statistics.median(o["seconds"] for o in outcomes)
        each = " ".join(f"{o['seconds']:.3f}" for o in outcomes)
        print(f"{case:<9} {median:>9.3f} {median * 1e6 / args.n:>8.2f} {median / executor:>11.2f}x  {each}")
    delegates = max(o["delegates"] for o in runs["ours"])
    print(f"task list: {runs['ours'][0]['rows']:,} rows; at most {delegates} row delegates existed while scrolling")
    print(
        f"target: submit within {TARGET}x of the executor: {ours / executor:.2f}x: {'met' if ours / executor <= TARGET else 'NOT met'}"
    )


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
