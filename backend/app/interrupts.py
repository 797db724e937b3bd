"""Ctrl+C and SIGTERM quit a running Qt event loop through its normal shutdown."""

from __future__ import annotations

import signal
import socket
from typing import Any, Callable

from ..engine.qt.QtCore import QObject, QSocketNotifier, Qt, Signal, Slot
from . import quitsignals


class QuitOnSignals(QObject):
    """Calls ``quit`` when SIGINT or SIGTERM arrives, from inside the event loop.

    Python runs a signal handler only between bytecodes, and Qt's event loop
    runs in C++, so without help Ctrl+C does nothing until some Python code
    runs. ``signal.set_wakeup_fd`` makes the C-level handler write a byte to a
    socket; a QSocketNotifier wakes the event loop on it, and the Python
    handler then runs at once. No polling timer is needed.
    """

    SIGNALS = quitsignals.QUIT_SIGNALS

    _quit_requested = Signal()

    def __init__(self, quit: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Queued: ``quit`` runs from the event loop after the Python handler
        # has returned, so a C++ slot such as QGuiApplication.quit runs without
        # the GIL. On Qt 6 it closes every window at once and waits for the
        # render thread, which deadlocks if that thread needs the GIL meanwhile
        # (to log a Qt message through the Python handler).
        self._quit_requested.connect(quit, Qt.ConnectionType.QueuedConnection)
        self.requested = False
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        self._previous_handlers: list[Any] = [signal.signal(s, self._on_signal) for s in self.SIGNALS]
        # A signal came before this object (see quitsignals.hold); quit() does
        # nothing before the loop runs, so the app checks this first. Read once
        # the handlers above are in place: read before, a signal that came in
        # between was noted there and seen by nobody (the app then ran on).
        if quitsignals.requested():
            self.requested = True
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _on_signal(self, signum: int, frame: object) -> None:
        self.requested = True
        self._quit_requested.emit()

    @Slot()  # a @Slot: docs/design.md, "One metaobject per class"
    def _drain(self) -> None:
        try:
            while self._reader.recv(64):
                pass
        except BlockingIOError:
            pass

    def restore(self) -> None:
        """Put back the handlers that were there before."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for signum, handler in zip(self.SIGNALS, self._previous_handlers):
            signal.signal(signum, handler)
        self._reader.close()
        self._writer.close()
