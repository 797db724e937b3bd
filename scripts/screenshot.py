"""Pictures of the real app with tasks in every state, for docs/ and for review.

    python scripts/screenshot.py [--theme light|dark] [--size WxH|minimum|maximised] OUT.png

It opens qml/Main.qml on a real Backend (as the app does), starts tasks so
that the list holds every state at once (finished, failed with its details
open, cancelled, timed out, paused, running in threads and in processes,
queued, one waiting for another and one that never started as what it waited
for failed, an events-mode task started inside another, and an I/O job in
asyncio mode with a partial result per page), freezes the GUI
thread once in gui mode so the lag chart shows it, and saves the window.
Run it on a display; `make screenshot` does so under Xvfb.
"""

from __future__ import annotations

import argparse
import sys
import time

from offthread.app import Backend, load_ui
from offthread.app.jobs import cpu_job, danger_job, failing_job, fetch_job_async
from offthread.app.qtlog import qt_messages_to_logging
from offthread.engine import qt
from offthread.engine.qt.QtCore import QEventLoop, QTimer
from offthread.engine.qt.QtGui import QGuiApplication


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    qt.run_loop(loop)


def until(condition, timeout_ms: int = 20000) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app never reached the state this picture needs")
        wait(20)


def find(item, name: str):
    """The item called ``name`` under ``item``, or None."""
    pending = [item]
    while pending:
        item = pending.pop()
        if item.objectName() == name:
            return item
        pending.extend(item.childItems())
    return None


def stage(backend: Backend) -> None:
    """Every state at once, oldest first."""
    quick = (3, 0.05)
    done = backend.submit_task(danger_job, quick, name="DANGER!")
    failed = backend.submit_task(failing_job, (4, 0.05), name="failing job")
    backend.submit_task(cpu_job, (40_000,), name="CPU job", mode="process")
    cancelled = backend.submit_task(danger_job, (5, 2.0), name="DANGER!")
    timed_out = backend.submit_task(danger_job, (50, 1.0), name="DANGER!", timeout=0.6)
    until(lambda: failed.done and done.done)
    backend.cancel(cancelled)
    frozen = backend.submit_task(cpu_job, (250_000,), name="CPU job", mode="gui")  # the chart's spike
    until(lambda: frozen.done and timed_out.done)
    outer = backend.submit_task(danger_job, (4, 0.25), name="DANGER!", mode="events")
    inner = backend.submit_task(danger_job, (2, 0.2), name="DANGER!", mode="events")
    until(lambda: outer.done and inner.done)
    backend.maxThreadCount = 3
    paused = backend.submit_task(danger_job, (100, 0.5), name="DANGER!")
    backend.submit_task(danger_job, (100, 0.5), name="DANGER!")
    backend.submit_task(cpu_job, (3_000_000,), name="CPU job", mode="process")
    backend.submit_task(cpu_job, (3_000_000,), name="CPU job", mode="process")
    late_failure = backend.submit_task(failing_job, (4, 0.05), name="failing job")
    backend.submit_task(danger_job, (100, 0.5), name="DANGER!")
    until(lambda: paused.state == "running" and late_failure.done)
    backend.pause(paused)
    fetched = backend.submit_task(fetch_job_async, (6,), name="I/O job", mode="asyncio")
    until(lambda: paused.state == "paused" and fetched.done)
    # Chains: one waits for the paused task; one never started, as what it waited for failed.
    backend.submit_task(danger_job, quick, name="DANGER!", after=[paused])
    backend.submit_task(danger_job, quick, name="DANGER!", after=[late_failure])
    wait(1000)
    # The last row: an I/O job in asyncio mode, a page of its 24 in the row as each arrives.
    fetching = backend.submit_task(fetch_job_async, (24,), name="I/O job", mode="asyncio")
    until(lambda: fetching.progress >= 30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--theme", choices=("light", "dark", "system"), default="light")
    parser.add_argument("--size", default="default", help="WxH, 'default', 'minimum' or 'maximised'")
    parser.add_argument("--expand", type=int, default=13, help="open the details of this row (0: none)")
    args = parser.parse_args()
    with qt_messages_to_logging():
        app = QGuiApplication(sys.argv[:1])
        backend = Backend(max_threads=4, processes=2, steps=5, step_seconds=0.8)
        ui = load_ui(backend, theme=args.theme)
        try:
            window = ui.window
            if args.size == "minimum":
                window.resize(window.minimumWidth(), window.minimumHeight())
            elif args.size == "maximised":
                # With no window manager (Xvfb) nothing maximises: take the screen's free area.
                window.showMaximized()
                window.setGeometry(window.screen().availableGeometry())
            elif args.size != "default":
                width, height = (int(n) for n in args.size.split("x"))
                window.resize(width, height)
            wait(300)
            stage(backend)
            if args.expand:
                # The row in use for that task: the list's current one (a row put
                # aside for reuse keeps the name of the task it showed last).
                task_list = find(window.contentItem(), "taskList")
                task_list.setProperty("currentIndex", args.expand - 1)
                wait(100)
                task_list.property("currentItem").setProperty("expanded", True)
                wait(100)
                task_list.positionViewAtEnd()
                wait(300)
            image = window.grabWindow()
            image.save(args.out)
            print(f"saved {args.out} ({image.width()}x{image.height()}, {args.theme})")
        finally:
            backend.shutdown(2000)
            ui.close()
            del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
