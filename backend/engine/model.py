"""``TaskListModel``: every task as a row that QML can show, updated in place."""

from __future__ import annotations

import bisect
import itertools
import operator
import time
from collections import Counter, deque
from typing import Any, Callable, Iterable, NamedTuple, Union

from ..core.states import ENDED, TaskState
from .qt.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex, Qt
from .task import TaskHandle

AnyIndex = Union[QModelIndex, QPersistentModelIndex]

# A state's text: a dict lookup, not the enum's __str__ (a Python call per row).
_STATE_TEXT = {state: state.value for state in TaskState}

# Each role, once: the name QML reads (``model.progressText``, or a delegate's
# required property of that name), and how its value is made from a task's
# handle ``h`` at time ``now``. Both the role names and the function that
# makes a row's values come from this table.
ROLE_TABLE: tuple[tuple[str, str], ...] = (
    ("id", "h.id"),
    ("name", "h.name"),
    ("state", "_STATE_TEXT[h.state]"),  # one of TaskState's values (QML: TaskStates)
    ("progress", "h.progress"),  # percent, 0-100
    ("progressText", "h.progress_text"),  # the task's own text, or "37.5 %"
    ("result", "h.result_text"),  # the result as text; the latest partial result while it runs
    ("error", "errors[0]"),  # "Type: message", or "" (errors: see ROW_LOCALS)
    ("errorDetails", "errors[1]"),  # the traceback, or ""
    # Seconds run, to a tenth, rounded half up in arithmetic (round(x, 1) costs more; a task's row is made twice).
    ("elapsed", "0.0 if h.started_at is None else int(h.elapsed(now) * 10.0 + 0.5) / 10.0"),
    ("pauseRequested", "h.context.pause_requested"),  # the Pause/Resume button's state
    ("done", "h.state in _ENDED"),  # it has ended: Cancel and Pause do nothing
    ("mode", "h.mode"),  # where it runs: "gui", "events", "thread", "process", or a plugged-in executor's name
    ("canPause", "h.can_pause"),  # whether its mode can pause it
    ("note", "h.note"),  # what its mode has to say about it, e.g. "started inside #3's processEvents()"
    # When will it end (core/estimate.py): numbers, 0 or -1 for none; whole seconds, so a row changes when its text does.
    ("rate", "h.estimate.rate"),  # progress per second in rateUnit, smoothed; 0 while unknown
    ("rateUnit", "h.estimate.unit"),  # "items" (out of a maximum) or "%"
    ("eta", "h.estimate.eta_s(now) if h.estimate.live else -1.0"),  # seconds left; -1 while unknown or stalled
    ("stalledFor", "h.estimate.stalled_s(now) if h.estimate.live else 0.0"),  # seconds without progress, once stalled
    ("pausedFor", "h.estimate.paused_s(now) if h.estimate.live else 0.0"),  # seconds since it paused, while paused
    ("startedAt", "h.estimate.started_ms"),  # ms since the epoch (a JavaScript Date's number); 0 before its start
    ("endedAt", "h.estimate.ended_ms"),  # the same, for its end
)
# Made once per row, before the values: what more than one of them reads (the
# error's two texts, made and kept by the handle; a property each cost a call more).
ROW_LOCALS = "errors = h._error_display()"
ROLES = tuple(name for name, _ in ROLE_TABLE)
FIRST_ROLE = int(Qt.ItemDataRole.UserRole) + 1
_ROOT = QModelIndex()  # the invalid index: the parent of every row
_ID = ROLES.index("id")
_NAME = ROLES.index("name")
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_STATE = ROLES.index("state")
_DONE = ROLES.index("done")
_ROLE_NUMBERS = tuple(range(FIRST_ROLE, FIRST_ROLE + len(ROLES)))


