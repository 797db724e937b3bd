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
    qtbot.waitUntil(lambda: label.property("text") == f"lag {meter.currentMs} ms, worst {meter.worstMs} ms")
