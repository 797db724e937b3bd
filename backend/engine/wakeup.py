"""Waking the GUI thread from other threads without starving its timers."""

from __future__ import annotations

import weakref
from typing import Callable, Optional

from .qt.QtCore import QObject, Qt, QTimer, Signal


class Wakeup(QObject):
    """Calls ``callback`` on this object's thread soon after :meth:`request`, once per pass.

    :meth:`request` may be called from any thread, as often as it likes:
    only the first call after a run posts anything. The run itself happens
    in a zero-time timer, not in the posted event: Qt delivers posted events
    before timers, including events posted while it delivers, so producers
    that keep posting (threads ending thousands of tiny tasks) would run one
    delivery after another and starve every timer of the thread, the frames
    and a 5 ms timer included, for as long as they kept at it
    (bench/history.py: the timer ran 25 times a second, 40-100 ms late).
    Through the timer, due timers run in between.

    The callback, usually a method of the owner, is held weakly: the owner
    holds this object, and a cycle would be freed by Python's cyclic
    collector on whatever thread allocates (see WorkerSignals).
    """

    _posted = Signal()  # queued to this object's thread

    def __init__(self, callback: Callable[[], None], parent: Optional[QObject] = None) -> None:
        super().__init__(parent)
        self.pending = False  # a run is due; producers that see it set need not post
        self._callback: Callable[[], Optional[Callable[[], None]]] = (
            weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda: callback)
        )
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run)
        self._posted.connect(self._arm, Qt.ConnectionType.QueuedConnection)

    def request(self) -> None:
        """Ask for a run (any thread). Read-then-set is not atomic; the worst case is one extra post."""
        if not self.pending:
            self.pending = True
            self._posted.emit()

    def again(self) -> None:
        """From the callback (this thread): run once more in a later pass."""
        self.pending = True
        self._timer.start()

    def _arm(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _run(self) -> None:
        callback = self._callback()
        if callback is not None:
            callback()