def _row_maker(
    table: tuple[tuple[str, str], ...], prelude: str = ROW_LOCALS
) -> Callable[[TaskHandle, float], tuple[Any, ...]]:
    """The function that makes a row's values, in the order of ``table``'s roles.

    Compiled from the table once, as namedtuple and dataclasses make their
    methods: one tuple expression, with no Python call per role, since
    every refresh makes rows by the thousand.
    """
    values = ", ".join(value for _, value in table)
    source = f"def role_values(h, now):\n    {prelude}\n    return ({values},)\n"
    namespace: dict[str, Any] = {"_STATE_TEXT": _STATE_TEXT, "_ENDED": ENDED}
    exec(compile(source, f"<{__name__}.ROLE_TABLE>", "exec"), namespace)
    made: Callable[[TaskHandle, float], tuple[Any, ...]] = namespace["role_values"]
    return made


_role_values = _row_maker(ROLE_TABLE)

# Changed rows at most this far apart share one dataChanged, which names the
# rows between too: a view reads a row again for less than a signal costs
# (tasks on several threads or workers end interleaved, every other row).
RUN_GAP = 8
# How far past the rows it removes a trim looks for rows to fill the gaps
# between them with, in blocks of the rows it removes.
GAP_LOOKAHEAD = 4

# Above this many runs of adjacent rows, putting rows back is one model reset:
# each insertion costs a view a layout, a reset one rebuild of what it shows.
RESTORE_RUNS = 64


class TakenRows(NamedTuple):
    """Rows taken out of a :class:`TaskListModel`, as they were: what :meth:`TaskListModel.restore` puts back.

    In list order; each row keeps its serial (its place among the others),
    its handle, and the role values the list last showed.
    """

    serials: list[int]
    handles: list[TaskHandle]
    rows: list[tuple[Any, ...]]

    @property
    def ids(self) -> list[int]:
        """The ids of the tasks taken, in list order."""
        return [row[_ID] for row in self.rows]


