"""task.track(items): progress from a loop, in every mode, as tqdm users write it."""

from __future__ import annotations

import asyncio
import threading

import pytest

from offthread import TaskState

from . import tasks
from .helpers import SignalLog, wait_done


def test_track_yields_the_items_and_counts_them_out_of_len(backend, qtbot):
    def squares(task):
        return [n * n for n in task.track([1, 2, 3, 4])]

    log = SignalLog(backend.signals)
    handle = backend.submit(squares)
    wait_done(qtbot, handle)
    assert handle.result == [1, 4, 9, 16]
    assert handle.progress == 100
    assert log.progress(handle.id)[0] == 0  # the maximum shows from the start: "0 / 4"


def test_track_with_a_text_shows_it_beside_the_count(backend, qtbot):
    def files(task):
        for _ in task.track(range(3), text="files"):
            pass
        raise RuntimeError("stop, so that success does not set its own text")

    handle = backend.submit(files)
    wait_done(qtbot, handle)
    assert (handle.progress, handle.progress_text) == (100, "files: 3 / 3")


def test_track_without_a_length_shows_the_count(backend, qtbot):
    def lines(task):
        for _ in task.track((n for n in range(1234)), desc="lines"):  # tqdm's desc= works too
            pass
        raise RuntimeError("stop here")

    handle = backend.submit(lines)
    wait_done(qtbot, handle)
    assert (handle.progress, handle.progress_text) == (0, "1,234 lines")


def test_track_takes_a_total_for_an_iterator(backend, qtbot):
    def rows(task):
        return sum(task.track(iter(range(10)), total=10))

    handle = backend.submit(rows)
    wait_done(qtbot, handle)
    assert (handle.result, handle.progress) == (45, 100)


def test_a_cancel_stops_a_tracked_loop_at_its_next_item(backend, qtbot):
    seen = []
    reached = threading.Event()
    gate = threading.Event()

    def endless(task):
        for n in task.track(range(10**9)):
            seen.append(n)
            if n == 5:
                reached.set()
                gate.wait(10)

    handle = backend.submit(endless)
    qtbot.waitUntil(reached.is_set)
    backend.cancel(handle.id)
    gate.set()
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED
    assert seen == [0, 1, 2, 3, 4, 5]  # the item in hand was finished; no other began


def test_a_tracked_loop_pauses_between_items(backend, qtbot):
    gate = threading.Event()

    def until_gate(task):
        count = 0
        for _ in task.track(iter(int, 1), total=10**9):  # endless
            count += 1
            if gate.is_set():
                return count
        return count

    handle = backend.submit(until_gate)
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING)
    backend.pause(handle.id)
    qtbot.waitUntil(lambda: handle.state == TaskState.PAUSED)
    gate.set()
    backend.resume(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FINISHED


def test_track_works_in_a_worker_process(backend, qtbot):
    handle = backend.submit_task(tasks.tracked_sum, (200,), mode="process")
    wait_done(qtbot, handle, timeout=15000)
    assert (handle.result, handle.progress, handle.progress_text) == (sum(range(200)), 100, "numbers: 200 / 200")


def test_track_by_hand_as_tqdm_bar(backend, qtbot):
    def chunks(task):
        with task.track(total=100, desc="bytes", unit="B", leave=False) as bar:
            for _ in range(4):
                bar.update(25)
            bar.set_description("written")
        raise RuntimeError("stop here")

    handle = backend.submit(chunks)
    wait_done(qtbot, handle)
    assert (handle.progress, handle.progress_text) == (100, "written: 100 / 100")


def test_track_refuses_what_tqdm_would_do_something_with(backend, qtbot):
    def odd(task):
        task.track([1], initial=5)

    handle = backend.submit(odd)
    wait_done(qtbot, handle)
    assert handle.error.summary == "TypeError: track() got unexpected keyword arguments: initial"


async def _numbers(count):
    for n in range(count):
        await asyncio.sleep(0)
        yield n


def test_async_for_over_track_in_asyncio_mode_pauses_and_counts(backend, qtbot):
    gate = threading.Event()

    async def endless(task):
        count = 0
        async for _ in task.track(_numbers(10**9), total=10**9, text="events"):
            count += 1
            if gate.is_set():
                return count
        return count

    async def counted(task):
        return [n async for n in task.track(_numbers(5), total=5)]

    handle = backend.submit_task(endless, mode="asyncio")
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING)
    backend.pause(handle.id)
    qtbot.waitUntil(lambda: handle.state == TaskState.PAUSED)
    gate.set()
    backend.resume(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FINISHED
    plain = backend.submit_task(counted, mode="asyncio")
    wait_done(qtbot, plain)
    assert (plain.result, plain.progress) == ([0, 1, 2, 3, 4], 100)


def test_async_for_over_track_outside_asyncio_mode_says_where_it_works(backend, qtbot):
    def wrong(task):
        async def inner():
            async for _ in task.track([1]):
                pass

        asyncio.run(inner())

    handle = backend.submit(wrong)
    wait_done(qtbot, handle)
    assert handle.error.summary == "TypeError: async for over task.track() needs a task in asyncio mode"


@pytest.mark.parametrize("bad", [{"total": 2.5}, {"text": 3}])
def test_track_says_what_is_wrong_with_its_arguments(backend, qtbot, bad):
    def wrong(task):
        task.track([1, 2], **bad)

    handle = backend.submit(wrong)
    wait_done(qtbot, handle)
    assert handle.error.type == "TypeError" and "track's" in handle.error.summary


def test_a_loop_left_early_counts_only_the_items_it_finished(backend, qtbot):
    def until_three(task):
        tracked = task.track([1, 2, 3, 4])
        for item in tracked:
            if item == 3:
                break
        return tracked.count

    handle = backend.submit(until_three)
    wait_done(qtbot, handle)
    assert handle.result == 2


def test_a_track_inside_another_leaves_the_outer_count_shown(backend, qtbot):
    shown = []

    def nested(task):
        for _ in task.track(range(5), text="folders"):
            for _ in task.track(range(100), text="files"):
                pass
            shown.append(task._text)
        for _ in task.track(range(3)):  # after the outer loop: a track of its own again
            pass
        return task._maximum

    handle = backend.submit(nested)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FINISHED, handle.error
    assert shown == [f"folders: {n} / 5" for n in range(5)]  # never the inner "100 / 100"
    assert handle.result == 3
