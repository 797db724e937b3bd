"""The application's life: create, load, run the event loop, shut down cleanly."""

from __future__ import annotations

import functools
import glob
import logging
import os
import sys
from pathlib import Path

from ..engine import qt
from ..engine.binding import QT6, describe
from ..engine.limits import DEFAULT_HISTORY
from ..engine.qt.QtCore import QCoreApplication, Qt, QTimer
from ..engine.qt.QtGui import QGuiApplication, QWindow
from ..engine.signals import weak_slot
from ..engine.tuning import GUI_SWITCH_INTERVAL_S, tune_gui_process
from .backend import Backend
from .cli import DEFAULT_NOTIFY_AFTER_S
from .interrupts import QuitOnSignals
from .jobs import DEFAULT_CPU_LIMIT
from .live import LiveReload
from .notify import Notifier, notify_long_tasks
from .paths import DEFAULT_QML
from .qtlog import qt_messages_to_logging
from .settings import APPLICATION, ORGANIZATION, AppSettings, Choices, placement
from .ui import QmlLoadError, QmlUi, load_ui

log = logging.getLogger(__name__)

# How long after the window shows the worker processes of process mode start.
WARM_UP_DELAY_MS = 1000


def run_app(
    qml_file: str | Path = DEFAULT_QML,
    *,
    max_threads: int | None,
    steps: int,
    step_seconds: float,
    shutdown_timeout_ms: int,
    processes: int | None = None,
    mode: str | None = None,
    dask: str | None = None,
    cpu_limit: int = DEFAULT_CPU_LIMIT,
    live: bool = False,
    theme: str | None = None,
    history: int = DEFAULT_HISTORY,
    reset_settings: bool = False,
    notify_after: float | None = DEFAULT_NOTIFY_AFTER_S,
    notifier: Notifier | None = None,
) -> int:
    """Show the window and run until it closes, Ctrl+C or SIGTERM; return the exit code.

    Every way out takes the same path: the event loop ends, the backend stops
    taking work and cancels its tasks (waiting at most ``shutdown_timeout_ms``),
    the UI is deleted, then the backend, then the application.

    With ``live``, the UI is reloaded whenever a file in the root file's
    folder is saved, and QML errors show in the window instead of ending the app.

    ``max_threads``, ``mode`` and ``theme`` left None are the last run's
    (:mod:`.settings`), else the defaults; what the run ends with, and where
    the window was, is remembered for the next (``reset_settings`` forgets
    first). A task of ``notify_after`` seconds or more (None: none) that
    ends while the window is not active goes to ``notifier`` (default: the
    desktop's).
    """
    # Qt's messages go to logging while the app runs, and no longer once it
    # is gone: see remove_qt_message_handler.
    with qt_messages_to_logging():
        app = _make_application()
        settings = AppSettings()
        if reset_settings:
            settings.clear()
        saved = settings.load()
        backend = Backend(
            max_threads=max_threads or saved.threads,
            processes=processes,
            steps=steps,
            step_seconds=step_seconds,
            cpu_limit=cpu_limit,
            shutdown_timeout_ms=shutdown_timeout_ms,
            history=history,
        )
        log.info("%s; thread pool: up to %d threads", describe(), backend.maxThreadCount)
        # Not connect(backend.shutdown), which is no slot (docs/design.md, "One metaobject per class");
        # held weakly: the backend must go before the app.
        app.aboutToQuit.connect(weak_slot(backend.shutdown))
        # Closing the last window or Ctrl+C cancels the tasks at once: a task
        # running on the GUI thread (events mode) would otherwise hold the loop.
        app.lastWindowClosed.connect(backend.cancelAll)
        # Before the UI loads, so that Ctrl+C during a slow load is not lost.
        interrupts = QuitOnSignals(functools.partial(_cancel_and_quit, backend, app))
        ui: QmlUi | None = None
        reloader: LiveReload | None = None  # it must live as long as the loop
        try:
            if dask is not None and not _add_dask_mode(backend, dask):
                return 1
            backend.select_mode(_start_mode(backend, mode, saved))
            if not interrupts.requested:  # else a signal came during start-up: no window at all
                made = _show_window(backend, Path(qml_file), live, theme or saved.theme or "system", saved)
                if made is None:
                    return 1
                ui, reloader = made
                if notify_after is not None:
                    notify_long_tasks(backend, ui, notify_after, notifier)
            code = 0 if interrupts.requested else qt.run_loop(app)
        finally:
            interrupts.restore()
            del interrupts  # its handler holds the backend, which must go before the app
        _shut_down(backend, ui, settings)
        del ui, reloader, backend, app
        return code


def _make_application() -> QGuiApplication:
    """The application, with the process-wide settings it needs made before it."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    if not QT6:  # Qt 6 always scales for high DPI; the attribute is deprecated there and warns
        QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_EnableHighDpiScaling)
    choose_scene_graph_backend()
    app = QGuiApplication([sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)  # where QSettings keeps the remembered choices
    app.setApplicationName(APPLICATION)
    return app


def _start_mode(backend: Backend, asked: str | None, saved: Choices) -> str:
    """The mode to start in: the one asked for, else the last run's if it is here (dask may not be), else thread."""
    if asked is not None:
        return asked
    if saved.mode is None:
        return "thread"
    try:
        backend.mode_named(saved.mode)
    except KeyError:
        log.info("the last run's mode %r is not offered now: starting in thread mode", saved.mode)
        return "thread"
    return saved.mode


