"""Priorities: among a mode's queued tasks, a higher priority starts first, and equals start in order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from offthread.core.ranked import RankedQueue

from . import tasks
from .helpers import Gate, SignalLog, wait_done


def started_order(log: SignalLog, handles) -> list:
    ids = {h.id: h for h in handles}
    return [ids[e[1]].name for e in log.events if e[0] == "started" and e[1] in ids]


@pytest.mark.parametrize("mode", ["thread", "process", "gui"])
def test_a_high_priority_task_submitted_last_starts_before_the_low_ones(make_backend, qtbot, mode):
    backend = make_backend(max_threads=1, processes=1)
    log = SignalLog(backend.signals)
    gate = Gate()
    # The one thread (or worker) is busy, so the rest wait in the mode's queue.
    if mode == "gui":
        busy = None  # a gui-mode task starts in a later pass: all of them are queued now
    elif mode == "thread":
        busy = backend.submit(gate)
        gate.entered.wait(5)
    else:
        busy = backend.submit_task(tasks.sleep_in_steps, (0.5,), mode="process")
        qtbot.waitUntil(lambda: busy.started_at is not None, timeout=15000)
    queued = [backend.submit_task(tasks.square, (i,), mode=mode, name=f"low {i}") for i in range(3)]
    queued.append(backend.submit_task(tasks.square, (9,), mode=mode, name="high", priority=5))
    queued.append(backend.submit_task(tasks.square, (8,), mode=mode, name="lowest", priority=-1))
    queued.append(backend.submit_task(tasks.square, (7,), mode=mode, name="high too", priority=5))
    gate.open()
    for handle in queued:
        wait_done(qtbot, handle, timeout=15000)
    if busy is not None:
        wait_done(qtbot, busy, timeout=15000)
    assert started_order(log, queued) == ["high", "high too", "low 0", "low 1", "low 2", "lowest"]


def test_a_priority_must_be_a_whole_number(backend):
    for wrong in (1.5, "high", True, None):
        with pytest.raises(TypeError, match="priority must be an int"):
            backend.submit_task(tasks.square, (1,), priority=wrong)


def test_a_retry_keeps_its_priority(backend, qtbot):
    first = backend.submit_task(tasks.square, (3,), priority=7)
    wait_done(qtbot, first)
    assert backend.retry(first.id).priority == 7


@given(st.lists(st.tuples(st.sampled_from(["append", "appendleft", "popleft"]), st.integers(-2, 2))))
def test_the_ranked_queue_keeps_priority_then_order(steps):
    queue: RankedQueue = RankedQueue()
    model: list = []  # (priority, position) per item: a sorted list, the reference
    front, back = 0, 0
    for number, (step, priority) in enumerate(steps):
        if step == "append":
            back += 1
            queue.append(number, priority)
            model.append((-priority, back, number))
        elif step == "appendleft":
            front -= 1
            queue.appendleft(number, priority)
            model.append((-priority, front, number))
        elif model:
            model.sort()
            assert queue.popleft() == model.pop(0)[2]
        else:
            with pytest.raises(IndexError):
                queue.popleft()
        assert len(queue) == len(model)
