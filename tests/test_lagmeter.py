"""The lag meter: it shows a blocked GUI thread, and forgets it after its window."""

from __future__ import annotations

import re
import time

from qtpy.QtGui import QAccessible

from offthread.app import LagMeter

from .helpers import find_item
from .test_window import accessible


def test_a_blocked_gui_thread_shows_as_lag_and_is_forgotten_after_the_window(qapp, qtbot):
    meter = LagMeter(tick_ms=20, window_s=0.5)
    qtbot.waitUntil(lambda: len(meter._recent) >= 3 and meter.worstMs < 50)
    time.sleep(0.3)  # the freeze being measured: the GUI thread itself, blocked on purpose
    qtbot.waitUntil(lambda: meter.worstMs >= 250)
    qtbot.waitUntil(lambda: meter.currentMs < 50)  # the next ticks are on time again
    qtbot.waitUntil(lambda: meter.worstMs < 50, timeout=3000)  # and the freeze leaves the window


def whole(figure: str) -> int:
    """A figure as the window writes it ("2,180", or "2180" where the locale groups no digits)."""
    return int(re.sub(r"\D", "", figure))


def said(label) -> tuple[int | None, int | None]:
    """(now, worst in 3 s) as the lag label says them; None for a figure it leaves out."""
    text = label.property("text")
    if text == "on time":
        return None, None
    match = re.fullmatch(r"(?:lag (\S+) ms|on time now) · worst in 3 s: (\S+) ms", text)
    assert match, text
    return (whole(match[1]) if match[1] else 0), whole(match[2])


def test_the_lag_label_shows_the_meter(ui, backend, qtbot):
    label = find_item(ui.window, "lagLabel")
    meter = backend.lagMeter

    def shows_the_meter():
        if meter.worstMs == 0:
            return said(label) == (None, None)
        return said(label) == (meter.currentMs, meter.worstMs)

    qtbot.waitUntil(lambda: shows_the_meter() and meter._due is not None)  # it has ticked: a tick is due
    time.sleep(0.6)  # longer than the idle tick: the freeze being measured, the GUI thread blocked on purpose
    qtbot.waitUntil(lambda: meter.worstMs >= 50)
    qtbot.waitUntil(shows_the_meter)
    assert "worst in 3 s" in label.property("text")


def test_the_label_and_the_chart_give_a_freeze_the_same_figure_and_name_their_windows(ui, backend, qtbot):
    # The label said "worst 2180 ms" (3 s) as the chart said "worst 2,093 ms"
    # (30 s, the top of a ramp): two figures, two formats, no window named.
    label = find_item(ui.window, "lagLabel")
    chart = find_item(ui.window, "lagChart")
    blocked = find_item(chart, "lagFreezeLabel")
    meter = backend.lagMeter
    meter.set_calm(False)  # as while a task runs: a tick every 50 ms, so a freeze shows almost whole
    ticks = []
    meter._timer.timeout.connect(lambda: ticks.append(1))
    qtbot.waitUntil(lambda: len(ticks) >= 3)
    time.sleep(1.1)  # the freeze being measured: the GUI thread blocked on purpose, over a second for a 4-digit figure
    qtbot.waitUntil(blocked.isVisible)
    match = re.fullmatch(r"GUI thread blocked (\S+) ms", blocked.property("text"))
    assert match, blocked.property("text")
    assert whole(match[1]) >= 1000
    assert said(label)[1] == whole(match[1])  # the same freeze, the same figure...
    assert f"worst in 3 s: {match[1]} ms" in label.property("text")  # ...written the same way
    assert not find_item(chart, "lagWorstLabel").isVisible()  # one figure on the chart, not two
    names = [node.text(QAccessible.Text.Name) for node, _ in accessible(ui.window)]
    assert f"GUI thread lateness over the last 30 seconds: blocked {match[1]} ms" in names  # a screen reader hears it
    # Beside the block, not over it.
    left, right = blocked.property("blockLeft"), blocked.property("blockRight")
    assert right - left >= 4 * chart.width() / len(meter.history)  # as wide as the freeze: a quarter second a bar
    assert blocked.x() >= right or blocked.x() + blocked.width() <= left


def test_lateness_under_the_floor_is_on_time_so_an_idle_window_does_not_repaint(qapp, qtbot):
    meter = LagMeter(tick_ms=10, bucket_ms=50, floor_ms=1000)  # every tick is under this floor
    changes = []
    meter.changed.connect(lambda: changes.append("changed"))
    meter.historyChanged.connect(lambda: changes.append("history"))
    ticks_seen = lambda: len(meter._recent) >= 30  # noqa: E731
    qtbot.waitUntil(ticks_seen)
    assert changes == [] and meter.currentMs == meter.worstMs == 0 and set(meter.history) == {0}


