"""``TaskFilterModel``: the task list through a filter by state and by name, and its counts.

A proxy of :class:`~offthread.engine.model.TaskListModel`: it shows the
source's rows that pass the filter, in the source's order, and copies
nothing but their serials (a row's place that removals do not change: see
the model). QSortFilterProxyModel would ask the Python model for each
row's data through a virtual call, many times over; this one reads the
source's published rows in one comprehension (docs/performance.md,
"Filtering the task list"; bench/filter_rows.py). GUI thread only.
"""

from __future__ import annotations

import bisect
import logging
import operator
from collections import Counter
from typing import Any, Callable, Iterable, Sequence, Tuple, Union

from ..core.states import TaskState
from .model import FIRST_ROLE, ROLES, TaskListModel
from .publisher import OncePerFrame
from .qt.QtCore import (
    Property,
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from .signals import weak_slot

AnyIndex = Union[QModelIndex, QPersistentModelIndex]

log = logging.getLogger(__name__)

_ROOT = QModelIndex()
_STATE = ROLES.index("state")
_NAME = ROLES.index("name")
_ID = ROLES.index("id")
# A change to these roles can let a row in or out; to the others, it cannot.
_FILTER_ROLES = frozenset({FIRST_ROLE + _STATE, FIRST_ROLE + _NAME})

#: The states a filter may name: TaskState's words.
STATES = tuple(state.value for state in TaskState)
#: What "failed" means to Retry failed and Clear failed: it ended without its result, by an error or its timeout.
FAILED_STATES = frozenset({TaskState.FAILED.value, TaskState.TIMED_OUT.value})

Row = Tuple[Any, ...]  # a row's role values, as the source published them
# A property's type by its Qt name: a JS object in QML on both bindings (a
# Python dict is opaque to PySide2's QML), and a name that PySide6's
# metaobjectdump, which reads the source for scripts/qmltypes.py, can follow.
QVariantMap: Any = "QVariantMap"


class NameCounts:
    """The rows whose name holds a text, per state, kept up to date as rows come, change and go.

    What the chips count while a name is typed: "All 2 · Running 2" of the
    tasks that match. It keeps each matching row's state, to know what a
    change of state moves from.
    """

    def __init__(self) -> None:
        self.folded = ""  # the casefolded text; "" counts nothing
        self._state_of: dict[int, str] = {}  # serial -> state, of the matching rows
        self._counts: Counter[str] = Counter()

    def recount(self, folded: str, serials: Sequence[int], rows: Sequence[Row]) -> None:
        """Count again, every row, for ``folded``."""
        self.folded = folded
        names = _matching_names(folded, rows)
        self._state_of = {s: r[_STATE] for s, r in zip(serials, rows) if names is not None and r[_NAME] in names}
        self._counts = Counter(self._state_of.values())

    def add(self, serials: Sequence[int], rows: Sequence[Row]) -> None:
        """Rows came, or changed: count the matching ones in their state now."""
        folded, state_of, counts = self.folded, self._state_of, self._counts
        if not folded:
            return
        for serial, row in zip(serials, rows):
            old = state_of.get(serial)
            new = row[_STATE] if folded in row[_NAME].casefold() else None
            if old != new:
                if old is not None:
                    counts[old] -= 1
                    del state_of[serial]
                if new is not None:
                    counts[new] += 1
                    state_of[serial] = new

    def drop(self, serials: Sequence[int]) -> None:
        """Rows went."""
        for serial in serials:
            state = self._state_of.pop(serial, None)
            if state is not None:
                self._counts[state] -= 1

    def counts(self) -> dict[str, int]:
        """Matching rows per state word (none left out), and ``all``."""
        counts = {state: count for state, count in self._counts.items() if count}
        counts["all"] = len(self._state_of)
        return counts


class TaskFilterModel(QAbstractListModel):
    """The rows of a :class:`TaskListModel` that pass a filter: ``states`` and ``text``.

    For QML: ``states`` (the state words to show; empty: every state),
    ``text`` (a part of the name to look for, in any case; empty: every
    name), both writable; ``counts`` (rows per state word, and ``all``: of
    the whole list, or, while ``text`` is set, of the tasks of that name),
    ``total`` (rows in the whole list), ``count`` (rows shown),
    ``failedCount`` (failed or timed-out rows shown) and ``retryCount``
    (those of them Retry failed would run again). The roles are the source's. A read is always up to date; the
    counts notify on a real change, in the next event-loop pass, and at most once a frame (REFRESH_INTERVAL_S).
    """

    statesChanged = Signal()
    textChanged = Signal()
    countsChanged = Signal()
    countChanged = Signal()
    failedCountChanged = Signal()

    def __init__(self, source: TaskListModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._states: frozenset[str] = frozenset()
        self._state_list: list[str] = []  # as set, for QML to read back
        self._text = ""
        self._folded = ""  # text.casefold(): what names are searched for
        self._shown: list[int] = []  # the serials of the rows shown, ascending (the source's order)
        self._failed: set[int] = set()  # serials of the shown rows in FAILED_STATES
        self._retried: set[int] = set()  # serials of the rows Retry failed has run again
        self._named = NameCounts()  # the counts while a name is typed
        # As last notified: (the counts and the total), the rows shown, (failedCount, retryCount).
        self._notified: tuple[tuple[dict[str, int], int], int, tuple[int, int]] = (({}, -1), -1, (-1, -1))
        # Through weak_slot: QML sees this object, and none of these is a slot.
        self._notify = OncePerFrame(self, weak_slot(self._notify_counts))  # every chip reads the counts again
        source.rowsInserted.connect(weak_slot(self._inserted))
        source.rowsAboutToBeRemoved.connect(weak_slot(self._about_to_remove))
        source.dataChanged.connect(weak_slot(self._data_changed))
        source.modelAboutToBeReset.connect(weak_slot(self.beginResetModel))
        source.modelReset.connect(weak_slot(self._reset))
        self._shown = self._accepted(source.serials, source.rows)
        self._failed = self._failed_in(source.serials, source.rows)
        self._notify_counts()  # what the first notify compares with

    # -- the Qt model interface ---------------------------------------------

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def roleNames(self) -> dict[int, QByteArray]:
        return self._source.roleNames()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()  # -1 for an invalid index
        if not 0 <= row < len(self._shown):
            return None
        return self._source.value(self.source_row(row), role)

    # -- Python API ---------------------------------------------------------

    def source_row(self, row: int) -> int:
        """The source's row that row ``row`` shows (mapToSource, for a list)."""
        return bisect.bisect_left(self._source.serials, self._shown[row])

    def set_states(self, states: Iterable[str]) -> None:
        """Show the rows in these states only (TaskState words, or TaskStates); none: every state.

        ValueError, naming the words it takes, for one that is not a state.
        """
        self.set_filter(states, self._text)

    def set_text(self, text: str) -> None:
        """Show the rows whose name holds ``text``, in any case (spaces around it ignored); "": every name."""
        self.set_filter(self._state_list, text)

    def set_filter(self, states: Iterable[str], text: str) -> None:
        """Both at once: the rows are filtered once, and a view rebuilds what it shows once."""
        wanted, folded = _checked(states, text)
        states_changed, text_changed = wanted != self._states, text != self._text
        self._states, self._state_list, self._text = wanted, sorted(wanted, key=STATES.index), text
        if folded != self._folded:
            self._folded = folded
            self._named.recount(folded, self._source.serials, self._source.rows)
            self._refilter()
        elif states_changed:
            self._refilter()
        if states_changed:
            self.statesChanged.emit()
        if text_changed:
            self.textChanged.emit()

    def shown_ids(self, states: Iterable[str] | None = None) -> list[int]:
        """The ids of the tasks shown (in these ``states`` only, if given), in list order."""
        wanted = None if states is None else frozenset(str(state) for state in states)
        rows = self._rows_of(self._shown)
        return [row[_ID] for row in rows if wanted is None or row[_STATE] in wanted]

    def _rows_of(self, serials: Iterable[int]) -> list[Row]:
        """The source's rows of ``serials`` (ascending): each found past the one before."""
        source_serials, rows = self._source.serials, self._source.rows
        found, place = [], 0
        for serial in serials:
            place = bisect.bisect_left(source_serials, serial, place)
            found.append(rows[place])
        return found

    def failed_ids(self) -> list[int]:
        """The ids of the failed and timed-out tasks shown, in list order: what Clear failed removes."""
        return [row[_ID] for row in self._rows_of(sorted(self._failed))]

    def retry_failed(self, retry: Callable[[int], object]) -> int:
        """Call ``retry(id)`` for each failed task shown that this has not retried before; how many.

        Once each: a second press (a double-click is two) finds them retried.
        """
        fresh = sorted(self._failed - self._retried)
        ids = [row[_ID] for row in self._rows_of(fresh)]
        self._retried.update(fresh)
        done = sum(1 for task_id in ids if retry(task_id) is not None)
        self._notify.ask(soon=True)  # the user's change: the chips follow the list at once
        return done

    # -- following the source -------------------------------------------------

    def _accepted(self, serials: Sequence[int], rows: Sequence[Row], states: frozenset[str] | None = None) -> list[int]:
        """The serials of ``rows`` that pass (in ``states``, if given, for the filter's own): one
        comprehension per case, no call per row."""
        states = self._states if states is None else states
        names = _matching_names(self._folded, rows)
        if states and names is not None:
            return [s for s, r in zip(serials, rows) if r[_STATE] in states and r[_NAME] in names]
        if states:
            return [s for s, r in zip(serials, rows) if r[_STATE] in states]
        if names is not None:
            return [s for s, r in zip(serials, rows) if r[_NAME] in names]
        return list(serials)

    def _failed_in(self, serials: Sequence[int], rows: Sequence[Row]) -> set[int]:
        """The serials of ``rows`` that pass and failed."""
        wanted = self._states & FAILED_STATES if self._states else FAILED_STATES
        return set(self._accepted(serials, rows, wanted)) if wanted else set()

    def _refilter(self) -> None:
        """Filter every row again: one reset, which costs a view one rebuild of what it shows."""
        source = self._source
        shown = self._accepted(source.serials, source.rows)
        if shown != self._shown:
            self.beginResetModel()
            self._shown = shown
            self._failed = self._failed_in(source.serials, source.rows)
            self.endResetModel()
        self._notify.ask(soon=True)  # the user's change: the chips follow the list at once

    def _reset(self) -> None:
        source = self._source
        self._named.recount(self._folded, source.serials, source.rows)
        self._shown = self._accepted(source.serials, source.rows)
        self._failed = self._failed_in(source.serials, source.rows)
        self.endResetModel()
        self._notify.ask()

    def _inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        source = self._source
        serials, rows = source.serials[first : last + 1], source.rows[first : last + 1]
        self._named.add(serials, rows)
        new = self._accepted(serials, rows)
        if new:
            place = bisect.bisect_left(self._shown, new[0])
            self.beginInsertRows(_ROOT, place, place + len(new) - 1)
            self._shown[place:place] = new
            self._failed.update(self._failed_in(serials, rows))
            self.endInsertRows()
        self._notify.ask()

    def _about_to_remove(self, parent: QModelIndex, first: int, last: int) -> None:
        serials = self._source.serials
        self._named.drop(serials[first : last + 1])
        low, high = self._span(serials[first], serials[last])
        if low < high:
            self.beginRemoveRows(_ROOT, low, high - 1)
            self._failed.difference_update(self._shown[low:high])
            del self._shown[low:high]
            self.endRemoveRows()
        self._notify.ask()

    def _span(self, first_serial: int, last_serial: int) -> tuple[int, int]:
        """The rows shown whose serials are from ``first_serial`` to ``last_serial``, as a slice."""
        shown = self._shown
        return bisect.bisect_left(shown, first_serial), bisect.bisect_right(shown, last_serial)

    def _data_changed(self, top: QModelIndex, bottom: QModelIndex, roles: list[int]) -> None:
        first, last = top.row(), bottom.row()
        source = self._source
        serials = source.serials[first : last + 1]
        if roles and not _FILTER_ROLES.intersection(roles):  # nothing that lets a row in or out
            self._forward(serials[0], serials[-1], roles)
            return
        rows = source.rows[first : last + 1]
        self._named.add(serials, rows)
        low, high = self._span(serials[0], serials[-1])
        new = self._accepted(serials, rows)
        if new != self._shown[low:high]:
            self._move(set(self._shown[low:high]), new)
        self._failed.difference_update(serials)
        self._failed.update(self._failed_in(serials, rows))
        self._forward(serials[0], serials[-1], roles)
        self._notify.ask()

    def _move(self, old: set[int], new: list[int]) -> None:
        """Rows of one changed span leave and join: removals first, then insertions, one row each."""
        coming = set(new)
        for serial in sorted(old - coming, reverse=True):
            row = bisect.bisect_left(self._shown, serial)
            self.beginRemoveRows(_ROOT, row, row)
            del self._shown[row]
            self.endRemoveRows()
        for serial in sorted(coming - old):
            row = bisect.bisect_left(self._shown, serial)
            self.beginInsertRows(_ROOT, row, row)
            self._shown.insert(row, serial)
            self.endInsertRows()

    def _forward(self, first_serial: int, last_serial: int, roles: list[int]) -> None:
        low, high = self._span(first_serial, last_serial)
        if low < high:
            self.dataChanged.emit(self.index(low), self.index(high - 1), roles)

    # -- the counts -----------------------------------------------------------

    def _current_counts(self) -> dict[str, int]:
        if self._folded:  # the chips count the tasks of that name
            return self._named.counts()
        counts = self._source.state_counts()
        counts["all"] = self._source.rowCount()
        return counts

    def _notify_counts(self) -> None:
        """Notify what changed since the last notify (a read is always up to date)."""
        counts, count, failed = self._notified
        self._notified = (
            (self._current_counts(), self._source.rowCount()),
            len(self._shown),
            (len(self._failed), self._get_retry_count()),
        )
        for old, new, changed in zip(
            (counts, count, failed), self._notified, (self.countsChanged, self.countChanged, self.failedCountChanged)
        ):
            if old != new:
                changed.emit()

    # -- for QML: properties --------------------------------------------------

    def _get_states(self) -> list[str]:
        return list(self._state_list)

    def _set_states(self, states: Any) -> None:
        # From QML: a mistake is logged, and the filter stays as it was.
        try:
            self.set_states(_words(states))
        except (TypeError, ValueError) as error:
            log.warning("taskFilter.states: %s", error)

    def _get_text(self) -> str:
        return self._text

    def _set_text(self, text: Any) -> None:
        try:
            self.set_text(text)
        except TypeError as error:
            log.warning("taskFilter.text: %s", error)

    def _get_counts(self) -> dict[str, int]:
        return self._current_counts()

    def _get_total(self) -> int:
        return self._source.rowCount()

    def _get_count(self) -> int:
        return len(self._shown)

    def _get_failed_count(self) -> int:
        return len(self._failed)

    def _get_retry_count(self) -> int:
        return len(self._failed - self._retried)

    states = Property(list, _get_states, _set_states, notify=statesChanged)
    text = Property(str, _get_text, _set_text, notify=textChanged)
    counts = Property(QVariantMap, _get_counts, notify=countsChanged)
    total = Property(int, _get_total, notify=countsChanged)  # rows in the whole list, whatever the filter
    count = Property(int, _get_count, notify=countChanged)
    failedCount = Property(int, _get_failed_count, notify=failedCountChanged)
    retryCount = Property(int, _get_retry_count, notify=failedCountChanged)


def _checked(states: Iterable[str], text: str) -> tuple[frozenset[str], str]:
    """A filter's states and its text, casefolded: ValueError for a word that is no state, TypeError for a text
    that is no string, each saying what it takes."""
    words = [str(state) for state in states]
    unknown = [word for word in words if word not in STATES]
    if unknown:
        raise ValueError(f"not a task state: {', '.join(map(repr, unknown))}; the states are {', '.join(STATES)}")
    if not isinstance(text, str):
        raise TypeError(f"the filter's text is a string, not {type(text).__name__}")
    return frozenset(words), text.strip().casefold()


def _matching_names(folded: str, rows: Sequence[Row]) -> frozenset[str] | None:
    """The names among ``rows`` that hold ``folded`` in any case; None: no text, every name.

    Tasks share a few names (a function's), so each distinct name is
    casefolded once, not once per row.
    """
    if not folded:
        return None
    names = set(map(operator.itemgetter(_NAME), rows))
    return frozenset(name for name in names if folded in name.casefold())


def _words(value: Any) -> list[str]:
    """A list of words from QML: a JS array arrives as a list; anything else is a mistake."""
    if hasattr(value, "toVariant"):  # a QJSValue (PySide2 may hand one over)
        value = value.toVariant()
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise TypeError(f"states is a list of state words, not {type(value).__name__}")
    return [str(word) for word in value]
