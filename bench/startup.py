"""Start-up: from starting the process to the window's first frame, ours beside a bare window.

Cases (see bench/window.py): ``bare``, a QQmlApplicationEngine window with
a Label, a Button and a ProgressBar on the same binding; ``ours``, the app
on its defaults. Each run is a fresh process, the cases interleaved; the
figures are medians. Needs a display: without one it runs itself under
xvfb-run. Qt's QML disk cache is on, as for a user: the first run of each
case fills it and is not counted.

    python bench/startup.py              # 5 runs per case
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time

from window import child_command, child_environment, ensure_display

CASES = ("bare", "ours")
TARGET = 1.3


def measure(case: str) -> float:
    """Seconds from starting the child to its window's first frame."""
    env = child_environment()
    started = time.monotonic()
    done = subprocess.run(child_command(case, 0), env=env, capture_output=True, text=True, timeout=60)
    lines = done.stdout.split()
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{case} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return float(lines[-1]) - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ensure_display()
    for case in CASES:  # fills the QML disk cache, and the file system's
        measure(case)
    times = {case: [] for case in CASES}
    for _ in range(args.repeat):
        for case in CASES:
            times[case].append(measure(case))
    bare = statistics.median(times["bare"])
    print(f"process start to the window's first frame (Xvfb); median of {args.repeat} interleaved runs")
    print(f"{'case':<6} {'median s':>9} {'vs bare':>8}  runs")
    for case in CASES:
        median = statistics.median(times[case])
        runs = " ".join(f"{t:.3f}" for t in times[case])
        print(f"{case:<6} {median:>9.3f} {median / bare:>7.2f}x  {runs}")
    ratio = statistics.median(times["ours"]) / bare
    print(f"target: ours within {TARGET}x of bare: {ratio:.2f}x: {'met' if ratio <= TARGET else 'NOT met'}")


if __name__ == "__main__":
    main()
