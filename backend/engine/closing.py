"""How a manager closes: the order of the steps of :meth:`TaskManager.shutdown`, and why."""

from __future__ import annotations

import logging
from typing import Any, Callable

from .publisher import Publisher
from .registry import ModeRegistry, TaskRegistry
from .signals import WorkerSignals
from .timeouts import Timeouts

log = logging.getLogger("offthread.engine.manager")


def close(
    registry: TaskRegistry,
    modes: ModeRegistry,
    signals: WorkerSignals,
    timeouts: Timeouts,
    publisher: Publisher,
    cancel_all: Callable[[], Any],
    timeout_ms: int,
) -> bool:
    """Stop taking work, cancel every task, wait at most ``timeout_ms`` for the modes, then
    deliver what is left (GUI thread). True if every task ended."""
    registry.accepting = False
    cancel_all()
    stopped = modes.shutdown(max(0, timeout_ms) / 1000)
    # Deliver what the workers sent while we waited, so that handles and
    # properties end in their final state; later reports are dropped.
    signals.flush()
    signals.close()
    timeouts.stop()
    publisher.publish()
    if not stopped:
        names = ", ".join(f"{h.id} ({h.name})" for h in registry)
        log.warning("tasks still running %d ms after shutdown, left behind: %s", timeout_ms, names)
    return stopped
