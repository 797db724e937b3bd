"""What a large result from a worker process costs the GUI process.

One task on a warm pool of 2 workers makes a large value and returns it:
  time      from the submit to the result being in the GUI process
  RSS       how much the GUI process's peak resident memory grew, as a
            multiple of the value's size, once every byte of it has been read
  late ms   the worst lateness of a 5 ms precise timer on the GUI thread
            while the result arrives (the window would freeze that long)
Values (--values): a ``bytes`` of --bytes-mb MB, and a numpy array of
--array-mb MB (numpy is optional: without it, that value is left out).
Cases: ours (Backend process mode, the result delivered on the GUI thread),
pebble (its ProcessPool, the same start method) and executor
(concurrent.futures' ProcessPoolExecutor); for the peers the result is
taken from the future as it completes. Each run is a fresh process; runs
are interleaved; figures are medians.

    python bench/big_results.py                 # 300 MB bytes, 200 MB array, 3 runs per case
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
from concurrent import futures
from pathlib import Path
from typing import Any

from common import Runs, Waiter, record_lateness, run_child

ROOT = Path(__file__).resolve().parent.parent
CASES = ("ours", "pebble", "executor")
VALUES = ("bytes", "array")
CASE_TIMEOUT_S = 300
INTERVAL_MS = 5


def make_value(kind: str, size: int) -> Any:
    """The task: a value of ``size`` bytes, every byte written (nothing lazily zeroed)."""
    if kind == "array":
        import numpy

        return numpy.full(size // 8, 1.5)
    return b"\x01" * size


def peak_rss() -> int:
    """The process's peak resident memory so far, in bytes (Linux counts KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_case(case: str, kind: str, size: int) -> dict:
    import multiprocessing

    from qtpy.QtCore import QObject, Signal
    from qtpy.QtWidgets import QApplication

    from offthread.core.processpool import START_METHOD

    app = QApplication.instance() or QApplication([])  # noqa: F841
    context = multiprocessing.get_context(START_METHOD)
    waiter = Waiter()
    got: dict[str, Any] = {}

    class Done(QObject):
        arrived = Signal()

    done = Done()
    done.arrived.connect(waiter.stop)  # queued: the peers complete their futures on a thread of theirs

    if case == "ours":
        from offthread.app import Backend

        backend = Backend(max_threads=2, processes=2)

        def on_result(task_id: int, value: Any) -> None:
            if task_id == got.get("id"):
                got["value"] = value
                waiter.stop()

        backend.signals.result.connect(on_result)
        warm = Waiter()
        backend.signals.result.connect(lambda *_: warm.stop())
        backend.submit_task(make_value, ("bytes", 10), mode="process")
        warm.wait(60)

        def start() -> None:
            got["id"] = backend.submit_task(make_value, (kind, size), mode="process").id
    else:
        if case == "pebble":
            import pebble

            pool: Any = pebble.ProcessPool(max_workers=2, context=context)
            submit = lambda *args: pool.schedule(make_value, args=args)  # noqa: E731
        else:
            pool = futures.ProcessPoolExecutor(max_workers=2, mp_context=context)
            submit = lambda *args: pool.submit(make_value, *args)  # noqa: E731
        submit("bytes", 10).result()

        def arrived(future: futures.Future) -> None:
            got["value"] = future.result()
            done.arrived.emit()

        def start() -> None:
            submit(kind, size).add_done_callback(arrived)

    before = peak_rss()
    started, end, lateness = record_lateness(start, waiter, INTERVAL_MS, 0.3, CASE_TIMEOUT_S)
    value = got["value"]
    assert len(memoryview(value).cast("B")) == (size // 8 * 8 if kind == "array" else size)
    if kind == "array":
        assert value.sum() == 1.5 * (size // 8)  # every page read: an array on shared memory counts whole
    grown = peak_rss() - before
    del value
    got.clear()
    if case == "ours":
        assert backend.shutdown(5000)
    elif case == "pebble":
        pool.stop()
        pool.join()
    else:
        pool.shutdown()
    return {"time": end - started, "rss": grown / size, "late": max(lateness, default=0.0)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--values", nargs="+", choices=VALUES, default=list(VALUES))
    parser.add_argument("--bytes-mb", type=int, default=300)
    parser.add_argument("--array-mb", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=3, metavar=("CASE", "VALUE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_case(args.child[0], args.child[1], int(args.child[2]))))
        return
    values = list(args.values)
    if "array" in values:
        try:
            import numpy  # noqa: F401
        except ImportError:
            print("numpy is not installed: the array is left out")
            values.remove("array")
    sizes = {"bytes": args.bytes_mb << 20, "array": args.array_mb << 20}
    print(f"{os.cpu_count()} cores; {args.repeat} runs per case, interleaved; medians", flush=True)

    def measure(run: str) -> dict | str:
        case, value = run.split("/")
        return run_child(__file__, case, value, sizes[value], timeout_s=CASE_TIMEOUT_S)

    runs = [f"{case}/{value}" for value in values for case in args.cases]
    done = Runs(runs, args.repeat, measure)
    print(f"{'case':<10} {'value':<14} {'time s':>8} {'vs best peer':>13} {'RSS x size':>11} {'late ms':>9}  note")
    for run in runs:
        case, value = run.split("/")
        label = f"{value} {sizes[value] >> 20} MB"
        outcomes, note = done.ok[run], done.note(run)
        if not outcomes:
            print(f"{case:<10} {label:<14} {'-':>8}  {note}")
            continue
        peers = [done.ok.get(f"{peer}/{value}") for peer in ("pebble", "executor")]
        best = min((statistics.median(o["time"] for o in p) for p in peers if p), default=None)
        took = statistics.median(o["time"] for o in outcomes)
        ratio = f"{took / best:.2f}x" if best else "-"
        rss = statistics.median(o["rss"] for o in outcomes)
        late = statistics.median(o["late"] for o in outcomes) * 1000
        print(f"{case:<10} {label:<14} {took:>8.3f} {ratio:>13} {rss:>11.2f} {late:>9.1f}  {note}")


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
