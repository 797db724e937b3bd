"""The QML module ``Offthread``: the engine's types, by name, for any app that imports it.

Registered, QML files can declare ``required property TaskManager tasks``
and ``property TaskObject search``, and QML tools (qmllint, qmlls) know every
property and slot: they read ``qml/types/Offthread/offthread.qmltypes``,
which ``scripts/qmltypes.py`` makes from the classes' source. An app adds
its own types to the same module (the demo's ``offthread.app.qmlmodule``).
"""

from __future__ import annotations

from typing import Any, Iterable

from .binding import QT6
from .filtering import TaskFilterModel
from .manager import TaskManager
from .model import TaskListModel
from .removals import Removals
from .taskobject import TaskObject

MODULE, MAJOR, MINOR = "Offthread", 1, 0

# Each type, and why QML cannot make one itself.
ENGINE_TYPES: tuple[tuple[Any, str], ...] = (
    (TaskListModel, "the TaskManager makes its task model"),
    (TaskFilterModel, "the TaskManager makes its task filter"),
    (Removals, "the TaskManager keeps its last removal"),
    (TaskManager, "an app makes its TaskManager in Python"),
    (TaskObject, "tasks.run() makes task objects"),
)

_registered: set[Any] = set()


def register_types(types: Iterable[tuple[Any, str]]) -> None:
    """Register each class of ``types`` in module ``Offthread 1.0``, once (before QML that imports it loads)."""
    from .qt import QtQml

    for cls, reason in types:
        if cls in _registered:
            continue
        if QT6:
            # PySide6's stub says the reason is bytes; the binding takes only a str.
            QtQml.qmlRegisterUncreatableType(cls, MODULE, MAJOR, MINOR, cls.__name__, reason)  # type: ignore[arg-type]
        else:  # PySide2 binds only qmlRegisterType: QML could make one there, and must not
            QtQml.qmlRegisterType(cls, MODULE, MAJOR, MINOR, cls.__name__)
        _registered.add(cls)


def register_qml_types() -> None:
    """Register the engine's types (``TaskManager``, ``TaskListModel``, ``TaskFilterModel``, ``Removals``,
    ``TaskObject``) in ``Offthread 1.0``."""
    register_types(ENGINE_TYPES)
