"""The task filter: a proxy of the task list by state and by name, its counts, its bulk actions,
the window's chips and name field, and a list of 100,000 tasks that makes rows only for what is in view."""

from __future__ import annotations

import random
import re
import sys
import threading
from pathlib import Path

import pytest
from qtpy.QtCore import QModelIndex, Qt
from qtpy.QtTest import QTest

from offthread import TaskState
from offthread.core.context import TaskContext
from offthread.engine.filtering import TaskFilterModel
from offthread.engine.model import FIRST_ROLE, ROLES, TaskListModel
from offthread.engine.task import TaskHandle

from .helpers import click, find_item, wait_done

ROOT = Path(__file__).resolve().parent.parent
ID, STATE, NAME = (ROLES.index(role) for role in ("id", "state", "name"))
NAMES = ("DANGER!", "CPU job", "I/O job", "failing job", "search", "resize_all")
ENDED = (TaskState.FINISHED, TaskState.FAILED, TaskState.CANCELLED, TaskState.TIMED_OUT)
FAILED = {"failed", "timed out"}


def handle(task_id: int, name: str, state: TaskState) -> TaskHandle:
    """A task's handle as the list shows it, with nothing run."""
    made = TaskHandle(task_id, name, TaskContext(task_id, None))  # type: ignore[arg-type]
    made.state = state
    if made.done:
        made.started_at, made.ended_at = float(task_id), float(task_id) + 0.5
    return made


def ended(n: int, first: int = 1) -> list[TaskHandle]:
    return [handle(i, NAMES[i % len(NAMES)], ENDED[i % len(ENDED)]) for i in range(first, first + n)]


def wanted(model: TaskListModel, states: set[str], text: str) -> list[int]:
    """What a filter should show, recounted the plain way."""
    folded = text.strip().casefold()
    return [r[ID] for r in model.rows if (not states or r[STATE] in states) and folded in r[NAME].casefold()]


class Mirror:
    """A view of a model made from its signals alone, as a ListView's is: (id, state) per row."""

    def __init__(self, model) -> None:
        self.model = model
        self.rows = self._read(0, model.rowCount())
        model.rowsInserted.connect(lambda _, first, last: self._insert(first, last))
        model.rowsRemoved.connect(lambda _, first, last: self._remove(first, last))
        model.dataChanged.connect(lambda top, bottom, _: self._change(top.row(), bottom.row()))
        model.modelReset.connect(lambda: setattr(self, "rows", self._read(0, model.rowCount())))

    def _read(self, first: int, stop: int) -> list[tuple]:
        data, index = self.model.data, self.model.index
        return [
            (data(index(row, 0), FIRST_ROLE + ID), data(index(row, 0), FIRST_ROLE + STATE))
            for row in range(first, stop)
        ]

    def _insert(self, first: int, last: int) -> None:
        self.rows[first:first] = self._read(first, last + 1)

    def _remove(self, first: int, last: int) -> None:
        del self.rows[first : last + 1]

    def _change(self, first: int, last: int) -> None:
        self.rows[first : last + 1] = self._read(first, last + 1)


def test_it_shows_the_rows_in_the_states_and_with_the_name_asked_for(qapp):
    model = TaskListModel()
    model.append(ended(12))
    shown = TaskFilterModel(model)
    assert shown.rowCount() == 12
    shown.set_states([TaskState.FAILED, "timed out"])
    assert shown.shown_ids() == [1, 3, 5, 7, 9, 11] == wanted(model, FAILED, "")
    shown.set_text("  JOB ")  # any case; spaces around it ignored
    assert shown.shown_ids() == wanted(model, FAILED, "job") == [1, 3, 7, 9]
    assert (shown.states, shown.text) == (["failed", "timed out"], "  JOB ")
    shown.set_filter([], "danger")
    assert shown.shown_ids() == [6, 12]
    assert shown.failed_ids() == []
    # The counts: of the whole list, or, with a name typed, of that name's tasks.
    assert shown.counts == {"cancelled": 1, "finished": 1, "all": 2}
    assert shown.total == 12  # the whole list, whatever the filter
    shown.set_text("")
    assert shown.counts == {"finished": 3, "failed": 3, "cancelled": 3, "timed out": 3, "all": 12}
    assert (shown.count, shown.failedCount, shown.retryCount) == (12, 6, 6)


