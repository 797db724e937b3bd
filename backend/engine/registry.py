"""What a manager has: its tasks that have not ended, by id, and its modes, by name.

Plain books, no Qt: the manager and its parts (:mod:`.flow`, :mod:`.events`,
:mod:`.publisher`, :mod:`.timeouts`) read and change them on the GUI
thread. Only :meth:`TaskRegistry.new_id` is called from any thread.
"""

from __future__ import annotations

import itertools
import time
from typing import Iterator

from ..core.states import TaskState
from .modes.base import Mode
from .task import TaskHandle
from .tuning import GilShare


class TaskRegistry:
    """The tasks that have not ended, oldest first, and which of them have started."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.last_id = 0  # the highest id given so far: an id above it names no task
        self.accepting = True  # False once the manager is shut down
        self.live: dict[int, TaskHandle] = {}  # not ended, by id, oldest first
        self.running: set[int] = set()  # started, not ended (paused ones too)

    def new_id(self) -> int:
        """The next task id. Any thread: ``next()`` on a count is atomic."""
        task_id = next(self._ids)
        self.last_id = max(self.last_id, task_id)
        return task_id

    def add(self, handle: TaskHandle) -> None:
        self.live[handle.id] = handle

    def get(self, task_id: int) -> TaskHandle | None:
        return self.live.get(task_id)

    def started(self, task_id: int) -> None:
        self.running.add(task_id)

    def ended(self, task_id: int) -> TaskHandle | None:
        """Take an ended task out; None if it is not here (it ended already)."""
        handle = self.live.pop(task_id, None)
        if handle is not None:
            self.running.discard(task_id)
        return handle

    def running_handles(self) -> list[TaskHandle]:
        return [self.live[task_id] for task_id in self.running]

    def counts(self) -> tuple[int, int, int]:
        """(active, paused, queued): running and not paused, paused, not started."""
        started = len(self.running)
        paused = sum(1 for task_id in self.running if self.live[task_id].state == TaskState.PAUSED)
        return started - paused, paused, len(self.live) - started

    def __len__(self) -> int:
        return len(self.live)

    def __iter__(self) -> Iterator[TaskHandle]:
        return iter(list(self.live.values()))


class ModeRegistry:
    """The modes by name, in the order they were added, and the selected one."""

    def __init__(self) -> None:
        self._modes: dict[str, Mode] = {}
        self.selected = ""  # the ``mode`` property: the one a UI's buttons use
        self._sharing_gil: set[str] = set()  # the modes whose tasks hold the GIL on other threads here
        self.gil = GilShare()  # their tasks not yet finished, for tune_gui_process's slice

    def add(self, mode: Mode) -> None:
        """Add a mode; ValueError if it has no name or its name is taken."""
        if not mode.name or mode.name in self._modes:
            raise ValueError(f"a mode needs a name of its own, not {mode.name!r}")
        self._modes[mode.name] = mode
        if mode.shares_gil:
            self._sharing_gil.add(mode.name)

    def handed_over(self, handle: TaskHandle) -> None:
        """A task goes to its mode (GUI thread): counted until its ``finished`` if its mode's tasks hold the
        GIL here. From here, not from its start: a queued one starts on a worker thread, and its
        ``started`` reaches the GUI thread only once that thread has had the GIL back."""
        if handle.mode in self._sharing_gil:
            self.gil.add(handle.id)

    def __getitem__(self, name: str) -> Mode:
        return self._modes[name]

    def get(self, name: str) -> Mode | None:
        return self._modes.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._modes

    def names(self) -> list[str]:
        return list(self._modes)

    def check(self, name: str) -> None:
        """ValueError if there is no mode called ``name``."""
        if name not in self._modes:
            raise ValueError(self.unknown(name))

    def select(self, name: str) -> bool:
        """Make ``name`` (a mode's) the selected mode; True if that changed it."""
        changed, self.selected = name != self.selected, name
        return changed

    def unknown(self, name: str) -> str:
        """What to say about a name that is not a mode's."""
        return f"no mode named {name!r}; the modes are {', '.join(self._modes)}"

    def __iter__(self) -> Iterator[Mode]:
        return iter(list(self._modes.values()))

    def shutdown(self, timeout_s: float) -> bool:
        """Shut every mode down within ``timeout_s`` in all; True if every task stopped."""
        deadline = time.monotonic() + timeout_s
        stopped = True
        for mode in self:  # every mode gets what time the ones before it left
            stopped = mode.shutdown(max(0.0, deadline - time.monotonic())) and stopped
        return stopped
