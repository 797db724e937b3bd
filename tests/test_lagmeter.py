"""The lag meter: it shows a blocked GUI thread, and forgets it after its window."""

from __future__ import annotations

import time

from offthread.app import LagMeter

from .helpers import find_item


def test_a_blocked_gui_thread_shows_as_lag_and_is_forgotten_after_the_window(qapp, qtbot):
    meter = LagMeter(tick_ms=20, window_s=0.5)
    qtbot.waitUntil(lambda: len(meter._recent) >= 3 and meter.worstMs < 50)
    time.sleep(0.3)  # the freeze being measured: the GUI thread itself, blocked on purpose
    qtbot.waitUntil(lambda: meter.worstMs >= 250)
    qtbot.waitUntil(lambda: meter.currentMs < 50)  # the next ticks are on time again
    qtbot.waitUntil(lambda: meter.worstMs < 50, timeout=3000)  # and the freeze leaves the window


def test_the_lag_label_shows_the_meter(ui, backend, qtbot):
    label = find_item(ui.window, "lagLabel")
    meter = backend.lagMeter
    qtbot.waitUntil(lambda: label.property("text") == f"lag {meter.currentMs} ms · worst {meter.worstMs} ms")


def test_a_freeze_stays_in_the_history_after_it_leaves_the_window(qapp, qtbot):
    meter = LagMeter(tick_ms=20, window_s=0.5, history_s=4, bucket_ms=100)
    assert meter.history == [0] * 40
    qtbot.waitUntil(lambda: len(meter._recent) >= 3 and meter.worstMs < 50)
    time.sleep(0.4)  # the freeze being measured: the GUI thread itself, blocked on purpose
    qtbot.waitUntil(lambda: max(meter.history) >= 250)
    ramp = [value for value in meter.history if value >= 100]
    assert len(ramp) >= 3 and ramp == sorted(ramp)  # the tenths it covered, each later than the last
    qtbot.waitUntil(lambda: meter.worstMs < 50, timeout=3000)  # gone from the 0.5 s window
    assert max(meter.history) >= 250  # still on the chart
    assert len(meter.history) == 40 and meter.history[-1] < 50  # newest last, on time again


def test_the_chart_draws_the_history(ui, backend, qtbot):
    chart = find_item(ui.window, "lagChart")

    def drawn():
        values = chart.property("values")
        return values.toVariant() if hasattr(values, "toVariant") else values  # a QJSValue on PySide2

    qtbot.waitUntil(lambda: drawn() == backend.lagMeter.history)
    assert chart.isVisible() and chart.height() > 40