def test_a_state_that_is_none_is_refused_with_the_words_it_takes(qapp):
    shown = TaskFilterModel(TaskListModel())
    with pytest.raises(ValueError, match=r"not a task state: 'done'; the states are queued, running, paused, fin"):
        shown.set_states(["done"])
    with pytest.raises(TypeError, match="the filter's text is a string, not int"):
        shown.set_text(3)  # type: ignore[arg-type]
    assert (shown.states, shown.text) == ([], "")


def test_a_bad_filter_from_qml_is_logged_and_the_filter_stays(qapp, caplog):
    shown = TaskFilterModel(TaskListModel())
    shown.setProperty("states", ["failed"])
    shown.setProperty("states", ["failed", "oops"])
    shown.setProperty("text", "job")
    assert (shown.property("states"), shown.property("text")) == (["failed"], "job")
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [
        "taskFilter.states: not a task state: 'oops'; the states are queued, running, paused, finished, failed, "
        "cancelled, timed out",
    ]
    caplog.clear()


@pytest.mark.parametrize("seed", range(6))
def test_it_follows_every_change_of_the_list_as_a_recount_would(qapp, seed):
    # A random walk over the list's changes (rows come, change state, are
    # removed, come back, are trimmed) and the filter's; after each step the
    # filter, and a view made only from its signals, agree with a recount.
    rng = random.Random(seed)
    model = TaskListModel()
    shown = TaskFilterModel(model)
    mirror = Mirror(shown)
    live: list[TaskHandle] = []
    taken: list = []
    next_id = 1
    for _ in range(150):
        step = rng.choice(["add", "add", "change", "change", "remove", "restore", "trim", "filter"])
        if step == "add":
            new = [
                handle(next_id + i, rng.choice(NAMES), rng.choice(list(TaskState))) for i in range(rng.randint(1, 6))
            ]
            next_id += len(new)
            model.append(new)
            live += [h for h in new if not h.done]
        elif step == "change" and live:
            changed = rng.sample(live, min(len(live), rng.randint(1, 4)))
            for h in changed:
                h.state = rng.choice(list(TaskState))
                h.ended_at = 1e9 + next_id if h.done else None
            live = [h for h in live if not h.done]
            model.update(changed)
        elif step == "remove":
            ids = {r[ID] for r in model.rows if rng.random() < 0.3}
            taken.append(model.remove_ended(ids if rng.random() < 0.8 else None))
        elif step == "restore" and taken:
            model.restore(taken.pop(rng.randrange(len(taken))))
        elif step == "trim":
            model.trim(rng.randint(0, 30), rng.choice([0, 5]), rng.choice([None, 1, 3]))
        elif step == "filter":
            shown.set_filter(rng.sample(sorted(FAILED | {"running", "queued", "finished"}), rng.randint(0, 2)),
                             rng.choice(["", "job", "DAN", "zz", "s"]))  # fmt: skip
        expected = wanted(model, set(shown.states), shown.text)
        assert shown.shown_ids() == expected, step
        assert [row_id for row_id, _ in mirror.rows] == expected, step
        assert mirror.rows == [(r[ID], r[STATE]) for r in model.rows if r[ID] in set(expected)], step
        assert shown.failed_ids() == [i for i in expected if model.rows[_row(model, i)][STATE] in FAILED], step
        named = [r for r in model.rows if shown.text.strip().casefold() in r[NAME].casefold()]
        assert shown.counts["all"] == len(named)
        for state in TaskState:
            assert shown.counts.get(state.value, 0) == sum(1 for r in named if r[STATE] == state.value)


def test_a_trim_in_blocks_takes_the_rows_between_that_go_anyway_in_one_removal(qapp):
    # Two workers' lines end interleaved, one behind the other: the oldest
    # to end are every other row. A trim of a block of them takes along the
    # rows between that are past the limit too, in one removal, and never a
    # row that the limit keeps.
    model = TaskListModel()
    rows = [handle(i, "job", TaskState.RUNNING) for i in range(1, 21)]
    model.append(rows)
    for h in rows:  # the even ids end 4 tasks behind the odd ones
        h.state, h.ended_at = TaskState.FINISHED, h.id + (8.5 if h.id % 2 == 0 else 0.0)
    model.update(rows)
    removals: list[tuple[int, int]] = []
    model.rowsRemoved.connect(lambda _, first, last: removals.append((first, last)))
    # The 10 past the limit, in the order they ended: 1 3 5 7 9, then 2 11 4 13 6.
    assert model.trim(10, 0, 5) == 8  # 1 3 5 7 9, and 2 4 6 between them (8 is not past the limit)
    assert removals == [(8, 8), (0, 6)]
    assert model.trim(10) == 2  # the rest of the excess: 11 and 13
    assert [r[ID] for r in model.rows] == [8, 10, 12, 14, 15, 16, 17, 18, 19, 20]  # the 10 that ended last


