"""Desktop notifications: a long task that ends while the window is in the background says so.

A :class:`Notifier` shows one notification. The app's is
:func:`desktop_notifier`'s: the desktop's notification command
(``notify-send``, ``osascript`` on macOS, ``powershell`` on Windows), or
nothing where there is none (docs/design.md, "Desktop notifications", says
why not a tray icon or QtDBus). Tests use
:class:`RecordingNotifier`. :class:`LongTaskNotices` decides when to notify.
"""

from __future__ import annotations

import base64
import logging
import shutil
import sys
import weakref
from typing import TYPE_CHECKING, Callable, Protocol

from ..core.states import TaskState
from ..engine.qt.QtCore import QProcess
from ..engine.task import TaskHandle
from .cli import DEFAULT_NOTIFY_AFTER_S

if TYPE_CHECKING:
    from .backend import Backend
    from .ui import QmlUi

log = logging.getLogger(__name__)

# How much of a result or an error a notification shows: a desktop shows a few lines.
MAX_DETAIL_CHARS = 160

APP_NAME = "offthread"


class Notifier(Protocol):
    """Shows one desktop notification; never raises, never blocks the GUI thread."""

    def notify(self, title: str, body: str) -> None: ...


class RecordingNotifier:
    """A notifier that keeps what it is asked to show, in ``sent``: for tests."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def notify(self, title: str, body: str) -> None:
        self.sent.append((title, body))


def notify_send_arguments(title: str, body: str) -> list[str]:
    """Linux and the BSDs: the desktop's notification service (org.freedesktop.Notifications)."""
    return [f"--app-name={APP_NAME}", "--", title, body]


# macOS: the script reads the title and body from its arguments, so neither is
# ever parsed as AppleScript (a quote in a task's name stays a quote).
_APPLESCRIPT = ("on run argv", "display notification (item 2 of argv) with title (item 1 of argv)", "end run")


def osascript_arguments(title: str, body: str) -> list[str]:
    """macOS: Notification Center, through ``osascript``."""
    return [arg for line in _APPLESCRIPT for arg in ("-e", line)] + [title, body]


def _powershell_string(text: str) -> str:
    # A single-quoted PowerShell string expands nothing; a quote inside is doubled.
    # PowerShell also takes the typographic quotes as quotes: double them as well.
    for quote in ("'", "\u2018", "\u2019", "\u201a", "\u201b"):
        text = text.replace(quote, quote * 2)
    return f"'{text}'"


def powershell_arguments(title: str, body: str) -> list[str]:
    """Windows: a balloon from a notify icon, which Windows 10 and 11 show as a toast.

    The script goes base64-encoded (``-EncodedCommand``), so that no command
    line quoting stands between the text and PowerShell.
    """
    script = "\n".join(
        (
            "Add-Type -AssemblyName System.Windows.Forms, System.Drawing",
            "$icon = New-Object System.Windows.Forms.NotifyIcon",
            "$icon.Icon = [System.Drawing.SystemIcons]::Information",
            f"$icon.Text = {_powershell_string(APP_NAME)}",
            f"$icon.BalloonTipTitle = {_powershell_string(title)}",
            f"$icon.BalloonTipText = {_powershell_string(body or title)}",  # an empty text shows nothing
            "$icon.Visible = $true",
            "$icon.ShowBalloonTip(10000)",
            "Start-Sleep -Seconds 10",  # the balloon lives as long as its icon
            "$icon.Dispose()",
        )
    )
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    return ["-NoProfile", "-NonInteractive", "-WindowStyle", "Hidden", "-EncodedCommand", encoded]


#: For each platform (``sys.platform``'s start), the program that shows a notification, and its arguments.
NOTIFY_COMMANDS: dict[str, tuple[str, Callable[[str, str], list[str]]]] = {
    "darwin": ("osascript", osascript_arguments),
    "win32": ("powershell", powershell_arguments),
}
DEFAULT_NOTIFY_COMMAND = ("notify-send", notify_send_arguments)


class CommandNotifier:
    """A notification through the desktop's own command: ``notify-send``, ``osascript`` or ``powershell``.

    Started detached: the GUI thread waits for no process, and none is left
    a zombie. ``arguments`` makes the command's arguments from a title and a body.
    """

    def __init__(self, program: str, arguments: Callable[[str, str], list[str]] = notify_send_arguments) -> None:
        self.program = program
        self.arguments = arguments

    def notify(self, title: str, body: str) -> None:
        started = QProcess.startDetached(self.program, self.arguments(title, body))
        if not (started[0] if isinstance(started, tuple) else started):  # PySide returns (ok, pid)
            log.info("could not start %s to show a notification: %s", self.program, title)


