"""How late the GUI thread's timers run while a task reports progress 1,000,000 times.

The GUI thread runs a 5 ms repeating timer (Qt.PreciseTimer) that notes how
late each tick is, while one task on the pool reports progress on every item
of a tight loop. It also counts the progress updates the GUI thread receives
for that task. Compares:
  idle      no task, the timer alone for a fixed time: the floor
  baseline  Backend.submit, the same loop reporting to a do-nothing emit():
            what a pure-Python task costs the GUI thread by holding the GIL
  ours      Backend.submit, progress_callback.emit(i * 100 / n); updates come
            through the Backend's signals.progress
  tutorial  the tutorial's worker (bench/tutorial_pattern.py): one queued
            Signal(int) per report, to a connected slot on the GUI thread; done
            once the result and every report have arrived
Lateness is measured against the timer's own schedule, the one Qt keeps for a
precise timer: each tick is due one interval after the previous one was due,
unless that moment had already passed when the previous tick ran, in which
case Qt skips ahead and the next tick is due one interval after it. A timer
slot is Python, so it also waits for the GIL, as every Python slot of a GUI
does; it sees when it ran, not when Qt dispatched it, so after a late tick
the schedule it keeps may be a little behind Qt's, and lateness errs low. The duration runs from the submit to the result on the GUI thread.
Each run is a fresh process; runs of all cases are interleaved, and the ticks
of all runs of a case are pooled for the percentiles. Every case runs with
the GIL switch interval that the app sets (offthread.engine.tuning.GUI_SWITCH_INTERVAL_S,
1 ms); --switch-interval 0.005 shows Python's default instead.

    python bench/gui_lag.py                      # N = 1,000,000; 5 runs per case
    python bench/gui_lag.py --switch-interval 0.005
    python bench/gui_lag.py --tutorial-n 100000  # a shorter tutorial run
    python bench/gui_lag.py --cases idle baseline ours --repeat 10
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

from common import Noop, Runs, Waiter, emit_loop, idle_start, percentile, record_lateness, run_child, tutorial_loop

ROOT = Path(__file__).resolve().parent.parent
CASES = ("idle", "baseline", "ours", "tutorial")
INTERVAL_MS = 5
WARM_UP_S = 0.2  # the timer runs this long before measuring, so start-up costs stay out
SAMPLES_PER_S = 1000 / 33  # what the backend's sampler delivers at most, per task
TARGET_P99_MS = 10.0
CASE_TIMEOUT_S = 300


def run_case(case: str, n: int, idle_s: float, switch_interval: float) -> dict:
    """Run one case in this process; return its duration, updates and tick lateness."""
    sys.setswitchinterval(switch_interval)
    from qtpy.QtCore import QThreadPool
    from qtpy.QtWidgets import QApplication  # the tutorial's app type, for every case

    app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive to the end)
    waiter = Waiter()
    got = {"updates": 0, "result": False, "handle": None}

    # Everything is imported and built before the timer starts: a first tick
    # held up by set-up work would count as lateness that no task caused.
    if case == "idle":
        start = idle_start(idle_s, waiter)

    elif case == "tutorial":
        from tutorial_pattern import TutorialWorker

        def on_progress(percent):
            got["updates"] += 1
            if got["updates"] == n and got["result"]:
                waiter.stop()

        def on_result(value):
            got["result"] = True
            if got["updates"] == n:
                waiter.stop()

        pool = QThreadPool()
        worker = TutorialWorker(tutorial_loop, n)  # kept referenced until it has run
        worker.signals.progress.connect(on_progress)
        worker.signals.result.connect(on_result)

        def start():
            pool.start(worker)

    else:
        from offthread.app import Backend

        backend = Backend(max_threads=2)

        def on_progress(task_id, percent):
            if task_id == got["handle"].id:  # set before the event loop can deliver anything
                got["updates"] += 1

        backend.signals.progress.connect(on_progress)
        backend.signals.result.connect(lambda task_id, value: waiter.stop())
        reporter = {"progress_callback": Noop()} if case == "baseline" else {}

        def start():
            got["handle"] = backend.submit(emit_loop, n, **reporter)

    started, end, lateness = record_lateness(start, waiter, INTERVAL_MS, WARM_UP_S, CASE_TIMEOUT_S)
    if case == "tutorial":
        pool.waitForDone()
    elif case != "idle":
        assert got["handle"].state == "finished", got["handle"].error
        assert backend.shutdown(2000)
    return {"duration": end - started, "updates": got["updates"], "lateness": lateness}


def measure_once(case: str, n: int, idle_s: float, switch_interval: float):
    """Run one case in a child process; return its figures, or why it failed."""
    return run_child(__file__, case, n, idle_s, switch_interval, timeout_s=CASE_TIMEOUT_S)


def main() -> None:
    from offthread.engine.tuning import GUI_SWITCH_INTERVAL_S

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="reports of the one task")
    parser.add_argument("--tutorial-n", type=int, help="reports for the tutorial case, if it is too slow at N")
    parser.add_argument("--idle-s", type=float, default=2.0, help="how long the idle case measures")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeat", type=int, default=5, help="runs per case; ticks are pooled")
    parser.add_argument(
        "--switch-interval",
        type=float,
        default=GUI_SWITCH_INTERVAL_S,
        help=f"sys.setswitchinterval for every case (default: the app's, {GUI_SWITCH_INTERVAL_S})",
    )
    parser.add_argument("--child", nargs=4, metavar=("CASE", "N", "IDLE_S", "SWITCH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, n, idle_s, switch = args.child[0], int(args.child[1]), float(args.child[2]), float(args.child[3])
        print(json.dumps(run_case(case, n, idle_s, switch)))
        return

    sizes = {case: (args.tutorial_n or args.n) if case == "tutorial" else args.n for case in args.cases}
    print(
        f"one task reporting N = {args.n:,} times; a {INTERVAL_MS} ms precise timer on the GUI thread; "
        f"{args.repeat} runs per case, each in a fresh process; GIL switch interval {args.switch_interval * 1000:g} ms",
        flush=True,
    )
    done = Runs(
        args.cases, args.repeat, lambda case: measure_once(case, sizes[case], args.idle_s, args.switch_interval)
    )

    print(
        f"{'case':<9} {'reports':>9} {'duration s':>10} {'updates':>9} {'updates/s':>10}"
        f" {'ticks':>6} {'due':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}  note"
    )
    summary = {}
    for case in args.cases:
        outcomes, note = done.ok[case], done.note(case)
        if not outcomes:
            print(f"{case:<9} {'-':>9}  {note}")
            continue
        reports = 0 if case == "idle" else sizes[case]
        duration = statistics.median(o["duration"] for o in outcomes)
        updates = statistics.median(o["updates"] for o in outcomes)
        rate = statistics.median(o["updates"] / o["duration"] for o in outcomes)
        late = sorted(x * 1000 for o in outcomes for x in o["lateness"])
        ticks = len(late) / len(outcomes)  # per run, like the duration
        due = duration * 1000 / INTERVAL_MS
        p50, p99, worst = (percentile(late, 0.50), percentile(late, 0.99), late[-1]) if late else (0, 0, 0)
        summary[case] = {"duration": duration, "updates": updates, "rate": rate, "p99": p99}
        print(
            f"{case:<9} {reports:>9,} {duration:>10.3f} {updates:>9,.0f} {rate:>10.1f}"
            f" {ticks:>6.0f} {due:>6.0f} {p50:>7.2f} {p99:>7.2f} {worst:>7.2f}  {note}"
        )
    print("updates: progress updates the GUI thread received for the task (median per run);")
    print(f"ticks: timer ticks seen per run, due: ticks a {INTERVAL_MS} ms timer would run in that time;")
    print("lateness percentiles over the ticks of all runs")

    if "ours" in summary:
        ours = summary["ours"]
        # About 30 a second from the sampler, plus the first and the last report,
        # which are sent at once; checked run by run, the worst run counts.
        worst = max(done.ok["ours"], key=lambda o: o["updates"] - SAMPLES_PER_S * o["duration"])
        allowed = SAMPLES_PER_S * worst["duration"] + 2
        verdict = "met" if worst["updates"] <= allowed else "NOT met"
        print(
            f"target: ours at most ~30 updates/s (+ first and last): worst run {worst['updates']} updates in"
            f" {worst['duration']:.3f} s = {worst['updates'] / worst['duration']:.1f}/s,"
            f" at most {allowed:.1f} allowed: {verdict}"
        )
        verdict = "met" if ours["p99"] < TARGET_P99_MS else "NOT met"
        floor = f" (baseline, no reports: {summary['baseline']['p99']:.2f} ms)" if "baseline" in summary else ""
        print(f"target: ours p99 lateness under {TARGET_P99_MS:g} ms: {ours['p99']:.2f} ms{floor}: {verdict}")


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
