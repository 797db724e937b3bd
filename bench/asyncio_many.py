"""1,000 tasks that each wait a second: asyncio mode beside thread mode and bare asyncio.

Cases, each in a fresh process, interleaved:
  asyncio    Backend.submit_task(fn, mode="asyncio"), fn awaiting asyncio.sleep(1),
             1,000 times from the GUI thread; the wall time until every result
             has reached the GUI thread
  bare       the floor: asyncio.run(asyncio.gather(...)) of the same 1,000
             coroutines, no Qt, no task model
  thread     thread mode, fn calling time.sleep(1), on the default pool
             (one thread per core): it can only wait as many at once as it
             has threads, so N tasks take N / threads seconds. Run once, with
             100 tasks by default (1,000 would take 500 s on 2 cores).

    python bench/asyncio_many.py                       # 1,000 tasks, 5 runs
    python bench/asyncio_many.py --thread-tasks 1000   # thread mode with all 1,000 too
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from common import Runs, Waiter, run_child

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 3.0  # the bound for 1,000 one-second coroutines
SECONDS = 1.0


async def wait_a_second(n: int) -> int:
    import asyncio

    await asyncio.sleep(SECONDS)
    return n


def block_a_second(n: int) -> int:
    time.sleep(SECONDS)
    return n


def run_case(case: str, n: int) -> dict:
    if case == "bare":
        import asyncio

        async def all_of_them() -> list:
            return await asyncio.gather(*(wait_a_second(i) for i in range(n)))

        started = time.perf_counter()
        results = asyncio.run(all_of_them())
        seconds = time.perf_counter() - started
        assert results == list(range(n))
        return {"seconds": seconds}

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qtpy.QtCore import QCoreApplication

    from offthread import TaskManager

    app = QCoreApplication.instance() or QCoreApplication([])
    manager = TaskManager()
    waiter = Waiter()
    left = [n]

    def finished(_task_id: int) -> None:
        left[0] -= 1
        if left[0] == 0:
            waiter.stop()

    manager.signals.finished.connect(finished)
    fn, mode = (wait_a_second, "asyncio") if case == "asyncio" else (block_a_second, "thread")
    started = time.perf_counter()
    handles = [manager.submit_task(fn, (i,), mode=mode) for i in range(n)]
    end = waiter.wait(SECONDS * n + 60)
    assert [h.result for h in handles] == list(range(n))
    threads = manager.maxThreadCount
    assert manager.shutdown(10000)
    del app
    return {"seconds": end - started, "threads": threads}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--thread-tasks", type=int, default=100, help="tasks for the thread case (default: 100)")
    parser.add_argument("--child", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child[0], int(args.child[1]))))
        return
    runs = Runs(("asyncio", "bare"), args.repeat, lambda case: run_child(__file__, case, args.n, timeout_s=300))
    for case in runs.cases:
        if not runs.ok[case]:
            sys.exit(f"{case} failed: {runs.note(case)}")
    thread_tasks = args.thread_tasks
    thread = run_child(__file__, "thread", thread_tasks, timeout_s=SECONDS * thread_tasks + 120)
    if not isinstance(thread, dict):
        sys.exit(f"thread failed: {thread}")
    bare = statistics.median(o["seconds"] for o in runs.ok["bare"])
    ours = statistics.median(o["seconds"] for o in runs.ok["asyncio"])
    print(f"{args.n:,} tasks that each wait {SECONDS:g} s; median of {args.repeat} interleaved runs")
    print(f"{'case':<8} {'wall s':>8} {'vs bare':>8}  runs")
    for case in runs.cases:
        median = statistics.median(o["seconds"] for o in runs.ok[case])
        each = " ".join(f"{o['seconds']:.3f}" for o in runs.ok[case])
        print(f"{case:<8} {median:>8.3f} {median / bare:>7.2f}x  {each}")
    print(
        f"thread   {thread['seconds']:>8.3f}           {thread_tasks:,} tasks on {thread['threads']} threads, one run "
        f"({thread_tasks / thread['threads'] * SECONDS:.0f} s by arithmetic)"
    )
    print(f"target: {args.n:,} in under {TARGET_S:g} s: {ours:.2f} s: {'met' if ours < TARGET_S else 'NOT met'}")


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
