"""Desktop notifications: a long task that ends while the window is in the background says so.

A :class:`Notifier` shows one notification. The app's is
:func:`desktop_notifier`'s: the desktop's notification service through
``notify-send``, or nothing where there is none (docs/design.md, "Desktop
notifications", says why not a tray icon or QtDBus). Tests use
:class:`RecordingNotifier`. :class:`LongTaskNotices` decides when to notify.
"""

from __future__ import annotations

import logging
import shutil
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


class CommandNotifier:
    """The desktop's notification service (org.freedesktop.Notifications) through its command, ``notify-send``.

    Started detached: the GUI thread waits for no process, and none is left
    a zombie.
    """

    def __init__(self, program: str) -> None:
        self.program = program

    def notify(self, title: str, body: str) -> None:
        arguments = [f"--app-name={APP_NAME}", "--", title, body]
        started = QProcess.startDetached(self.program, arguments)
        if not (started[0] if isinstance(started, tuple) else started):  # PySide returns (ok, pid)
            log.info("could not start %s to show a notification: %s", self.program, title)


class SilentNotifier:
    """Where the desktop offers no notification service: each notice goes to the log only."""

    def notify(self, title: str, body: str) -> None:
        log.info("notification (no notification service here): %s: %s", title, body)


def desktop_notifier() -> Notifier:
    """The notifier of this desktop: ``notify-send`` if it is on the PATH, else a silent one."""
    program = shutil.which("notify-send")
    if program is None:
        log.info("no notify-send on the PATH: long tasks that end in the background are logged, not notified")
        return SilentNotifier()
    return CommandNotifier(program)


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
