"""Where a task runs: each mode is one small class with the same few methods.

``gui`` and ``events`` run the task on the GUI thread (what not to do, shown
live); ``thread`` runs it on a ``QThreadPool`` (the default); ``process`` runs
it in a pool of worker processes (for CPU-bound Python); ``asyncio`` runs
``async def`` tasks on one event loop of its own; :class:`ExecutorMode`
plugs in any ``concurrent.futures.Executor``. The dask mode
(:mod:`offthread.engine.dask`) is an ``ExecutorMode`` that reaches its tasks as they run.
"""

from .aio import AsyncioMode
from .base import Mode, UnpicklableTask
from .executor import ExecutorMode
from .local import EventsMode, GuiMode, ThreadMode
from .process import ProcessMode

__all__ = [
    "AsyncioMode",
    "EventsMode",
    "ExecutorMode",
    "GuiMode",
    "Mode",
    "ProcessMode",
    "ThreadMode",
    "UnpicklableTask",
]
