"""A new task's handle, made from what was submitted once every argument is checked.

Any thread may submit: nothing here touches the manager's books; the
manager's flow (:mod:`.flow`) takes the handle on the GUI thread.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Sequence

from .affinity import OwnerThreadCalls
from .modes.base import Mode
from .task import TaskHandle

log = logging.getLogger(__name__)

Owner = Callable[[], Any]  # a weak reference to the manager


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
    """The handle of a task that ``runner`` will run: ``fn(*args, **kwargs)``."""
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
