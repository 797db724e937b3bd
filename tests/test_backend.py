"""The backend through its Python API: results, errors, progress, queueing, shutdown."""

from __future__ import annotations

import collections
import gc
import logging
import math
import sys
import time
import weakref

import pytest
from qtpy.QtCore import QMetaObject, QThreadPool, QUrl
from qtpy.QtQml import QQmlComponent, QQmlEngine

from offthread import TaskCancelled, TaskState, Worker, WorkerSignals
from offthread.app import Backend

from .helpers import Gate, SignalLog, wait_done


def test_result_arrives_on_the_gui_thread(backend, qtbot):
    log = SignalLog(backend.signals)
    handle = backend.submit(lambda a, b=0: a * b, 6, b=7)
    wait_done(qtbot, handle)
    qtbot.waitUntil(lambda: backend.state == TaskState.FINISHED)
    assert handle.state == TaskState.FINISHED
    assert handle.result == 42
    assert handle.error is None
    assert log.names(handle.id) == ["started", "result", "finished"]
    assert backend.result == "42"
    assert backend.progress == 100.0


def test_error_arrives_as_data_and_finished_still_comes(backend, qtbot):
    def broken(path):
        raise FileNotFoundError(f"no such file: {path}")

    log = SignalLog(backend.signals)
    handle = backend.submit(broken, "/nowhere")
    qtbot.waitUntil(lambda: "finished" in log.names(handle.id))
    qtbot.waitUntil(lambda: backend.state == TaskState.FAILED)
    assert log.names(handle.id) == ["started", "error", "finished"]
    assert handle.state == TaskState.FAILED
    assert handle.error.type == "FileNotFoundError"
    assert handle.error.message == "no such file: /nowhere"
    assert handle.error.traceback.startswith("Traceback (most recent call last):")
    assert "in broken" in handle.error.traceback
    assert backend.error == "FileNotFoundError: no such file: /nowhere"
    assert "in broken" in backend.errorDetails
    assert backend.result == ""


class Unprintable(Exception):
    def __str__(self):
        raise RuntimeError("__str__ is broken too")


@pytest.mark.parametrize(
    ("exception", "type_name"),
    [(Unprintable(), "Unprintable"), (SystemExit(3), "SystemExit"), (KeyboardInterrupt(), "KeyboardInterrupt")],
)
def test_any_exception_fails_only_its_task(backend, qtbot, exception, type_name):
    def raise_it():
        raise exception

    handle = backend.submit(raise_it)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FAILED
    assert handle.error.type == type_name
    # The app is still alive and takes new work.
    after = backend.submit(lambda: "still here")
    wait_done(qtbot, after)
    assert after.result == "still here"


def test_unprintable_exception_has_a_readable_message(backend, qtbot):
    def raise_it():
        raise Unprintable()

    handle = backend.submit(raise_it)
    wait_done(qtbot, handle)
    assert handle.error.message == "<unprintable Unprintable object>"
    assert "Unprintable" in handle.error.traceback


def test_float_progress_is_not_truncated_and_ends_at_100(backend, qtbot):
    def thirds(progress_callback):
        for n in range(1, 4):
            progress_callback.emit(n * 100 / 3)  # 33.33..., the tutorial's truncation case
        return "ok"

    log = SignalLog(backend.signals)
    handle = backend.submit(thirds)
    wait_done(qtbot, handle)
    values = log.progress(handle.id)
    # Throttled: the first and the last reports always arrive, others may be skipped.
    assert values[0] == 100 / 3
    assert values[-1] == 100.0
    assert set(values) <= {100 / 3, 200 / 3, 100.0}
    assert values == sorted(values)


