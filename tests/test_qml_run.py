"""``run()`` from QML: task objects, then(), values both ways, mistakes, owners and groups."""

from __future__ import annotations

import concurrent.futures
import json
import logging
import threading

import pytest
from qtpy.QtCore import QCoreApplication, QEvent, QUrl
from qtpy.QtQml import QQmlComponent, QQmlEngine

from offthread import TaskManager, TaskState
from offthread.engine.modes import ExecutorMode
from offthread.engine.taskobject import TaskObject

from . import tasks
from .helpers import SignalLog

HARNESS = b"""
import QtQml 2.15
QtObject {
    id: root
    property var t: null
    property var page: null
    property var u: null
    property var out: []
    property string code
    // Each assignment to code runs it here, where tasks and root are in scope.
    onCodeChanged: eval(code)
    function note(x) { out = out.concat([x]) }
}
"""


class Qml:
    """A QML object with ``tasks`` (a TaskManager) in its context; ``js()`` runs code in it."""

    def __init__(self, manager: TaskManager) -> None:
        self.manager = manager
        self.engine = QQmlEngine()
        self.engine.rootContext().setContextProperty("tasks", manager)
        self.component = QQmlComponent(self.engine)  # kept: the object goes with it
        self.component.setData(HARNESS, QUrl())
        self.root = self.component.create()
        assert self.root is not None, self.component.errors()
        self._runs = 0

    def js(self, code: str) -> None:
        self._runs += 1  # the same code twice must run twice: onCodeChanged needs a change
        self.root.setProperty("code", f"/* {self._runs} */ {code}")

    def value(self, name: str):
        value = self.root.property(name)
        return value.toVariant() if hasattr(value, "toVariant") else value

    @property
    def out(self) -> list:
        return self.value("out") or []

    @property
    def t(self) -> TaskObject:
        return self.root.property("t")

    def close(self) -> None:
        self.root.deleteLater()
        self.engine.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def echo(*args, **kwargs):
    """Give back what arrived, with the Python type of each positional argument."""
    return {"args": list(args), "types": [type(a).__name__ for a in args], "kwargs": kwargs}


def fail(message: str) -> None:
    raise ValueError(message)


@pytest.fixture
def qml(qapp):
    manager = TaskManager(max_threads=2, processes=1)
    manager.expose(echo)
    manager.expose(fail)
    harness = Qml(manager)
    yield harness
    assert manager.shutdown(5000)
    harness.close()
    manager.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_run_returns_a_task_object_whose_properties_follow_its_task(qml, qtbot):
    qml.js('t = tasks.run("echo", [1, "two"], {name: "my echo"}); note(t.state)')
    task = qml.t
    assert isinstance(task, TaskObject)
    assert qml.out == ["queued"]
    changed = []
    for signal in ("stateChanged", "doneChanged", "resultChanged", "elapsedChanged", "progressChanged"):
        getattr(task, signal).connect(lambda signal=signal: changed.append(signal))
    qtbot.waitUntil(lambda: task.property("done"), timeout=5000)
    assert task.property("state") == "finished"
    assert task.property("taskId") > 0 and task.property("name") == "my echo"
    assert task.property("progress") == 100.0
    qml.js("note(t.result.args[1]); note(t.error === null); note(typeof t.elapsed)")
    assert qml.out[1:] == ["two", True, "number"]
    assert {"stateChanged", "doneChanged", "resultChanged", "progressChanged"} <= set(changed)
    assert changed.count("doneChanged") == 1 and changed.count("resultChanged") == 1


@pytest.mark.parametrize("mode", ["gui", "events", "thread", "process", "asyncio", "pool"])
def test_every_mode_gives_the_same_task_object(qml, qtbot, mode):
    if mode == "pool":
        executor = concurrent.futures.ThreadPoolExecutor(1)
        qml.manager.add_mode(ExecutorMode("pool", executor))
    qml.manager.expose(tasks.async_square if mode == "asyncio" else tasks.passed_on, name="work")
    argument = 7 if mode == "asyncio" else {"nested": [1, {"x": None}]}
    qml.js(
        f't = tasks.run("work", [{json.dumps(argument)}], {{mode: "{mode}"}})'
        '.then(function (r) { note(JSON.stringify(r)); note(t.state + " " + t.done + " " + t.progress) })'
    )
    qtbot.waitUntil(lambda: len(qml.out) == 2, timeout=10_000)
    expected = "49" if mode == "asyncio" else json.dumps(argument, separators=(",", ":"))
    assert qml.out == [expected, "finished true 100"]
    assert qml.t.property("taskId") > 0 and qml.t.property("elapsed") >= 0
    if mode == "pool":
        executor.shutdown()


