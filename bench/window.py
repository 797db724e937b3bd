"""What the window benchmarks share: a display, the bare window they compare with, and our app.

Both run as child processes that show a window and say, on stdout, the
``time.monotonic()`` of its first frame (the first ``frameSwapped``); the
clock is the system's, so the parent compares it with its own start time.

- ``bare``: a ``QQmlApplicationEngine`` window with a Label, a Button and a
  ProgressBar from QtQuick.Controls, on the same binding: the floor.
- ``ours``: the app, ``main.py``'s own entry point, on its defaults.

``--stay S`` keeps the window open S seconds after its first frame (the idle
benchmark measures CPU then); otherwise the child exits at its first frame.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
XVFB_SCREEN = "1280x900x24"

BARE_QML = b"""
import QtQuick 2.15
import QtQuick.Controls 2.15
import QtQuick.Layouts 1.15

ApplicationWindow {
    width: 640; height: 480; visible: true
    title: "bare"
    ColumnLayout {
        anchors.centerIn: parent
        Label { text: "Counter: 0" }
        Button { text: "DANGER!" }
        ProgressBar { value: 0.3 }
    }
}
"""


def ensure_display() -> None:
    """Run this script again under Xvfb if there is no display (these cases need a real window)."""
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    if shutil.which("xvfb-run") is None:
        sys.exit("error: these benchmarks need a display, or xvfb-run (apt-get install -y xvfb)")
    command = ["xvfb-run", "-a", "-s", f"-screen 0 {XVFB_SCREEN}", sys.executable, *sys.argv]
    os.execvp(command[0], command)


def child_environment() -> dict:
    """The environment of a child: a real window (xcb) on the display, nothing from the test setup."""
    env = dict(os.environ)
    for name in ("QT_QPA_PLATFORM", "QT_QUICK_BACKEND"):
        env.pop(name, None)
    return env


def child_command(case: str, stay_s: float) -> list[str]:
    return [sys.executable, str(Path(__file__)), case, str(stay_s)]


def _report_first_frame(window, stay_s: float, timer, quit) -> None:
    """Print the time of ``window``'s first frame; exit then, or ``stay_s`` later."""

    def first_frame() -> None:
        print(time.monotonic(), flush=True)
        window.frameSwapped.disconnect(first_frame)
        if stay_s <= 0:
            os._exit(0)  # the figure is out; tearing down is not part of it
        timer.singleShot(int(stay_s * 1000), quit)

    window.frameSwapped.connect(first_frame)


def run_bare(stay_s: float) -> None:
    # The binding itself, as a bare app would import it (QT_API names it, as for the app).
    import importlib

    binding = "PySide2" if os.environ.get("QT_API", "").lower() == "pyside2" else "PySide6"
    core = importlib.import_module(f"{binding}.QtCore")
    gui = importlib.import_module(f"{binding}.QtGui")
    qml = importlib.import_module(f"{binding}.QtQml")

    app = gui.QGuiApplication([sys.argv[0]])
    engine = qml.QQmlApplicationEngine()
    engine.loadData(core.QByteArray(BARE_QML), core.QUrl("bare.qml"))
    _report_first_frame(engine.rootObjects()[0], stay_s, core.QTimer, app.quit)
    app.exec_()


def run_ours(stay_s: float) -> None:
    sys.path.insert(0, str(ROOT))
    from offthread.app import cli, run

    load_ui = run.load_ui

    def load_and_watch(*args, **kwargs):
        from offthread.app.run import QCoreApplication, QTimer

        ui = load_ui(*args, **kwargs)
        _report_first_frame(ui.window, stay_s, QTimer, QCoreApplication.quit)
        return ui

    run.load_ui = load_and_watch  # the app's own start-up, with an eye on its first frame
    sys.exit(cli.main([]))


if __name__ == "__main__":
    case, stay = sys.argv[1], float(sys.argv[2])
    (run_bare if case == "bare" else run_ours)(stay)
