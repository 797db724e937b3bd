"""The bounded history: ended tasks beyond ``historyLimit`` leave the task model, oldest first."""

from __future__ import annotations

import gc
import weakref

import pytest

from offthread.engine.model import FIRST_ROLE, ROLES

from .helpers import Gate, find_item, wait_done

ID_ROLE = FIRST_ROLE + ROLES.index("id")


class Payload:
    """A result that can be watched for being freed."""


def make_payload() -> Payload:
    return Payload()


def model_ids(backend) -> list:
    model = backend.taskModel
    return [model.data(model.index(row), ID_ROLE) for row in range(model.rowCount())]


def settle(qtbot, backend, rows: int) -> None:
    """Wait until no task is left, and the model shows ``rows`` rows."""
    qtbot.waitUntil(lambda: backend.tasks() == [] and backend.taskModel.rowCount() == rows, timeout=5000)


def test_only_the_newest_ended_tasks_stay_and_the_rest_are_counted(make_backend, qtbot):
    backend = make_backend(max_threads=1, history=5)  # one thread: they end in the order submitted
    assert backend.historyLimit == 5
    handles = [backend.submit(pow, i, 2) for i in range(20)]
    qtbot.waitUntil(lambda: backend.olderRemoved == 15, timeout=5000)
    assert model_ids(backend) == [h.id for h in handles[-5:]]
    assert backend.olderRemoved == 15
    with qtbot.waitSignal(backend.olderRemovedChanged):
        backend.clearFinished()
    assert backend.olderRemoved == 0 and model_ids(backend) == []


def test_removed_tasks_free_their_handles_and_results(make_backend, qtbot):
    backend = make_backend(max_threads=1, history=2)
    first = backend.submit(make_payload)
    wait_done(qtbot, first)
    payload, handle = weakref.ref(first.result), weakref.ref(first)
    del first
    for _ in range(3):
        wait_done(qtbot, backend.submit(make_payload))
    qtbot.waitUntil(lambda: backend.olderRemoved == 2, timeout=5000)
    gc.collect()
    assert handle() is None and payload() is None
    assert backend.retry(1) is None  # it is gone: nothing to retry


def test_thread_mode_leaves_no_runnable_behind(make_backend, qtbot):
    # Tiny tasks end before the pool's start() returns; a runnable made per
    # start leaked its Python object now and then (283 of 20,000 here).
    from offthread.engine.threadqueue import _Runner

    def runners() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if isinstance(o, _Runner))

    before = runners()  # other backends' in this session, if they are still alive
    backend = make_backend(max_threads=2, history=0)
    handles = [backend.submit(pow, i, 2) for i in range(5000)]
    for handle in handles[-1:]:
        wait_done(qtbot, handle, timeout=20000)
    settle(qtbot, backend, 0)
    del handles
    assert runners() - before <= 1  # this backend's own


def test_running_and_queued_tasks_are_never_dropped(make_backend, qtbot):
    backend = make_backend(max_threads=1, history=0)
    gate = Gate()
    running = backend.submit(gate, "kept")
    queued = [backend.submit(pow, i, 2) for i in range(3)]
    assert gate.entered.wait(5)
    qtbot.waitUntil(lambda: model_ids(backend) == [running.id] + [h.id for h in queued], timeout=5000)
    gate.open()
    qtbot.waitUntil(lambda: backend.olderRemoved == 4, timeout=5000)
    assert model_ids(backend) == []
    assert running.result == "kept"  # the handle the caller holds still has it


def test_the_tasks_that_ended_first_leave_first(make_backend, qtbot):
    backend = make_backend(max_threads=2, history=2)
    gate = Gate()
    long = backend.submit(gate)
    assert gate.entered.wait(5)
    short = [backend.submit(pow, i, 2) for i in range(5)]
    qtbot.waitUntil(lambda: model_ids(backend) == [long.id, short[-2].id, short[-1].id], timeout=5000)
    gate.open()  # the long task, oldest in the list, ended last: it stays, in its row
    qtbot.waitUntil(lambda: model_ids(backend) == [long.id, short[-1].id], timeout=5000)
    assert backend.olderRemoved == 4


def test_lowering_the_limit_trims_at_once(make_backend, qtbot):
    backend = make_backend(history=10)
    for i in range(6):
        backend.submit(pow, i, 2)
    settle(qtbot, backend, rows=6)
    with qtbot.waitSignal(backend.historyLimitChanged):
        backend.history_limit = 1
    assert backend.taskModel.rowCount() == 1 and backend.olderRemoved == 5


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-1, ValueError, "history must be from 0 (keep no ended task) to 100,000,000, not -1"),
        (2.5, TypeError, "history must be a whole number of tasks, not float"),
        (True, TypeError, "history must be a whole number of tasks, not bool"),
    ],
)
def test_a_bad_limit_is_refused(make_backend, value, error, message):
    with pytest.raises(error) as raised:
        make_backend(history=value)
    assert str(raised.value) == message
    backend = make_backend(history=3)
    with pytest.raises(error):
        backend.history_limit = value
    assert backend.history_limit == 3


def test_the_list_says_how_many_older_tasks_left(make_backend, qtbot):
    from offthread.app import load_ui

    backend = make_backend(max_threads=2, history=1)
    ui = load_ui(backend)
    try:
        qtbot.waitExposed(ui.window)
        label = find_item(ui.window, "olderRemovedLabel")
        assert not label.isVisible()
        for i in range(4):
            backend.submit(pow, i, 2)
        # the tasks end one by one, and the count follows them
        qtbot.waitUntil(lambda: label.isVisible() and label.property("text") == "· 3 older tasks removed")
        backend.clearFinished()
        qtbot.waitUntil(lambda: not label.isVisible(), timeout=5000)
    finally:
        ui.close()


def test_a_long_list_makes_rows_only_for_what_is_in_view(make_backend, qtbot):
    from offthread.app import load_ui

    backend = make_backend(max_threads=1)
    gate = Gate()
    backend.submit(gate)
    for _ in range(3000):
        backend.submit(pow, 2, 2)
    ui = load_ui(backend)
    try:
        qtbot.waitExposed(ui.window)
        view = find_item(ui.window, "taskList")
        qtbot.waitUntil(lambda: view.property("count") == 3001, timeout=10000)

        def ids() -> list:
            # The visual tree: Qt 5 does not make delegates QObject children of their view.
            rows = view.property("contentItem").childItems()
            return [int(item.objectName()[7:]) for item in rows if item.objectName().startswith("taskRow")]

        # Scrolled by hand: the list no longer follows its end (a contentY set
        # from here is not a movement, which is what tells it so), and a
        # correction of its estimated height would take it back there.
        view.setProperty("following", False)
        for fraction in (0.0, 0.5, 1.0):
            view.setProperty("contentY", fraction * (view.property("contentHeight") - view.height()))
            near = 1 + round(fraction * 3000)  # the id of the row about there (ids count rows from 1)
            qtbot.waitUntil(lambda near=near: any(abs(i - near) < 100 for i in ids()), timeout=5000)
            assert len(ids()) < 60  # what is in view, and a few more: not 3,001
    finally:
        gate.open()
        ui.close()