class TaskListModel(QAbstractListModel):
    """One row per task, oldest first; ended tasks stay until :meth:`remove_ended` or :meth:`trim`.

    The model shows what it last published: :meth:`update` compares each
    changed task with its published row and emits ``dataChanged`` for the
    rows that really changed, one signal per run of adjacent ones, naming
    the roles that changed in that run, so a view redraws only what moved.
    The backend calls it at most once per frame.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handles: list[TaskHandle] = []
        self._rows: list[tuple[Any, ...]] = []  # published role values
        # A row's place is found by its serial number, not stored: removing
        # rows (the history's trim, in every refresh of a busy app) then
        # renumbers nothing. Serials grow with each append, so the list of
        # them, one per row, stays sorted, and bisect finds a row.
        self._serials: list[int] = []
        self._serial_of: dict[int, int] = {}  # task id -> its row's serial
        self._next_serial = 0
        self._ended: deque[int] = deque()  # ids of the rows published as ended, in the order they ended
        self._counts: Counter[str] = Counter()  # published rows per state word
        self._held: list[tuple[int, tuple[Any, ...], tuple[Any, ...]]] = []  # (row, old, new), not yet signalled
        #: Called with the handles whose rows were just removed (the manager releases their task objects).
        self.on_removed: Callable[[list[TaskHandle]], None] | None = None

    # -- the Qt model interface ---------------------------------------------

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        return {FIRST_ROLE + i: QByteArray(name.encode()) for i, name in enumerate(ROLES)}

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self.value(index.row(), role) if index.isValid() else None

    def value(self, row: int, role: int = _DISPLAY) -> Any:
        """:meth:`data` by row number: what a proxy reads, with no index to make for it.

        An index costs a call into Qt, during which PySide lets go of the GIL
        (a busy thread may then keep it for a switch interval); a view reads
        a row's every role through the filter.
        """
        if not 0 <= row < len(self._rows):
            return None
        column = _NAME if role == _DISPLAY else role - FIRST_ROLE
        return self._rows[row][column] if 0 <= column < len(ROLES) else None

    # -- for the manager --------------------------------------------------

    def handle(self, task_id: int) -> TaskHandle | None:
        """The handle of the task in a row, ended or not; None if it has no row (any thread)."""
        row = self._row(task_id)
        handles = self._handles
        found = handles[row] if row is not None and row < len(handles) else None
        return found if found is not None and found.id == task_id else None  # rows move on removal

    @property
    def serials(self) -> list[int]:
        """Each row's serial, in list order (ascending): a row's place that removals do not change.

        The list itself, for a proxy's speed: read it, never change it.
        """
        return self._serials

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        """Each row's published role values, in :data:`ROLES` order (the list itself: read only)."""
        return self._rows

    def state_counts(self) -> dict[str, int]:
        """How many rows the list shows in each state (by its word), states with none left out."""
        return {state: count for state, count in self._counts.items() if count}

    def _row(self, task_id: int) -> int | None:
        """The row of a task, or None."""
        serial = self._serial_of.get(task_id)
        if serial is None:
            return None
        serials = self._serials
        if not serials:
            return None
        row = serial - serials[0]  # its place while no row before it has gone (the usual case): no search
        if 0 <= row < len(serials) and serials[row] == serial:
            return row
        row = bisect.bisect_left(serials, serial)
        return row if row < len(serials) and serials[row] == serial else None

    def _places(self, task_ids: list[int]) -> list[int | None]:
        """The row of each of ``task_ids`` (None: it has none): :meth:`_row` for many at once, with its
        usual case inlined, since an update or a trim looks up a block of rows."""
        serial_of, serials, find = self._serial_of, self._serials, self._row
        first, count = (serials[0] if serials else 0), len(serials)
        places: list[int | None] = []
        for task_id in task_ids:
            serial = serial_of.get(task_id)
            if serial is None:
                places.append(None)
                continue
            row = serial - first
            places.append(row if 0 <= row < count and serials[row] == serial else find(task_id))
        return places

    def append(self, handles: list[TaskHandle]) -> None:
        """Add new tasks at the end, in one insertion."""
        if not handles:
            return
        self._release_held()
        now = time.monotonic()
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(handles) - 1)
        serial = self._next_serial
        self._next_serial += len(handles)
        serials = range(serial, serial + len(handles))
        rows = [_role_values(h, now) for h in handles]
        # In C where it can be: a publish appends rows by the thousand.
        self._serial_of.update(zip(map(_task_id, handles), serials))
        self._serials.extend(serials)
        self._handles.extend(handles)
        self._rows.extend(rows)
        self._counts.update(map(_state_of, rows))
        ended = [h for h, row in zip(handles, rows) if row[_DONE]]  # ended before their row was made
        if ended:
            self._ended.extend(h.id for h in sorted(ended, key=_end_order))
        self.endInsertRows()

    def update(self, handles: Iterable[TaskHandle], hold: bool = False) -> None:
        """Publish what changed in ``handles``: one ``dataChanged`` per run of changed rows.

        A run is changed rows at most RUN_GAP apart; its signal names the
        roles that changed in any of its rows. Every signal costs the GUI
        thread a call into each view and the filter; tasks that end together
        sit in nearby rows, with different roles changed (queued to finished,
        running to finished), and one signal for them all costs far less than
        one per set of roles. With ``hold``, the signals wait for
        :meth:`release` (or the next insertion or removal), so that updates
        in chunks share them.
        """
        now = time.monotonic()
        changes = self._held
        ended: list[TaskHandle] = []
        rows, counts = self._rows, self._counts
        handles = list(handles)
        for handle, row in zip(handles, self._places([handle.id for handle in handles])):
            if row is None:
                continue
            new = _role_values(handle, now)
            old = rows[row]
            if new == old:
                continue
            rows[row] = new
            if new[_DONE] and not old[_DONE]:
                ended.append(handle)
            if new[_STATE] != old[_STATE]:
                counts[old[_STATE]] -= 1
                counts[new[_STATE]] += 1
            changes.append((row, old, new))
        if len(ended) > 1:
            ended.sort(key=_end_order)
        self._ended.extend([handle.id for handle in ended])
        if not hold:
            self.release()

    def release(self) -> None:
        """Signal the changes that :meth:`update` held."""
        held, self._held = self._held, []
        for first, last, roles in _changed_runs(held):
            self.dataChanged.emit(self.index(first), self.index(last), roles)

    def remove_ended(self, task_ids: set[int] | None = None) -> TakenRows:
        """Remove the rows of tasks that have ended (of ``task_ids`` only, if given); return them, to restore."""
        doomed = [
            row
            for row, published in enumerate(self._rows)
            if published[_DONE] and (task_ids is None or published[_ID] in task_ids)
        ]
        taken = TakenRows(
            [self._serials[row] for row in doomed],
            [self._handles[row] for row in doomed],
            [self._rows[row] for row in doomed],
        )
        self._remove_rows(doomed)
        if doomed:
            serial_of = self._serial_of
            self._ended = deque(task_id for task_id in self._ended if task_id in serial_of)
        return taken

    def restore(self, taken: TakenRows) -> int:
        """Put back rows that :meth:`remove_ended` took, each in its old place, as it was; return how many.

        A row whose task is in the list again (it cannot be, but for a second
        restore of the same rows) is left out. Runs of adjacent rows go in
        one insertion each, or, past RESTORE_RUNS of them, in one reset.
        """
        back = [i for i, row in enumerate(taken.rows) if row[_ID] not in self._serial_of]
        if not back:
            return 0
        serials = [taken.serials[i] for i in back]
        handles = [taken.handles[i] for i in back]
        rows = [taken.rows[i] for i in back]
        places = [bisect.bisect_left(self._serials, serial) for serial in serials]
        runs = _place_runs(places)
        if len(runs) > RESTORE_RUNS:
            self._restore_all(serials, handles, rows)
        else:
            for start, stop in reversed(runs):  # from the end: the places before stay true
                self._insert_rows(places[start], serials[start:stop], handles[start:stop], rows[start:stop])
        for serial, row in zip(serials, rows):
            self._serial_of[row[_ID]] = serial
        self._counts.update(row[_STATE] for row in rows)
        ended = [self.handle(task_id) for task_id in self._ended] + handles
        self._ended = deque(h.id for h in sorted((h for h in ended if h is not None), key=_end_order))
        return len(rows)

    def _insert_rows(
        self, place: int, serials: list[int], handles: list[TaskHandle], rows: list[tuple[Any, ...]]
    ) -> None:
        self._release_held()
        self.beginInsertRows(QModelIndex(), place, place + len(rows) - 1)
        self._serials[place:place] = serials
        self._handles[place:place] = handles
        self._rows[place:place] = rows
        self.endInsertRows()

    def _restore_all(self, serials: list[int], handles: list[TaskHandle], rows: list[tuple[Any, ...]]) -> None:
        """Merge the rows back in one reset: a view rebuilds what it shows once."""
        self._release_held()
        self.beginResetModel()
        merged = sorted(
            itertools.chain(zip(self._serials, self._handles, self._rows), zip(serials, handles, rows)),
            key=operator.itemgetter(0),
        )
        # In place: a proxy reads these lists (serials, rows) as they are.
        self._serials[:] = [serial for serial, _, _ in merged]
        self._handles[:] = [handle for _, handle, _ in merged]
        self._rows[:] = [row for _, _, row in merged]
        self.endResetModel()

    def trim(self, limit: int, slack: int = 0, most: int | None = None) -> int:
        """Remove the rows of the tasks that ended first until at most ``limit`` ended ones are left.

        Only if more than ``limit + slack`` are: a caller that trims often
        removes rows in fewer, larger blocks; and at most ``most`` rows, the
        oldest, in one call, with any rows in the short gaps between them
        that are past the limit too (see _gaps_past_limit). Returns how many
        rows went. The order is the order they ended in, not the rows': a
        long task that just ended stays, with its result in view.
        """
        excess = self.excess(limit)
        if excess <= max(0, slack):
            return 0
        take = excess if most is None else min(excess, most)
        ended = self._ended
        doomed = sorted(row for row in self._places([ended.popleft() for _ in range(take)]) if row is not None)
        # The next past the limit (a few blocks' worth, not all of a long backlog), put back below.
        past = [ended.popleft() for _ in range(min(excess - take, GAP_LOOKAHEAD * take))]
        gaps = _gaps_past_limit(doomed, self._rows, set(past))
        if gaps:
            going = set(gaps.values())
            past = [task_id for task_id in past if task_id not in going]
            doomed = sorted(doomed + list(gaps))
        ended.extendleft(reversed(past))
        self._remove_rows(doomed)
        return take + len(gaps)

    def excess(self, limit: int) -> int:
        """How many ended rows there are past ``limit`` (0 if none)."""
        return max(0, len(self._ended) - max(0, limit))

    def _release_held(self) -> None:
        """Before rows move: held changes name rows by their place."""
        if self._held:
            self.release()

    def _remove_rows(self, doomed: list[int]) -> None:
        """Remove ``doomed`` (sorted rows), in one removal per run of adjacent rows."""
        if not doomed:
            return
        self._release_held()
        rows = self._rows
        going = [rows[row] for row in doomed]
        deque(map(self._serial_of.pop, map(_id_of, going)), maxlen=0)  # each one's serial, in C
        counts = self._counts
        for state, count in Counter(map(_state_of, going)).items():  # a few states among many rows
            counts[state] -= count
        on_removed = self.on_removed
        for first, last in reversed(list(_runs(doomed))):
            self.beginRemoveRows(QModelIndex(), first, last)
            if on_removed is not None:
                on_removed(self._handles[first : last + 1])
            del self._handles[first : last + 1]
            del self._rows[first : last + 1]
            del self._serials[first : last + 1]
            self.endRemoveRows()


