"""Where the 5 ms timer's lateness goes under history.py's load: turns, collections, or elsewhere.

Runs ``history.py``'s case in this process, with the GUI thread's turns
(``wakeup.Turns``), the timer's ticks and every cyclic collection (on any
thread) timed, and prints: how many tasks ran while a turn was under way
(each one took the GIL from the GUI thread in the middle of its turn), each
turn's wall time beside its CPU time, and, for the ticks more than 5 ms
late, how much of their lateness fell in a turn, in a collection outside
any turn, or elsewhere (the GUI thread waiting for the GIL to enter Python
from the event loop, or not scheduled at all).

    python bench/turn_profile.py              # 200,000 tasks
    python bench/turn_profile.py --tasks 100000
    python bench/turn_profile.py --switch-interval 0.0002
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LATE_S = 0.005


def covered(spans: list[tuple[float, float]], start: float, end: float) -> float:
    """How much of ``start``..``end`` the ``spans`` cover, each moment once (spans may overlap)."""
    total, reached = 0.0, start
    for s, e in sorted(spans):
        s, e = max(s, reached), min(e, end)
        if e > s:
            total += e - s
            reached = e
    return total


def main() -> None:
    import common

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", type=int, default=200_000)
    common.add_switch_interval(parser)
    args = parser.parse_args()

    import history

    from offthread.engine import wakeup

    turns: list[tuple[float, float, float]] = []
    ticks: list[tuple[float, float]] = []
    in_turn = [False, 0]

    def tiny() -> int:
        if in_turn[0]:
            in_turn[1] += 1
        return 1

    history.tiny = tiny  # the same task, counted
    run = wakeup.Turns._run

    def timed_run(self: wakeup.Turns) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        in_turn[0] = True
        run(self)
        in_turn[0] = False
        turns.append((wall, time.perf_counter(), time.thread_time() - cpu))

    wakeup.Turns._run = timed_run
    tick = common.TickRecorder._tick

    def timed_tick(self: common.TickRecorder) -> None:
        if self.counts():
            ticks.append((self.due, time.perf_counter()))
        tick(self)

    common.TickRecorder._tick = timed_tick
    with common.Collections() as collected:
        outcome = history.run_case("ours", args.tasks, args.switch_interval)
    collections = collected.spans

    late = [(due, ran) for due, ran in ticks if ran - due > LATE_S]
    lateness = sum(ran - due for due, ran in late) or 1.0
    # A collection inside a turn counts as the turn's: the three parts add up to the whole.
    spans = [(s, e) for s, e, _ in turns]
    in_turns = sum(covered(spans, due, ran) for due, ran in late) / lateness
    in_collections = sum(covered(spans + collections, due, ran) for due, ran in late) / lateness - in_turns
    walls = sorted(e - s for s, e, _ in turns)
    cpus = sorted(c for _, _, c in turns)
    p = common.percentile
    print(
        f"{args.tasks:,} tiny tasks: timer p99 {outcome['p99'] * 1000:.2f} ms, {args.tasks / outcome['seconds']:,.0f} tasks/s"
    )
    print(f"tasks run while a turn was under way: {in_turn[1] / args.tasks:.1%}")
    print(
        f"{len(turns):,} turns: wall p50 {p(walls, 0.5) * 1000:.2f} ms, p99 {p(walls, 0.99) * 1000:.2f} ms; "
        f"CPU p50 {p(cpus, 0.5) * 1000:.2f} ms, p99 {p(cpus, 0.99) * 1000:.2f} ms"
    )
    print(
        f"{len(late)} of {len(ticks):,} ticks more than {LATE_S * 1000:.0f} ms late; of their lateness "
        f"{in_turns:.0%} in turns, {in_collections:.0%} in collections outside them, "
        f"{1 - in_turns - in_collections:.0%} elsewhere"
    )


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
