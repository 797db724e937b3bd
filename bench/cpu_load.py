"""How late the GUI thread's timers run while 8 CPU-bound pure-Python tasks run on 2 cores.

Each task counts the primes below LIMIT by trial division (the app's own
``cpu_job``), holding the GIL all the time it runs in this process. The GUI
thread runs a 5 ms repeating precise timer that notes how late each tick is,
from the first submit to the last result. Compares:
  idle      no task, the timer alone for as long: the floor
  tutorial  the tutorial's pattern in threads (bench/tutorial_pattern.py's
            worker on a QThreadPool), the same counting with a Signal(int)
            emitted whenever the whole percent changes, at Python's default
            GIL switch interval (5 ms), as the tutorial runs
  thread    Backend thread mode (QThreadPool), the app's GIL slices (tune_gui_process:
            1 ms, and 0.2 ms while tasks run on threads, as here)
  process   Backend process mode (its own ProcessPool's worker processes), the same
  window    thread mode with the app's window shown (offscreen): QML reads the
            backend, the task list's rows and their counts, each read a
            return to Python that waits for a task to let go of the GIL
  window-1ms  the same with one 1 ms slice throughout (tune_gui_process's
            busy_switch_interval=None), as before the shorter busy slice
Process mode's pool is started during the warm-up, before measuring (its
start-up is measured by bench/process_costs.py). Each run is a fresh
process; runs of all cases are interleaved; the ticks of all runs of a case
are pooled for the percentiles.

    python bench/cpu_load.py                 # 8 tasks, LIMIT 200,000, 3 runs per case
    python bench/cpu_load.py --tasks 8 --limit 400000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

from common import Runs, Waiter, idle_start, percentile, record_lateness, run_child

ROOT = Path(__file__).resolve().parent.parent
CASES = ("idle", "tutorial", "thread", "process", "window", "window-1ms")
INTERVAL_MS = 5
WARM_UP_S = 0.3
TARGET_P99_MS = 10.0
CASE_TIMEOUT_S = 600
PYTHON_DEFAULT_SWITCH_INTERVAL_S = 0.005


def tutorial_cpu_job(limit, progress_callback):
    """cpu_job's counting, reporting the tutorial's way: an int percent, when it changes."""
    from offthread.app.jobs import cpu_job

    class Percent:
        last = -1

        def set_maximum(self, maximum):
            pass

        def progress(self, n):
            percent = n * 100 // limit
            if percent != self.last:
                self.last = percent
                progress_callback.emit(percent)

    return cpu_job(limit, task=Percent())


def run_case(case: str, tasks: int, limit: int, idle_s: float) -> dict:
    from offthread import tune_gui_process

    if case == "tutorial":
        sys.setswitchinterval(PYTHON_DEFAULT_SWITCH_INTERVAL_S)
    elif case == "window-1ms":
        tune_gui_process(busy_switch_interval=None)  # one slice throughout
    else:
        tune_gui_process()  # the app's settings
    os.environ.setdefault("QT_QUICK_BACKEND", "software")  # the window cases, headless as the tests run
    from qtpy.QtCore import QThreadPool
    from qtpy.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive to the end)
    waiter = Waiter()
    results = []

    def on_result(*args):
        results.append(args[-1])
        if len(results) == tasks:
            waiter.stop()

    if case == "idle":
        start = idle_start(idle_s, waiter)

    elif case == "tutorial":
        from tutorial_pattern import TutorialWorker

        pool = QThreadPool()
        workers = [TutorialWorker(tutorial_cpu_job, limit) for _ in range(tasks)]  # referenced until run
        for worker in workers:
            worker.signals.progress.connect(lambda percent: None)  # a slot on the GUI thread, as in the tutorial
            worker.signals.result.connect(on_result)

        def start():
            for worker in workers:
                pool.start(worker)

    else:
        from offthread.app import Backend, load_ui
        from offthread.app.jobs import cpu_job

        backend = Backend(max_threads=os.cpu_count(), processes=os.cpu_count())
        window = load_ui(backend) if case.startswith("window") else None
        mode = "thread" if window is not None else case
        if case == "process":  # start the pool now: its start-up is not what this measures
            warm = Waiter()
            backend.signals.finished.connect(lambda task_id: warm.stop())
            backend.submit_task(len, ((),), mode="process")
            warm.wait(60)
            backend.signals.finished.disconnect()
        backend.signals.result.connect(on_result)

        def start():
            for _ in range(tasks):
                backend.submit_task(cpu_job, (limit,), mode=mode)

    started, end, lateness = record_lateness(start, waiter, INTERVAL_MS, WARM_UP_S, CASE_TIMEOUT_S)
    if case == "tutorial":
        pool.waitForDone()
    elif case != "idle":
        assert len(set(results)) == 1, results  # every task got the same answer
        if window is not None:
            window.close()
        assert backend.shutdown(5000)
    return {"duration": end - started, "lateness": lateness, "result": results[0] if results else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--limit", type=int, default=200_000, help="each task counts the primes below this")
    parser.add_argument("--idle-s", type=float, default=3.0, help="how long the idle case measures")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; ticks are pooled")
    parser.add_argument("--child", nargs=4, metavar=("CASE", "TASKS", "LIMIT", "IDLE_S"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, tasks, limit, idle_s = args.child[0], int(args.child[1]), int(args.child[2]), float(args.child[3])
        print(json.dumps(run_case(case, tasks, limit, idle_s)))
        return

    print(
        f"{args.tasks} CPU-bound tasks (primes below {args.limit:,}) on {os.cpu_count()} cores; a {INTERVAL_MS} ms"
        f" precise timer on the GUI thread; {args.repeat} runs per case, each in a fresh process",
        flush=True,
    )
    done = Runs(
        args.cases,
        args.repeat,
        lambda case: run_child(__file__, case, args.tasks, args.limit, args.idle_s, timeout_s=CASE_TIMEOUT_S),
    )

    print(f"{'case':<10} {'duration s':>10} {'ticks':>6} {'due':>6} {'p50 ms':>7} {'p99 ms':>8} {'max ms':>8}  note")
    summary = {}
    for case in args.cases:
        outcomes, note = done.ok[case], done.note(case)
        if not outcomes:
            print(f"{case:<10} {'-':>10}  {note}")
            continue
        duration = statistics.median(o["duration"] for o in outcomes)
        late = sorted(x * 1000 for o in outcomes for x in o["lateness"])
        ticks = len(late) / len(outcomes)
        p50, p99, worst = (percentile(late, 0.50), percentile(late, 0.99), late[-1]) if late else (0, 0, 0)
        summary[case] = {"duration": duration, "p99": p99, "max": worst}
        print(
            f"{case:<10} {duration:>10.3f} {ticks:>6.0f} {duration * 1000 / INTERVAL_MS:>6.0f}"
            f" {p50:>7.2f} {p99:>8.2f} {worst:>8.2f}  {note}"
        )
    print("duration: first submit to last result (median per run); ticks: seen per run; due: ticks a")
    print(f"{INTERVAL_MS} ms timer would run in that time; lateness percentiles over the ticks of all runs")
    if "process" in summary:
        process = summary["process"]
        verdict = "met" if process["p99"] < TARGET_P99_MS else "NOT met"
        others = ", ".join(f"{c} {summary[c]['p99']:.2f} ms" for c in ("idle", "thread", "tutorial") if c in summary)
        print(f"target: process mode p99 under {TARGET_P99_MS:g} ms: {process['p99']:.2f} ms ({others}): {verdict}")
        if "thread" in summary:
            print(
                f"process mode ran the tasks {summary['thread']['duration'] / process['duration']:.2f}x as fast as thread mode"
            )
    if "window" in summary and "window-1ms" in summary:
        busy, flat = summary["window"], summary["window-1ms"]
        print(
            f"the window in thread mode: p99 {busy['p99']:.2f} ms with the busy slice, {flat['p99']:.2f} ms with 1 ms"
            f" throughout; the tasks took {busy['duration'] / flat['duration']:.2f}x as long"
        )


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