def test_the_meter_and_the_counter_stop_while_the_window_is_minimised_or_hidden(ui, backend, qtbot):
    from qtpy.QtGui import QWindow

    counter = find_item(ui.window, "counter")
    meter = backend.lagMeter
    assert meter.active and counter.property("running")
    for away in (QWindow.Visibility.Minimized, QWindow.Visibility.Hidden):
        with qtbot.waitSignal(meter.activeChanged):
            ui.window.setVisibility(away)
        assert not meter.active and not meter._timer.isActive() and not counter.property("running")
        with qtbot.waitSignal(meter.activeChanged):
            ui.window.setVisibility(QWindow.Visibility.Windowed)
        assert meter.active and counter.property("running")


def freeze_in(history: list[int]) -> list[int]:
    """The run of values around the highest one that are as high: a freeze as the chart draws it."""
    top = history.index(max(history))
    start, end = top, top
    while start > 0 and history[start - 1] == history[top]:
        start -= 1
    while end < len(history) - 1 and history[end + 1] == history[top]:
        end += 1
    return history[start : end + 1]


def test_a_freeze_stays_in_the_history_after_it_leaves_the_window(qapp, qtbot):
    meter = LagMeter(tick_ms=20, window_s=0.5, history_s=4, bucket_ms=100, calm_ms=100)
    assert meter.history == [0] * 40
    qtbot.waitUntil(lambda: len(meter._recent) >= 3 and meter.worstMs < 50)
    time.sleep(0.4)  # the freeze being measured: the GUI thread itself, blocked on purpose
    qtbot.waitUntil(lambda: max(meter.history) >= 250)
    qtbot.waitUntil(lambda: meter.worstMs < 50, timeout=3000)  # gone from the 0.5 s window
    assert max(meter.history) >= 250  # still on the chart
    assert len(meter.history) == 40 and meter.history[-1] < 50  # newest last, on time again


def test_a_freeze_is_one_block_as_wide_and_as_tall_as_the_freeze(qapp, qtbot):
    # It was a ramp: each tenth it covered took what the thread had waited by
    # then, a staircase of rising bars under a figure none of them reached.
    meter = LagMeter(tick_ms=20, window_s=0.5, history_s=4, bucket_ms=100, calm_ms=100)
    qtbot.waitUntil(lambda: len(meter._recent) >= 3 and meter.worstMs < 50)
    time.sleep(0.4)  # the freeze being measured: the GUI thread itself, blocked on purpose
    qtbot.waitUntil(lambda: max(meter.history) >= 350)
    assert max(meter.history) == meter.worstMs  # the chart's figure and the label's agree
    block = freeze_in(meter.history)
    assert 4 <= len(block) <= 6, meter.history  # the tenths it covered, and the one it ended in
    assert 350 <= block[0] < 1000  # the 0.4 s, less the tick it was due after


def test_the_chart_draws_the_history(ui, backend, qtbot):
    chart = find_item(ui.window, "lagChart")

    def drawn():
        values = chart.property("values")
        return values.toVariant() if hasattr(values, "toVariant") else values  # a QJSValue on PySide2

    qtbot.waitUntil(lambda: drawn() == backend.lagMeter.history)
    assert chart.isVisible() and chart.height() > 40


def test_while_on_time_the_chart_moves_on_at_a_calm_rate(qapp, qtbot):
    meter = LagMeter(tick_ms=10, window_s=0.2, history_s=2, bucket_ms=50, calm_ms=60_000)
    qtbot.waitUntil(lambda: len(meter._recent) >= 3)
    time.sleep(0.1)  # the freeze being measured: the GUI thread itself, blocked on purpose
    qtbot.waitUntil(lambda: max(meter.history) >= 50 and meter.currentMs == 0)  # shown at once; on time again
    shown = meter.history
    moves = []
    meter.historyChanged.connect(lambda: moves.append(meter.history))
    qtbot.waitUntil(lambda: meter.worstMs == 0, timeout=3000)  # on time for many buckets since
    # The spike waits for the calm step to scroll on. A busy machine may make
    # a later tick late too: the chart moves then, and only then.
    assert all(move[-1] > 0 for move in moves), moves
    assert moves or meter.history == shown


def test_the_meter_watches_closely_only_while_tasks_run(make_backend, qtbot):
    from .helpers import Gate

    backend = make_backend(max_threads=1)
    timer = backend.lagMeter._timer
    assert timer.interval() == 500
    gate = Gate()
    backend.submit(gate)
    qtbot.waitUntil(lambda: timer.interval() == 50)
    gate.open()
    qtbot.waitUntil(lambda: timer.interval() == 500)