@pytest.mark.parametrize(
    ("reported", "shown", "text"),
    [(-5, 0.0, "0 %"), (12, 12.0, "12 %"), (99.9, 99.9, "99.9 %"), (150, 100.0, "100 %"), (10**400, 100.0, "100 %")],
)
def test_progress_is_clamped_never_truncated(backend, qtbot, reported, shown, text):
    def report_once(progress_callback):
        progress_callback.emit(reported)
        raise RuntimeError("stop here, so that 100 % on success does not hide the value")

    log = SignalLog(backend.signals)
    handle = backend.submit(report_once)
    wait_done(qtbot, handle)
    assert log.progress(handle.id) == [shown]
    assert (handle.progress, handle.progress_text) == (shown, text)


@pytest.mark.parametrize(("bad", "error"), [("50%", "TypeError"), (None, "TypeError"), (math.nan, "ValueError")])
def test_progress_that_is_not_a_number_fails_the_task_clearly(backend, qtbot, bad, error):
    def report(progress_callback):
        progress_callback.emit(bad)

    handle = backend.submit(report)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.FAILED
    assert handle.error.type == error
    assert "progress must be a number from 0 to 100" in handle.error.message


def test_progress_callback_is_given_only_to_functions_that_declare_it(backend, qtbot):
    def takes_kwargs(**kwargs):
        return sorted(kwargs)

    given = {"flag": True}
    plain = backend.submit(takes_kwargs, **given)
    wait_done(qtbot, plain)
    assert plain.result == ["flag"]

    def declares(progress_callback, flag):
        return type(progress_callback).__name__, flag

    declared = backend.submit(declares, **given)
    wait_done(qtbot, declared)
    assert declared.result == ("TaskContext", True)
    assert given == {"flag": True}  # the caller's kwargs are never modified


def test_a_non_callable_is_refused_at_submit(backend):
    with pytest.raises(TypeError, match="must be callable"):
        backend.submit(42)
    assert backend.tasks() == []
    assert not backend.busy


def test_jobs_beyond_max_thread_count_queue_and_run_in_order(make_backend, qtbot):
    backend = make_backend(max_threads=1)
    log = SignalLog(backend.signals)
    gates = [Gate() for _ in range(3)]
    handles = [backend.submit(gate, n) for n, gate in enumerate(gates)]

    qtbot.waitUntil(lambda: handles[0].state == TaskState.RUNNING)
    assert [h.state for h in handles] == ["running", "queued", "queued"]
    # Properties follow within one event-loop pass.
    qtbot.waitUntil(lambda: (backend.activeCount, backend.queuedCount, backend.busy) == (1, 2, True))

    for gate in gates:
        gate.open()
    qtbot.waitUntil(lambda: all(h.done for h in handles))
    started = [e[1] for e in log.events if e[0] == "started"]
    assert started == [h.id for h in handles]
    assert [h.result for h in handles] == [0, 1, 2]
    qtbot.waitUntil(lambda: (backend.activeCount, backend.queuedCount, backend.busy) == (0, 0, False))


def test_raising_max_thread_count_starts_queued_jobs(make_backend, qtbot):
    backend = make_backend(max_threads=1)
    gates = [Gate(), Gate()]
    handles = [backend.submit(gate) for gate in gates]
    qtbot.waitUntil(lambda: handles[0].state == TaskState.RUNNING)
    assert handles[1].state == TaskState.QUEUED

    with qtbot.waitSignal(backend.maxThreadCountChanged):
        backend.maxThreadCount = 2
    qtbot.waitUntil(lambda: handles[1].state == TaskState.RUNNING)
    qtbot.waitUntil(lambda: (backend.activeCount, backend.queuedCount) == (2, 0))
    for gate in gates:
        gate.open()
    qtbot.waitUntil(lambda: not backend.busy)


