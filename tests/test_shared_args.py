"""Large arguments of a process task go to its worker through shared memory that the GUI
process owns until the task ends, however it ends; small ones are pickled as before."""

from __future__ import annotations

import doctest
import os
import pickle
import threading

import pytest

from offthread import TaskState
from offthread.core import callpickle, shared, sharedcall, shmowner, wire, workerprocess
from offthread.core.poolplan import PoolTask

from . import tasks
from .helpers import wait_done

pytestmark = pytest.mark.skipif(not shared.available(), reason="no POSIX shared memory as files here")

MIB = 1 << 20


def argument_segments() -> list[str]:
    """The argument segments this process has in /dev/shm."""
    prefix = f"{shmowner.PREFIX}{shmowner.tag()}-a"
    return sorted(name for name in os.listdir(shared.SHM_DIR) if name.startswith(prefix))


@pytest.fixture(autouse=True)
def nothing_left_after():
    assert argument_segments() == []
    yield
    assert argument_segments() == []


class Holder:
    """An object that hands its buffer over out of band, as numpy's arrays do."""

    def __init__(self, data: bytearray) -> None:
        self.data = data

    def __reduce_ex__(self, protocol):
        return Holder, (pickle.PickleBuffer(self.data),)


def loaded(body: bytes, names: list[str]):
    if not names:
        return callpickle.loads(body)
    buffers, pickled = shared.open_buffers(memoryview(body), remove=False)
    assert argument_segments() == sorted(names)  # a worker leaves the names: they are the GUI process's
    return callpickle.loads(pickled, buffers)


def test_the_modules_examples_hold():
    assert doctest.testmod(sharedcall).failed == 0
    assert doctest.testmod(shmowner).failed == 0


