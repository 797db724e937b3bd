"""Whether the window can open, asked before Qt is (offthread.app.display): Qt's own answer is an abort."""

from __future__ import annotations

import pytest

from offthread.app import display
from offthread.app.display import display_problem

from .helpers import free_display


def test_no_display_at_all_is_said_with_the_way_to_run_headless():
    problem = display_problem({}, "linux")
    assert "DISPLAY is not set" in problem
    assert "QT_QPA_PLATFORM=offscreen" in problem
    assert "DISPLAY is not set" in display_problem({"QT_QPA_PLATFORM": "xcb"}, "linux")


@pytest.mark.parametrize(
    "environ",
    [
        {"QT_QPA_PLATFORM": "offscreen"},
        {"QT_QPA_PLATFORM": "vnc:size=800x600"},
        {"QT_QPA_PLATFORM": "wayland;xcb"},
        {"WAYLAND_DISPLAY": "wayland-0"},
    ],
)
def test_a_platform_other_than_x11_is_qts_to_judge(environ):
    assert display_problem(environ, "linux") == ""


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_windows_and_macos_are_not_asked(platform):
    assert display_problem({}, platform) == ""


def test_a_display_with_no_x_server_is_named():
    if not display._loads("libxcb.so.1"):
        pytest.skip("no libxcb here to ask with")
    name = free_display()
    problem = display_problem({"DISPLAY": name}, "linux")
    assert problem.startswith(f"cannot open the display {name!r}: no X server answers there")


def test_qt_6_5_and_later_need_libxcb_cursor_on_x11(monkeypatch):
    monkeypatch.setattr(display, "_x11_error", lambda name: 0)  # a display that opens
    monkeypatch.setattr(display, "_loads", lambda library: False)
    assert "apt-get install libxcb-cursor0" in display_problem({"DISPLAY": ":0"}, "linux", (6, 11))
    assert display_problem({"DISPLAY": ":0"}, "linux", (5, 15)) == ""
    monkeypatch.setattr(display, "_loads", lambda library: True)
    assert display_problem({"DISPLAY": ":0"}, "linux", (6, 11)) == ""
