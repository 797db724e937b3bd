"""Report progress on every item of a 1,000,000-item loop, and measure what the reports cost.

One task loops over N items and reports on each one. The loop is timed inside
the task (what the reports cost the task itself), and the wall time is taken
from the submit until the result is on the GUI thread. Compares:
  baseline-emit      noop.emit(i * 100 / n): a do-nothing Python method,
                     the cheapest report Python allows
  ours-emit          progress_callback.emit(i * 100 / n) on the TaskContext
                     that Backend.submit passes
  baseline-progress  noop.progress(i): a do-nothing Python method
  ours-progress      task.progress(i) on the TaskContext, after
                     task.set_maximum(n): items done out of n
  ours-track         for i in task.track(range(n)): the loop tqdm users write,
                     against baseline-progress (its loop reports each item too)
  tutorial           progress_callback.emit(int(i * 100 / n)) on the tutorial's
                     worker (bench/tutorial_pattern.py): one queued signal per
                     report, each to a connected slot on the GUI thread; done
                     once the result and every report have arrived
Each ratio divides a median by the median of the baseline with the same loop
body (the tutorial's by baseline-emit); the target is ours within 1.2x of its
baseline (1.5x for track, a generator), in loop time. The emit
loops also compute a percent per item, so their baselines are slower and
their ratios milder than the progress loops'.
The baselines run through the same Backend as ours, so that the thread, the
GIL and the GUI thread's timers are the same; only the reporter differs.
Each run is a fresh process; the runs of all cases are interleaved, so a
machine that slows down for a while slows every case alike. On a shared
virtual machine, where speed can halve for a fraction of a second, every
run's loop time is shown too; a larger --repeat steadies the medians.

    python bench/progress_reports.py                       # N = 1,000,000; median of 3 runs
    python bench/progress_reports.py --tutorial-n 100000   # a shorter tutorial run, scaled to N
    python bench/progress_reports.py --cases baseline-emit ours-emit --repeat 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from common import Noop, Waiter, emit_loop, run_child, tutorial_loop

ROOT = Path(__file__).resolve().parent.parent
CASES = ("baseline-emit", "ours-emit", "baseline-progress", "ours-progress", "ours-track", "tutorial")
BASELINE_OF = {
    "ours-emit": "baseline-emit",
    "ours-progress": "baseline-progress",
    "ours-track": "baseline-progress",
    "tutorial": "baseline-emit",
}
# A report, within 1.2x of calling a do-nothing method; a track() step, which
# adds a generator's resume to it, within 1.5x.
TARGETS = {"ours-emit": 1.2, "ours-progress": 1.2, "ours-track": 1.5}
CASE_TIMEOUT_S = 300


def progress_loop(n, task):
    task.set_maximum(n)  # once: the scale rarely changes, the value on every item
    started = time.perf_counter()
    for i in range(n):
        task.progress(i)
    return time.perf_counter() - started


def track_loop(n, task):
    started = time.perf_counter()
    for _ in task.track(range(n)):
        pass
    return time.perf_counter() - started


def run_case(case: str, n: int) -> dict:
    """Run one case in this process; return the loop's and the wall's seconds."""
    from qtpy.QtWidgets import QApplication  # the tutorial's app type, for every case

    app = QApplication.instance() or QApplication([])  # noqa: F841  (kept alive to the end)
    if case == "tutorial":
        from qtpy.QtCore import QThreadPool
        from tutorial_pattern import TutorialWorker

        waiter = Waiter()
        got = {"reports": 0, "loop": None}

        def on_progress(percent):
            got["reports"] += 1
            if got["reports"] == n and got["loop"] is not None:
                waiter.stop()

        def on_result(loop_seconds):
            got["loop"] = loop_seconds
            if got["reports"] == n:
                waiter.stop()

        pool = QThreadPool()
        worker = TutorialWorker(tutorial_loop, n)  # kept referenced until it has run
        worker.signals.progress.connect(on_progress)
        worker.signals.result.connect(on_result)
        started = time.perf_counter()
        pool.start(worker)
        end = waiter.wait(CASE_TIMEOUT_S)
        pool.waitForDone()
        return {"loop": got["loop"], "wall": end - started}

    from offthread.app import Backend

    backend = Backend(max_threads=2)
    fn, reporter = {
        "baseline-emit": (emit_loop, {"progress_callback": Noop()}),
        "ours-emit": (emit_loop, {}),
        "baseline-progress": (progress_loop, {"task": Noop()}),
        "ours-progress": (progress_loop, {}),
        "ours-track": (track_loop, {}),
    }[case]
    waiter = Waiter()
    # The backend updates the handle before it emits the signal: the handle is done here.
    backend.signals.result.connect(lambda task_id, value: waiter.stop())
    started = time.perf_counter()
    handle = backend.submit(fn, n, **reporter)
    wall = waiter.wait(CASE_TIMEOUT_S) - started
    assert handle.done and handle.state == "finished", handle.error
    assert backend.shutdown(2000)
    return {"loop": handle.result, "wall": wall}


def measure_once(case: str, n: int):
    """Run one case in a child process; return its figures, or why it failed."""
    return run_child(__file__, case, n, timeout_s=CASE_TIMEOUT_S)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000, help="items, one report each")
    parser.add_argument(
        "--tutorial-n", type=int, help="items for the tutorial case, if it is too slow at N; its times are scaled to N"
    )
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the median is shown")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, n = args.child[0], int(args.child[1])
        print(json.dumps(run_case(case, n)))
        return

    n = args.n
    sizes = {case: (args.tutorial_n or n) if case == "tutorial" else n for case in args.cases}
    print(f"N = {n:,} reports in one task; seconds, median of {args.repeat} runs, each in a fresh process", flush=True)
    rounds = []  # one dict per round: case -> figures scaled to N, or why the run failed
    for _ in range(args.repeat):
        outcomes = {}
        for case in args.cases:  # interleaved: drifts in machine speed hit every case alike
            outcome = measure_once(case, sizes[case])
            if isinstance(outcome, dict):
                outcome = {k: v * n / sizes[case] for k, v in outcome.items()}
            outcomes[case] = outcome
        rounds.append(outcomes)

    def figures(case, key):
        return [r[case][key] for r in rounds if isinstance(r[case], dict)]

    def median(case, key):
        values = figures(case, key) if case in args.cases else []
        return statistics.median(values) if values else None

    def ratio(case, key):
        base = BASELINE_OF.get(case)
        if median(case, key) is None or base is None or median(base, key) is None:
            return None
        return median(case, key) / median(base, key)

    def cell(value, form):
        return "" if value is None else form.format(value)

    print(
        f"{'case':<18}  {'loop s':>8}  {'wall s':>8}  {'loop/base':>9}  {'wall/base':>9}  {'vs':<17}"
        f"  {'loop s of each run':<21}  note"
    )
    for case in args.cases:
        notes = []
        if sizes[case] != n:
            notes.append(f"measured at n={sizes[case]:,}, times scaled x{n / sizes[case]:g}")
        failed = [r[case] for r in rounds if not isinstance(r[case], dict)]
        if failed:
            notes.append(f"{len(failed)}/{args.repeat} failed: {failed[0]}")
        each = " ".join(f"{x:.3f}" for x in figures(case, "loop"))
        print(
            f"{case:<18}  {cell(median(case, 'loop'), '{:.3f}'):>8}  {cell(median(case, 'wall'), '{:.3f}'):>8}"
            f"  {cell(ratio(case, 'loop'), '{:.2f}x'):>9}  {cell(ratio(case, 'wall'), '{:.2f}x'):>9}"
            f"  {BASELINE_OF.get(case, ''):<17}  {each:<21}  {'; '.join(notes)}"
        )

    print("target: ours within its ratio of the baseline (loop time: what the reports cost the task)")
    for case, target in TARGETS.items():
        value = ratio(case, "loop")
        if value is not None:
            verdict = "met" if value <= target else "NOT met"
            print(f"  {case:<14} {value:.2f}x {BASELINE_OF[case]} (target {target}x): {verdict}")


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
