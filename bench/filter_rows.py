"""Filtering 100,000 task rows: the task filter beside a plain loop and QSortFilterProxyModel.

The rows are 100,000 ended tasks in a TaskListModel (six names, four end
states). Each filter of a fixed sequence (a name, a state, both, a name
half the rows hold, and back to none) is timed, from the call that sets it to the filtered
rows, in every case, interleaved, in one process:
  floor     a plain Python loop over the same rows' names and states: the
            ids that pass, with no model at all
  qsfpm     QSortFilterProxyModel on the same model, its C++ filter on the
            name role (a fixed string, any case); states it cannot filter
            with that, so its state filters are left out
  ours      TaskFilterModel (offthread.engine.filtering), the list's model
  window    ours, as the window shows it (offscreen): the filter set, then
            the first frame drawn after it, with the rows it shows made
The figures are medians per filter, and the ratio of ours to the floor.
The window case also counts the task rows (delegates) that exist after
each filter: what is in view, never 100,000.

    python bench/filter_rows.py                 # 100,000 rows, 9 runs
    python bench/filter_rows.py --rows 20000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 100
NAMES = ("DANGER!", "CPU job", "I/O job", "failing job", "resize_all", "search")
# (what it is called, the states it shows, the text it looks for); each from
# the whole list, but the last, which goes back to it from 'name "danger"'.
FILTERS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ('name "danger"', (), "danger"),
    ('name "job" (half)', (), "job"),
    ("state failed", ("failed", "timed out"), ""),
    ('failed + "job"', ("failed", "timed out"), "job"),
    ("none (all rows)", (), ""),
)
START = {"none (all rows)": ((), "danger")}


def ended_handles(n: int) -> list[Any]:
    """``n`` ended tasks, as handles, without running anything."""
    from offthread.core.context import TaskContext
    from offthread.core.states import TaskState
    from offthread.engine.task import TaskHandle

    ends = (TaskState.FINISHED, TaskState.FINISHED, TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT)
    handles = []
    for i in range(1, n + 1):
        handle = TaskHandle(i, NAMES[i % len(NAMES)], TaskContext(i, None))  # type: ignore[arg-type]
        handle.state = ends[i % len(ends)]
        handle.started_at, handle.ended_at = float(i), float(i) + 0.5
        handle.result = i if handle.state == TaskState.FINISHED else None
        handles.append(handle)
    return handles


def floor_case(model: Any) -> Callable[[tuple[str, ...], str], int]:
    """A plain loop over the rows' states and names: the least any filter can cost in Python."""
    from offthread.engine.model import ROLES

    state, name, task_id = ROLES.index("state"), ROLES.index("name"), ROLES.index("id")
    rows = [(row[task_id], row[state], row[name]) for row in model.rows]

    def run(states: tuple[str, ...], text: str) -> int:
        wanted, folded = set(states), text.casefold()
        return len([i for i, s, n in rows if (not wanted or s in wanted) and folded in n.casefold()])

    return run


def qsfpm_case(model: Any) -> Callable[[tuple[str, ...], str], int]:
    from qtpy.QtCore import QSortFilterProxyModel, Qt

    from offthread.engine.model import FIRST_ROLE, ROLES

    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterRole(FIRST_ROLE + ROLES.index("name"))
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def run(states: tuple[str, ...], text: str) -> int:
        proxy.setFilterFixedString(text)
        return proxy.rowCount()

    run.proxy = proxy  # type: ignore[attr-defined]  # kept alive with the case
    return run


def ours_case(model: Any) -> Callable[[tuple[str, ...], str], int]:
    from offthread.engine.filtering import TaskFilterModel

    shown = TaskFilterModel(model)

    def run(states: tuple[str, ...], text: str) -> int:
        shown.set_filter(states, text)
        return shown.rowCount()

    run.model = shown  # type: ignore[attr-defined]
    return run


