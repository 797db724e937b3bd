"""What process mode costs: starting its pool, and each tiny task.

  start     a fresh process makes the pool and runs one tiny task; the time
            from creating the pool to the result (the fork server, the
            worker processes and their imports included), and how long the
            first submit held the calling (GUI) thread
  per task  N tiny tasks (x * x) submitted at once to a warm pool; the time
            from the first submit to the last result, divided by N; and the
            calling process's own CPU time over that span per task (all its
            threads): what the pool costs the GUI process, less moved by load
Kinds of callable (--kinds): a plain module function, a functools.partial
of it made for each task, a builtin (operator.mul), a bound method, and a
callable object; each case runs each kind, beside pebble's figure for it.
Cases: ours (Backend process mode, results delivered on the GUI thread),
pebble (its ProcessPool alone, the same start method, results waited for
with concurrent.futures.wait), executor (concurrent.futures'
ProcessPoolExecutor, the same start method), ours in thread mode for
scale, and ours-pool: the engine's process pool alone, its events to a
function that counts them (no delivery to the GUI thread, no task list):
what the process side itself costs the GUI process. Each run is a fresh
process, with the settings the app makes for the whole process
(offthread.tune_gui_process), whatever the case (--untuned: Python's own,
as in an app that does not make them; --switch-interval: the same with
another GIL switch interval); runs are interleaved. Beside the figures, the
calling thread's own CPU time (ours: the GUI thread's) and the time the
process spent in cyclic collections (any thread).

    python bench/process_costs.py            # N = 2000, 3 runs per case, plain functions
    python bench/process_costs.py --cases ours pebble --kinds function partial builtin method object
"""

from __future__ import annotations

import argparse
import functools
import json
import operator
import os
import statistics
import sys
import time
from concurrent import futures
from pathlib import Path
from typing import Any, Callable

from common import Collections, Runs, Waiter, add_switch_interval, run_child

ROOT = Path(__file__).resolve().parent.parent
CASES = ("ours", "pebble", "executor", "ours-thread", "ours-pool")
KINDS = ("function", "partial", "builtin", "method", "object")
CASE_TIMEOUT_S = 300


def square(x):
    return x * x


def times(x, y):
    return x * y


class Squarer:
    def square(self, x):
        return x * x

    def __call__(self, x):
        return x * x


def call_for(kind: str) -> Callable[[int], tuple[Callable[..., Any], tuple[Any, ...]]]:
    """How a task of this kind is made from its number: (callable, arguments)."""
    squarer = Squarer()
    makers: dict[str, Callable[[int], tuple[Callable[..., Any], tuple[Any, ...]]]] = {
        "function": lambda x: (square, (x,)),
        "partial": lambda x: (functools.partial(times, x), (x,)),  # a new partial for each task
        "builtin": lambda x: (operator.mul, (x, x)),
        "method": lambda x: (squarer.square, (x,)),
        "object": lambda x: (squarer, (x,)),
    }
    return makers[kind]


def _flat(call: tuple[Callable[..., Any], tuple[Any, ...]]) -> tuple[Any, ...]:
    return (call[0], *call[1])


def run_case(case: str, n: int, kind: str = "function", tuned: str = "app") -> dict:
    """One run; ``tuned``: "app" (tune_gui_process's own settings), "untuned", or a switch interval in seconds."""
    import multiprocessing

    from offthread import tune_gui_process
    from offthread.core.processpool import START_METHOD

    if tuned != "untuned":
        # The app's settings (it makes them once its window shows), before any case makes its pool: the same for all.
        if tuned == "app":
            tune_gui_process()
        else:
            tune_gui_process(float(tuned), busy_switch_interval=None)  # that one slice throughout

    context = multiprocessing.get_context(START_METHOD)
    workers = os.cpu_count()
    make = call_for(kind)
    if case in ("ours", "ours-thread"):
        from qtpy.QtWidgets import QApplication

        from offthread.app import Backend

        app = QApplication.instance() or QApplication([])  # noqa: F841
        mode = "process" if case == "ours" else "thread"
        made = time.perf_counter()
        backend = Backend(max_threads=workers, processes=workers)
        done = {"count": 0, "target": 1, "waiter": Waiter()}

        def on_result(task_id, value):
            done["count"] += 1
            if done["count"] == done["target"]:
                done["waiter"].stop()

        backend.signals.result.connect(on_result)
        before = time.perf_counter()
        backend.submit_task(*make(3), mode=mode)
        blocked = time.perf_counter() - before
        first = done["waiter"].wait(60) - made

        done.update(count=0, target=n, waiter=Waiter())
        started, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
        with Collections() as collector:
            for i in range(n):
                backend.submit_task(*make(i), mode=mode)
            total = done["waiter"].wait(CASE_TIMEOUT_S) - started
        cpu, own = time.process_time() - cpu, time.thread_time() - own
        assert backend.shutdown(5000)
    elif case == "ours-pool":
        return _pool_alone(n, make, workers)
    else:
        made = time.perf_counter()
        if case == "pebble":
            import pebble

            pool = pebble.ProcessPool(max_workers=workers, context=context)
            submit = lambda x: pool.schedule(*make(x))  # noqa: E731
        else:
            pool = futures.ProcessPoolExecutor(max_workers=workers, mp_context=context)
            submit = lambda x: pool.submit(*_flat(make(x)))  # noqa: E731
        before = time.perf_counter()
        future = submit(3)
        blocked = time.perf_counter() - before
        future.result()
        first = time.perf_counter() - made
        started, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
        with Collections() as collector:
            pending = [submit(i) for i in range(n)]
            futures.wait(pending)
            total = time.perf_counter() - started
        cpu, own = time.process_time() - cpu, time.thread_time() - own
        if case == "pebble":
            pool.stop()
            pool.join()
        else:
            pool.shutdown()
    return _outcome(first, blocked, total, cpu, own, collector.total, n)