def _gaps_past_limit(doomed: list[int], rows: list[tuple[Any, ...]], past: set[int]) -> dict[int, int]:
    """The rows in the short gaps between ``doomed`` (sorted rows) whose tasks are in ``past``, as {row: id}.

    ``past``: the rest of the ended tasks past the limit, to go anyway. Tasks
    end out of their rows' order (one worker's line runs behind another's),
    so the oldest to end lie in many short runs of rows, and each run costs
    a removal: a signal to every view and the filter, and the model's lists
    moved. Taking along the rows between them that go soon anyway makes one
    run of many, and removes no row the limit would keep.
    """
    gaps: dict[int, int] = {}
    if not past:
        return gaps
    for before, after in zip(doomed, doomed[1:]):
        if 1 < after - before <= RUN_GAP:
            between = {row: rows[row][_ID] for row in range(before + 1, after)}
            if past.issuperset(between.values()):
                gaps.update(between)
    return gaps


def _end_order(handle: TaskHandle) -> tuple[float, int]:
    return (handle.ended_at or 0.0, handle.id)


def _place_runs(places: list[int]) -> list[tuple[int, int]]:
    """Runs of equal numbers in sorted ``places``, as (start, stop) slices of it."""
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(places) + 1):
        if i == len(places) or places[i] != places[start]:
            runs.append((start, i))
            start = i
    return runs


