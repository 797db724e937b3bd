"""A task's outcome as a future: what ``TaskHandle.as_future()``, ``wait()`` and ``await`` use.

A handle settles once, on the GUI thread, when its task's ``finished`` is
delivered. Waiting for that on the GUI thread would freeze the window (and
never end: the GUI thread is the one that settles it), so the waits refuse
there while the task has not ended. See docs/python-api.md, "Futures".
"""

from __future__ import annotations

import concurrent.futures
from typing import TYPE_CHECKING, Any, Callable

from ..core.errors import TaskFailed
from ..core.states import TaskState

if TYPE_CHECKING:
    from .task import TaskHandle

GUI_WAIT_REFUSED = (
    "waiting for task {id} on the GUI thread would freeze the window until it ends: "
    "use handle.add_done_callback(fn), or 'await handle' in a coroutine"
)


class TaskFuture(concurrent.futures.Future):  # type: ignore[type-arg]  # generic only from Python 3.9
    """A ``concurrent.futures.Future`` of one task, that refuses to block the GUI thread.

    ``cancel()`` returns False, as for a future that runs: cancel the task
    itself with ``manager.cancel(handle)``, and its future is then cancelled.
    """

    def __init__(self, task_id: int, on_gui_thread: Callable[[], bool]) -> None:
        super().__init__()
        self._task_id = task_id
        self._on_gui_thread = on_gui_thread

    def cancel(self) -> bool:
        return False

    def running(self) -> bool:
        return not self.done()

    def result(self, timeout: float | None = None) -> Any:
        self._refuse_to_block()
        return super().result(timeout)

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._refuse_to_block()
        return super().exception(timeout)

    def _refuse_to_block(self) -> None:
        if not self.done() and self._on_gui_thread():
            raise RuntimeError(GUI_WAIT_REFUSED.format(id=self._task_id))


def settle(future: TaskFuture, handle: TaskHandle) -> None:
    """Give ``future`` the outcome of ``handle``'s task, which has ended."""
    if handle.state == TaskState.FINISHED:
        future.set_result(handle.result)
    elif handle.state == TaskState.FAILED and handle.error is not None:
        future.set_exception(TaskFailed(handle.error))
    else:  # cancelled or timed out: cancelled, as concurrent.futures and asyncio mean it
        concurrent.futures.Future.cancel(future)