def test_large_arguments_of_every_kind_go_through_shared_memory_and_come_back_equal():
    data = bytearray(os.urandom(2 * MIB))
    view = memoryview(bytearray(data)).cast("i", (2, MIB // 4))
    call = (len, (bytes(data), data, Holder(data), view, "small"), {"key": memoryview(data).toreadonly()})
    body, names = sharedcall.dump_call(call)
    assert len(names) == 5 and len(body) < 4096  # the data is all in the segments
    fn, args, kwargs = loaded(body, names)
    shared.remove(names)
    assert fn is len and args[-1] == "small"
    assert type(args[0]) is bytes and args[0] == data
    assert type(args[1]) is bytearray and args[1] == data
    assert bytes(args[2].data) == data
    assert (args[3].format, args[3].shape, args[3].tolist()) == ("i", view.shape, view.tolist())
    assert kwargs["key"].readonly and kwargs["key"] == data


def test_small_calls_pickle_exactly_as_before():
    for call in ((len, (1, "x", b"y" * (MIB - 1), bytearray(10)), {"k": [1]}), (len, (), {}), b"pickled"):
        assert sharedcall.dump_call(call) == (callpickle.dumps(call), [])


def test_small_and_odd_memoryviews_are_sent_too():
    # pickle refuses a memoryview of any size: as an argument it now goes, in band when small.
    stepped = memoryview(bytearray(range(10)))[::2]
    scalar = memoryview(bytes(8)).cast("d", ())
    body, names = sharedcall.dump_call((len, (stepped, scalar), {}))
    _fn, (back, one), _kwargs = loaded(body, names)
    assert names == [] and back.tolist() == [0, 2, 4, 6, 8] and not back.readonly and one.tolist() == 0.0


def test_a_call_that_fails_to_pickle_leaves_no_segment():
    with pytest.raises(TypeError):
        sharedcall.dump_call((len, (bytes(2 * MIB), threading.Lock()), {}))


def test_segments_kept_for_a_task_that_has_ended_are_removed_at_once():
    held = sharedcall.Held()
    task = PoolTask(1, None)
    body, names = sharedcall.dump_call((len, (bytes(2 * MIB),), {}))
    held.release(task)  # it ended on another thread while its call was pickled
    held.keep(task, names)
    assert argument_segments() == []
    other = PoolTask(2, None)
    _body, names = sharedcall.dump_call((len, (bytes(2 * MIB),), {}))
    held.keep(other, names)
    assert argument_segments() == names
    held.release(other)


def test_a_numpy_array_argument_is_built_on_the_shared_memory_itself(backend, qtbot):
    numpy = pytest.importorskip("numpy")
    array = numpy.arange(MIB, dtype=numpy.float64)
    handle = backend.submit_task(tasks.mapped_file, (array,), mode="process")
    wait_done(qtbot, handle, timeout=30000)
    assert handle.state == TaskState.FINISHED
    assert handle.result.startswith(f"{shared.SHM_DIR}/{shmowner.PREFIX}{shmowner.tag()}-a")
    summed = backend.submit_task(numpy.sum, (array,), mode="process")
    wait_done(qtbot, summed, timeout=30000)
    assert summed.result == array.sum()


def test_a_memoryview_argument_is_mapped_and_a_bytes_one_arrives_whole(backend, qtbot):
    view = memoryview(bytearray(3 * MIB))
    mapped = backend.submit_task(tasks.mapped_file, (view,), mode="process")
    data = os.urandom(3 * MIB)
    echoed = backend.submit_task(tasks.echo, (), {"data": data}, mode="process")
    for handle in (mapped, echoed):
        wait_done(qtbot, handle, timeout=30000)
    assert mapped.result.startswith(f"{shared.SHM_DIR}/{shmowner.PREFIX}{shmowner.tag()}-a")
    assert type(echoed.result) is bytes and echoed.result == data


@pytest.mark.parametrize("ending", ["error", "worker death"])
def test_a_task_that_fails_leaves_no_argument_segment(backend, qtbot, ending):
    fn = tasks.fail_with if ending == "error" else tasks.die_with
    handle = backend.submit_task(fn, (bytes(2 * MIB),), mode="process")
    wait_done(qtbot, handle, timeout=30000)
    assert handle.state == TaskState.FAILED


def test_a_task_cancelled_while_it_runs_leaves_no_argument_segment(backend, qtbot):
    handle = backend.submit_task(tasks.nbytes_after, (30, bytes(2 * MIB)), mode="process")
    qtbot.waitUntil(lambda: handle.state == TaskState.RUNNING, timeout=30000)
    assert len(argument_segments()) == 1  # held while it runs
    backend.cancel(handle.id)  # it never checks: its worker is killed
    wait_done(qtbot, handle, timeout=30000)
    assert handle.state == TaskState.CANCELLED


def test_a_task_asked_back_and_sent_again_keeps_its_arguments_until_it_ends(make_backend, qtbot, monkeypatch):
    # Short tasks are sent ahead, behind one that turns long: asked back, then sent again.
    sent = []
    send = workerprocess.WorkerProcess.send

    def recording(process, kind, task_id=0, flags=0):
        sent.append((kind, task_id))
        return send(process, kind, task_id, flags)

    monkeypatch.setattr(workerprocess.WorkerProcess, "send", recording)
    backend = make_backend(processes=1)
    # A worker idle for more than a moment gets one task, and more once it has
    # been heard from (core/poolplan.py): a short one goes first, and the rest
    # are sent together as it ends. Whether the pool's thread gets there within
    # that moment is the machine's to say, so the scene is played until a task
    # has been asked back (once, nearly always).
    for _attempt in range(5):
        for _ in range(8):  # the pool learns that the function is short (again, after the long one)
            wait_done(qtbot, backend.submit_task(tasks.nbytes_after, (0, b""), mode="process"), timeout=30000)
        sent.clear()
        first = backend.submit_task(tasks.nbytes_after, (0, b""), mode="process")
        long = backend.submit_task(tasks.nbytes_after, (1.0, b""), mode="process")
        behind = backend.submit_task(tasks.nbytes_after, (0, bytes(2 * MIB)), mode="process")
        queued = backend.submit_task(tasks.nbytes_after, (0, bytes(2 * MIB)), mode="process")
        qtbot.waitUntil(lambda long=long: long.state == TaskState.RUNNING, timeout=30000)
        backend.cancel(queued.id)  # sent ahead or back in the queue by now: either way, ended here
        for handle in (first, long, behind, queued):
            wait_done(qtbot, handle, timeout=30000)
        assert (behind.state, behind.result) == (TaskState.FINISHED, 2 * MIB)
        assert queued.state == TaskState.CANCELLED
        if (wire.Kind.RETRACT, behind.id) in sent:  # it did come back, and went out again
            break
    else:
        pytest.fail("in 5 tries no task was sent ahead behind the long one and asked back")


def test_a_shutdown_with_tasks_running_and_queued_leaves_no_argument_segment(make_backend, qtbot):
    backend = make_backend(processes=1)
    running = backend.submit_task(tasks.nbytes_after, (30, bytes(2 * MIB)), mode="process")
    queued = backend.submit_task(tasks.nbytes_after, (0, bytes(2 * MIB)), mode="process")
    qtbot.waitUntil(lambda: running.state == TaskState.RUNNING, timeout=30000)
    assert backend.shutdown(5000)
    assert (running.state, queued.state) == (TaskState.CANCELLED, TaskState.CANCELLED)
