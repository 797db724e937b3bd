"""What a large result from a worker process, or a large argument to one, costs the GUI process.

One task on a warm pool of 2 workers makes a large value and returns it
(values ``bytes`` and ``array``), or is given one made in the GUI process
and returns a small value, its sum or size (``bytes-in``, ``array-in``):
  time      from the submit to the result being in the GUI process
  RSS       how much the GUI process's peak resident memory grew, as a
            multiple of the value's size, once every byte of it has been read
  late ms   the worst lateness of a 5 ms precise timer on the GUI thread
            while the result arrives, or the argument goes (the window
            would freeze that long)
  shm +     how many more files /dev/shm holds once the pool is shut down
            (none may be left behind)
Values (--values): a ``bytes`` of --bytes-mb MB, and a numpy array of
--array-mb MB (numpy is optional: without it, the arrays are left out).
Cases: ours (Backend process mode, the result delivered on the GUI thread),
pebble (its ProcessPool, the same start method) and executor
(concurrent.futures' ProcessPoolExecutor); for the peers the result is
taken from the future as it completes. For a result, floor is the task
alone: the executor's worker makes the value and sends back its size, so
its time is what no way of carrying the value can go under. Each run is a fresh process; runs
are interleaved; figures are medians.

    python bench/big_results.py                 # 300 MB bytes, 200 MB array, 3 runs per case
    python bench/big_results.py --values array-in bytes-in
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
CASES = ("ours", "pebble", "executor", "floor")
VALUES = ("bytes", "array", "bytes-in", "array-in")
CASE_TIMEOUT_S = 300
INTERVAL_MS = 5


def make_value(kind: str, size: int) -> Any:
    """The task: a value of ``size`` bytes, every byte written (nothing lazily zeroed)."""
    if kind == "array":
        import numpy

        return numpy.full(size // 8, 1.5)
    return b"\x01" * size


def made_size(kind: str, size: int) -> int:
    """The floor's task: the value made, as for a result, and only its size sent back."""
    return len(memoryview(make_value(kind, size)).cast("B"))


def reduce_value(value: Any) -> float:
    """The task given a large value: a small one back (an array's sum, every byte read; a size)."""
    return float(value.sum()) if hasattr(value, "sum") else float(len(value))


def shm_names() -> set[str]:
    try:
        return set(os.listdir("/dev/shm"))
    except OSError:
        return set()


def peak_rss() -> int:
    """The process's peak resident memory so far, in bytes (Linux counts KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_case(case: str, kind: str, size: int) -> dict:
    import multiprocessing

    from qtpy.QtCore import QObject, Signal
    from qtpy.QtWidgets import QApplication

    from offthread.core.processpool import START_METHOD

    app = QApplication.instance() or QApplication([])  # noqa: F841
    shm_before = shm_names()
    base = kind.split("-")[0]
    # The call: make the value there, or hand it over from here (made now, before any timing).
    call: list[Any] = [reduce_value, (make_value(base, size),)] if kind.endswith("-in") else [make_value, (kind, size)]
    if case == "floor":
        call = [made_size, (kind, size)]
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
            got["id"] = backend.submit_task(call[0], call[1], mode="process").id
    else:
        if case == "pebble":
            import pebble

            pool: Any = pebble.ProcessPool(max_workers=2, context=context)
            submit = lambda fn, *args: pool.schedule(fn, args=args)  # noqa: E731
        else:
            pool = futures.ProcessPoolExecutor(max_workers=2, mp_context=context)
            submit = lambda fn, *args: pool.submit(fn, *args)  # noqa: E731
        submit(make_value, "bytes", 10).result()

        def arrived(future: futures.Future) -> None:
            got["value"] = future.result()
            done.arrived.emit()

        def start() -> None:
            submit(call[0], *call[1]).add_done_callback(arrived)

    before = peak_rss()
    started, end, lateness = record_lateness(start, waiter, INTERVAL_MS, 0.3, CASE_TIMEOUT_S)
    value = got["value"]
    if case == "floor":
        assert value == (size // 8 * 8 if kind == "array" else size)
    elif kind == "array-in":
        assert value == 1.5 * (size // 8)
    elif kind == "bytes-in":
        assert value == size
    else:
        assert len(memoryview(value).cast("B")) == (size // 8 * 8 if kind == "array" else size)
    if kind == "array" and case != "floor":
        assert value.sum() == 1.5 * (size // 8)  # every page read: an array on shared memory counts whole
    grown = peak_rss() - before
    del value
    call.clear()  # the argument, if it was one
    got.clear()
    if case == "ours":
        assert backend.shutdown(5000)
    elif case == "pebble":
        pool.stop()
        pool.join()
    else:
        pool.shutdown()
    left = len(shm_names() - shm_before)
    return {"time": end - started, "rss": grown / size, "late": max(lateness, default=0.0), "shm": left}


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
    try:
        import numpy  # noqa: F401
    except ImportError:
        print("numpy is not installed: the arrays are left out")
        values = [value for value in values if not value.startswith("array")]
    sizes = {value: (args.array_mb if value.startswith("array") else args.bytes_mb) << 20 for value in VALUES}
    print(f"{os.cpu_count()} cores; {args.repeat} runs per case, interleaved; medians", flush=True)

    def measure(run: str) -> dict | str:
        case, value = run.split("/")
        return run_child(__file__, case, value, sizes[value], timeout_s=CASE_TIMEOUT_S)

    runs = [f"{case}/{value}" for value in values for case in args.cases if not (case == "floor" and "-in" in value)]
    done = Runs(runs, args.repeat, measure)
    print(
        f"{'case':<10} {'value':<17} {'time s':>8} {'vs best peer':>13} {'RSS x size':>11} {'late ms':>9} {'shm +':>6}  note"
    )
    for run in runs:
        case, value = run.split("/")
        label = f"{value} {sizes[value] >> 20} MB"
        outcomes, note = done.ok[run], done.note(run)
        if not outcomes:
            print(f"{case:<10} {label:<17} {'-':>8}  {note}")
            continue
        peers = [done.ok.get(f"{peer}/{value}") for peer in ("pebble", "executor")]
        best = min((statistics.median(o["time"] for o in p) for p in peers if p), default=None)
        took = statistics.median(o["time"] for o in outcomes)
        ratio = f"{took / best:.2f}x" if best else "-"
        rss = statistics.median(o["rss"] for o in outcomes)
        late = statistics.median(o["late"] for o in outcomes) * 1000
        left = max(o["shm"] for o in outcomes)  # the worst run: one left behind is one too many
        print(f"{case:<10} {label:<17} {took:>8.3f} {ratio:>13} {rss:>11.2f} {late:>9.1f} {left:>6}  {note}")


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