def test_property_signals_fire_only_on_real_change(make_backend, qtbot):
    backend = make_backend(max_threads=1)
    names = ("maxThreadCount", "busy", "activeCount", "queuedCount", "result", "progress", "state", "error")
    seen = {name: [getattr(backend, name)] for name in names}  # the value before, then one per notify
    for name in names:
        signal = getattr(backend, "errorChanged" if name == "error" else f"{name}Changed")
        signal.connect(lambda name=name: seen[name].append(getattr(backend, name)))

    backend.maxThreadCount = 1
    backend.maxThreadCount = 3
    backend.maxThreadCount = 3
    assert seen["maxThreadCount"] == [1, 3]

    for _ in range(3):
        # Held until busy is published: a task that ends within the same
        # event-loop pass as its start is, by design, never seen as busy.
        gate = Gate()
        handle = backend.submit(gate, "same")
        qtbot.waitUntil(lambda: backend.busy)
        gate.open()
        wait_done(qtbot, handle)
        qtbot.waitUntil(lambda: not backend.busy)
    wait_done(qtbot, backend.submit(lambda: 1 / 0))
    qtbot.waitUntil(lambda: backend.state == "failed")

    for name, values in seen.items():
        repeats = [pair for pair in zip(values, values[1:]) if pair[0] == pair[1]]
        assert not repeats, f"{name} notified without a change: {values}"
    assert seen["busy"][-1] is False and True in seen["busy"]
    assert seen["result"][-1] == "" and "same" in seen["result"]
    assert seen["error"][-1] == "ZeroDivisionError: division by zero"


@pytest.mark.parametrize(
    ("value", "threads", "said"),
    [
        (0, 1, "maxThreadCount must be from 1 to 256, not 0; using 1"),
        (10**10, 256, "maxThreadCount must be from 1 to 256, not 10,000,000,000; using 256"),
        (math.nan, 2, "maxThreadCount must be a whole number from 1 to 256, not nan; it stays 2"),
        (2.5, 2, "not 2.5; it stays 2"),
        (3.0, 3, ""),
    ],
)
def test_max_thread_count_takes_a_whole_number_in_range(backend, caplog, value, threads, said):
    backend.maxThreadCount = value
    assert backend.maxThreadCount == threads
    assert said in caplog.text
    caplog.clear()


@pytest.mark.parametrize("value", ["3", None, True])
def test_max_thread_count_refuses_what_is_not_a_number(backend, value):
    with pytest.raises(TypeError, match="maxThreadCount must be a whole number from 1 to 256, not"):
        backend.maxThreadCount = value
    assert backend.maxThreadCount == 2


def test_numbers_out_of_int_range_from_qml_are_seen_as_they_are(backend, qtbot, caplog):
    engine = QQmlEngine()
    component = QQmlComponent(engine)
    component.setData(
        b"import QtQml 2.15\nQtObject { property QtObject backend\n"
        b"Component.onCompleted: backend.maxThreadCount = 1e10 }",
        QUrl(),
    )
    setter = component.beginCreate(engine.rootContext())
    setter.setProperty("backend", backend)
    component.completeCreate()
    assert backend.maxThreadCount == 256
    assert "not 10,000,000,000; using 256" in caplog.text
    caplog.clear()


@pytest.mark.parametrize("verb", ["cancel", "pause", "resume"])
def test_a_task_is_named_by_its_id_or_its_handle(backend, qtbot, verb, caplog):
    getattr(backend, verb)([1])
    assert f"{verb}(): [1] is not the id of a task; nothing is done" in caplog.text
    caplog.clear()
    handle = backend.submit(lambda: 1)
    getattr(backend, verb)(handle)  # a handle will do
    wait_done(qtbot, handle)


def test_ten_thousand_tasks_are_each_delivered_exactly_once(make_backend, qtbot):
    backend = make_backend()
    count = 10_000
    delivered = collections.Counter()
    values = {}

    def on_result(task_id, value):
        delivered[task_id] += 1
        values[task_id] = value

    backend.signals.result.connect(on_result)
    handles = [backend.submit(lambda n=n: n * n) for n in range(count)]
    qtbot.waitUntil(lambda: len(delivered) == count and not backend.busy, timeout=60_000)

    assert set(delivered.values()) == {1}
    assert [values[h.id] for h in handles] == [n * n for n in range(count)]
    assert all(h.state == TaskState.FINISHED for h in handles)
    assert backend.tasks() == []


