"""offthread.tune_gui_process: the process-wide settings an app makes once its window shows."""

from __future__ import annotations

import gc
import sys
import threading
import time
from concurrent import futures

import pytest
from qtpy.QtCore import QCoreApplication, QEvent

import offthread
from offthread.engine import tuning
from offthread.engine.modes.aio import AsyncioMode
from offthread.engine.modes.executor import ExecutorMode
from offthread.engine.modes.local import EventsMode, GuiMode, ThreadMode
from offthread.engine.modes.process import ProcessMode
from offthread.engine.tuning import BUSY_SWITCH_INTERVAL_S, COLLECTOR_THRESHOLDS, GUI_SWITCH_INTERVAL_S

from .helpers import wait_done


@pytest.fixture
def restored():
    """Put the interpreter's settings back as they were, and the engine's slices: other tests run in this process."""
    interval, thresholds, tuned = sys.getswitchinterval(), gc.get_threshold(), tuning._SLICES.tuned
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    tuning._SLICES.tuned = tuned
    sys.setswitchinterval(interval)


def test_it_sets_the_switch_interval_freezes_what_exists_and_spaces_the_middle_collections(restored):
    gc.unfreeze()
    sys.setswitchinterval(0.005)
    made_before = [object()]  # a container made before the call: frozen with the rest
    offthread.tune_gui_process()
    assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL_S)
    assert gc.get_threshold() == COLLECTOR_THRESHOLDS
    assert COLLECTOR_THRESHOLDS[1] >= 100 * 10  # a hundred times Python's default
    assert gc.get_freeze_count() > 0
    assert not any(o is made_before for o in gc.get_objects())  # frozen objects are left out of collections


def test_a_switch_interval_of_its_own(restored):
    offthread.tune_gui_process(0.002)
    assert sys.getswitchinterval() == pytest.approx(0.002)


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (0, ValueError, "a positive number of seconds, not 0"),
        (-1.0, ValueError, "a positive number of seconds, not -1.0"),
        (float("nan"), ValueError, "a positive number of seconds, not nan"),
        (float("inf"), ValueError, "a positive number of seconds, not inf"),
        ("0.001", TypeError, "a number of seconds, not str"),
        (True, TypeError, "a number of seconds, not bool"),
    ],
)
def test_a_switch_interval_that_is_not_a_positive_number_is_refused_with_a_message(restored, bad, error, message):
    before, thresholds = sys.getswitchinterval(), gc.get_threshold()
    with pytest.raises(error, match=f"switch_interval must be {message}"):
        offthread.tune_gui_process(bad)
    assert sys.getswitchinterval() == before and gc.get_threshold() == thresholds  # nothing was changed


def test_the_slice_is_the_busy_one_while_tasks_run_python_on_threads_of_this_process(restored, make_backend, qtbot):
    backend = make_backend(max_threads=2, processes=1)
    offthread.tune_gui_process()
    assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL_S)
    gate = threading.Event()
    waiting = backend.submit_task(gate.wait, (30,))  # thread mode
    queued = backend.submit_task(gate.wait, (30,))
    also = backend.submit_task(gate.wait, (30,))  # queued behind the two threads: counted from its submit
    qtbot.waitUntil(lambda: waiting.started_at is not None)
    assert sys.getswitchinterval() == pytest.approx(BUSY_SWITCH_INTERVAL_S)
    gate.set()
    for handle in (waiting, queued, also):
        wait_done(qtbot, handle)
    assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL_S)  # none left: the calm one again
    sleeper = backend.submit_task(time.sleep, (30,), mode="process")  # a worker process holds no GIL here
    qtbot.waitUntil(lambda: sleeper.started_at is not None, timeout=30000)
    assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL_S)
    backend.cancel(sleeper.id)
    wait_done(qtbot, sleeper)


def test_a_task_left_behind_at_shutdown_no_longer_holds_the_busy_slice(restored, qapp, qtbot, caplog):
    manager = offthread.TaskManager(max_threads=1)  # not make_backend's: this one shuts down with a task left
    offthread.tune_gui_process()
    gate, left = threading.Event(), threading.Event()

    def stuck() -> None:  # it never checks: a cancel cannot stop it
        gate.wait(30)
        left.set()

    handle = manager.submit_task(stuck)
    qtbot.waitUntil(lambda: handle.started_at is not None)
    assert sys.getswitchinterval() == pytest.approx(BUSY_SWITCH_INTERVAL_S)
    try:
        assert not manager.shutdown(100)  # left behind
        assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL_S)
        assert "left behind: 1 (stuck)" in caplog.text
        caplog.clear()
    finally:
        gate.set()
        qtbot.waitUntil(left.is_set)
        manager.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_one_slice_throughout_with_no_busy_one_and_none_set_before_the_app_asks(restored, make_backend, qtbot):
    backend = make_backend(max_threads=1)
    tuning._SLICES.tuned = None  # as in a process that never called tune_gui_process
    sys.setswitchinterval(0.003)
    first = backend.submit_task(sum, ([1, 2],))
    wait_done(qtbot, first)
    gate = threading.Event()
    running = backend.submit_task(gate.wait, (30,))
    qtbot.waitUntil(lambda: running.started_at is not None)
    assert sys.getswitchinterval() == pytest.approx(0.003)  # the engine leaves the process's setting alone
    offthread.tune_gui_process(0.002, busy_switch_interval=None)
    assert sys.getswitchinterval() == pytest.approx(0.002)  # one slice, tasks or not
    gate.set()
    wait_done(qtbot, running)
    assert sys.getswitchinterval() == pytest.approx(0.002)
    offthread.tune_gui_process(0.0001)  # a slice shorter than the busy one: the busy one is no longer
    assert tuning._SLICES.tuned == (0.0001, 0.0001)


def test_which_modes_run_python_on_threads_of_this_process():
    assert ThreadMode.shares_gil and AsyncioMode.shares_gil
    assert not (ProcessMode.shares_gil or GuiMode.shares_gil or EventsMode.shares_gil)
    with futures.ThreadPoolExecutor(1) as threads, futures.ProcessPoolExecutor(1) as processes:
        assert ExecutorMode("threads", threads).shares_gil
        assert not ExecutorMode("processes", processes).shares_gil


def test_a_busy_switch_interval_that_is_not_a_positive_number_is_refused_with_a_message(restored):
    before = sys.getswitchinterval()
    with pytest.raises(ValueError, match="busy_switch_interval must be a positive number of seconds, not 0"):
        offthread.tune_gui_process(busy_switch_interval=0)
    with pytest.raises(TypeError, match="busy_switch_interval must be a number of seconds, not str"):
        offthread.tune_gui_process(busy_switch_interval="fast")  # type: ignore[arg-type]
    assert sys.getswitchinterval() == before