_OLD, _NEW = operator.itemgetter(1), operator.itemgetter(2)
_task_id = operator.attrgetter("id")
_id_of = operator.itemgetter(_ID)
_state_of = operator.itemgetter(_STATE)


def _changed_runs(
    changes: list[tuple[int, tuple[Any, ...], tuple[Any, ...]]],
) -> Iterable[tuple[int, int, list[int]]]:
    """Runs of rows at most RUN_GAP apart in ``changes`` ((row, old values, new values), any order), as (first,
    last, the roles that changed in any of them)."""
    changes.sort(key=operator.itemgetter(0))
    start = 0
    for i in range(1, len(changes) + 1):
        if i == len(changes) or changes[i][0] - changes[i - 1][0] > RUN_GAP:
            run = changes[start:i]
            # A column per role, old and new, compared whole, in C: a row at a time took a Python call per role.
            old, new = zip(*map(_OLD, run)), zip(*map(_NEW, run))
            yield run[0][0], run[-1][0], [role for role, was, now in zip(_ROLE_NUMBERS, old, new) if was != now]
            start = i


def _runs(rows: list[int]) -> Iterable[tuple[int, int]]:
    """Runs of consecutive numbers in sorted ``rows``, as (first, last)."""
    if not rows:
        return
    start = previous = rows[0]
    for row in rows[1:]:
        if row != previous + 1:
            yield start, previous
            start = row
        previous = row
    yield start, previous
