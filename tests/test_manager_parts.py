"""The manager's parts, each on its own, and calls into the manager from other threads."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from offthread.core.context import TaskContext
from offthread.core.states import CancelReason, TaskState
from offthread.engine.model import ROLES
from offthread.engine.modes import GuiMode, ThreadMode
from offthread.engine.publisher import Publisher
from offthread.engine.qt.QtCore import QObject
from offthread.engine.registry import ModeRegistry, TaskRegistry
from offthread.engine.signals import WorkerSignals
from offthread.engine.task import TaskHandle
from offthread.engine.timeouts import Timeouts
from offthread.engine.wakeup import Turns


@pytest.fixture
def owner(qapp):
    parent = QObject()
    yield parent
    parent.deleteLater()


def handle_of(task_id: int, owner: QObject, timeout=None) -> TaskHandle:
    sink = WorkerSignals(owner).sink
    return TaskHandle(task_id, f"task {task_id}", TaskContext(task_id, sink), timeout)


def on_a_thread(fn):
    """``fn()``'s return value, called on a thread of its own."""
    outcome = []
    thread = threading.Thread(target=lambda: outcome.append(fn()))
    thread.start()
    thread.join(5)
    return outcome[0]


# -- calls from other threads ------------------------------------------------------


def test_a_call_from_another_thread_returns_a_future_of_its_outcome(backend, qtbot):
    refused = on_a_thread(lambda: backend.add_mode(GuiMode()))  # "gui" is taken
    accepted = on_a_thread(lambda: backend.cancelAll())
    qtbot.waitUntil(lambda: refused.done() and accepted.done(), timeout=5000)
    assert isinstance(refused.exception(), ValueError)
    assert "a mode needs a name of its own, not 'gui'" in str(refused.exception())
    assert accepted.result() is None


def test_the_same_call_on_the_gui_thread_raises_at_once(backend):
    with pytest.raises(ValueError, match="a name of its own"):
        backend.add_mode(GuiMode())
    assert backend.cancelAll() is None


def test_a_failure_from_another_thread_that_nobody_asks_about_is_logged(backend, qtbot, caplog):
    on_a_thread(lambda: backend.add_mode(GuiMode()) and None)  # the future is dropped at once
    qtbot.waitUntil(lambda: "nobody asked" in caplog.text, timeout=5000)
    record = next(r for r in caplog.records if "nobody asked" in r.getMessage())
    assert record.levelno == logging.ERROR and "a name of its own" in caplog.text
    caplog.clear()


def test_keyword_arguments_reach_a_call_from_another_thread(backend, qtbot):
    future = on_a_thread(lambda: backend._set_mode(name="process"))
    qtbot.waitUntil(future.done, timeout=5000)
    assert future.result() is None and backend.selected_mode == "process"


# -- the registry --------------------------------------------------------------------


def test_the_registry_counts_running_paused_and_queued_tasks(owner):
    registry = TaskRegistry()
    handles = [handle_of(registry.new_id(), owner) for _ in range(4)]
    for handle in handles:
        registry.add(handle)
    registry.started(1)
    registry.started(2)
    handles[1].state = TaskState.PAUSED
    assert registry.counts() == (1, 1, 2)
    assert registry.ended(2) is handles[1] and registry.ended(2) is None
    assert registry.counts() == (1, 0, 2)
    assert [h.id for h in registry] == [1, 3, 4] and registry.last_id == 4


def test_a_mode_name_is_taken_once_and_an_unknown_one_is_named(qapp):
    modes = ModeRegistry()
    modes.add(ThreadMode())
    with pytest.raises(ValueError, match="a name of its own, not 'thread'"):
        modes.add(ThreadMode())
    assert modes.names() == ["thread"]
    assert modes.unknown("proc") == "no mode named 'proc'; the modes are thread"


# -- the publisher ----------------------------------------------------------------------


def test_the_publisher_adds_rows_in_order_and_notifies_real_changes_only(owner, qtbot):
    registry = TaskRegistry()
    published = []
    publisher = Publisher(owner, registry, Turns(owner), 10, lambda: published.append(len(publisher.model._handles)))
    busy, queued = [], []
    publisher.busyChanged.connect(lambda: busy.append(publisher.busy))
    publisher.queuedCountChanged.connect(lambda: queued.append(publisher.queued_count))
    handles = [handle_of(registry.new_id(), owner) for _ in range(3)]
    for handle in handles:
        registry.add(handle)
        publisher.add(handle)
    qtbot.waitUntil(lambda: bool(published), timeout=5000)
    assert [h.id for h in publisher.model._handles] == [1, 2, 3]
    assert publisher.busy and publisher.queued_count == 3
    assert busy == [True] and queued == [3]
    publisher.publish()  # nothing changed: nothing notified
    assert busy == [True] and queued == [3] and published == [3, 3]


def test_the_publisher_keeps_the_history_limit_and_counts_what_left(owner, qtbot):
    registry = TaskRegistry()
    publisher = Publisher(owner, registry, Turns(owner), 2, lambda: None)
    for _ in range(5):
        handle = handle_of(registry.new_id(), owner)
        handle.state = TaskState.FINISHED
        publisher.add(handle)
    publisher.publish()
    assert [h.id for h in publisher.model._handles] == [4, 5]
    assert publisher.older_removed == 3
    assert publisher.set_history(1) and not publisher.set_history(1)
    assert publisher.older_removed == 4
    publisher.remove_ended(None)
    assert publisher.model.rowCount() == 0 and publisher.older_removed == 0