def test_then_calls_back_once_after_the_end_and_chains(qml, qtbot):
    qml.js(
        't = tasks.run("echo", [5]).then(function (r) { note("first " + r.args[0]) })'
        '.then(function (r) { note("second " + r.args[0]) }, function () { note("never") })'
    )
    qtbot.waitUntil(lambda: len(qml.out) == 2, timeout=5000)
    assert qml.out == ["first 5", "second 5"]
    # On a task that has ended: in a later turn, not inside the call.
    qml.js('t.then(function (r) { note("late " + r.args[0]) }); note("after then")')
    assert qml.out[-1] == "after then"
    qtbot.waitUntil(lambda: qml.out[-1] == "late 5", timeout=5000)
    qtbot.wait(50)
    assert qml.out == ["first 5", "second 5", "after then", "late 5"]


def test_a_failure_and_a_timeout_reach_on_error_with_an_error_object(qml, qtbot):
    qml.manager.expose(tasks.sleep_in_steps, name="sleep")
    qml.js(
        'tasks.run("fail", ["bad input"]).then(function () { note("no") }, function (e) {'
        ' note([e.type, e.message, e.summary, e.traceback.indexOf("ValueError") >= 0].join("|")) });'
        't = tasks.run("sleep", [10], {timeout: 0.2}).then(null, function (e) { note(e.type + ": " + e.message) })'
    )
    qtbot.waitUntil(lambda: len(qml.out) == 2, timeout=5000)
    assert "ValueError|bad input|ValueError: bad input|true" in qml.out
    assert "TimeoutError: timed out after 0.2 s" in qml.out
    assert qml.t.property("state") == "timed out"


def test_a_cancel_calls_only_on_cancelled(qml, qtbot):
    gate = threading.Event()
    qml.manager.expose(lambda: gate.wait(10), name="wait")
    qml.js(
        't = tasks.run("wait").then(function () { note("result") }, function () { note("error") },'
        " function (state) { note(state) }); t.cancel()"
    )
    qtbot.waitUntil(lambda: qml.out == ["cancelled"], timeout=5000)
    gate.set()


@pytest.mark.parametrize(
    ("js", "expected"),
    [
        (
            'tasks.run("nosuch", [1])',
            "NameError: run('nosuch'): no function is exposed under that name; exposed: echo, fail",
        ),
        ('tasks.run("echo", [], {mdoe: "thread"})', "TypeError: run('echo'): unknown option 'mdoe'; the options are"),
        ('tasks.run("echo", [], {mode: "warp"})', "ValueError: run('echo'): no mode named 'warp'; the modes are gui"),
        (
            'tasks.run("echo", [], {timeout: -1})',
            "TypeError: run('echo'): option 'timeout' must be a number of seconds",
        ),
        ('tasks.run("echo", [], {limit: 0})', "TypeError: run('echo'): option 'limit' must be a whole number from 1"),
        ('tasks.run("echo", [], {owner: 3})', "TypeError: run('echo'): option 'owner' must be an item"),
        ('tasks.run("echo", 5)', "TypeError: run('echo'): args must be an array"),
        ('tasks.run("echo", [], "fast")', "TypeError: run('echo'): options must be an object"),
    ],
)
def test_a_mistake_gives_a_task_that_has_already_failed_and_says_why(qml, qtbot, js, expected):
    qml.js(f"t = {js}; note(t.state); note(t.done); note(t.error.summary)")
    state, done, summary = qml.out
    assert (state, done) == ("failed", True)
    assert summary.startswith(expected), summary
    # It is a row too, so the window shows it.
    qtbot.waitUntil(lambda: qml.manager.taskModel.rowCount() == 1, timeout=5000)


