"""Every QObject of the engine and the app uses its class's metaobject, never one of its own.

QML remembers what a metaobject holds (its property cache) by the
metaobject's address, for as long as the process runs. PySide gives an
object a metaobject of its own the first time a signal is connected to one
of its methods that is not a ``@Slot``, and frees it with the object. A
later object whose metaobject lands at that address is read in QML as the
old one: every property of a backend read as undefined, in about 1 run in
35 of a few test files together. docs/design.md, "One metaobject per class".
"""

from __future__ import annotations

import gc

from qtpy.QtCore import QStringListModel, QUrl
from qtpy.QtQml import QQmlComponent

from offthread.engine.qt import shiboken
from offthread.engine.signals import weak_slot

from . import tasks
from .helpers import click, find_item, own_metaobjects, wait_done

RUN_FROM_QML = b"""
import QtQml 2.15
QtObject {
    required property QtObject tasks
    property QtObject task: tasks.run("square", [7])
    property QtObject again: tasks.run("square", [8])
}
"""

SYNC_MODES = ("gui", "events", "thread", "process")


def test_the_app_in_use_has_no_object_with_a_metaobject_of_its_own(ui, backend, make_backend, qtbot):
    # Two of everything: an object with a metaobject of its own shows as one that differs from another's.
    other = make_backend(max_threads=1)
    with qtbot.waitSignal(backend.signals.started):
        click(qtbot, ui.window, find_item(ui.window, "dangerButton"))
    handles = [backend.submit_task(tasks.square, (n,), mode=mode) for n, mode in enumerate(SYNC_MODES)]
    handles.append(backend.submit_task(tasks.async_square, (5,), mode="asyncio"))
    backend.expose(tasks.square)
    component = QQmlComponent(ui.engine)
    component.setData(RUN_FROM_QML, QUrl())
    root = component.createWithInitialProperties({"tasks": backend})
    assert root is not None, [e.toString() for e in component.errors()]
    root.setParent(ui.engine)  # deleted with it, before the backend
    runs = [root.property("task"), root.property("again")]
    qtbot.waitUntil(lambda: all(run.property("done") for run in runs))
    assert [run.property("result").toVariant() for run in runs] == [49, 64]
    wait_done(qtbot, other.submit_task(tasks.square, (3,)))
    for handle in handles:
        wait_done(qtbot, handle)
    backend.taskFilter.setProperty("text", "square")
    backend.remove(handles[0].id)
    backend.removals.undo()
    backend.cancelAll()
    qtbot.waitUntil(lambda: not backend.busy, timeout=10_000)
    assert own_metaobjects(gc.get_objects()) == {}


class Recorder(QStringListModel):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple] = []

    def record(self, *args) -> None:
        self.calls.append(args)


def test_weak_slot_calls_its_method_only_while_the_object_lives(qapp):
    model = Recorder()
    calls = model.calls
    source = QStringListModel()
    source.modelAboutToBeReset.connect(weak_slot(model.beginResetModel))  # a Qt method, too
    source.dataChanged.connect(weak_slot(model.record))
    source.setStringList(["w"])
    model.endResetModel()  # (it warns unless the begin came)
    source.setData(source.index(0), "x")
    assert len(calls) == 1 and calls[0][0].row() == 0  # with the signal's arguments
    assert model.metaObject().methodCount() == Recorder.staticMetaObject.methodCount()  # no slot added
    shiboken().delete(model)  # its C++ side gone first, as when its parent deletes it
    source.setData(source.index(0), "y")
    del model
    source.setData(source.index(0), "z")  # and then its Python side: nothing, and no error
    assert len(calls) == 1
