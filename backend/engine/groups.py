"""Groups of tasks: ``group=`` with ``latest=`` (the newest wins) and ``limit=`` (at most N at once).

A task joins its group when it is submitted. ``latest`` cancels the group's
earlier tasks that have not ended, and lets one of the group run at a time,
so that a stale one still stopping never overlaps the newest. ``limit``
lets at most that many of the group run at once; the rest wait, in order,
out of their mode (a held task shows ``queued``, with a note). A group's
limit is the one its latest task asked for.

This object keeps the books; the manager starts and cancels. GUI thread only.
"""

from __future__ import annotations

import collections
from dataclasses import dataclass, field
from typing import Tuple

from .modes.base import Call
from .task import TaskHandle

Held = Tuple[TaskHandle, Call]


@dataclass
class _Group:
    limit: int = 0  # 0: no limit
    members: dict[int, TaskHandle] = field(default_factory=dict)  # not ended, in order
    running: set[int] = field(default_factory=set)  # given to their mode
    held: collections.deque[Held] = field(default_factory=collections.deque)


def group_note(group: str, limit: int) -> str:
    """What a held task's row says."""
    return f"waiting: {group} runs {'one' if limit == 1 else limit} at a time"


class Groups:
    """Which task belongs to which group, and which may start (GUI thread only)."""

    def __init__(self) -> None:
        self._groups: dict[str, _Group] = {}

    def join(self, handle: TaskHandle, latest: bool, limit: int | None) -> list[TaskHandle]:
        """Add ``handle`` to its group (``handle.group``); with ``latest``, return the earlier
        members that have not ended, for the caller to cancel."""
        assert handle.group is not None
        group = self._groups.setdefault(handle.group, _Group())
        if latest:
            group.limit = 1
        elif limit is not None:
            group.limit = limit
        earlier = list(group.members.values()) if latest else []
        group.members[handle.id] = handle
        return earlier

    def admit(self, handle: TaskHandle, call: Call) -> bool:
        """True if ``handle`` may go to its mode now; else it is held, in order, until one ends."""
        group = self._groups[handle.group]  # type: ignore[index]  # join() came first
        if group.limit and len(group.running) >= group.limit:
            group.held.append((handle, call))
            return False
        group.running.add(handle.id)
        return True

    def limit(self, name: str) -> int:
        group = self._groups.get(name)
        return group.limit if group is not None else 0

    def withdraw(self, handle: TaskHandle) -> bool:
        """Take a held task out (it is cancelled before it started); True if it was held."""
        group = self._groups.get(handle.group) if handle.group is not None else None
        if group is None:
            return False
        for index, (held, _call) in enumerate(group.held):
            if held is handle:
                del group.held[index]
                return True
        return False

    def ended(self, handle: TaskHandle) -> list[Held]:
        """``handle``'s task has ended: the held tasks that may go to their mode now (admitted)."""
        group = self._groups.get(handle.group) if handle.group is not None else None
        if group is None:
            return []
        group.members.pop(handle.id, None)
        if handle.id in group.running:
            group.running.discard(handle.id)
        else:  # it ended while held (cancelled before it was admitted)
            self.withdraw(handle)
        ready: list[Held] = []
        while group.held and (not group.limit or len(group.running) < group.limit):
            held = group.held.popleft()
            group.running.add(held[0].id)
            ready.append(held)
        if not group.members:
            del self._groups[handle.group]  # type: ignore[arg-type]
        return ready
