"""Publishing: the task list and the manager's counts, brought up to date at most once a frame.

Task events change handles at any rate (10,000 tasks may end in one
second); QML sees those changes here, in batches: new rows, changed rows,
then the counts, each count's signal only on a real change. GUI thread only.
"""

from __future__ import annotations

import itertools
import math
import time
from typing import Any, Callable

from .limits import MAX_HISTORY
from .model import TakenRows, TaskListModel
from .props import assign
from .qt.QtCore import QObject, QTimer, Signal
from .registry import TaskRegistry
from .signals import weakly
from .task import TaskHandle
from .wakeup import Turns, Wakeup

# Publishing happens at most this often while events pour in (see
# Publisher.schedule): a frame at 60 Hz.
REFRESH_INTERVAL_S = 0.016

# How many rows a publish takes between looks at the clock. It runs in the
# GUI thread's turns (wakeup.Turns), within their budget: a burst (10,000
# tasks ending at once) is published over several turns, with the window's
# timers run in between. New rows go in larger chunks: each insertion costs
# the view a layout, and making a row costs little.
REFRESH_CHUNK = 32
APPEND_CHUNK = 256

# While a publish goes on over several turns, ended rows past the history
# limit leave once there are more than TRIM_SLACK of them, a block of at
# most TRIM_CHUNK at the start of a turn, rather than a few in every turn;
# once it has caught up, the rest leave within the turns' budget, and the
# limit holds exactly. Removing a row frees its task, which takes about as
# long as making its row. The counts are brought up to date once it has
# caught up, or once a frame.
TRIM_SLACK = 256
TRIM_CHUNK = 128


class Publisher(QObject):
    """Keeps ``model`` and the counts (``busy``, ``active_count``...) up to date with the tasks.

    The manager's properties read the counts here and pass the signals on.
    ``published`` (held weakly: it is usually the manager's method) is called
    after every publish.
    """

    busyChanged = Signal()
    activeCountChanged = Signal()
    pausedCountChanged = Signal()
    queuedCountChanged = Signal()
    olderRemovedChanged = Signal()

    def __init__(
        self,
        parent: QObject,
        registry: TaskRegistry,
        turns: Turns,
        history: int,
        published: Callable[[], None],
    ) -> None:
        super().__init__(parent)
        self._registry = registry
        self._published = weakly(published)
        self.model = TaskListModel(parent)
        self.model.on_removed = _rows_removed
        self.history = history_number(history)
        self._new: list[TaskHandle] = []  # submitted, not yet in the model
        # To publish to the model, in the order they changed: tasks that end
        # together sit in adjacent rows, and go to the model together, for
        # one dataChanged (and, once trimmed, one removal) per run of rows.
        self._changed: dict[TaskHandle, None] = {}
        self.busy = False
        self.active_count = 0
        self.paused_count = 0
        self.queued_count = 0
        self.older_removed = 0
        self._wakeup = Wakeup(self._publish_some, self, turns)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._wakeup.again)
        self._pending = False  # a publish is due (a Python flag: asking Qt costs more)
        self._published_at = 0.0
        self._counted_at = 0.0  # when the counts were last brought up to date

    def pass_signals_on(self, target: QObject) -> None:
        """Connect each count's signal to ``target``'s signal of the same name (the manager's)."""
        for name in (
            "busyChanged",
            "activeCountChanged",
            "pausedCountChanged",
            "queuedCountChanged",
            "olderRemovedChanged",
        ):
            getattr(self, name).connect(getattr(target, name))

    def add(self, handle: TaskHandle) -> None:
        """A new task: its row comes with the next publish."""
        self._new.append(handle)
        if not self._pending:  # a call less per task while one is due (tasks come by the thousand)
            self.schedule()

    def touch(self, handle: TaskHandle) -> None:
        """``handle`` changed: its row (and its task object) follow with the next publish."""
        self._changed[handle] = None
        if not self._pending:
            self.schedule()

    def touch_all(self, handles: list[TaskHandle]) -> None:
        self._changed.update(dict.fromkeys(handles))
        self.schedule()

    def schedule(self) -> None:
        """Publish soon: in the next pass, or, right after a publish, REFRESH_INTERVAL_S after it.

        Every publish costs the GUI thread: the model's signals, the views'
        updates, the properties' notifications. While tasks end by the
        thousand, a pass of the event loop delivers the events of a few tasks
        only (process mode's results come one by one); publishing after each
        pass cost more than running a tiny task in a worker. The window
        cannot show more than a frame's worth of change anyway.
        """
        if not self._pending:
            self._pending = True
            wait = self._published_at + REFRESH_INTERVAL_S - time.monotonic()
            if wait > 0:
                self._timer.start(math.ceil(wait * 1000))
            else:
                self._wakeup.again()  # in the next turn

    def set_history(self, limit: int) -> bool:
        """Keep at most ``limit`` ended tasks in the list; True if that changed it."""
        if limit == self.history:
            return False
        self.history = limit
        self.publish()
        return True

    def remove_ended(self, task_ids: set[int] | None) -> TakenRows:
        """Take ended tasks out of the list (None: all of them, and nothing older is hidden any more).

        Returns the rows taken, for :meth:`restore`.
        """
        self.publish()  # publish pending rows first, so none is missed
        taken = self.model.remove_ended(task_ids)
        if task_ids is None:
            self._assign("older_removed", 0, self.olderRemovedChanged)
        return taken

    def restore(self, taken: TakenRows, older_removed: int) -> int:
        """Put back rows that :meth:`remove_ended` took, and the count of older ones it set to 0."""
        self.publish()
        restored = self.model.restore(taken)
        self._assign("older_removed", older_removed, self.olderRemovedChanged)
        return restored

    def _publish_some(self) -> None:
        self.publish(deadline=self._wakeup.deadline)

    def publish(self, deadline: float = math.inf) -> None:
        """Bring the model and every count up to date, notifying real changes only.

        Until ``deadline`` (``time.perf_counter()``; none: all of it): new
        rows first, in order, then changed ones; what is left waits for the
        next turn, which comes at once. A row changed before it was added
        needs no update: it is made from the handle as it is then. Once all
        is published, at most ``history`` ended rows are left, and the
        counts are up to date (see TRIM_SLACK for the turns before).
        """
        self._timer.stop()
        self._pending = False
        self._published_at = now = time.monotonic()
        model, new, changed, history = self.model, self._new, self._changed, self.history
        removed = model.trim(history, TRIM_SLACK, TRIM_CHUNK)  # rows past the limit do not pile up in a burst
        taken = 0
        while taken < len(new) and time.perf_counter() < deadline:
            chunk = new[taken : taken + APPEND_CHUNK]
            model.append(chunk)
            taken += APPEND_CHUNK
            if changed:
                _synced([handle for handle in chunk if changed.pop(handle, _NOT) is None])
        del new[:taken]
        while changed and not new and time.perf_counter() < deadline:
            chunk = list(itertools.islice(changed, REFRESH_CHUNK))
            for handle in chunk:
                del changed[handle]
            model.update(chunk, hold=True)  # one signal per run of rows for the whole turn
            _synced(chunk)
        model.release()
        if not (new or changed):
            while model.excess(history) and time.perf_counter() < deadline:
                removed += model.trim(history, 0, TRIM_CHUNK)
        if removed:
            self._assign("older_removed", self.older_removed + removed, self.olderRemovedChanged)
        caught_up = not (new or changed or model.excess(history))
        if not caught_up:
            self._pending = True
            self._wakeup.again()  # the rest in the next turn
        if caught_up or now - self._counted_at >= REFRESH_INTERVAL_S:
            self._count(now)

    def _count(self, now: float) -> None:
        """Bring the counts up to date, and tell ``published``."""
        self._counted_at = now
        active, paused, queued = self._registry.counts()
        self._assign("active_count", active, self.activeCountChanged)
        self._assign("paused_count", paused, self.pausedCountChanged)
        self._assign("queued_count", queued, self.queuedCountChanged)
        self._assign("busy", bool(len(self._registry)), self.busyChanged)
        published = self._published()
        if published is not None:
            published()

    def _assign(self, attribute: str, value: object, changed: Any) -> None:
        assign(self, attribute, value, changed)


