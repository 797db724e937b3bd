"""While tasks run: their elapsed times move on, and a task past its ``timeout`` is stopped."""

from __future__ import annotations

import time
from typing import Callable

from ..core.states import CancelReason
from .publisher import Publisher
from .qt.QtCore import QObject, QTimer, Slot
from .registry import TaskRegistry
from .task import TaskHandle

# How often elapsed times move on and timeouts are checked, while tasks run.
TICK_INTERVAL_MS = 100


class Timeouts(QObject):
    """A ticker that runs only while some task runs (GUI thread)."""

    def __init__(
        self,
        parent: QObject,
        registry: TaskRegistry,
        publisher: Publisher,
        cancel: Callable[[TaskHandle, CancelReason], None],
    ) -> None:
        super().__init__(parent)
        self._registry = registry
        self._publisher = publisher
        self._cancel = cancel
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_INTERVAL_MS)
        self._ticker.timeout.connect(self._tick)
        self._ticking = False  # whether the ticker runs: kept here, not asked of Qt for each task started

    def task_started(self) -> None:
        if not self._ticking:
            self._ticking = True
            self._ticker.start()

    def stop(self) -> None:
        self._ticking = False
        self._ticker.stop()

    @Slot()  # a @Slot: docs/design.md, "One metaobject per class"
    def _tick(self) -> None:
        running = self._registry.running_handles()
        if not running:
            self.stop()
            return
        self._publisher.touch_all(running)  # elapsed times move on
        now = time.monotonic()
        for handle in running:  # a timeout may end a task in this loop
            if (
                handle.timeout is not None
                and now - (handle.started_at or now) >= handle.timeout
                and not handle.cancel_requested
            ):
                self._cancel(handle, CancelReason.TIMED_OUT)