class SilentNotifier:
    """Where the desktop offers no notification service: each notice goes to the log only."""

    def notify(self, title: str, body: str) -> None:
        log.info("notification (no notification service here): %s: %s", title, body)


def desktop_notifier(platform: str = sys.platform) -> Notifier:
    """The notifier of this desktop: its notification command if it is on the PATH, else a silent one.

    ``notify-send`` on Linux and the BSDs, ``osascript`` on macOS, ``powershell`` on Windows.
    """
    name, arguments = NOTIFY_COMMANDS.get(platform, DEFAULT_NOTIFY_COMMAND)
    program = shutil.which(name)
    if program is None:
        log.info("no %s on the PATH: long tasks that end in the background are logged, not notified", name)
        return SilentNotifier()
    return CommandNotifier(program, arguments)


class LongTaskNotices:
    """Notifies, once per task, of a task that ran ``min_seconds`` or more and ended while the window was not active.

    :meth:`watch` each task as it starts (``Backend.task_watchers``);
    ``quiet`` says whether to keep a notice to itself now: while the window
    is the active one (its QQuickWindow's ``active``), the user sees the
    end already. ``considered`` counts the tasks it has looked at as they
    ended, notified or not.
    """

    def __init__(
        self,
        notifier: Notifier,
        quiet: Callable[[], bool],
        min_seconds: float = DEFAULT_NOTIFY_AFTER_S,
    ) -> None:
        self.notifier = notifier
        self.min_seconds = min_seconds
        self._quiet = quiet
        self.considered = 0

    def watch(self, handle: TaskHandle) -> None:
        handle.add_done_callback(self._ended)  # called once, on the GUI thread

    def _ended(self, handle: TaskHandle) -> None:
        self.considered += 1
        if handle.elapsed() < self.min_seconds or self._quiet():
            return
        title, body = notice(handle)
        log.info("notifying: %s", title)
        try:
            self.notifier.notify(title, body)
        except Exception:  # a notifier's bug must not end the app: it is only a notice
            log.exception("the notifier failed on %r", title)


def notify_long_tasks(
    backend: Backend,
    ui: QmlUi,
    min_seconds: float = DEFAULT_NOTIFY_AFTER_S,
    notifier: Notifier | None = None,
) -> LongTaskNotices:
    """Let ``backend``'s tasks of ``min_seconds`` or more notify ``notifier`` (default: the desktop's) as
    they end while ``ui``'s window is not active, and not once the app is quitting (closing it cancels them)."""
    # Weakly: the backend holds the notices, which must not hold it (nor the UI, which holds it) in a cycle.
    weak_backend, weak_ui = weakref.ref(backend), weakref.ref(ui)

    def quiet() -> bool:
        backend, ui = weak_backend(), weak_ui()
        if backend is None or ui is None or not backend.accepting:
            return True
        return ui.window is not None and ui.window.isActive()

    notices = LongTaskNotices(notifier or desktop_notifier(), quiet, min_seconds)
    backend.task_watchers.append(notices.watch)
    return notices


def notice(handle: TaskHandle) -> tuple[str, str]:
    """A notification's title and body for an ended task: its name and outcome, how long it ran, what it gave."""
    outcome = {
        TaskState.FINISHED: "is done",
        TaskState.FAILED: "failed",
        TaskState.CANCELLED: "was cancelled",
        TaskState.TIMED_OUT: "timed out",
    }.get(handle.state, str(handle.state))
    detail = handle.error_text if handle.error is not None else handle.result_text
    detail = " ".join(detail.split())  # one line: a traceback or a list is no notification
    if len(detail) > MAX_DETAIL_CHARS:
        detail = detail[: MAX_DETAIL_CHARS - 1] + "…"
    ran = f"after {duration_text(handle.elapsed())}"
    return f"{handle.name} {outcome}", f"{ran}: {detail}" if detail else ran


def duration_text(seconds: float) -> str:
    """12 s, 3 min 5 s, 2 h 4 min: how a person says how long something ran."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
