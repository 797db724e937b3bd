"""A new task's handle, made from what was submitted once every argument is checked.

Any thread may submit: nothing here touches the manager's books; the
manager's flow (:mod:`.flow`) takes the handle on the GUI thread.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

from ..core.errors import safe_str
from .affinity import OwnerThreadCalls
from .modes.base import Mode
from .qt.QtCore import QCoreApplication
from .task import TaskHandle

log = logging.getLogger(__name__)

Owner = Callable[[], Any]  # a weak reference to the manager


def require_application() -> None:
    """RuntimeError unless a Qt application exists, before a manager is made.

    Without one there is no event loop: a manager made anyway took tasks
    that stayed queued forever, with only Qt's warning about timers to say why.
    """
    if QCoreApplication.instance() is None:
        raise RuntimeError(
            "a TaskManager needs a Qt application made before it, and its event loop running: "
            "app = QCoreApplication(sys.argv) (or QGuiApplication, QApplication) first, then app.exec()"
        )


def check_submission(
    fn: Any, timeout: float | None, priority: Any, after: Sequence[Any], owner: Owner
) -> tuple[TaskHandle, ...]:
    """Raise TypeError or ValueError, saying which, for what ``submit_task`` cannot run; return ``after``."""
    if not callable(fn):
        raise TypeError(f"a task must be callable, not {type(fn).__name__}")
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout must be a number of seconds above 0, not {timeout!r}")
    if type(priority) is not int:
        raise TypeError(f"priority must be an int (higher starts first), not {priority!r}")
    handles = tuple(after)
    for other in handles:
        if not isinstance(other, TaskHandle):
            raise TypeError(f"after= takes the handles of tasks, not {type(other).__name__}")
        if other._owner is not owner:
            raise ValueError(f"task {other.id} ({other.name}) belongs to another TaskManager")
    return handles


def new_handle(
    task_id: int,
    runner: Mode,
    fn: Callable[..., Any],
    args: Sequence[Any],
    kwargs: dict[str, Any] | None,
    name: str | None,
    timeout: float | None,
    priority: int,
    calls: OwnerThreadCalls,
    owner: Owner,
) -> TaskHandle:
    """The handle of a task that ``runner`` will run: ``fn(*args, **kwargs)``.

    TypeError if ``args`` is not a tuple or a list, or ``kwargs`` not a dict:
    ``submit_task(f, 5)`` means ``submit_task(f, (5,))``, and Python's own
    "'int' object is not iterable" did not say so.
    """
    if not isinstance(args, (tuple, list)):
        raise TypeError(
            f"args must be a tuple or a list of the function's arguments, such as (5,) or [5], "
            f"not {type(args).__name__} ({safe_str(args)[:80]})"
        )
    if kwargs is not None and not isinstance(kwargs, dict):
        raise TypeError(f"kwargs must be a dict of keyword arguments or None, not {type(kwargs).__name__}")
    handle = TaskHandle(
        task_id,
        str(name or getattr(fn, "__name__", type(fn).__name__)),
        runner.make_context(task_id),
        timeout,
        mode=runner.name,
        can_pause=runner.can_pause,
        calls=calls,
        priority=priority,
        owner=owner,
    )
    handle.call = (fn, tuple(args), dict(kwargs or {}))
    return handle


def refused_handle(task_id: int, name: str, runner: Mode, calls: OwnerThreadCalls, owner: Owner) -> TaskHandle:
    """The handle of a task that fails before it starts (a run() from QML with a mistake)."""
    return TaskHandle(
        task_id,
        name,
        runner.make_context(task_id),
        mode=runner.name,
        can_pause=False,
        calls=calls,
        owner=owner,
    )


def waited_for_again(old: TaskHandle, find: Callable[[int], TaskHandle | None]) -> list[TaskHandle] | None:
    """For a retry: the tasks ``old`` waited for, if it never started because of them.

    Empty if it did start (or waited for none); None if one of them is gone
    from the list, so the retry cannot wait for it again.
    """
    after: list[TaskHandle] = []
    if old.waits_for and old.started_at is None:
        for other_id in old.waits_for:
            other = find(other_id)
            if other is None:
                log.warning("retry(): task %d waited for #%d, which is no longer in the list", old.id, other_id)
                return None
            after.append(other)
    return after