def test_shutdown_cancels_cooperative_jobs_and_queued_ones_never_start(make_backend, qtbot):
    backend = make_backend(max_threads=1, steps=5, step_seconds=30)
    calls = []
    backend.danger()
    running = backend.tasks()[0]
    queued = backend.submit(calls.append, "should never run")
    qtbot.waitUntil(lambda: running.state == TaskState.RUNNING)

    started = time.monotonic()
    assert backend.shutdown(2000)
    assert time.monotonic() - started < 1.0  # the job woke at once, not after its 30 s step
    assert running.state == TaskState.CANCELLED
    assert queued.state == TaskState.CANCELLED
    assert calls == []
    assert not backend.busy


def test_shutdown_returns_within_its_bound_when_a_job_ignores_it(qapp, qtbot, caplog):
    backend = Backend()  # not from make_backend, whose teardown wants a clean shutdown
    gate = Gate()
    stuck = backend.submit(gate)
    qtbot.waitUntil(lambda: stuck.state == TaskState.RUNNING)

    started = time.monotonic()
    assert backend.shutdown(300) is False
    elapsed = time.monotonic() - started
    assert 0.25 < elapsed < 1.5
    assert "left behind: 1 (Gate)" in caplog.text
    caplog.clear()
    gate.open()  # let the thread end; the backend no longer listens
    assert backend.shutdown() is False  # the first answer stands


def test_no_new_work_after_shutdown(backend, caplog):
    assert backend.shutdown()
    with pytest.raises(RuntimeError, match="shut down"):
        backend.submit(print)
    backend.danger()  # from QML: ignored, never raises
    assert backend.tasks() == []


def test_cancel_check_points_end_a_task_as_cancelled(backend, qtbot):
    def loop(progress_callback):
        for n in range(1000):
            progress_callback.sleep(0.01)
            progress_callback.emit(n / 10)

    handle = backend.submit(loop)
    qtbot.waitUntil(lambda: handle.progress > 0)
    backend.cancel(handle.id)
    wait_done(qtbot, handle)
    assert handle.state == TaskState.CANCELLED


def test_worker_runs_on_any_pool_with_a_long_lived_signals_object(qapp, qtbot):
    signals = WorkerSignals()
    log = SignalLog(signals)
    pool = QThreadPool()
    pool.start(Worker(7, signals, divmod, (17, 5)))
    pool.start(Worker(8, signals, lambda: (_ for _ in ()).throw(TaskCancelled())))
    qtbot.waitUntil(lambda: log.names(7)[-1:] == ["finished"] and log.names(8)[-1:] == ["finished"])
    assert log.of(7) == [("started", 7), ("result", 7, (3, 2)), ("finished", 7)]
    assert log.names(8) == ["started", "cancelled", "finished"]
    assert pool.waitForDone(1000)


def test_a_dropped_backend_is_freed_at_once_not_later_by_the_cycle_collector(qapp, qtbot):
    # The cyclic collector runs on whatever thread allocates, a pool thread
    # included; a backend freed there would stop its timers from the wrong
    # thread and leave the GUI thread dispatching to deleted objects.
    gc.disable()
    try:
        backend = Backend()
        handle = backend.submit(lambda: "ran")
        wait_done(qtbot, handle)
        assert backend.shutdown()
        freed = weakref.ref(backend)
        del backend
        assert freed() is None
    finally:
        gc.enable()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None, True and False are immortal: their counts say nothing")