def test_values_cross_both_ways(qml, qtbot):
    qml.js(
        't = tasks.run("echo", [1, 2.5, 3e9, "s", null, true, [1, [2]], {k: {n: 1}}, -0]);'
        'u = tasks.run("echo", {a: 1, b: "x"})'
    )
    qtbot.waitUntil(lambda: qml.t.property("done") and qml.value("u").property("done"), timeout=5000)
    qml.js(
        "note(JSON.stringify(t.result.types)); note(JSON.stringify(t.result.args));"
        "note(Array.isArray(t.result.args[6][1])); note(JSON.stringify(u.result.kwargs))"
    )
    types, args, nested_is_array, kwargs = qml.out
    assert kwargs == '{"a":1,"b":"x"}'
    assert types == '["int","float","int","str","NoneType","bool","list","dict","float"]'
    assert args == '[1,2.5,3000000000,"s",null,true,[1,[2]],{"k":{"n":1}},0]'
    assert nested_is_array is True


def test_python_values_become_js_values_once(qml, qtbot):
    big = list(range(100_000))
    qml.manager.expose(lambda: {"t": (1, 2), "n": None, "i": 2**60, "f": 0.5, "o": object, "big": big}, name="make")
    qml.js('t = tasks.run("make")')
    qtbot.waitUntil(lambda: qml.t.property("done"), timeout=5000)
    qml.js(
        "note(JSON.stringify([t.result.t, t.result.n, t.result.i, t.result.f]));"
        "note(t.result.o); note(t.result.big.length); note(t.result === t.result)"
    )
    assert qml.out == ['[[1,2],null,"1152921504606846976",0.5]', "<class 'object'>", 100_000, True]


def test_progress_and_partial_results_show_while_it_runs(qml, qtbot):
    qml.manager.expose(tasks.count_and_share, name="count")
    qml.js('t = tasks.run("count", [40]); t.partialReceived.connect(function (value) { note(value) })')
    task = qml.t
    partials, progress = [], []
    task.partialChanged.connect(lambda: partials.append(task.property("partial").toVariant()))
    task.progressChanged.connect(lambda: progress.append(task.property("progress")))
    qtbot.waitUntil(lambda: task.property("done"), timeout=5000)
    assert progress[-1] == 100.0 and len(progress) > 2, progress
    assert {10, 20, 30} & set(partials), partials
    assert partials[-1] is None  # an ended task has no partial result: its result says it all
    assert qml.out == [10, 20, 30, 40]  # partialReceived: every one, in order


def test_pause_resume_and_cancel_from_the_task_object(qml, qtbot):
    qml.manager.expose(tasks.pause_point_loop, name="loop")
    qml.js('t = tasks.run("loop")')
    task = qml.t
    qtbot.waitUntil(lambda: task.property("state") == "running", timeout=5000)
    qml.js("t.pause()")
    qtbot.waitUntil(lambda: task.property("state") == "paused", timeout=5000)
    qml.js("t.resume()")
    qtbot.waitUntil(lambda: task.property("state") == "running", timeout=5000)
    qml.js("t.cancel()")
    qtbot.waitUntil(lambda: task.property("state") == "cancelled", timeout=5000)


def test_runs_reach_their_mode_once_the_javascript_that_asked_returns(qml, qtbot):
    # A loop of run()s costs less when the pool threads do not wake at each
    # one (docs/performance.md); what the caller sees is the same: the tasks
    # exist, queued, and a cancel in the same script means they never start.
    log = SignalLog(qml.manager.signals)
    thread_mode = qml.manager.mode_named("thread")
    qml.js(
        'for (var i = 0; i < 3; i++) u = tasks.run("echo", [i]); note(u.state); t = tasks.run("echo", [9]); t.cancel()'
    )
    assert qml.out == ["queued"] and not thread_mode._jobs  # nothing handed over yet
    task = qml.t
    qtbot.waitUntil(lambda: task.property("done") and qml.value("u").property("done"), timeout=5000)
    assert task.property("state") == "cancelled" and qml.value("u").property("state") == "finished"
    assert log.names(task.property("taskId")) == ["cancelled", "finished"]  # never started


