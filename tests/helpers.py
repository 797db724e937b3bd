"""Small tools the tests share."""

from __future__ import annotations

import os
import select
import threading
import time
from pathlib import Path
from typing import Any

from qtpy.QtCore import QPoint, QPointF, Qt
from qtpy.QtQuick import QQuickItem, QQuickWindow
from qtpy.QtTest import QTest

from offthread import WorkerSignals


class SignalLog:
    """Records every signal of a WorkerSignals object as ``(name, task_id, *payload)``."""

    NAMES = WorkerSignals.NAMES

    def __init__(self, signals: WorkerSignals) -> None:
        self.events: list[tuple[Any, ...]] = []
        for name in self.NAMES:
            getattr(signals, name).connect(lambda *args, _name=name: self.events.append((_name, *args)))

    def of(self, task_id: int) -> list[tuple[Any, ...]]:
        return [e for e in self.events if e[1] == task_id]

    def names(self, task_id: int) -> list[str]:
        return [e[0] for e in self.of(task_id)]

    def progress(self, task_id: int) -> list[float]:
        return [e[2] for e in self.of(task_id) if e[0] == "progress"]


def wait_done(qtbot, handle, timeout: int = 5000) -> None:
    """Wait until a task has ended, whatever the outcome."""
    qtbot.waitUntil(lambda: handle.done, timeout=timeout)


class Gate:
    """A task body that blocks until the test opens the gate; it ignores cancellation."""

    def __init__(self) -> None:
        self._open = threading.Event()
        self.entered = threading.Event()

    def __call__(self, value: Any = None) -> Any:
        self.entered.set()
        if not self._open.wait(30):
            raise TimeoutError("the gate was never opened")
        return value

    def open(self) -> None:
        self._open.set()


def find_item(root: QQuickWindow | QQuickItem, object_name: str) -> QQuickItem:
    """The item called ``object_name`` in a window or under an item, searched in the visual tree."""
    pending = [root.contentItem() if isinstance(root, QQuickWindow) else root]
    while pending:
        item = pending.pop()
        if item.objectName() == object_name:
            return item
        pending.extend(item.childItems())
    raise AssertionError(f"no item named {object_name!r} in {root.objectName() or root}")


def click(qtbot, window: QQuickWindow, item: QQuickItem) -> None:
    """A real mouse click at the centre of ``item``, sent to the window.

    First the item must show and take clicks, and the window must have drawn
    a frame since: an item that has just appeared (a row's button, once its
    task ended) is placed by its layout only when the window polishes, before
    its next frame, and takes no click for a moment (TaskRow's settleMs).
    """
    qtbot.waitUntil(lambda: item.isVisible() and item.isEnabled())
    with qtbot.waitSignal(window.frameSwapped):
        window.update()
    centre = item.mapToScene(QPointF(item.width() / 2, item.height() / 2))
    QTest.mouseClick(
        window, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, QPoint(int(centre.x()), int(centre.y()))
    )


def wait_for_item(qtbot, root: QQuickWindow | QQuickItem, object_name: str) -> QQuickItem:
    """The item called ``object_name``, once the view has made it (delegates come a frame later)."""
    found: list[QQuickItem] = []

    def made() -> bool:
        try:
            found.append(find_item(root, object_name))
        except AssertionError:
            return False
        return True

    qtbot.waitUntil(made)
    return found[-1]


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has ended, and so
    has one shown as "X", dead: its parent is reaping it at that instant)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def wait_until_gone(pid: int, timeout: float = 5.0) -> None:
    """Wait until process ``pid`` (any process, not only a child) has ended."""
    try:
        descriptor = os.pidfd_open(pid)  # readable once the process ends: a real wait
    except (AttributeError, OSError):  # Python 3.8, an old kernel, or it is gone already
        descriptor = None
    deadline = time.monotonic() + timeout
    if descriptor is not None:
        try:
            select.select([descriptor], [], [], timeout)
        finally:
            os.close(descriptor)
    # Look until /proc agrees, should it lag the pidfd. Without a pidfd, there
    # is no other way to wait on a process that is not our child.
    while process_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not process_alive(pid), f"process {pid} is still running"


def own_metaobjects(objects: Any) -> dict[str, set[str]]:
    """The QObjects among ``objects`` (of this project's classes) with a metaobject of their own,
    not their class's: {class name: the methods it added}. Empty when all is well.

    PySide makes one for an object when a signal is first connected to one of
    its methods that is not a ``@Slot``, and frees it with the object; QML may
    then read the next object whose metaobject lands at that address as the
    old one (docs/design.md, "One metaobject per class"). The class's own is
    the first seen of it in this process (a class's metaobject never moves);
    the class's ``staticMetaObject`` is not read: its wrapper may be stale.
    """
    from qtpy.QtCore import QObject

    from offthread.engine import qt

    pointer = qt.shiboken().getCppPointer
    found: dict[str, set[str]] = {}
    for obj in objects:
        if not isinstance(obj, QObject) or not type(obj).__module__.startswith("offthread"):
            continue
        try:
            meta = obj.metaObject()
        except RuntimeError:  # its C++ side is gone
            continue
        first = _CLASS_METAOBJECTS.setdefault(type(obj), (pointer(meta)[0], meta.methodCount()))
        if pointer(meta)[0] != first[0]:
            added = (bytes(meta.method(i).methodSignature()).decode() for i in range(first[1], meta.methodCount()))
            found.setdefault(type(obj).__qualname__, set()).update(added)
    return found


_CLASS_METAOBJECTS: dict[type, tuple[int, int]] = {}  # class -> (its metaobject's address, its method count)


def free_display() -> str:
    """An X display name with no server behind it on this machine."""
    number = next(n for n in range(57, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    return f":{number}"
