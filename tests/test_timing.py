"""When will it end, in the engine and the window: a running row's rate and time left, a paused
row's paused time, a stalled row's hint, an ended row's start and end times."""

from __future__ import annotations

import re

from offthread import TaskState
from offthread.engine.model import FIRST_ROLE, ROLES

from .helpers import click, find_item, wait_done, wait_for_item


def steady(count: int, step: float, *, task) -> int:
    """``count`` items, one every ``step`` seconds, counted with track(): a steady rate in items."""
    for _ in task.track(range(count)):
        task.sleep(step)
    return count


def report_once_then_wait(*, task) -> None:
    """One report, then check points and no progress until cancelled."""
    task.progress(30)
    while True:
        task.sleep(0.01)


def said(label) -> str:
    """What a row's timing says in full; what it shows is that, or its short form where the row is narrow."""
    full, shown = label.property("full"), label.property("text")
    assert shown in (full, label.property("brief")), (shown, full)
    return full


def role(model, handle, name: str):
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0), FIRST_ROLE) == handle.id)
    return model.data(model.index(row, 0), FIRST_ROLE + ROLES.index(name))


def test_a_running_row_shows_its_rate_and_time_left_and_a_paused_row_how_long_it_has_paused(ui, backend, qtbot):
    handle = backend.submit_task(steady, (400, 0.025), name="steady")  # 40 items a second, for 10 s
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    label = find_item(row, "taskTimingLabel")
    assert said(label) == "" and not label.isVisible()  # nothing is known yet: nothing is guessed
    shown = re.compile(r"^([\d.,]+) items/s · (\d+):(\d\d) left$")
    qtbot.waitUntil(lambda: shown.match(said(label)) is not None, timeout=5000)
    assert label.isVisible() and label.property("text").endswith(" left")
    rate, minutes, seconds = shown.match(said(label)).groups()
    assert 5 <= float(rate.replace(",", "")) <= 45  # sleeps run long on a busy machine, never short
    assert 0 < int(minutes) * 60 + int(seconds) <= 12
    model = backend.taskModel
    assert role(model, handle, "rateUnit") == "items" and role(model, handle, "eta") > 0
    timing = handle.timing()
    assert timing.rate is not None and timing.eta is not None and timing.unit == "items"

    backend.pause(handle)
    qtbot.waitUntil(lambda: handle.state == TaskState.PAUSED)
    qtbot.waitUntil(lambda: said(label).startswith("paused for 0:0"))
    first, elapsed = said(label), handle.elapsed()
    qtbot.waitUntil(lambda: said(label) != first, timeout=3000)  # it counts on, a second at a time
    assert label.isVisible() and said(label).startswith("paused for 0:0")
    assert handle.elapsed() - elapsed < 0.2  # paused time is not run time
    assert role(model, handle, "pausedFor") >= 1.0
    assert handle.timing().paused_for >= 1.0
    backend.resume(handle)
    qtbot.waitUntil(lambda: shown.match(said(label)) is not None or said(label).startswith("stalled"))
    backend.cancel(handle)
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: not label.isVisible())  # an ended row has no time left


def test_a_row_whose_progress_stops_says_it_has_stalled(ui, backend, qtbot):
    handle = backend.submit_task(report_once_then_wait, name="stuck")
    handle.estimate.stall_after = 1  # a test's patience, not 10 s
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    label = find_item(row, "taskTimingLabel")
    qtbot.waitUntil(lambda: said(label) == "stalled for 0:01", timeout=3000)
    assert label.isVisible()
    assert role(backend.taskModel, handle, "stalledFor") >= 1.0
    assert role(backend.taskModel, handle, "eta") == -1.0
    backend.cancel(handle)
    wait_done(qtbot, handle)


def test_an_ended_rows_details_show_when_it_started_and_ended(ui, backend, qtbot):
    handle = backend.submit(sum, [1, 2, 3])
    wait_done(qtbot, handle)
    row = wait_for_item(qtbot, ui.window, f"taskRow{handle.id}")
    click(qtbot, ui.window, find_item(row, "detailsButton"))  # a short result: the times alone open it
    period = find_item(row, "taskPeriodLabel")
    qtbot.waitUntil(period.isVisible)
    timing = handle.timing()
    assert period.property("text") == f"Started {timing.started_at:%H:%M:%S}, ended {timing.ended_at:%H:%M:%S}"
    assert timing.started_at <= timing.ended_at
    assert not find_item(row, "taskDetails").isVisible()  # no box for a result that the row shows whole