def test_running_tasks_leaves_the_reference_counts_of_none_and_booleans_alone(make_backend, qtbot, caplog):
    """PySide6 6.12.0 dropped a reference to None per QRunnable.run and to True or
    False per isSignalConnected: on Python 3.11 the process aborted after a few
    thousand tasks."""
    caplog.set_level(logging.WARNING)  # no log records: they hold None too
    backend = make_backend()
    wait_done(qtbot, backend.submit(lambda: None))  # first-use references are taken
    qtbot.waitUntil(lambda: not backend.busy)
    gc.collect()
    before = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    handles = [backend.submit(lambda: None) for _ in range(500)]
    qtbot.waitUntil(lambda: all(h.done for h in handles) and not backend.busy, timeout=10_000)
    handles.clear()
    backend.clearFinished()  # the task list's rows hold None too
    gc.collect()
    after = sys.getrefcount(None), sys.getrefcount(True), sys.getrefcount(False)
    # A reference lost per task shows 500 times over. Counts may grow: caches
    # that fill on first use hold these objects too.
    assert all(a - b > -100 for a, b in zip(after, before)), (before, after)


def test_the_api_can_be_called_from_worker_threads(make_backend, qtbot):
    backend = make_backend(max_threads=4)
    log = SignalLog(backend.signals)
    children = []

    def spawner(n):
        mine = [backend.submit(lambda i=i: i * i) for i in range(30)]
        children.extend(mine)
        for handle in mine[::2]:
            backend.cancel(handle.id)
        backend.pause(mine[1].id)
        backend.resume(mine[1].id)
        return n

    parents = [backend.submit(spawner, n) for n in range(40)]
    for handle in parents:
        wait_done(qtbot, handle)
    assert len(children) == 40 * 30
    # A handle is done at its ending; its finished may come in the next delivery pass.
    for handle in parents + children:
        qtbot.waitUntil(lambda handle=handle: "finished" in log.names(handle.id))
    for handle in parents + children:
        names = log.names(handle.id)
        assert names[-1] == "finished" and names.count("finished") == 1, names
        assert "started" not in names[1:], names
        assert sum(n in ("result", "error", "cancelled") for n in names) == 1, names
    qtbot.waitUntil(lambda: not backend.busy)  # published with the model, at most a frame later


def test_shutdown_must_be_called_on_the_gui_thread(backend, qtbot):
    handle = backend.submit(backend.shutdown)
    wait_done(qtbot, handle)
    assert handle.error.summary.startswith("RuntimeError: shutdown() waits for the tasks")


@pytest.mark.parametrize(
    "value",
    ["4294967297", "4294967298", "-4294967293", "3.9", "[2]", "'2'", "null", "0", "99"],
)
def test_a_value_from_qml_that_is_not_exactly_a_task_id_reaches_no_task(backend, qtbot, caplog, value):
    # A slot typed int wrapped 4294967297 round to 1, and took 3.9 for 3 and [5] for 5.
    gates = [Gate() for _ in range(3)]
    handles = [backend.submit(gate) for gate in gates]
    engine = QQmlEngine()
    component = QQmlComponent(engine)
    component.setData(
        b"import QtQml 2.15\nQtObject { property QtObject backend\n"
        b"function act() { backend.cancel(" + value.encode() + b"); backend.pause(" + value.encode() + b");"
        b" backend.remove(" + value.encode() + b"); backend.retry(" + value.encode() + b") } }",
        QUrl(),
    )
    caller = component.create()
    assert caller is not None, component.errorString()
    caller.setProperty("backend", backend)
    caplog.clear()
    QMetaObject.invokeMethod(caller, "act")
    backend.signals.flush()
    for verb in ("cancel", "pause", "remove", "retry"):
        assert f"{verb}(): " in caplog.text and "is not the id of a task; nothing is done" in caplog.text
    assert all(not h.cancel_requested and not h.pause_requested for h in handles)
    for gate in gates:
        gate.open()
    for handle in handles:
        wait_done(qtbot, handle)
    assert all(h.state == TaskState.FINISHED for h in handles)
    backend.cancel(float(handles[0].id))  # a whole JavaScript number is an id: no warning for it
    caplog.clear()
    backend.cancel(handles[0].id)
    assert "WARNING" not in caplog.text
