"""What a user does to tasks already in the list: cancel, pause, resume, retry, copy, remove.

The manager's slots take a task as QML and Python give it (an id, a
handle, a number from JavaScript) and hand it here; this part finds the
task and acts on the GUI thread, whichever thread asked (see
:func:`~offthread.engine.affinity.on_owner_thread`). A task that has ended
meanwhile is no error: the action has nothing left to do.
"""

from __future__ import annotations

from typing import Literal

from ..core.states import CancelReason
from .affinity import OwnerCall, OwnerThreadCalls, on_owner_thread
from .clipboard import copy_to_clipboard
from .filtering import TaskFilterModel
from .flow import TaskFlow
from .publisher import Publisher
from .registry import TaskRegistry
from .removals import CLEAR_FAILED, REMOVE, Removals
from .task import TaskHandle, TaskRef, task_number

Action = Literal["cancel", "pause", "resume"]


class TaskActions:
    """The actions on tasks that the manager's slots offer; see the module's docstring."""

    def __init__(
        self, registry: TaskRegistry, publisher: Publisher, flow: TaskFlow, calls: OwnerThreadCalls, removals: Removals
    ):
        self._registry = registry
        self._removals = removals
        self._publisher = publisher
        self._flow = flow
        self._calls = calls  # for on_owner_thread

    def act(self, task: TaskRef, action: Action) -> None:
        task_id = task_number(task, action, self._registry.last_id)
        if task_id is not None:
            self._act_on(task_id, action)

    @on_owner_thread
    def _act_on(self, task_id: int, action: Action) -> None:
        handle = self._registry.get(task_id)
        if handle is None:
            return  # it has ended
        if action == "cancel":
            self._flow.cancel(handle, CancelReason.CANCELLED)
        else:
            self._flow.pause(handle, action == "pause")

    def retry(self, task: TaskRef) -> TaskHandle | None:
        task_id = task_number(task, "retry", self._registry.last_id)
        old = None if task_id is None else self._publisher.model.handle(task_id)
        return None if old is None else self._flow.retry(old, self.find)

    def copy_details(self, task: TaskRef) -> None:
        task_id = task_number(task, "copyDetails", self._registry.last_id)
        handle = None if task_id is None else self.find(task_id)
        if handle is not None:
            copy_to_clipboard(handle.details, "copyDetails()")

    def find(self, task_id: int) -> TaskHandle | None:
        """A task in the list, ended or not."""
        return self._registry.get(task_id) or self._publisher.model.handle(task_id)

    def remove(self, task: TaskRef) -> None:
        task_id = task_number(task, "remove", self._registry.last_id)
        if task_id is not None:
            self.remove_ended({task_id}, REMOVE)

    @on_owner_thread
    def remove_ended(self, task_ids: set[int] | None, kind: str) -> int:
        """Take these ended tasks (None: all of them) out of the list, to be undone; how many."""
        return self._removals.remove(task_ids, kind)

    @on_owner_thread
    def cancel_all(self) -> OwnerCall | None:
        for handle in reversed(list(self._registry)):
            if self._registry.get(handle.id) is handle:  # not ended by a cancel before it (its dependents)
                self._flow.cancel(handle, CancelReason.CANCELLED)
        return None

    @on_owner_thread
    def retry_failed(self, shown: TaskFilterModel) -> int:
        """Retry each failed or timed-out task ``shown``, once; how many were retried."""
        return shown.retry_failed(self.retry)

    @on_owner_thread
    def clear_failed(self, shown: TaskFilterModel) -> int:
        """Remove the failed and timed-out tasks ``shown`` (undoable); how many."""
        return self._removals.remove(set(shown.failed_ids()), CLEAR_FAILED)
