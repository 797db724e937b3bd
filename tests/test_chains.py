"""Chains: handle.then(fn) and submit_task(after=[...]): what waits starts only after what it
waits for has finished, and never if that failed or was cancelled."""

from __future__ import annotations

import pytest

from offthread import TaskState

from . import tasks
from .helpers import Gate, SignalLog, wait_done


def index(log: SignalLog, name: str, task_id: int) -> int:
    return next(i for i, e in enumerate(log.events) if e[0] == name and e[1] == task_id)


@pytest.mark.parametrize("then_mode", [None, "thread"])
def test_then_runs_on_the_result_in_the_same_mode_or_another(make_backend, qtbot, then_mode):
    backend = make_backend(max_threads=2, processes=1)
    log = SignalLog(backend.signals)
    first = backend.submit_task(tasks.square, (4,), mode="process")
    second = first.then(tasks.square, mode=then_mode)
    third = second.then(divmod, 7, name="divided")  # fn(result, *args)
    wait_done(qtbot, third, timeout=15000)
    assert (second.result, third.result) == (256, (36, 4))
    assert second.mode == (then_mode or "process") and third.name == "divided"
    assert index(log, "finished", first.id) < index(log, "started", second.id)


def test_a_task_after_others_waits_for_all_of_them_and_says_so(backend, qtbot):
    log = SignalLog(backend.signals)
    gates = [Gate(), Gate()]
    first, second = (backend.submit(gate, n) for n, gate in enumerate(gates))
    last = backend.submit_task(tasks.square, (5,), after=[first, second])
    qtbot.waitUntil(lambda: backend.queuedCount == 1)
    assert last.state == TaskState.QUEUED and last.note == f"waiting for #{first.id}, #{second.id}"
    gates[0].open()
    wait_done(qtbot, first)
    qtbot.wait(50)
    assert last.state == TaskState.QUEUED  # still one to wait for
    gates[1].open()
    wait_done(qtbot, last)
    assert (last.state, last.result, last.note) == (TaskState.FINISHED, 25, "")
    assert index(log, "finished", second.id) < index(log, "started", last.id)


def test_a_failed_dependency_ends_its_dependents_cancelled_and_they_never_start(backend, qtbot):
    log = SignalLog(backend.signals)
    failing = backend.submit(tasks.fail_in_child, "first")
    waiting = backend.submit_task(tasks.square, (2,), after=[failing])
    chained = waiting.then(tasks.square)
    for handle in (waiting, chained):
        wait_done(qtbot, handle)
        assert handle.state == TaskState.CANCELLED and "started" not in log.names(handle.id)
    assert waiting.note == f"not started: #{failing.id} (fail_in_child) failed"
    assert chained.note == f"not started: #{waiting.id} (square) cancelled"
    late = backend.submit_task(tasks.square, (3,), after=[failing])  # it has failed already
    wait_done(qtbot, late)
    assert late.state == TaskState.CANCELLED and "started" not in log.names(late.id)


def test_cancelling_a_task_cancels_what_waits_for_it_at_once_down_the_chain(backend, qtbot):
    log = SignalLog(backend.signals)
    gate = Gate()
    running = backend.submit(gate, "ignores its cancel")
    chain = [running.then(tasks.square)]
    for _ in range(300):  # a long chain ends link by link, never deeper on the stack
        chain.append(chain[-1].then(tasks.square))
    gate.entered.wait(5)
    backend.cancel(running.id)
    for handle in chain:
        wait_done(qtbot, handle)
        assert handle.state == TaskState.CANCELLED and "started" not in log.names(handle.id)
    assert not running.done  # it ignores its cancel: what waited for it did not wait for it to stop
    assert chain[0].note == f"not started: #{running.id} (Gate) was cancelled"
    gate.open()
    wait_done(qtbot, running)


def test_a_waiting_task_can_be_cancelled_itself(backend, qtbot):
    gate = Gate()
    first = backend.submit(gate, 1)
    waiting = backend.submit_task(tasks.square, (2,), after=[first])
    backend.cancel(waiting.id)
    wait_done(qtbot, waiting)
    assert waiting.state == TaskState.CANCELLED and waiting.note == ""
    gate.open()
    wait_done(qtbot, first)
    assert first.state == TaskState.FINISHED


def test_after_takes_handles_of_this_manager_only(make_backend, qtbot):
    backend, other = make_backend(), make_backend()
    theirs = other.submit(tasks.square, 1)
    with pytest.raises(TypeError, match="after= takes the handles of tasks, not int"):
        backend.submit_task(tasks.square, (1,), after=[3])
    with pytest.raises(ValueError, match="belongs to another TaskManager"):
        backend.submit_task(tasks.square, (1,), after=[theirs])
    with pytest.raises(TypeError, match="then\\(\\) takes name, timeout and priority"):
        theirs.then(tasks.square, colour="red")
    wait_done(qtbot, theirs)
    done_already = other.submit_task(tasks.square, (6,), after=[theirs])  # finished: starts at once
    wait_done(qtbot, done_already)
    assert done_already.result == 36


def test_a_retry_of_a_task_that_never_started_waits_again(backend, qtbot):
    failing = backend.submit(tasks.fail_in_child, "first")
    follower = failing.then(tasks.square)
    wait_done(qtbot, follower)
    assert follower.waits_for == (failing.id,) and follower.fed
    again = backend.retry(follower.id)
    wait_done(qtbot, again)
    assert again.state == TaskState.CANCELLED and again.note == follower.note  # it failed: again not started
    ok = backend.submit(tasks.square, 3)
    later = ok.then(tasks.square)
    wait_done(qtbot, later)
    retried = backend.retry(later.id)  # it started: its input is in its call, it runs at once
    wait_done(qtbot, retried)
    assert (retried.result, retried.waits_for) == (81, ())


def test_what_waits_for_a_task_that_times_out_says_so(backend, qtbot):
    slow = backend.submit_task(tasks.wait_for_cancel, timeout=0.2)
    follower = slow.then(tasks.square)
    wait_done(qtbot, follower, timeout=5000)
    assert follower.note == f"not started: #{slow.id} (wait_for_cancel) timed out"
    wait_done(qtbot, slow)
