"""The QML module ``Offthread``: the Python types the window sees, by name.

QML files then declare ``required property Backend backend`` instead of an
untyped ``QtObject``, and QML tools know every property and slot: they read
the same types from ``qml/types/Offthread/offthread.qmltypes``, which
``scripts/qmltypes.py`` makes from these classes' source.
"""

from __future__ import annotations

from typing import Any, Tuple

from ..engine.binding import QT6
from ..engine.manager import TaskManager
from ..engine.model import TaskListModel
from .backend import Backend
from .lagmeter import LagMeter

MODULE, MAJOR, MINOR = "Offthread", 1, 0

# Each type, and why QML cannot make one itself.
TYPES: Tuple[Tuple[Any, str], ...] = (
    (TaskListModel, "the TaskManager makes its task model"),
    (TaskManager, "an app makes its TaskManager in Python"),
    (LagMeter, "the Backend makes its lag meter"),
    (Backend, "the app makes the Backend and hands it to the window"),
)

_registered = False


def register_qml_types() -> None:
    """Register the types in module ``Offthread 1.0`` (once; before QML that imports it loads)."""
    global _registered
    if _registered:
        return
    from ..engine.qt import QtQml

    for cls, reason in TYPES:
        if QT6:
            # PySide6's stub says the reason is bytes; the binding takes only a str.
            QtQml.qmlRegisterUncreatableType(cls, MODULE, MAJOR, MINOR, cls.__name__, reason)  # type: ignore[arg-type]
        else:  # PySide2 binds only qmlRegisterType: QML could make one there, and must not
            QtQml.qmlRegisterType(cls, MODULE, MAJOR, MINOR, cls.__name__)
    _registered = True
