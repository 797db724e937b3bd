"""Submit N tiny tasks and wait until every result has reached the GUI thread.

Compares, in one run and on one machine:
  ours       Backend.submit; a result is delivered when its handle holds it
  tutorial   the tutorial's pattern with references kept (bench/tutorial_pattern.py)
  dropped    the tutorial's pattern as written, references dropped
  executor   concurrent.futures.ThreadPoolExecutor, results collected on the calling thread
Each case runs in a fresh process, so one case cannot slow or crash another.

    python bench/submit_many.py               # N = 1000, 2000, 5000, 10000; 3 runs each
    python bench/submit_many.py --sizes 10000 --cases ours executor
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from common import run_child

ROOT = Path(__file__).resolve().parent.parent
CASES = ("ours", "tutorial", "dropped", "executor")
CASE_TIMEOUT_S = 300


def tiny(progress_callback=None):
    return 1


def wait_until(app, condition, deadline_s: float) -> None:
    deadline = time.perf_counter() + deadline_s
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("results did not all arrive")
        app.processEvents()


def run_case(case: str, n: int) -> float:
    """Time one case in this process; return seconds from first submit to last result."""
    if case == "executor":
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=os.cpu_count()) as executor:
            started = time.perf_counter()
            futures = [executor.submit(tiny) for _ in range(n)]
            assert sum(f.result() for f in futures) == n
            return time.perf_counter() - started

    from qtpy.QtWidgets import QApplication  # the tutorial's app type, for every Qt case

    app = QApplication.instance() or QApplication([])
    if case == "ours":
        from offthread.app import Backend

        backend = Backend()
        started = time.perf_counter()
        handles = [backend.submit(tiny) for _ in range(n)]
        wait_until(app, lambda: handles[-1].done and not backend.tasks(), CASE_TIMEOUT_S)
        elapsed = time.perf_counter() - started
        assert sum(h.result for h in handles) == n
        assert backend.shutdown(1000)
        return elapsed

    from tutorial_pattern import TutorialWindow

    window = TutorialWindow(keep_references=case == "tutorial")
    started = time.perf_counter()
    for _ in range(n):
        window.start(tiny)
    wait_until(app, lambda: window.results == n, CASE_TIMEOUT_S)
    return time.perf_counter() - started


def measure_once(case: str, n: int):
    """Run one case in a child process; return its seconds, or why it failed."""
    outcome = run_child(__file__, case, n, timeout_s=CASE_TIMEOUT_S)
    return outcome["seconds"] if isinstance(outcome, dict) else outcome


def measure(case: str, n: int, repeat: int) -> str:
    """The median time of ``repeat`` runs, and how many runs failed."""
    outcomes = [measure_once(case, n) for _ in range(repeat)]
    times = sorted(o for o in outcomes if isinstance(o, float))
    failures = [o for o in outcomes if not isinstance(o, float)]
    cell = f"{statistics.median(times):.3f} s" if times else "-"
    if failures:
        cell += f" ({len(failures)}/{repeat} {failures[0]})"
    return cell


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell; the median is shown")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, n = args.child[0], int(args.child[1])
        print(json.dumps({"seconds": run_case(case, n)}))
        return

    print(f"seconds from the first submit to the last result on the GUI thread, median of {args.repeat}")
    print(f"{'N':>7}  " + "  ".join(f"{case:>22}" for case in args.cases), flush=True)
    for n in args.sizes:
        row = [measure(case, n, args.repeat) for case in args.cases]
        print(f"{n:>7}  " + "  ".join(f"{cell:>22}" for cell in row), flush=True)


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