def _add_dask_mode(backend: Backend, address: str) -> bool:
    """Add the dask mode for ``address``; False after saying why it cannot be."""
    # Imported only here: the dask mode's code (asyncio, uuid...) costs
    # start-up time that a start without --dask does not pay. distributed
    # sets up logging to stderr of its own as it is imported, at INFO: the
    # app's --log-level decides instead (for the local cluster's workers
    # too, which inherit it).
    level = logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower()
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", level)
    from ..engine.dask import DaskUnavailable, dask_mode

    try:
        backend.add_mode(dask_mode(address))
    except DaskUnavailable as error:
        sys.stderr.write(f"error: {error}\n")
        return False
    return True


def _show_window(
    backend: Backend, qml_file: Path, live: bool, theme: str, saved: Choices
) -> tuple[QmlUi, LiveReload | None] | None:
    """Load and show the window where it was last time, then settle in for tasks; None after saying why there is none."""
    screens = [screen.availableGeometry() for screen in QGuiApplication.screens()]
    where = placement(saved.geometry, screens) if saved.geometry is not None else None
    made = _make_ui(backend, qml_file, live, theme, where)
    if made is None:
        return None
    if saved.maximized and made[0].window is not None:
        made[0].window.showMaximized()
    log.info("the window shows: %s", made[0].path.resolve())
    tune_gui_process()  # the switch interval again: _make_application set it, as a task may start before this
    # Worker processes start in the background, so that the first task in
    # process mode does not wait for them (nor hold the GUI thread); a
    # moment after the window shows, so that starting them (several
    # Python processes on a few cores) does not slow its first frames.
    QTimer.singleShot(WARM_UP_DELAY_MS, backend.mode_named("process").warm_up)
    return made


def _shut_down(backend: Backend, ui: QmlUi | None, settings: AppSettings) -> None:
    """Stop the backend (done already by aboutToQuit if the loop ran: this is its answer), remember the
    choices, then close the UI."""
    stopped = backend.shutdown()
    if ui is not None:
        if ui.window is not None:
            settings.save(_choices(backend, ui.window, ui.theme))
        ui.close()
    log.info("shut down %s", "cleanly" if stopped else "leaving stuck tasks behind")


def choose_scene_graph_backend() -> None:
    """Render with Qt Quick's software backend where OpenGL would be software too.

    Without a GPU (no DRM render node: a VM, a remote desktop, Xvfb), Mesa's
    llvmpipe runs OpenGL on the CPU, redrawing the whole window for every
    frame: even the counter's one tick a second costs CPU, and the first
    frame waits for shaders to compile. The software backend
    redraws only what changed. QT_QUICK_BACKEND, if set, decides instead.
    """
    if os.environ.get("QT_QUICK_BACKEND") or not sys.platform.startswith("linux"):
        return
    if not glob.glob("/dev/dri/renderD*"):
        os.environ["QT_QUICK_BACKEND"] = "software"
        log.info("no GPU found (no /dev/dri/renderD*): Qt Quick renders in software")


def _choices(backend: Backend, window: QWindow, theme: str) -> Choices:
    """What to remember of this run: the window's theme (a root without one: the one it was given), the
    mode, the thread count, and the window's place unless it is maximized or full screen."""
    shown_theme = window.property("theme")
    whole = window.visibility() in (QWindow.Visibility.Maximized, QWindow.Visibility.FullScreen)
    rect = window.geometry()
    return Choices(
        theme=shown_theme if isinstance(shown_theme, str) else theme,
        mode=backend.selected_mode,
        threads=int(backend.property("maxThreadCount")),
        geometry=None if whole else (rect.x(), rect.y(), rect.width(), rect.height()),
        maximized=window.visibility() == QWindow.Visibility.Maximized,
    )


def _cancel_and_quit(backend: Backend, app: QCoreApplication) -> None:
    backend.cancelAll()
    app.quit()


def _make_ui(
    backend: Backend, qml_file: Path, live: bool, theme: str, where: dict[str, int] | None
) -> tuple[QmlUi, LiveReload | None] | None:
    """The window (at ``where``: x, y, width, height), and its live reloader in live mode; None after saying
    why there is none."""
    if not live:
        try:
            return load_ui(backend, qml_file, theme, placement=where), None
        except QmlLoadError as error:
            sys.stderr.write(f"error: {error}\n")
            return None
    folder = qml_file.parent
    if not folder.is_dir():
        sys.stderr.write(f"error: cannot watch {folder}: no such folder\n")
        return None
    ui = QmlUi(backend, qml_file, theme, live=True, placement=where)
    problems = ui.load()
    if problems:  # shown in the window; the next good save replaces them
        log.warning("the QML has errors, shown in the window:\n  %s", "\n  ".join(problems))
        ui.show_problems(problems)
    reloader = LiveReload(ui, folder)
    log.info("live reload: watching %s", folder)
    return ui, reloader