_NOT = object()  # not in a dict


class OncePerFrame:
    """Calls ``callback`` in the next event-loop pass when asked, and, while asked again and again, at most
    once every REFRESH_INTERVAL_S: what changes by the thousand a second is shown a frame at a time.

    GUI thread. ``callback`` is held strongly: make it a plain function (``weak_slot``), not the owner's method.
    """

    def __init__(self, parent: QObject, callback: Callable[[], None]) -> None:
        self._callback = callback
        self._called_at = -math.inf  # time.monotonic() of the last call; none yet, so the first goes at once
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._call)

    def ask(self, soon: bool = False) -> None:
        """Call in the next pass, or, right after a call, a frame after it (``soon``: in the next pass anyway)."""
        if soon:
            self._timer.start(0)
        elif not self._timer.isActive():
            wait = self._called_at + REFRESH_INTERVAL_S - time.monotonic()
            self._timer.start(math.ceil(wait * 1000) if wait > 0 else 0)

    def _call(self) -> None:
        self._called_at = time.monotonic()
        self._callback()


def _synced(handles: list[TaskHandle]) -> None:
    """``handles`` changed: the task objects QML holds of them (run()) follow."""
    for handle in handles:
        if handle.view is not None:
            handle.view.sync()


def _rows_removed(handles: list[TaskHandle]) -> None:
    """Rows left the list: their task objects go too (QML's references become null)."""
    for handle in handles:
        if handle.view is not None:
            handle.view.release()


def history_number(value: object) -> int:
    """A history limit from Python code: a whole number of ended tasks, 0 to MAX_HISTORY."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"history must be a whole number of tasks, not {type(value).__name__}")
    if not 0 <= value <= MAX_HISTORY:
        raise ValueError(f"history must be from 0 (keep no ended task) to {MAX_HISTORY:,}, not {value:,}")
    return value