class WindowCase:
    """The real window on 100,000 rows: a filter set, then its next frame."""

    def __init__(self, app: Any, n: int) -> None:
        from offthread.app import Backend, load_ui

        self.app = app
        self.backend = Backend(max_threads=1)
        self.backend.taskModel.append(ended_handles(n))
        self.ui = load_ui(self.backend)
        self.view = _find(self.ui.window.contentItem(), "taskList")
        self.delegates = 0
        self._frame()

    def _frame(self) -> None:
        drawn: list[bool] = []
        window = self.ui.window
        window.frameSwapped.connect(lambda: drawn.append(True))
        window.update()
        deadline = time.monotonic() + 30
        while not drawn and time.monotonic() < deadline:
            self.app.processEvents()
        window.frameSwapped.disconnect()

    def __call__(self, states: tuple[str, ...], text: str) -> int:
        self.backend.taskFilter.set_filter(states, text)
        self._frame()
        rows = [item for item in _items(self.view) if item.objectName().startswith("taskRow")]
        self.delegates = max(self.delegates, len(rows))
        return int(self.view.property("count"))

    def close(self) -> None:
        self.ui.close()
        self.backend.shutdown(5000)


def _items(root: Any) -> Any:
    for child in root.childItems():
        yield child
        yield from _items(child)


def _find(root: Any, name: str) -> Any:
    return next(item for item in _items(root) if item.objectName() == name)


def measure(cases: dict[str, Callable[[tuple[str, ...], str], int]], repeat: int) -> dict[str, dict[str, list[float]]]:
    """Seconds per case and filter, ``repeat`` times, the cases in turn; the counts must agree."""
    times: dict[str, dict[str, list[float]]] = {case: {f[0]: [] for f in FILTERS} for case in cases}
    for _ in range(repeat):
        for label, states, text in FILTERS:
            counts = {}
            for case, run in cases.items():
                if case == "qsfpm" and states:
                    continue  # its fixed string filters names only
                run(*START.get(label, ((), "")))  # from the whole list, or back to it
                started = time.perf_counter()
                counts[case] = run(states, text)
                times[case][label].append(time.perf_counter() - started)
            if len(set(counts.values())) != 1:
                sys.exit(f"the cases disagree on {label}: {counts}")
    return times


def report(times: dict[str, dict[str, list[float]]], rows: int, repeat: int, delegates: int) -> None:
    print(f"filtering {rows:,} task rows; median ms of {repeat} interleaved runs (ratio: ours / floor)")
    cases = list(times)
    print(f"{'filter':<20}" + "".join(f"{case:>10}" for case in cases) + f"{'ours/floor':>12}")
    worst = 0.0
    for label, _, _ in FILTERS:
        medians = {case: statistics.median(times[case][label]) * 1000 if times[case][label] else None for case in cases}
        cells = "".join(f"{m:>10.1f}" if m is not None else f"{'-':>10}" for m in medians.values())
        ratio = medians["ours"] / medians["floor"] if medians["floor"] else float("nan")
        print(f"{label:<20}{cells}{ratio:>11.1f}x")
        worst = max(worst, medians["ours"] or 0.0)
    print(f"task rows (delegates) in the window, at most: {delegates} of {rows:,}")
    verdict = "met" if worst <= TARGET_MS else "NOT met"
    print(f"target: any filter of {rows:,} rows within {TARGET_MS} ms (ours, model alone): {worst:.1f} ms: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_QUICK_BACKEND", "software")
    from qtpy.QtGui import QGuiApplication

    from offthread.engine.model import TaskListModel

    app = QGuiApplication.instance() or QGuiApplication([])
    model = TaskListModel()
    model.append(ended_handles(args.rows))
    window = WindowCase(app, args.rows)
    cases = {"floor": floor_case(model), "qsfpm": qsfpm_case(model), "ours": ours_case(model), "window": window}
    times = measure(cases, args.repeat)
    report(times, args.rows, args.repeat, window.delegates)
    window.close()


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    main()
