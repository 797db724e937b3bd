"""A report's two paths: a bare store while nothing asks for attention, the slow path while something does.

``TaskContext.progress`` is swapped between the two (docs/design.md, "The
cost of a report"). These tests pin the rule that no request is ever lost
to a swap, whatever the order in which the two threads run.
"""

from __future__ import annotations

import sys
import threading

import pytest

from offthread.core.context import TaskCancelled, TaskContext
from offthread.core.sink import Channel


class Recorder(Channel):
    """A sink that keeps the events sent to it, and says when a pause was reached."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.pauses = threading.Semaphore(0)
        self.resumes = threading.Semaphore(0)

    def carry(self, event, task_id, *args) -> None:
        self.names.append(str(event))
        if str(event) == "paused":
            self.pauses.release()
        elif str(event) == "resumed":
            self.resumes.release()

    def watch(self, context) -> None:
        pass

    def unwatch(self, context) -> None:
        pass


def is_bare_store(context: TaskContext) -> bool:
    return type(context.progress).__name__ == "builtin_function_or_method"


def test_after_the_first_report_a_report_is_a_bare_store_and_emit_is_the_same():
    sink = Recorder()
    context = TaskContext(1, sink)
    assert not is_bare_store(context)  # the first report is sent at once: the slow path
    context.progress(1)
    assert sink.names == ["progress"]
    assert is_bare_store(context) and context.emit == context.progress
    context.progress(2)
    context.emit(3)
    assert context.latest() == (3, None, None)
    assert sink.names == ["progress"]  # the later ones are sampled, not sent


@pytest.mark.parametrize("request_", ["cancel", "pause", "raise", "end"])
def test_every_request_swaps_the_slow_path_in_for_the_next_report(request_):
    sink = Recorder()
    context = TaskContext(1, sink)
    context.progress(1)
    assert is_bare_store(context)
    if request_ == "cancel":
        context.request_cancel()
        with pytest.raises(TaskCancelled):
            context.progress(2)
    elif request_ == "pause":
        context.request_pause(True)
        threading.Timer(0.05, context.request_pause, (False,)).start()
        context.progress(2)  # blocks until resumed
        assert sink.names == ["progress", "paused", "resumed"]
    elif request_ == "raise":
        context.raise_at_next_check(ValueError("bad"))
        with pytest.raises(ValueError, match="bad"):
            context.progress(2)
    else:
        context.end()
        context.progress(2)
        assert not is_bare_store(context)  # an ended task's reports stay on the slow path, which ignores them
        return
    assert context.latest()[0] == 2


def test_a_request_that_lands_inside_the_swap_to_the_bare_store_is_not_lost():
    # The task's thread swaps the bare store in; a request made between its
    # reading of the flag and that swap would be overwritten, if the flag
    # were not read again after it.
    sink = Recorder()
    context = TaskContext(1, sink)
    context.progress(1)
    context.request_pause(False)  # the slow path again, with nothing to do

    class Box:
        """The context's box, with a cancel that lands as the bare store is fetched."""

        def __init__(self, box) -> None:
            self.box = box
            self.fetched = 0

        def __bool__(self) -> bool:
            return bool(self.box)

        def __getitem__(self, i):
            return self.box[i]

        @property
        def append(self):
            self.fetched += 1
            if self.fetched == 2:  # the first stores the report; the second is the swap's
                context.request_cancel()  # after the flag was read, before the swap
            return self.box.append

    real = context._box
    context._box = box = Box(real)
    context._report(2)  # the slow path: sees nothing, swaps the bare store in
    context._box = real
    assert box.fetched == 2
    assert not is_bare_store(context)
    with pytest.raises(TaskCancelled):
        context.progress(3)


def test_a_context_is_in_no_reference_cycle_on_either_path():
    # Holding its own bound method made every context a cycle: left to the
    # cycle collector, which ran on a worker thread and freed Qt objects
    # there (a crash in the full suite).
    sink = Recorder()
    context = TaskContext(1, sink)
    context.progress(1)  # the bare store
    assert sys.getrefcount(context) == 2  # the local name, and the call's argument
    context.request_pause(False)  # the slow path again
    assert sys.getrefcount(context) == 2
    context.progress(2)
    assert is_bare_store(context) and sys.getrefcount(context) == 2


def test_no_pause_or_cancel_is_lost_while_a_thread_reports_as_fast_as_it_can():
    sink = Recorder()
    context = TaskContext(1, sink)
    outcome: list[BaseException] = []

    def report_forever() -> None:
        try:
            i = 0
            while True:
                i += 1
                context.progress(i % 100)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=report_forever, daemon=True)
    thread.start()
    for _ in range(300):
        context.request_pause(True)
        assert sink.pauses.acquire(timeout=10), "a pause was not seen by a thread that reports"
        context.request_pause(False)
        assert sink.resumes.acquire(timeout=10)  # else the next pause would only extend this one
    context.request_cancel()
    thread.join(10)
    assert not thread.is_alive(), "a cancel was not seen by a thread that reports"
    assert isinstance(outcome[0], TaskCancelled)