def _row(model: TaskListModel, task_id: int) -> int:
    return next(row for row, r in enumerate(model.rows) if r[ID] == task_id)


def test_the_counts_notify_once_per_pass_and_only_on_a_real_change(qapp, qtbot):
    model = TaskListModel()
    shown = TaskFilterModel(model)
    notified = []
    shown.countsChanged.connect(lambda: notified.append(dict(shown.counts)))
    for first in range(1, 50, 7):  # seven changes in one pass
        model.append(ended(7, first))
    assert notified == []  # not yet: once the pass is over
    qtbot.waitUntil(lambda: len(notified) == 1)
    assert notified[0]["all"] == 49
    shown.set_states(["failed"])  # the counts are the same: no notify
    shown.set_text("job")  # a name: they are that name's
    qtbot.waitUntil(lambda: len(notified) == 2)
    assert notified[1]["all"] == len(wanted(model, set(), "job"))


def test_retry_failed_runs_each_failed_task_shown_again_once(make_backend, qtbot):
    from . import tasks

    backend = make_backend(max_threads=2)
    handles = [backend.submit_task(tasks.fail_in_child if n % 2 else tasks.square, (n,)) for n in range(6)]
    for h in handles:
        wait_done(qtbot, h)
    qtbot.waitUntil(lambda: backend.taskFilter.failedCount == 3)
    backend.taskFilter.set_filter([], "square")  # what is shown: no failed task among them
    assert backend.retryFailed() == 0
    backend.taskFilter.set_text("")
    assert backend.retryFailed() == 3
    assert backend.retryFailed() == 0  # a second press (a double-click) finds them retried
    again = backend.tasks()
    assert sorted(h.call[1] for h in again) == [(1,), (3,), (5,)]
    assert backend.taskFilter.retryCount == 0 and backend.taskFilter.failedCount == 3
    for h in again:
        wait_done(qtbot, h)
    qtbot.waitUntil(lambda: backend.taskFilter.retryCount == 3)  # their new runs failed too: those can go again


def test_clear_failed_removes_only_the_failed_tasks_shown(make_backend, qtbot):
    from . import tasks

    backend = make_backend(max_threads=2)
    handles = [backend.submit_task(tasks.fail_in_child, (n,), name=f"job {n}") for n in range(4)]
    handles.append(backend.submit_task(tasks.square, (2,), name="job 4"))
    for h in handles:
        wait_done(qtbot, h)
    qtbot.waitUntil(lambda: backend.taskFilter.failedCount == 4)  # the rows say how each ended
    backend.taskFilter.set_text("job 1")
    assert backend.clearFailed() == 1
    assert [backend.taskModel.data(backend.taskModel.index(r), FIRST_ROLE + ID) for r in range(4)] == [
        handles[0].id,
        handles[2].id,
        handles[3].id,
        handles[4].id,
    ]
    backend.taskFilter.set_text("")
    assert backend.clearFailed() == 3
    assert backend.taskModel.rowCount() == 1 and backend.removals.kind == "clearFailed"
    assert backend.removals.ids == [handles[0].id, handles[2].id, handles[3].id]


# -- the window ----------------------------------------------------------------


def task_rows(view) -> list:
    return [item for item in view.property("contentItem").childItems() if item.objectName().startswith("taskRow")]


def test_the_chips_count_each_state_and_filter_the_list(ui, backend, qtbot):
    from . import tasks

    handles = [backend.submit_task(tasks.fail_in_child if n < 2 else tasks.square, (n,)) for n in range(5)]
    for h in handles:
        wait_done(qtbot, h)
    view = find_item(ui.window, "taskList")
    failed, done, all_ = (find_item(ui.window, n) for n in ("filterFailed", "filterDone", "filterAll"))
    qtbot.waitUntil(lambda: (failed.property("count"), done.property("count"), all_.property("count")) == (2, 3, 5))
    assert all_.property("shown") and not failed.property("shown")
    click(qtbot, ui.window, failed)
    qtbot.waitUntil(lambda: view.property("count") == 2)
    assert failed.property("shown") and not all_.property("shown")
    assert backend.taskFilter.states == ["failed", "timed out"]
    assert find_item(ui.window, "taskCountLabel").property("text").split("\x9c") == ["2 of 5 tasks", "2 of 5"]
    qtbot.waitUntil(
        lambda: {r.objectName() for r in task_rows(view) if r.isVisible()} >= {f"taskRow{h.id}" for h in handles[:2]}
    )
    click(qtbot, ui.window, failed)  # pressed again: every task
    qtbot.waitUntil(lambda: view.property("count") == 5)
    assert backend.taskFilter.states == [] and all_.property("shown")


