"""Where a task runs: each mode is one small class with the same few methods.

``gui`` and ``events`` run the task on the GUI thread (what not to do, shown
live); ``thread`` runs it on a ``QThreadPool`` (the default); ``process`` runs
it in a pool of worker processes (for CPU-bound Python); ``asyncio`` runs
``async def`` tasks on one event loop of its own; :class:`ExecutorMode`
plugs in any ``concurrent.futures.Executor``. The dask mode
(:mod:`offthread.engine.dask`) is a mode of its own that reaches its tasks as they run.
"""

from typing import List, Optional, Tuple

from .aio import AsyncioMode
from .base import Mode, UnpicklableTask
from .executor import ExecutorMode
from .local import EventsMode, GuiMode, ThreadMode
from .process import ProcessMode


def default_modes(
    max_threads: Optional[int], processes: Optional[int], max_tasks_per_child: Optional[int]
) -> Tuple[ThreadMode, ProcessMode, List[Mode]]:
    """Every manager's modes, in the order a UI lists them; the thread and process modes apart too
    (the manager's ``maxThreadCount`` and ``processCount`` are their settings)."""
    threads = ThreadMode(max_threads)
    processes_mode = ProcessMode(processes, max_tasks_per_child=max_tasks_per_child)
    return threads, processes_mode, [GuiMode(), EventsMode(), threads, processes_mode, AsyncioMode()]


__all__ = [
    "AsyncioMode",
    "EventsMode",
    "ExecutorMode",
    "GuiMode",
    "Mode",
    "ProcessMode",
    "ThreadMode",
    "UnpicklableTask",
    "default_modes",
]