class Clock:
    """Stands in for the publisher's ``time``: a publish with a deadline of 1.0 does ``chunks`` chunks.

    Whatever the machine's speed: each look at ``perf_counter`` before a chunk is before the deadline
    while chunks are left, then past it.
    """

    def __init__(self) -> None:
        self.now = 100.0  # monotonic
        self.chunks = 0

    def monotonic(self) -> float:
        return self.now

    def perf_counter(self) -> float:
        self.chunks -= 1
        return 0.0 if self.chunks >= 0 else 2.0


def test_a_publish_over_several_turns_trims_in_blocks_and_keeps_the_limit_once_caught_up(owner, monkeypatch):
    from offthread.engine import publisher as publishing

    clock = Clock()
    monkeypatch.setattr(publishing, "time", clock)
    monkeypatch.setattr(publishing, "REFRESH_CHUNK", 4)
    monkeypatch.setattr(publishing, "TRIM_SLACK", 3)
    monkeypatch.setattr(publishing, "TRIM_CHUNK", 4)
    registry = TaskRegistry()
    publisher = Publisher(owner, registry, Turns(owner), 2, lambda: None)
    handles = [handle_of(registry.new_id(), owner) for _ in range(12)]
    for handle in handles:
        registry.add(handle)
        publisher.add(handle)
    publisher.publish()
    assert publisher.model.rowCount() == 12 and publisher.queued_count == 12
    removals = []
    publisher.model.rowsRemoved.connect(lambda _, first, last: removals.append((first, last)))
    for handle in handles:
        handle.state, handle.ended_at = TaskState.FINISHED, float(handle.id)
        registry.ended(handle.id)
        publisher.touch(handle)  # in the order they ended: adjacent rows
    clock.chunks = 1
    publisher.publish(deadline=1.0)  # 4 ended, 2 past the limit: within the slack, they stay
    assert publisher.model.rowCount() == 12 and removals == []
    assert publisher.queued_count == 12  # the counts wait until it catches up, or a frame
    clock.chunks = 1
    publisher.publish(deadline=1.0)  # 8 ended, 6 past the limit: they go at the start of the next turn
    assert publisher.model.rowCount() == 12 and removals == []
    clock.now += 1.0  # a frame later: the counts follow, though it has not caught up
    clock.chunks = 0
    publisher.publish(deadline=1.0)  # past its budget at once: a block of 4 all the same, in one removal
    assert publisher.model.rowCount() == 8 and removals == [(0, 3)] and publisher.older_removed == 4
    assert publisher.queued_count == 0
    clock.chunks = 3
    publisher.publish(deadline=1.0)  # the last 4 rows; caught up, the rest within the budget: 4, then 2
    assert [h.id for h in publisher.model._handles] == [11, 12] and publisher.older_removed == 10
    assert removals == [(0, 3), (0, 3), (0, 1)] and not publisher.busy


def test_a_row_added_and_changed_before_one_publish_is_made_once(owner, monkeypatch):
    from offthread.engine import model

    made = []

    def counted(handle, now):
        made.append(handle.id)
        return role_values(handle, now)

    role_values = model._role_values
    monkeypatch.setattr(model, "_role_values", counted)
    registry = TaskRegistry()
    publisher = Publisher(owner, registry, Turns(owner), 10, lambda: None)
    handle = handle_of(registry.new_id(), owner)
    registry.add(handle)
    publisher.add(handle)
    handle.state = TaskState.RUNNING
    publisher.touch(handle)
    publisher.publish()
    assert made == [handle.id]
    assert publisher.model.rows[0][ROLES.index("state")] == "running"


# -- the timeouts --------------------------------------------------------------------------


def test_a_running_task_past_its_timeout_is_cancelled_once(owner, qtbot):
    registry = TaskRegistry()
    publisher = Publisher(owner, registry, Turns(owner), 10, lambda: None)
    cancelled = []

    def cancel(handle, reason):
        cancelled.append((handle.id, reason))
        handle.context.request_cancel(reason)

    timeouts = Timeouts(owner, registry, publisher, cancel)
    late, fine = handle_of(registry.new_id(), owner, timeout=0.05), handle_of(registry.new_id(), owner, timeout=60)
    for handle in (late, fine):
        registry.add(handle)
        registry.started(handle.id)
        handle.started_at = time.monotonic()
    timeouts.task_started()
    qtbot.waitUntil(lambda: bool(cancelled), timeout=5000)
    assert cancelled == [(late.id, CancelReason.TIMED_OUT)]
    registry.ended(late.id)
    registry.ended(fine.id)
    qtbot.waitUntil(lambda: not timeouts._ticker.isActive(), timeout=5000)  # nothing runs: it stops
    assert cancelled == [(late.id, CancelReason.TIMED_OUT)]


# -- waking the GUI thread ------------------------------------------------------


def test_a_wake_asked_on_its_own_thread_arms_its_turn_at_once_and_one_from_another_thread_is_posted(owner, qtbot):
    from offthread.engine.wakeup import Wakeup

    runs = []

    def run():
        wakeup.pending = False  # as every callback does first: a request from now on asks again
        runs.append(threading.get_ident())

    wakeup = Wakeup(run, owner)
    wakeup.request()
    assert wakeup.due  # no event posted to itself and delivered first: the turn's timer is armed
    qtbot.waitUntil(lambda: runs == [threading.get_ident()])
    on_a_thread(wakeup.request)
    assert not wakeup.due  # posted: armed once the GUI thread delivers the post
    qtbot.waitUntil(lambda: len(runs) == 2)
    assert runs[1] == threading.get_ident()  # run on the GUI thread all the same
    wakeup.request()
    wakeup.request()  # asked again before the run: one run for both
    qtbot.waitUntil(lambda: len(runs) == 3)
    assert not wakeup.due and not wakeup.pending  # nothing else is armed or asked for