def _outcome(first: float, blocked: float, total: float, cpu: float, own: float, collected: float, n: int) -> dict:
    """A run's figures, per task where they are totals (see the legend main() prints)."""
    per = {"per_task": total, "cpu": cpu, "own": own, "collector": collected}
    return {"first": first, "blocked": blocked, **{key: value / n for key, value in per.items()}}


def _pool_alone(n: int, make: Callable[[int], tuple[Callable[..., Any], tuple[Any, ...]]], workers: int) -> dict:
    """The ours-pool case: offthread.core.processpool.ProcessPool with PySide loaded (its
    import hook is what pickling meets in the app), events counted on the pool's thread."""
    import threading

    import qtpy.QtCore  # noqa: F401

    from offthread.core.processpool import ProcessPool

    done, count = threading.Event(), {"finished": 0, "target": 1}

    def emit(name: str, task_id: int, *args: Any) -> None:
        if name == "finished":
            count["finished"] += 1
            if count["finished"] == count["target"]:
                done.set()

    made = time.perf_counter()
    pool = ProcessPool(workers, emit)
    fn, args = make(3)
    before = time.perf_counter()
    pool.submit(0, (fn, args, {}))
    blocked = time.perf_counter() - before
    done.wait(60)
    first = time.perf_counter() - made
    done.clear()
    count.update(finished=0, target=n)
    started, cpu, own = time.perf_counter(), time.process_time(), time.thread_time()
    with Collections() as collector:
        for i in range(1, n + 1):
            fn, args = make(i)
            pool.submit(i, (fn, args, {}))
        if not done.wait(CASE_TIMEOUT_S):
            raise TimeoutError("the case did not end in time")
        total = time.perf_counter() - started
    cpu, own = time.process_time() - cpu, time.thread_time() - own
    assert pool.shutdown(5)
    return _outcome(first, blocked, total, cpu, own, collector.total, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="tiny tasks per run")
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=["function"])
    parser.add_argument("--repeat", type=int, default=3)
    settings = parser.add_mutually_exclusive_group()
    settings.add_argument(
        "--untuned", action="store_true", help="leave out offthread.tune_gui_process (Python's own settings)"
    )
    add_switch_interval(settings)
    parser.add_argument("--child", nargs=4, metavar=("CASE", "N", "KIND", "TUNED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        case, n, kind, tuned = args.child
        print(json.dumps(run_case(case, int(n), kind, tuned)))
        return
    from offthread.core.processpool import START_METHOD

    if args.switch_interval:
        settings = f"offthread.tune_gui_process's collector and a switch interval of {args.switch_interval:g} s"
    else:
        settings = f"{'Python' if args.untuned else 'offthread.tune_gui_process'}'s switch interval and collector"
    print(
        f"{os.cpu_count()} workers, start method {START_METHOD}; N = {args.n:,} tiny tasks; {args.repeat} runs per case; "
        + settings,
        flush=True,
    )

    def measure(run: str) -> dict | str:
        case, kind = run.split("/")
        tuned = "untuned" if args.untuned else "app" if args.switch_interval is None else args.switch_interval
        return run_child(__file__, case, args.n, kind, tuned, timeout_s=CASE_TIMEOUT_S)

    runs = [f"{case}/{kind}" for kind in args.kinds for case in args.cases]
    done = Runs(runs, args.repeat, measure)
    print(
        f"{'case':<12} {'callable':<9} {'start s':>8} {'submit blocks ms':>17} {'per task us':>12} {'vs pebble':>10} "
        f"{'parent CPU us':>14} {'caller us':>10} {'collector us':>13}  note"
    )
    for run in runs:
        case, kind = run.split("/")
        outcomes, note = done.ok[run], done.note(run)
        if not outcomes:
            print(f"{case:<12} {kind:<9} {'-':>8}  {note}")
            continue
        pebble = done.ok.get(f"pebble/{kind}")
        pebble_per_task = statistics.median(o["per_task"] for o in pebble) if pebble else None
        first = statistics.median(o["first"] for o in outcomes)
        blocked = statistics.median(o["blocked"] for o in outcomes)
        per_task = statistics.median(o["per_task"] for o in outcomes)
        ratio = f"{per_task / pebble_per_task:.2f}x" if pebble_per_task else "-"
        cpu = statistics.median(o["cpu"] for o in outcomes)
        own = statistics.median(o["own"] for o in outcomes)
        collector = statistics.median(o["collector"] for o in outcomes)
        print(
            f"{case:<12} {kind:<9} {first:>8.3f} {blocked * 1000:>17.2f} {per_task * 1e6:>12.1f} {ratio:>10}"
            f" {cpu * 1e6:>14.1f} {own * 1e6:>10.1f} {collector * 1e6:>13.1f}  {note}"
        )
    print("start: pool made to first result; submit blocks: the first submit's own time (the pool starts there);")
    print("per task: first submit to last result over N, with a warm pool (medians of the runs);")
    print("parent CPU: the CPU time of the calling process (all its threads) over the same span, per task;")
    print("caller: of that, the calling thread's own (ours: the GUI thread; the peers': the one submitting, waiting);")
    print("collector: of that span, the time in cyclic collections (any thread), per task")


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
