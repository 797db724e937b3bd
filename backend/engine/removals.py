"""``Removals``: the last removal from the task list (Remove, Clear finished, Clear failed), to undo.

A row removed by a click that was meant for something else is lost work:
its result, its traceback. The last removal is kept, rows and all, until
it is undone, forgotten, or another removal takes its place; the window
offers it as "Removed #3 · Undo" for a few seconds. Rows that leave the
list by themselves (the history limit) are not kept. GUI thread only.
"""

from __future__ import annotations

from .model import TakenRows
from .props import assign
from .publisher import Publisher
from .qt.QtCore import Property, QObject, Signal, Slot

#: What a removal was, as ``Removals.kind`` says it: the action's name.
REMOVE, CLEAR_FINISHED, CLEAR_FAILED = "remove", "clearFinished", "clearFailed"
KINDS = (REMOVE, CLEAR_FINISHED, CLEAR_FAILED)


class Removals(QObject):
    """The task list's last removal, until :meth:`undo`, :meth:`forget` or the next removal.

    For QML: ``pending`` (there is one to undo), ``ids`` (the tasks it took,
    in list order), ``kind`` (what took them: ``"remove"``, ``"clearFinished"``
    or ``"clearFailed"``), ``undo()`` and ``forget()``.
    ``removed`` is emitted after each removal that took rows, even one of
    the same rows' kind and count as the last, so a toast shows again.
    """

    changed = Signal()  # pending, ids or kind changed
    removed = Signal()  # rows were just removed (and can be undone)

    def __init__(self, parent: QObject, publisher: Publisher) -> None:
        super().__init__(parent)
        self._publisher = publisher
        self._taken: TakenRows | None = None
        self._older_removed = 0  # the publisher's count of older rows, before a Clear finished set it to 0
        self._state: tuple[bool, list[int], str] = (False, [], "")  # pending, ids, kind

    def remove(self, task_ids: set[int] | None, kind: str) -> int:
        """Take ended tasks out of the list (``task_ids``, or all: None) and keep them to undo; how many.

        A removal that takes nothing leaves the last one to undo as it was.
        """
        if kind not in KINDS:
            raise ValueError(f"a removal's kind is one of {', '.join(KINDS)}, not {kind!r}")
        older = self._publisher.older_removed
        taken = self._publisher.remove_ended(task_ids)
        if not taken.rows:
            return 0
        self._taken, self._older_removed = taken, older
        self._set(True, taken.ids, kind)
        self.removed.emit()
        return len(taken.rows)

    @Slot(result=int)
    def undo(self) -> int:
        """Put the last removal's rows back, each in its place, as they were; how many (0: none to undo)."""
        taken, self._taken = self._taken, None
        self._set(False, [], "")
        if taken is None:
            return 0
        return self._publisher.restore(taken, self._older_removed)

    @Slot()
    def forget(self) -> None:
        """Let the last removal go for good (its toast has gone): its tasks are freed."""
        self._taken = None
        self._set(False, [], "")

    def _set(self, pending: bool, ids: list[int], kind: str) -> None:
        """One notify for the three, on a real change only."""
        assign(self, "_state", (pending, ids, kind), self.changed)

    def _get_pending(self) -> bool:
        return self._state[0]

    def _get_ids(self) -> list[int]:
        return list(self._state[1])

    def _get_kind(self) -> str:
        return self._state[2]

    pending = Property(bool, _get_pending, notify=changed)
    ids = Property(list, _get_ids, notify=changed)
    kind = Property(str, _get_kind, notify=changed)
