"""The bundle (make bundle): its size, and its start-up beside the app run from its venv.

Start-up: from starting the process to the app's "the window shows" line
(the real window, qml/Main.qml, loaded and shown; headless, offscreen),
for ``python main.py`` in this venv and for the bundle's executable. Each
run is a fresh process, the two interleaved; the first run of each fills
the caches and is not counted; the figures are medians.

    make bundle && python bench/bundle_startup.py       # 7 runs per case
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READY = "the window shows:"


def command(case: str, app: Path) -> list[str]:
    return [str(app)] if case == "bundle" else [sys.executable, str(ROOT / "main.py")]


def measure(case: str, app: Path) -> float:
    """Seconds from starting ``case`` to its window showing; then it is told to quit (SIGTERM)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=tempfile.mkdtemp(prefix="bundle-bench-"))
    started = time.monotonic()
    process = subprocess.Popen(
        [*command(case, app), "--log-level", "info"], env=env, stderr=subprocess.PIPE, text=True, cwd=app.parent
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:
            if READY in line:
                shown = time.monotonic() - started
                break
        else:
            raise RuntimeError(f"{case} ended before its window showed (exit code {process.wait()})")
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    finally:
        process.kill()
    if process.returncode != 0:
        raise RuntimeError(f"{case} exited {process.returncode} on SIGTERM")
    return shown


def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--app", type=Path, default=ROOT / "dist" / "offthread" / "offthread")
    args = parser.parse_args()
    if not args.app.is_file():
        sys.exit(f"error: no bundle at {args.app}: run 'make bundle' first")
    cases = ("venv", "bundle")
    for case in cases:  # fills the QML disk cache, and the file system's
        measure(case, args.app)
    times: dict[str, list[float]] = {case: [] for case in cases}
    for _ in range(args.repeat):
        for case in cases:
            times[case].append(measure(case, args.app))
    folder = args.app.parent
    print(f"bundle: {folder_size(folder) / 1e6:.0f} MB in {sum(1 for _ in folder.rglob('*'))} files ({folder})")
    print(f"process start to 'the window shows' (offscreen); median of {args.repeat} interleaved runs")
    venv = statistics.median(times["venv"])
    for case in cases:
        median = statistics.median(times[case])
        runs = " ".join(f"{t:.3f}" for t in times[case])
        print(f"{case:<7} {median:>6.3f} s {median / venv:>5.2f}x  {runs}")


if __name__ == "__main__":
    main()