def test_a_task_object_nobody_watches_reads_true_and_a_later_binding_follows(qml, qtbot):
    qml.manager.expose(tasks.wait_for_cancel, name="wait")
    qml.js('t = tasks.run("echo", [1]); u = tasks.run("wait")')
    qtbot.waitUntil(lambda: qml.t.property("done"), timeout=5000)  # nothing listens: a read brings it up to date
    assert qml.t.property("state") == "finished" and qml.t.property("progress") == 100.0
    waiting = qml.value("u")
    qtbot.waitUntil(lambda: waiting.property("state") == "running", timeout=5000)
    qml.js(
        "page = Qt.createQmlObject('import QtQml 2.15; QtObject {"
        ' property string done: root.t.state + " " + root.t.result.args[0];'
        ' property string waiting: root.u.state + " " + root.u.done }\', root)'
    )
    page = qml.root.property("page")
    assert page.property("done") == "finished 1" and page.property("waiting") == "running false"
    qml.js("u.cancel()")  # the binding made while it ran follows it from then on
    qtbot.waitUntil(lambda: page.property("waiting") == "cancelled true", timeout=5000)


MODES = {
    "thread": (tasks.wait_for_cancel, "thread"),
    "process": (tasks.wait_for_cancel, "process"),
    "asyncio": (tasks.async_wait_for_cancel, "asyncio"),
    "executor": (tasks.sleep_in_steps, "pool"),
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_run_ends_with_its_owner_and_calls_nothing_after(qml, qtbot, mode):
    fn, mode_name = MODES[mode]
    if mode == "executor":
        executor = concurrent.futures.ThreadPoolExecutor(1)
        qml.manager.add_mode(ExecutorMode("pool", executor))
    qml.manager.expose(fn, name="work")
    args = "[0.3]" if mode == "executor" else "[]"
    qml.js(
        'page = Qt.createQmlObject("import QtQml 2.15; QtObject { property string text: \\"p\\" }", root);'
        f't = tasks.run("work", {args}, {{owner: page, mode: "{mode_name}"}})'
        ".then(function () { note(page.text) }, function () { note(page.text) }, function () { note(page.text) })"
    )
    task = qml.t
    if mode != "executor":
        qtbot.waitUntil(lambda: task.property("state") == "running", timeout=10_000)
    qml.js("page.destroy()")
    qtbot.waitUntil(lambda: task.property("done"), timeout=10_000)
    assert task.property("state") in ("cancelled", "finished")
    qtbot.wait(100)  # a callback would come in a later turn
    assert qml.out == []
    if mode == "executor":
        executor.shutdown()


def test_no_partial_result_reaches_qml_once_its_owner_is_gone(qml, qtbot):
    def share_until_cancelled(task):
        while True:  # bursts: some are always on their way to the GUI thread
            for _ in range(500):
                task.partial("more")
            task.sleep(0.001)

    qml.manager.expose(share_until_cancelled, name="share")
    qml.js(
        'page = Qt.createQmlObject("import QtQml 2.15; QtObject { Component.onDestruction: note(\\"gone\\") }",'
        ' root); t = tasks.run("share", [], {owner: page}); t.partialReceived.connect(function (v) { note(v) })'
    )
    qtbot.waitUntil(lambda: len(qml.out) > 3, timeout=5000)
    qml.js("page.destroy()")
    qtbot.waitUntil(lambda: qml.t.property("done"), timeout=5000)
    qtbot.wait(50)
    assert qml.out[-1] == "gone" and qml.t.property("state") == "cancelled"


def test_latest_wins_twenty_calls_give_one_result_from_the_last(qml, qtbot):
    qml.manager.expose(tasks.sleep_in_steps, name="search")
    qml.js(
        "for (var i = 0; i < 20; i++) {"
        ' var run = tasks.run("search", [0.05 + i / 1000], {latest: true});'
        ' run.then(function (r) { note(r) }, null, function () { note("cancelled") }); if (i === 19) t = run }'
    )
    qtbot.waitUntil(lambda: len(qml.out) == 20, timeout=10_000)
    assert qml.out.count("cancelled") == 19
    assert qml.t.property("state") == "finished"
    states = [h.state for h in qml.manager.taskModel._handles]
    assert states.count(TaskState.FINISHED) == 1 and states[-1] == TaskState.FINISHED


def test_a_group_limit_lets_n_run_at_once_and_the_rest_wait_in_order(qml, qtbot):
    lock = threading.Lock()
    running, most = [0], [0]
    order = []
    gate = threading.Event()

    def work(n):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
            order.append(n)
        gate.wait(10)
        with lock:
            running[0] -= 1
        return n

    qml.manager.maxThreadCount = 4
    qml.manager.expose(work)
    qml.js('for (var i = 0; i < 5; i++) tasks.run("work", [i], {group: "g", limit: 2})')
    rows = qml.manager.tasks()
    try:
        qtbot.waitUntil(lambda: len(order) == 2, timeout=5000)
        assert [h.note for h in rows[2:]] == ["waiting: g runs 2 at a time"] * 3
    finally:
        gate.set()
    qtbot.waitUntil(lambda: all(h.done for h in rows), timeout=5000)
    # Two admitted together race to their first line; one at a time shows the order.
    assert most[0] == 2 and sorted(order[:2]) == [0, 1] and sorted(order) == [0, 1, 2, 3, 4]
    del order[:]
    qml.js('for (var i = 0; i < 5; i++) tasks.run("work", [i], {group: "one", limit: 1})')
    qtbot.waitUntil(lambda: len(order) == 5 and not qml.manager.busy, timeout=5000)
    assert order == [0, 1, 2, 3, 4] and most[0] == 2


def test_debounce_runs_only_the_last_call_once_quiet(qml, qtbot):
    qml.js(
        "for (var i = 0; i < 20; i++) {"
        ' var run = tasks.run("echo", [i], {debounce: 100});'
        ' run.then(function (r) { note(r.args[0]) }, null, function () { note("replaced") }); t = run }'
    )
    assert qml.manager.taskModel.rowCount() == 0
    qtbot.waitUntil(lambda: len(qml.out) == 20, timeout=5000)
    assert qml.out.count("replaced") == 19 and qml.out[-1] == 19
    assert qml.manager.taskModel.rowCount() == 1
    # The replaced runs live as long as the one that replaced them.
    assert len(qml.manager.findChildren(TaskObject)) == 20


def test_task_objects_go_with_their_rows(qml, qtbot):
    qml.manager.history_limit = 5
    qml.js('for (var i = 0; i < 50; i++) t = tasks.run("echo", [i])')
    qtbot.waitUntil(lambda: qml.t is not None and qml.t.property("done"), timeout=5000)
    qtbot.waitUntil(lambda: qml.manager.taskModel.rowCount() == 5, timeout=5000)
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(qml.manager.findChildren(TaskObject)) == 5
    qml.manager.clearFinished()
    qtbot.waitUntil(lambda: not qml.manager.findChildren(TaskObject), timeout=5000)
    qml.js("note(t === null)")
    assert qml.out == [True]


def test_run_from_python_says_to_use_submit_task(qml):
    manager = TaskManager()
    try:
        with pytest.raises(RuntimeError, match="use submit_task"):
            manager.run("echo")
    finally:
        assert manager.shutdown(5000)
        manager.deleteLater()


def test_expose_checks_its_options_and_says_when_a_name_is_replaced(qml, caplog):
    with pytest.raises(TypeError, match="expose\\(\\) options are"):
        qml.manager.expose(echo, colour="red")
    with pytest.raises(TypeError, match="option 'limit' must be a whole number from 1"):
        qml.manager.expose(echo, limit=0)
    caplog.set_level(logging.INFO)

    @qml.manager.expose(name="echo", mode="process")
    def other():
        return 1

    assert "run('echo') now calls" in caplog.text
    assert qml.manager.exposed() == ["echo", "fail"]


def test_ten_thousand_runs_leave_no_task_objects_behind(qml, qtbot, caplog):
    import gc

    def batch() -> int:
        qml.js('for (var i = 0; i < 10000; i++) t = tasks.run("echo", [i])')
        qtbot.waitUntil(lambda: not qml.manager.busy, timeout=60_000)
        qtbot.waitUntil(lambda: len(qml.manager.findChildren(TaskObject)) <= 1000, timeout=10_000)  # the history
        qml.js("t = null")
        qml.manager.clearFinished()
        qtbot.waitUntil(lambda: not qml.manager.findChildren(TaskObject), timeout=10_000)
        qml.engine.collectGarbage()
        gc.collect()
        return len(gc.get_objects())

    caplog.set_level(logging.WARNING)  # else the log keeps two records per task
    batch()
    children = len(qml.manager.children())
    second = batch()
    third = batch()
    # Nothing per run stays: a handle, a task object's wrapper or a callback
    # kept per run would show 10,000 times over. (RSS: bench/run_qml.py --memory.)
    assert third - second < 500, (second, third)
    assert len(qml.manager.children()) == children
