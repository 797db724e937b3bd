"""Waking the GUI thread from other threads without starving its timers."""

from __future__ import annotations

import threading
import time
import weakref
from typing import Callable

from .qt.QtCore import QObject, Qt, QTimer, Signal, Slot

# How long one turn may hold the GUI thread, for all the wakeups that share
# it: a backlog (10,000 task events, 10,000 submits from a thread) is worked
# off over several turns, and the window's timers and paints run between.
TURN_BUDGET_S = 0.001


class Turns(QObject):
    """One zero-time timer that gives each of its wakeups a run, within one budget for them all.

    With a timer each, wakeups that all have a backlog would run back to
    back, a budget each, before a due timer of the window got its turn (Qt
    fires the due timers in the order they fell due): that timer would wait
    for every budget. Sharing one timer and one budget, it waits for one.
    The wakeups take the first place in turn, so that none is starved.
    """

    def __init__(self, parent: QObject | None = None, budget_s: float = TURN_BUDGET_S) -> None:
        super().__init__(parent)
        self._budget_s = budget_s
        self._members: list[Wakeup] = []
        self._first = 0
        self.deadline = 0.0  # of the turn being run
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._run)

    def add(self, wakeup: Wakeup) -> None:
        self._members.append(wakeup)

    def arm(self) -> None:
        """Run a turn soon (this object's thread)."""
        if not self._timer.isActive():
            self._timer.start()

    @Slot()  # every connected method a @Slot: docs/design.md, "One metaobject per class"
    def _run(self) -> None:
        self.deadline = time.perf_counter() + self._budget_s
        members = self._members
        count = len(members)
        self._first = (self._first + 1) % max(1, count)
        for offset in range(count):
            wakeup = members[(self._first + offset) % count]
            if wakeup.due:
                wakeup.due = False
                wakeup.run()
        if any(wakeup.due for wakeup in members):
            self._timer.start()


class Wakeup(QObject):
    """Calls ``callback`` on this object's thread soon after :meth:`request`, once per turn.

    :meth:`request` may be called from any thread, as often as it likes:
    only the first call after a run posts anything. The run itself happens
    in a zero-time timer (of its :class:`Turns`), not in the posted event:
    Qt delivers posted events before timers, including events posted while
    it delivers, so producers that keep posting (threads ending thousands
    of tiny tasks) would run one delivery after another and starve every
    timer of the thread, the frames' included, for as long as they kept at
    it (bench/history.py measures how late a timer runs under such a load).
    Through the timer, due timers run in between.

    The callback should stop at :attr:`deadline` and call :meth:`again` if
    work is left. It is usually a method of the owner, and is held weakly:
    the owner holds this object, and a cycle would be freed by Python's
    cyclic collector on whatever thread allocates (see WorkerSignals).
    """

    _posted = Signal()  # queued to this object's thread

    def __init__(self, callback: Callable[[], None], parent: QObject | None = None, turns: Turns | None = None) -> None:
        super().__init__(parent)
        self.pending = False  # a run is due; producers that see it set need not post
        self.due = False  # its turns are to run it (this object's thread)
        self._callback: Callable[[], Callable[[], None] | None] = (
            weakref.WeakMethod(callback) if hasattr(callback, "__self__") else (lambda: callback)
        )
        self._turns = turns if turns is not None else Turns(self)
        self._turns.add(self)
        self._posted.connect(self._arm, Qt.ConnectionType.QueuedConnection)
        self._thread = threading.get_ident()  # made on its thread, and never moved

    @property
    def deadline(self) -> float:
        """When the current run should stop (``time.perf_counter()``), shared with its turn's others."""
        return self._turns.deadline

    def request(self) -> None:
        """Ask for a run (any thread). Read-then-set is not atomic; the worst case is one extra post."""
        if not self.pending:
            self.pending = True
            if threading.get_ident() == self._thread:
                self._arm()  # as again() does: a post to itself would cost an event and a slot call
            else:
                self._posted.emit()

    @Slot()
    def again(self) -> None:
        """From the callback (this thread): run once more in a later turn."""
        self.pending = True
        self._arm()

    def run(self) -> None:
        callback = self._callback()
        if callback is not None:
            callback()

    @Slot()
    def _arm(self) -> None:
        self.due = True
        self._turns.arm()
