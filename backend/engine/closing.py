"""How a manager closes: the order of the steps of :meth:`TaskManager.shutdown`, and why."""

from __future__ import annotations

import logging
from typing import Any, Callable

from .affinity import OwnerThreadCalls
from .publisher import Publisher
from .registry import ModeRegistry, TaskRegistry
from .signals import WorkerSignals
from .timeouts import Timeouts

log = logging.getLogger("offthread.engine.manager")


class Closing:
    """Closes a manager's parts once, in order; a second shutdown gives the first one's outcome."""

    def __init__(
        self,
        calls: OwnerThreadCalls,
        registry: TaskRegistry,
        modes: ModeRegistry,
        signals: WorkerSignals,
        timeouts: Timeouts,
        publisher: Publisher,
        cancel_all: Callable[[], Any],
    ) -> None:
        self._calls = calls
        self._registry = registry
        self._modes = modes
        self._signals = signals
        self._timeouts = timeouts
        self._publisher = publisher
        self._cancel_all = cancel_all
        self.result: bool | None = None  # None until it has closed

    def close(self, timeout_ms: int) -> bool:
        """Stop taking work, cancel every task, wait at most ``timeout_ms`` for the modes, then
        deliver what is left (GUI thread: it waits). True if every task ended."""
        if not self._calls.here():
            raise RuntimeError(
                "shutdown() waits for the tasks to stop, so it runs on the GUI thread; "
                "from another thread, use cancelAll()"
            )
        if self.result is None:
            self.result = self._close(timeout_ms)
        return self.result

    def _close(self, timeout_ms: int) -> bool:
        self._registry.accepting = False
        self._cancel_all()
        stopped = self._modes.shutdown(max(0, timeout_ms) / 1000)
        # Deliver what the workers sent while we waited, so that handles and
        # properties end in their final state; later reports are dropped.
        self._signals.flush()
        self._signals.close()
        self._timeouts.stop()
        self._publisher.publish()
        self._modes.gil.clear()  # a task left behind no longer counts for the GIL's slice (engine/tuning.py)
        if not stopped:
            names = ", ".join(f"{h.id} ({h.name})" for h in self._registry)
            log.warning("tasks still running %d ms after shutdown, left behind: %s", timeout_ms, names)
        return stopped