def type_in(window, text: str) -> None:
    """Keys pressed one by one, as a person types, into the focused item."""
    for character in text:
        QTest.keyClick(window, character)


def test_the_name_field_filters_and_escape_or_show_all_clear_it(ui, backend, qtbot):
    from . import tasks

    for h in [
        backend.submit_task(tasks.square, (n,), name=name) for n, name in enumerate(["Alpha", "beta", "ALPHABET"])
    ]:
        wait_done(qtbot, h)
    view, field = find_item(ui.window, "taskList"), find_item(ui.window, "nameFilter")
    qtbot.waitUntil(lambda: view.property("count") == 3)
    click(qtbot, ui.window, field)
    type_in(ui.window, "alph")
    qtbot.waitUntil(lambda: view.property("count") == 2)
    assert backend.taskFilter.text == "alph"
    assert find_item(ui.window, "filterAll").property("count") == 2  # the counts follow the name
    QTest.keyClick(ui.window, Qt.Key_Escape)
    qtbot.waitUntil(lambda: view.property("count") == 3 and field.property("text") == "")
    type_in(ui.window, "nothing like it")
    show_all = find_item(ui.window, "showAllButton")
    qtbot.waitUntil(lambda: view.property("count") == 0 and find_item(ui.window, "noMatchLabel").isVisible())
    click(qtbot, ui.window, show_all)
    qtbot.waitUntil(lambda: view.property("count") == 3 and field.property("text") == "")
    backend.taskFilter.set_text("beta")  # from Python: the field shows it too
    qtbot.waitUntil(lambda: view.property("count") == 1 and field.property("text") == "beta")


def test_the_bulk_buttons_act_on_the_failed_tasks_shown(ui, backend, qtbot):
    from . import tasks

    # A retry waits before it fails, so that its new failure does not make
    # Retry failed enabled again before the test has looked.
    tried, gate = set(), threading.Event()

    def fail_then_wait_when_retried(n):
        if n in tried:
            gate.wait(10)
        tried.add(n)
        raise tasks.Boom(n)

    handles = [backend.submit_task(fail_then_wait_when_retried, (n,), name=f"job {n % 2}") for n in range(4)]
    for h in handles:
        wait_done(qtbot, h)
    retry, clear = find_item(ui.window, "retryFailedButton"), find_item(ui.window, "clearFailedButton")
    # Every failure published to the list first: the bulk actions act on the rows it shows.
    qtbot.waitUntil(lambda: backend.taskFilter.property("failedCount") == 4 and retry.isEnabled())
    backend.taskFilter.set_text("job 1")
    click(qtbot, ui.window, retry)
    qtbot.waitUntil(lambda: len(backend.tasks()) == 2 or backend.taskModel.rowCount() == 6)
    qtbot.waitUntil(lambda: not retry.isEnabled())  # each shown retried once: nothing left to retry
    # The retries' rows come with the next publish: the two running tasks can be counted before it.
    qtbot.waitUntil(lambda: None not in (backend.taskModel.handle(5), backend.taskModel.handle(6)))
    assert sorted(backend.taskModel.handle(i).name for i in (5, 6)) == ["job 1", "job 1"]
    backend.taskFilter.set_text("job 0")
    click(qtbot, ui.window, clear)
    qtbot.waitUntil(lambda: backend.taskModel.rowCount() == 4)
    assert not any(backend.taskModel.handle(h.id) for h in handles[0::2])
    qtbot.waitUntil(lambda: not clear.isEnabled())
    gate.set()
    qtbot.waitUntil(lambda: not backend.busy)


