"""Whether the window can open here, asked before Qt is: Qt's answer is an abort.

With no display to open a window on, ``QGuiApplication()`` ends the process
with ``abort()`` (exit code 134, "Aborted", maybe a core file), after saying
"no Qt platform plugin could be initialized. Reinstalling the application
may fix this problem", which sends the user the wrong way. The app asks
first, the way Qt's X11 plugin would connect, and says what is wrong.

Only where Qt opens windows through X11 or Wayland (Linux, the BSDs); a
platform asked for by name other than those (``QT_QPA_PLATFORM=offscreen``,
``vnc``...) is Qt's to judge. A Wayland session is not probed.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import Mapping

# What xcb_connection_has_error() says, for the message (xcb.h's XCB_CONN_*).
_XCB_ERRORS = {
    1: "no X server answers there, or it refuses this user (is XAUTHORITY set?)",
    2: "an extension is missing",
    3: "out of memory",
    4: "a request was too long",
    5: "that is not a display name",
    6: "that screen does not exist",
    7: "a file descriptor could not be passed",
}

# From Qt 6.5, Qt's X11 plugin needs this library, which is not part of Qt.
_XCB_CURSOR = "libxcb-cursor.so.0"


def display_problem(
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    qt_version: tuple[int, int] = (0, 0),
) -> str:
    """Why Qt cannot open a window here, as a sentence for the user; "" if it can, or if only Qt can tell."""
    if platform.startswith(("win", "darwin", "cygwin")):
        return ""
    asked = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if asked and asked != "xcb":
        return ""  # offscreen, wayland, vnc...: nothing to probe from here
    display = environ.get("DISPLAY", "")
    if not asked and environ.get("WAYLAND_DISPLAY"):
        return ""  # Qt may open it on Wayland
    if not display:
        return (
            "there is no display to open the window on (DISPLAY is not set). Run it in a desktop "
            "session, or with QT_QPA_PLATFORM=offscreen to run it with no window shown."
        )
    error = _x11_error(display)
    if error:
        why = _XCB_ERRORS.get(error, f"error {error}")
        return f"cannot open the display {display!r}: {why}."
    if qt_version >= (6, 5) and not _loads(_XCB_CURSOR):
        return (
            f"Qt {qt_version[0]}.{qt_version[1]}'s X11 platform plugin needs {_XCB_CURSOR}, which is "
            "not installed (Debian, Ubuntu: apt-get install libxcb-cursor0)."
        )
    return ""


def _x11_error(display: str) -> int:
    """What connecting to ``display`` with libxcb says: 0 if it connects (or libxcb is not there to ask)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return 0  # Qt's X11 plugin needs it too: Qt will say
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)  # never NULL: an error connection instead
    try:
        return int(xcb.xcb_connection_has_error(connection))
    finally:
        xcb.xcb_disconnect(connection)  # nothing for an error connection


def _loads(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True
