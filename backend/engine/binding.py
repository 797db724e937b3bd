"""The one place that knows which Qt binding runs: PySide2 (Qt 5.15) or PySide6.

The app imports Qt from :mod:`offthread.engine.qt`, which picks the binding
(``QT_API`` chooses); this module names it for logs, checks and tests.
"""

from __future__ import annotations

from . import qt

#: "PySide2" or "PySide6".
NAME: str = qt.NAME
#: The Qt version the binding runs on, e.g. "5.15.2".
QT_VERSION: str = str(qt.module("QtCore").qVersion())
#: Qt 6 (PySide6) rather than Qt 5.15 (PySide2).
QT6: bool = qt.QT6


def describe() -> str:
    """One line for logs and ``--version``: binding, its version and Qt's."""
    return f"{NAME} {qt.VERSION} (Qt {QT_VERSION})"
