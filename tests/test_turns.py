"""The GUI thread's turns: other threads stand aside while one runs (wakeup.TurnGate)."""

from __future__ import annotations

import doctest
import threading
import time

import pytest

from offthread.engine import wakeup
from offthread.engine.wakeup import TurnGate

# How long a result slot lets go of the GIL, as a turn's emits do, a little at a time.
WINDOW_S = 0.002
WINDOWS = 20


def test_the_gates_example_runs():
    assert doctest.testmod(wakeup).attempted and not doctest.testmod(wakeup).failed


def test_a_thread_at_a_closed_gate_waits_until_it_opens(qapp):
    gate = TurnGate()
    gate.close(time.perf_counter() + 60)
    arrived, waited = threading.Event(), []

    def at_the_gate():
        arrived.set()
        waited.append(gate.wait())

    thread = threading.Thread(target=at_the_gate)
    thread.start()
    assert arrived.wait(5)
    thread.join(0.05)  # it is still at the gate
    assert thread.is_alive()
    gate.open()
    thread.join(5)
    assert waited == [True]


def test_a_thread_waits_no_longer_than_the_turns_deadline_and_grace(qapp):
    gate = TurnGate()
    started = time.perf_counter()
    gate.close(started)  # a slot that runs a nested event loop: the turn is never done
    assert gate.wait()
    assert time.perf_counter() - started >= wakeup.GATE_GRACE_S
    assert gate.closed and not gate.wait()  # past it: on at once


@pytest.fixture
def long_grace(monkeypatch):
    """Threads wait at the gate for the whole turn, however long the machine makes it."""
    monkeypatch.setattr(wakeup, "GATE_GRACE_S", 60.0)


def windows_of(backend, go: threading.Event) -> list[tuple[float, float]]:
    """Have the first WINDOWS results' slot let go of the GIL for WINDOW_S each, in its turn; their times.

    The first one sets ``go`` first: the other threads go on from there, as the window opens.
    """
    windows: list[tuple[float, float]] = []

    def on_result(task_id, value):
        if len(windows) < WINDOWS:
            go.set()
            start = time.perf_counter()
            while time.perf_counter() - start < WINDOW_S:
                time.sleep(0.0001)  # as an emit does: the GIL is let go, and another thread may take it
            windows.append((start, time.perf_counter()))

    backend.signals.result.connect(on_result)
    return windows


def most_inside(times: list[float], windows: list[tuple[float, float]]) -> int:
    return max(sum(start < at < end for at in times) for start, end in windows)


def test_pool_threads_start_no_task_while_a_turn_runs(backend, qtbot, long_grace):
    go = threading.Event()
    windows = windows_of(backend, go)
    ran: list[float] = []

    def tiny():
        go.wait()  # the first task's result opens the first window: the rest run from then on
        ran.append(time.perf_counter())

    handles = [backend.submit(lambda: None)] + [backend.submit(tiny) for _ in range(3000)]
    qtbot.waitUntil(lambda: all(handle.done for handle in handles), timeout=30000)
    assert len(windows) == WINDOWS
    # Each of the 2 threads may be inside a task it took before the turn began; none takes another.
    assert most_inside(ran, windows) <= 2


def test_a_thread_that_submits_waits_while_a_turn_runs(backend, qtbot, long_grace):
    go = threading.Event()
    windows = windows_of(backend, go)
    submitted: list[float] = []
    handles = [backend.submit(lambda: None)]  # its result opens the first window

    def feed():
        go.wait()
        for _ in range(3000):
            handles.append(backend.submit(lambda: None))
            submitted.append(time.perf_counter())

    feeder = threading.Thread(target=feed)
    feeder.start()
    qtbot.waitUntil(lambda: not feeder.is_alive(), timeout=30000)
    qtbot.waitUntil(lambda: all(handle.done for handle in handles), timeout=30000)
    assert len(windows) == WINDOWS
    # One submit may be past the gate when a turn begins; none comes after it.
    assert most_inside(submitted, windows) <= 1
