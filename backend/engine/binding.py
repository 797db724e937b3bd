"""The one place that knows which Qt binding runs: PySide2 (Qt 5.15) or PySide6.

Everything else imports Qt from ``qtpy``, which picks the binding (``QT_API``
overrides its choice). What qtpy does not cover is here.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import qtpy

#: "PySide2" or "PySide6".
NAME: str = qtpy.API_NAME
#: The Qt version the binding was built against, e.g. "5.15.2".
QT_VERSION: str = qtpy.QT_VERSION or ""
#: Qt 6 (PySide6) rather than Qt 5.15 (PySide2).
QT6: bool = bool(qtpy.QT6)


def shiboken_module() -> ModuleType:
    """The binding's own shiboken module (``qtpy.shiboken`` only re-exports its names)."""
    return importlib.import_module("shiboken6" if qtpy.PYSIDE6 else "shiboken2")


def describe() -> str:
    """One line for logs and ``--version``: binding, its version and Qt's."""
    return f"{NAME} {qtpy.PYSIDE_VERSION} (Qt {QT_VERSION})"
