"""Large buffers of a result come back through shared memory, and nothing is left
in /dev/shm: not after the result arrives, a cancel, a worker's death, or a result
that cannot be sent."""

from __future__ import annotations

import doctest
import itertools
import mmap
import os
import pickle

import pytest

from offthread import TaskState
from offthread.core import shared, wire

from . import tasks
from .helpers import wait_done

pytestmark = pytest.mark.skipif(not shared.available(), reason="no POSIX shared memory as files here")

MIB = 1 << 20


def ours_left() -> list[str]:
    return shared.names_left_by(os.getpid())


class Holder:
    """An object that hands its buffer over out of band (pickle protocol 5), as numpy's arrays do."""

    def __init__(self, data: bytearray) -> None:
        self.data = data

    def __reduce_ex__(self, protocol):
        return Holder, (pickle.PickleBuffer(self.data),)


def round_trip(value):
    counter = itertools.count().__next__
    data = wire.frame(wire.Kind.RESULT, 5, value=value, share=counter)
    assert ours_left() == [] or wire.header(bytes(data))[0] == wire.Kind.SHARED_RESULT
    opened = wire.open_shared(bytes(data))
    assert ours_left() == []  # the names are gone once the frame is opened
    return wire.value(bytes(data), opened), opened


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "nested", "holder"])
def test_large_buffers_go_through_shared_memory_and_come_back_equal(kind):
    data = bytearray(os.urandom(2 * MIB))
    value = {"bytes": bytes(data), "bytearray": data, "nested": [Holder(data), "x", 1], "holder": Holder(data)}[kind]
    back, opened = round_trip(value)
    assert opened is not None and len(opened[0]) == 1
    if kind == "nested":
        assert bytes(back[0].data) == bytes(data) and back[1:] == ["x", 1]
    elif kind == "holder":
        assert bytes(back.data) == bytes(data)
    else:
        assert back == value and type(back) is type(value)


def test_small_values_stay_in_the_pipe():
    for value in (1, b"x" * (MIB - 1), [bytearray(100)] * 3, "text"):
        data = wire.frame(wire.Kind.RESULT, 5, value=value, share=itertools.count().__next__)
        assert wire.header(bytes(data))[0] == wire.Kind.RESULT
        assert wire.open_shared(bytes(data)) is None
        assert wire.value(bytes(data)) == value


def test_a_value_that_fails_to_pickle_leaves_no_segment():
    import threading

    with pytest.raises(TypeError):
        wire.frame(wire.Kind.RESULT, 5, value=[bytearray(2 * MIB), threading.Lock()], share=itertools.count().__next__)
    assert ours_left() == []


def test_a_numpy_array_is_built_on_the_shared_memory_itself():
    numpy = pytest.importorskip("numpy")
    array = numpy.arange(MIB, dtype=numpy.float64)
    back, opened = round_trip(array)
    assert numpy.array_equal(back, array)
    assert isinstance(opened[0][0], mmap.mmap)
    assert not back.flags.owndata  # no copy: its memory is the mapping's


def test_bytes_are_copied_out_of_a_mapping_whole():
    assert doctest.testmod(shared).failed == 0
    with mmap.mmap(-1, 3 * MIB) as mapping:
        mapping[:] = b"abc" * MIB
        out = shared.bytes_from(memoryview(mapping).toreadonly())
        assert type(out) is bytes and out == b"abc" * MIB
    assert shared.bytes_from(bytearray(b"small")) == b"small"


def test_a_bytes_result_is_read_into_the_value_itself_not_mapped():
    data = os.urandom(2 * MIB)
    back, opened = round_trip(data)
    assert type(opened[0][0]) is bytes
    assert back is opened[0][0]  # no copy after the read: the bytes read are the value
    assert back == data
    back, opened = round_trip(bytearray(data))
    assert isinstance(opened[0][0], mmap.mmap)  # a bytearray, mutable, is copied out of its mapping


def test_a_large_bytes_result_read_in_two_halves_comes_back_equal(monkeypatch):
    monkeypatch.setattr(shared, "_SPLIT_SIZE", MIB)
    data = os.urandom(3 * MIB + 12345)  # halves that do not end on a page
    back, opened = round_trip(data)
    assert type(back) is bytes and back == data


@pytest.mark.parametrize("split", [False, True])
def test_a_bytes_segment_cut_short_is_a_clear_error_and_leaves_nothing(monkeypatch, split):
    if split:  # the second half, read by the helper thread, is the one cut short
        monkeypatch.setattr(shared, "_SPLIT_SIZE", MIB)
    data = wire.frame(wire.Kind.RESULT, 5, value=b"z" * (4 * MIB), share=itertools.count().__next__)
    (name,) = ours_left()
    os.truncate(os.path.join(shared.SHM_DIR, name), 3 * MIB)
    with pytest.raises(OSError, match="ended after"):
        wire.open_shared(bytes(data))
    assert ours_left() == []


def left_by_workers(pids) -> list[str]:
    return [name for pid in pids for name in shared.names_left_by(pid)]


@pytest.fixture
def pids(backend):
    mode = backend.mode_named("process")
    mode.warm_up()
    return mode


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "nested"])
def test_a_large_result_arrives_whole_and_leaves_nothing_behind(backend, qtbot, kind):
    handle = backend.submit_task(tasks.big_value, (kind, 3 * MIB), mode="process")
    wait_done(qtbot, handle, timeout=30000)
    expected = tasks.big_value(kind, 3 * MIB)
    assert handle.state == TaskState.FINISHED
    assert handle.result == expected and type(handle.result) is type(expected)
    assert left_by_workers(backend.mode_named("process").worker_pids()) == []


def test_a_worker_that_dies_while_sending_leaves_nothing_behind(backend, qtbot):
    mode = backend.mode_named("process")
    first = backend.submit_task(tasks.this_pid, mode="process")
    wait_done(qtbot, first, timeout=30000)
    seen = set(mode.worker_pids())
    handle = backend.submit_task(tasks.die_while_sending, (2 * MIB,), mode="process")
    wait_done(qtbot, handle, timeout=30000)
    assert handle.state == TaskState.FAILED and "died" in handle.error.message
    qtbot.waitUntil(lambda: left_by_workers(seen) == [], timeout=10000)


def test_a_result_that_cannot_be_sent_leaves_nothing_behind(backend, qtbot):
    handle = backend.submit_task(tasks.big_and_unpicklable, (2 * MIB,), mode="process")
    wait_done(qtbot, handle, timeout=30000)
    assert handle.state == TaskState.FAILED and "cannot be sent back" in handle.error.message
    assert left_by_workers(backend.mode_named("process").worker_pids()) == []


def test_a_cancelled_task_that_returns_anyway_leaves_nothing_behind(backend, qtbot):
    mode = backend.mode_named("process")
    handle = backend.submit_task(tasks.big_after, (0.3, 4 * MIB), mode="process")
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING, timeout=30000)
    seen = set(mode.worker_pids())
    backend.cancel(handle.id)
    wait_done(qtbot, handle, timeout=30000)  # its result may arrive first: either way, it is dropped or kept whole
    qtbot.waitUntil(lambda: left_by_workers(seen) == [], timeout=10000)
