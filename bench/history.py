"""A million tiny tasks in thread mode, never cleared: memory stays flat and the GUI stays on time.

A feeder thread submits 1,000,000 tiny tasks in batches of 10,000 (the next
batch once the last one's results are in), while a 5 ms precise timer runs
on the GUI thread, with the app's GIL slices (tune_gui_process: 1 ms, and 0.2 ms while
thread-mode tasks run, as here). Nobody presses "Clear finished": the history limit
(``--history``, 1,000 by default) is what keeps the model, the handles and
the results from growing. The run prints the process's RSS every 100,000
tasks and the timer's lateness; ``idle`` is the same timer with no task, for
scale. Each run is a fresh process; runs are interleaved.

    python bench/history.py                  # 1,000,000 tasks, 5 runs
    python bench/history.py --tasks 200000 --repeat 1
    python bench/history.py --switch-interval 0.001    # one slice throughout, the app's calm one
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

from common import TickRecorder, Waiter, add_switch_interval, percentile, run_child

ROOT = Path(__file__).resolve().parent.parent
BATCH = 10_000
REPORT_EVERY = 100_000
IDLE_S = 5.0
TARGET_GROWTH_MB = 50
TARGET_P99_MS = 10


def tiny() -> int:
    return 1


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    import resource

    return pages * resource.getpagesize() / 2**20


def run_case(case: str, tasks: int, switch_interval: float | None = None) -> dict:
    """One run; ``switch_interval``: the GIL's, one for the whole run (None: the app's, tune_gui_process's own)."""
    from qtpy.QtCore import QTimer
    from qtpy.QtGui import QGuiApplication

    from offthread.engine.tuning import GUI_SWITCH_INTERVAL_S

    app_slices = switch_interval is None
    if switch_interval is None:
        switch_interval = GUI_SWITCH_INTERVAL_S
    sys.setswitchinterval(switch_interval)  # as the app runs (a task may start before the window shows)
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841
    recorder = TickRecorder(5)
    recorder.start()
    if case == "idle":
        waiter = Waiter()
        recorder.recording = True
        QTimer.singleShot(int(IDLE_S * 1000), waiter.stop)
        waiter.wait(IDLE_S + 10)
        lateness = sorted(recorder.lateness)
        return {"p99": percentile(lateness, 0.99), "max": lateness[-1], "rss": [], "rows": 0, "seconds": IDLE_S}

    from offthread import tune_gui_process
    from offthread.app import Backend

    backend = Backend()
    if app_slices:
        tune_gui_process()  # as the app does once its window shows: a shorter slice while thread tasks run
    else:
        tune_gui_process(switch_interval, busy_switch_interval=None)  # that one slice throughout
    done = {"count": 0}
    batch_done = threading.Event()
    finished = Waiter()

    def on_result(task_id, value):
        done["count"] += 1
        if done["count"] % BATCH == 0:
            batch_done.set()
            if done["count"] == tasks:
                finished.stop()

    backend.signals.result.connect(on_result)
    rss = [(0, rss_mb())]

    def feed():
        for first in range(0, tasks, BATCH):
            batch_done.clear()
            for _ in range(BATCH):
                backend.submit(tiny)
            batch_done.wait()
            if (first + BATCH) % REPORT_EVERY == 0:
                rss.append((first + BATCH, rss_mb()))

    recorder.recording = True
    started = time.perf_counter()
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    finished.wait(3600)
    seconds = time.perf_counter() - started
    recorder.recording = False
    feeder.join()
    settled = Waiter()  # the model is published at most a frame after the last result
    QTimer.singleShot(100, settled.stop)
    settled.wait(10)
    rows = backend.taskModel.rowCount()
    assert backend.shutdown(5000)
    lateness = sorted(recorder.lateness)
    return {"p99": percentile(lateness, 0.99), "max": lateness[-1], "rss": rss, "rows": rows, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    add_switch_interval(parser)
    parser.add_argument("--child", nargs=3, metavar=("CASE", "TASKS", "INTERVAL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        interval = None if args.child[2] == "app" else float(args.child[2])
        print(json.dumps(run_case(args.child[0], int(args.child[1]), interval)))
        return
    interval = "app" if args.switch_interval is None else args.switch_interval
    label = "the app's" if interval == "app" else f"{interval:g} s"
    print(
        f"{args.tasks:,} tiny tasks in thread mode, batches of {BATCH:,}, never cleared; 5 ms timer; {args.repeat} runs; "
        f"GIL switch interval: {label}"
    )
    runs = {"idle": [], "ours": []}
    for run in range(args.repeat):
        for case in runs:
            outcome = run_child(__file__, case, args.tasks, interval, timeout_s=3600)
            if not isinstance(outcome, dict):
                sys.exit(f"{case} failed: {outcome}")
            runs[case].append(outcome)
            if case == "ours":
                marks = "  ".join(f"{n // 1000:,}k {mb:.0f}" for n, mb in outcome["rss"])
                print(f"run {run + 1}: {outcome['seconds']:.1f} s, RSS MB at tasks done: {marks}", flush=True)
    ours = runs["ours"]
    growth = statistics.median(o["rss"][-1][1] - o["rss"][1][1] for o in ours)
    growth_all = statistics.median(o["rss"][-1][1] - o["rss"][0][1] for o in ours)
    p99 = statistics.median(o["p99"] for o in ours) * 1000
    print(f"{'case':<6} {'p99 ms':>7} {'max ms':>7} {'rows at end':>12} {'tasks/s':>9}")
    for case, outcomes in runs.items():
        rate = "-" if case == "idle" else f"{args.tasks / statistics.median(o['seconds'] for o in outcomes):,.0f}"
        print(
            f"{case:<6} {statistics.median(o['p99'] for o in outcomes) * 1000:>7.2f} "
            f"{statistics.median(o['max'] for o in outcomes) * 1000:>7.2f} "
            f"{statistics.median(o['rows'] for o in outcomes):>12,.0f} {rate:>9}"
        )
    print(
        f"RSS growth from the first {REPORT_EVERY:,} tasks to the end: {growth:.1f} MB (from the start: {growth_all:.1f} MB)"
    )
    print(
        f"target: growth at most {TARGET_GROWTH_MB} MB: {'met' if growth <= TARGET_GROWTH_MB else 'NOT met'}; "
        f"p99 under {TARGET_P99_MS} ms: {p99:.2f} ms: {'met' if p99 < TARGET_P99_MS else 'NOT met'}"
    )


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
