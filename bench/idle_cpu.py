"""Idle CPU: the window open, no task, over 15 s; ours beside a bare window.

Cases as in bench/startup.py (see bench/window.py). After the first frame
each child settles for 3 s (our worker processes start one second after the
window shows), then the CPU time of its whole process tree, worker processes
included, is read before and after the measured 15 s. Each run is a fresh
process, the cases interleaved; the figures are medians. Needs a display:
without one it runs itself under xvfb-run.

    python bench/idle_cpu.py             # 5 runs per case, 15 s each
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time

from window import child_command, child_environment, ensure_display

CASES = ("bare", "ours")
SETTLE_S = 3.0


def _descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    children: dict = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` and its descendants, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for each in _descendants(pid):
        try:
            with open(f"/proc/{each}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


def measure(case: str, seconds: float) -> float:
    """Percent of one core the case used, idle, over ``seconds``."""
    child = subprocess.Popen(
        child_command(case, SETTLE_S + seconds + 5),
        env=child_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert child.stdout is not None
        if not child.stdout.readline():
            raise RuntimeError(f"{case} showed no window")
        time.sleep(SETTLE_S)
        before, started = cpu_seconds(child.pid), time.monotonic()
        time.sleep(seconds)
        used, elapsed = cpu_seconds(child.pid) - before, time.monotonic() - started
    finally:
        child.kill()
        child.wait()
    return 100 * used / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    ensure_display()
    usage = {case: [] for case in CASES}
    for _ in range(args.repeat):
        for case in CASES:
            usage[case].append(measure(case, args.seconds))
    bare = statistics.median(usage["bare"])
    ours = statistics.median(usage["ours"])
    print(
        f"CPU of the idle window's process tree over {args.seconds:g} s, % of one core; median of {args.repeat} interleaved runs"
    )
    print(f"{'case':<6} {'median %':>9} {'vs bare':>8}  runs")
    for case in CASES:
        median = statistics.median(usage[case])
        ratio = f"{median / bare:.2f}x" if bare else "-"
        print(f"{case:<6} {median:>9.2f} {ratio:>8}  " + " ".join(f"{u:.2f}" for u in usage[case]))
    allowed = max(2 * bare, bare + 0.3)
    print(
        f"target: ours at most max(2x bare, bare + 0.3) = {allowed:.2f} %: {ours:.2f} %: {'met' if ours <= allowed else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