def test_a_hundred_thousand_tasks_make_rows_only_for_what_is_in_view(make_backend, qtbot):
    from offthread.app import load_ui

    backend = make_backend(max_threads=1)
    backend.taskModel.append(ended(100_000))  # ended tasks as the list holds them: nothing to run
    ui = load_ui(backend)
    try:
        qtbot.waitExposed(ui.window)
        view = find_item(ui.window, "taskList")
        qtbot.waitUntil(lambda: view.property("count") == 100_000 and bool(task_rows(view)))
        pitch = task_rows(view)[0].height() + view.property("spacing")
        fit = int(view.height() // pitch) + 2  # the rows that fit, and one cut at each edge

        def counted() -> tuple[int, int]:
            """(rows in use, in view; all rows made, those kept for reuse too)."""
            with qtbot.waitSignal(ui.window.frameSwapped):
                ui.window.update()
            top, rows = view.property("contentY"), task_rows(view)
            in_view = [r for r in rows if r.y() + r.height() > top and r.y() < top + view.height()]
            return len(in_view), len(rows)

        for states, text in [([], "danger"), (["failed", "timed out"], ""), (["failed"], "JOB"), ([], "")]:
            backend.taskFilter.set_filter(states, text)
            expected = len(wanted(backend.taskModel, set(states), text))
            qtbot.waitUntil(lambda expected=expected: view.property("count") == expected)
            in_view, made = counted()
            assert in_view <= fit and made <= 2 * fit  # a row in view, or one that left it, kept to be reused
        view.setProperty("following", False)
        for fraction in (0.1, 0.5, 0.9):  # scrolled by hand through 100,000 rows
            view.setProperty("contentY", fraction * (view.property("contentHeight") - view.height()))
            in_view, made = counted()
            assert in_view <= fit and made <= 2 * fit
    finally:
        ui.close()


# -- the documented API ------------------------------------------------------------


def test_the_python_api_pages_filter_example_runs_as_written(tmp_path):
    text = (ROOT / "docs" / "python-api.md").read_text()
    section = text[text.index("## The task list: filters, counts and undo") :]
    example = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    script = tmp_path / "example.py"
    script.write_text(example)
    from .test_app import run_script

    stdout = run_script(sys.executable, script)
    assert stdout.splitlines() == [
        "9 3 6",
        "3 [3, 6, 9]",
        "[6]",
        "ValueError: 6 is a multiple of 3",
        "3 6",
        "clearFailed [3, 6, 9]",
        "3 9",
    ]


def test_the_counts_notify_once_a_frame_while_the_list_keeps_changing_and_at_once_for_a_filter(
    qapp, qtbot, monkeypatch
):
    from offthread.engine import publisher

    monkeypatch.setattr(publisher, "REFRESH_INTERVAL_S", 3600.0)  # a frame that outlasts the test
    model = TaskListModel()
    shown = TaskFilterModel(model)
    notified: list[int] = []
    shown.countsChanged.connect(lambda: notified.append(shown.counts["all"]))
    rows = ended(3)
    model.append(rows[:1])
    qtbot.waitUntil(lambda: notified == [1])  # the first change after a quiet spell: the next pass
    model.append(rows[1:2])
    for _ in range(5):
        qapp.processEvents()
    assert notified == [1] and shown.counts["all"] == 2  # held for the frame; a read is up to date
    shown.set_states(["cancelled"])  # the user's change: the chips follow the list in the next pass
    qtbot.waitUntil(lambda: notified == [1, 2])


def test_a_role_read_by_row_number_is_what_data_gives_for_that_rows_index(qapp):
    model = TaskListModel()
    model.append(ended(4))
    roles = [Qt.ItemDataRole.DisplayRole, *range(FIRST_ROLE, FIRST_ROLE + len(ROLES))]
    for row in range(model.rowCount()):
        for role in roles:
            assert model.value(row, role) == model.data(model.index(row), role), (row, role)
    assert model.value(1) == model.rows[1][NAME]  # the display role: the name
    assert model.value(-1) is None and model.value(4) is None  # no such row
    assert model.value(0, FIRST_ROLE + len(ROLES)) is None and model.value(0, FIRST_ROLE - 1) is None  # no such role
    assert model.data(QModelIndex(), FIRST_ROLE) is None


def test_a_row_of_the_filter_is_read_through_to_its_source_row(qapp):
    model = TaskListModel()
    model.append(ended(10))
    shown = TaskFilterModel(model)
    shown.set_states(["cancelled"])
    rows = [shown.source_row(row) for row in range(shown.rowCount())]
    assert [model.rows[r][STATE] for r in rows] == ["cancelled"] * len(rows)
    assert shown.data(shown.index(0), Qt.ItemDataRole.DisplayRole) == model.rows[rows[0]][NAME]
    assert shown.data(shown.index(99)) is None and shown.rowCount(shown.index(0)) == 0
    assert shown.roleNames() == model.roleNames()
